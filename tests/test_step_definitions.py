"""Each rule once (issue 12 point 4): the stage of each date and the fields each step requires are defined
once (recruitment.rules.STAGE_DATE_FIELD and NUMBERED, services.STEPS), and the web's steps, the step
forms and the workbook import all read them. These tests fail if a copy drifts apart again."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from imports import checks
from recruitment import rules, services
from recruitment.forms import StepForm
from recruitment.models import ENDED_STAGES, PIPELINE, Candidate, Stage
from recruitment.services import STEPS
from tests.base import BaseTestCase
from tests.test_candidate_services import PERSON, TODAY, YOUTH_UNION, add_introducer, advance, update

D = datetime.date

# The walk of tests/test_candidate_services.py: (step, date, number, fields).
WALK: list[tuple[str, datetime.date, str, dict[str, Any]]] = [
    ("awareness", D(2024, 3, 15), "CN-15/2024", {}),
    ("dossier", D(2024, 4, 3), "", {}),
    ("branch_vote", D(2024, 7, 5), "12-NQ/CB", {"branch_vote_members": 9, "branch_votes_for": 8}),
    ("committee_review", D(2024, 7, 22), "34-NQ/ĐU", {"committee_members": 7, "committee_votes_for": 7}),
    ("decision", D(2024, 8, 15), "56-QĐ/ĐU", {}),
    ("ceremony", D(2024, 9, 5), "", {}),
    (
        "recognition",
        D(2025, 10, 1),
        "78-QĐ/ĐU",
        {
            "new_member_course_date": D(2024, 12, 10),
            "recognition_vote_date": D(2025, 9, 15),
            "recognition_vote_members": 9,
            "recognition_votes_for": 9,
        },
    ),
]


class StageDatesTestCase(BaseTestCase):
    def test_every_stage_has_one_date_field_read_by_the_steps_and_the_import(self) -> None:
        self.assertIs(checks.STAGE_DATE_FIELD, rules.STAGE_DATE_FIELD)
        self.assertEqual(set(rules.STAGE_DATE_FIELD), set(Stage.values))
        for step in STEPS.values():
            self.assertEqual(step.date_field, rules.STAGE_DATE_FIELD[step.to], step.name)
        # The stages of the way to full membership open with their own act, in the pipeline's order.
        opening = [stage for stage in PIPELINE if stage not in ENDED_STAGES]
        self.assertEqual([stage for _field, stage in rules.STAGE_DATES], opening)
        for stage in ENDED_STAGES:
            self.assertEqual(rules.STAGE_DATE_FIELD[stage], "removal_date")

    def test_the_import_derives_from_the_recorded_dates_the_stage_each_web_step_led_to(self) -> None:
        c = services.candidate_create(
            organization=self.orgs["C1.B1.01"],
            acting_user=self.dave,
            source_date=D(2024, 1, 10),
            today=TODAY,
            national_id="001200012399",
            **PERSON,
        )
        self.assertEqual(rules.stage_from_dates(c), c.stage)
        for step, day, number, fields in WALK:
            if step == "branch_vote":
                update(
                    c,
                    self.erin,
                    personal_history_date=D(2024, 4, 10),
                    verification_date=D(2024, 6, 20),
                    residence_comment_date=D(2024, 6, 25),
                )
                add_introducer(c, self.erin)
                add_introducer(c, self.erin, **YOUTH_UNION)
            advance(c, step, day, self.dave, number, **fields)
            stored = Candidate.objects.get(pk=c.pk)
            with self.subTest(step=step):
                self.assertEqual(stored.stage, STEPS[step].to)
                # What the import reads from the same dates: the same stage, dated by the same act.
                self.assertEqual(checks.import_stage(stored), stored.stage)
                self.assertEqual(getattr(stored, checks.STAGE_DATE_FIELD[stored.stage]), stored.stage_date)


def _form_required(form: StepForm) -> set[str]:
    """The model fields the step form requires (its act_date and document_no named as the step's fields)."""
    names = {"act_date": form.step.date_field, "document_no": form.step.number_field}
    return {names.get(name, name) for name, field in form.fields.items() if field.required and name != "version"}


class StepFieldsTestCase(BaseTestCase):
    def test_the_step_form_requires_exactly_the_fields_the_step_requires(self) -> None:
        stages = {step.name: step for step in STEPS.values()}
        for name, step in stages.items():
            for stage in Stage.values:
                form = StepForm(step=name, stage=stage)
                expected = set(step.required_fields)
                if "removal_reason" in expected and "removal_reason" not in form.fields:
                    expected.discard("removal_reason")  # the step implies its reason: the service records it
                if step.vote_may_fail:
                    # A vote short of the threshold has no decision: the service requires its date and number only
                    # once the vote passes (issue 15).
                    expected -= {step.date_field, step.number_field}
                if step.proposal_may_fail:
                    # A proposal voted short of the threshold is recorded undecided: the service requires the number
                    # only once it passes (tests/test_correct_recognition_votes.py).
                    expected -= {step.number_field}
                with self.subTest(step=name, stage=stage):
                    self.assertEqual(_form_required(form), expected)

    def test_a_number_the_rules_pair_with_a_date_is_recorded_by_the_step_of_that_date(self) -> None:
        for date_field, number_field in rules.NUMBERED:
            steps = [s for s in STEPS.values() if s.date_field == date_field]
            self.assertTrue(steps, date_field)
            for step in steps:
                self.assertIn(number_field, {step.number_field, *step.fields}, step.name)
                self.assertIn(number_field, step.required_fields, step.name)

    def test_the_service_refuses_a_step_without_a_field_it_requires(self) -> None:
        c = services.candidate_create(
            organization=self.orgs["C1.B1.01"],
            acting_user=self.dave,
            source_date=D(2024, 1, 10),
            today=TODAY,
            national_id="001200012398",
            **PERSON,
        )
        for step, day, number, fields in WALK[:2]:
            advance(c, step, day, self.dave, number, **fields)
        update(
            c,
            self.erin,
            personal_history_date=D(2024, 4, 10),
            verification_date=D(2024, 6, 20),
            residence_comment_date=D(2024, 6, 25),
        )
        add_introducer(c, self.erin)
        add_introducer(c, self.erin, **YOUTH_UNION)
        with self.assertRaises(ValidationError) as caught:
            advance(c, "branch_vote", D(2024, 7, 5), self.dave, "12-NQ/CB", branch_vote_members=9)
        self.assertEqual(set(caught.exception.message_dict), {"branch_votes_for"})
        self.assertEqual(Candidate.objects.get(pk=c.pk).stage, Stage.DOSSIER)


class DemoActsTestCase(BaseTestCase):
    def test_the_demo_records_each_step_as_the_step_does(self) -> None:
        from devdata.people import _Act

        day = D(2024, 8, 15)
        self.assertEqual(_Act("source", day).fields, {"source_date": day})
        for step in STEPS.values():
            act = _Act(step.name, day, number="decision")
            with self.subTest(step=step.name):
                self.assertEqual(act.fields, {step.date_field: day})
                self.assertEqual(act.number_field, step.number_field)
