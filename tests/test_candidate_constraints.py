"""The database constraints of the recruitment models, hit directly with the ORM (no services, no full_clean).

Each refused write must name its constraint where the backend says it: SQLite and PostgreSQL both
name a failed CHECK. A partial unique constraint is a unique index; PostgreSQL names the index
(which Django gives the constraint's name), SQLite only the columns.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from recruitment.models import (
    DATE_ORDER,
    Candidate,
    CandidateWarning,
    Introducer,
    IntroducerKind,
    RuleSet,
    Stage,
    StageEvent,
    WarningCode,
)
from tests.base import BaseTestCase
from tests.people import make_candidate

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


class ConstraintTestCase(BaseTestCase):
    def assert_violates(self, name: str, write: Any) -> None:
        """`write()` fails in the database, and the error names the constraint."""
        with self.assertRaises(IntegrityError) as ctx, transaction.atomic():
            write()
        self.assertIn(name, str(ctx.exception))

    def assert_unique_violated(self, name: str, columns: str, write: Any) -> None:
        with self.assertRaises(IntegrityError) as ctx, transaction.atomic():
            write()
        # PostgreSQL: 'duplicate key value violates unique constraint "<index>"'; SQLite: the columns.
        expected = name if connection.vendor == "postgresql" else columns
        self.assertIn(expected, str(ctx.exception))

    def assert_accepted(self, write: Any) -> None:
        with transaction.atomic():
            write()

    def candidate(self, stage: str = Stage.SOURCE, **fields: Any) -> Candidate:
        return make_candidate(self.orgs["C1.B1.01"], stage, **fields)

    def change(self, c: Candidate, **values: Any) -> Any:
        return lambda: Candidate.objects.filter(pk=c.pk).update(**values)


class CandidateChoicesTestCase(ConstraintTestCase):
    def test_the_stage_must_be_one_of_the_choices(self) -> None:
        c = self.candidate()
        self.assert_violates("recruitment_candidate_stage_valid", self.change(c, stage="limbo"))

    def test_the_gender_must_be_one_of_the_choices(self) -> None:
        c = self.candidate()
        self.assert_violates("recruitment_candidate_gender_valid", self.change(c, gender="other"))
        self.assert_violates("recruitment_candidate_gender_valid", self.change(c, gender=""))

    def test_the_citizen_id_has_12_characters(self) -> None:
        c = self.candidate()
        for bad in ("12345678901", ""):
            with self.subTest(national_id=bad):
                self.assert_violates("recruitment_candidate_national_id_length", self.change(c, national_id=bad))
        self.assert_accepted(self.change(c, national_id="001099012345"))

    def test_a_longer_citizen_id_is_refused_too(self) -> None:
        # PostgreSQL stops it at the column's length before the check; SQLite has only the check.
        c = self.candidate()
        with self.assertRaises((IntegrityError, DataError)), transaction.atomic():
            self.change(c, national_id="0010990123456")()
        self.assertEqual(len(Candidate.objects.get(pk=c.pk).national_id), 12)


class OneOpenCandidacyTestCase(ConstraintTestCase):
    NAME = "recruitment_candidate_one_open_per_national_id"

    def test_a_person_has_one_open_candidacy_at_a_time(self) -> None:
        self.candidate(national_id="001099012345")
        self.assert_unique_violated(
            self.NAME,
            "recruitment_candidate.national_id",
            lambda: make_candidate(self.orgs["C2.B1.01"], Stage.SOURCE, national_id="001099012345"),
        )

    def test_a_candidacy_reopened_by_changing_its_stage_is_refused_too(self) -> None:
        self.candidate(national_id="001099012345")
        ended = self.candidate(Stage.REMOVED, national_id="001099012345")
        self.assert_unique_violated(
            self.NAME, "recruitment_candidate.national_id", self.change(ended, stage=Stage.AWARENESS)
        )

    def test_ended_candidacies_do_not_count(self) -> None:
        for stage in (Stage.REMOVED, Stage.NOT_ADMITTED, Stage.STRUCK_OFF, Stage.TRANSFERRED):
            self.candidate(stage, national_id="001099012345")
        self.candidate(Stage.DOSSIER, national_id="001099012345")
        self.assertEqual(Candidate.objects.filter(national_id="001099012345").count(), 5)
        self.assertEqual(Candidate.objects.open().filter(national_id="001099012345").count(), 1)

    def test_a_full_member_still_holds_the_citizen_id(self) -> None:
        self.candidate(Stage.OFFICIAL, national_id="001099012345")
        self.assert_unique_violated(
            self.NAME,
            "recruitment_candidate.national_id",
            lambda: self.candidate(Stage.SOURCE, national_id="001099012345"),
        )


class DateOrderTestCase(ConstraintTestCase):
    # Every date of DATE_ORDER but the birth date, which cannot be empty.
    ORDERED_DATES = sorted({name for pair in DATE_ORDER for name in pair[:2]} - {"birth_date"})
    # A number or reason the table requires beside some of the dates.
    COMPANIONS = {
        "decision_date": {"decision_no": "56-QĐ/ĐU"},
        "recognition_date": {"recognition_decision_no": "78-QĐ/ĐU"},
        "removal_date": {"removal_reason": "other"},
    }

    def name(self, earlier: str, later: str) -> str:
        return f"recruitment_candidate_{earlier.removesuffix('_date')}_before_{later.removesuffix('_date')}"

    def only(self, earlier: str, later: str, first: datetime.date, second: datetime.date) -> dict[str, Any]:
        """Every ordered date empty but the pair, so no other constraint can be the one that fails."""
        values: dict[str, Any] = dict.fromkeys(self.ORDERED_DATES)
        values.update(birth_date=D(1990, 1, 1))
        values.update({earlier: first, later: second})
        for name in (earlier, later):
            values.update(self.COMPANIONS.get(name, {}))
        return values

    def test_each_pair_the_wrong_way_round_is_refused(self) -> None:
        c = self.candidate()
        self.assertEqual(len(DATE_ORDER), 24)  # 19 before issue 15 (decision received, consent, new-member course)
        for earlier, later, _strict in DATE_ORDER:
            with self.subTest(earlier=earlier, later=later):
                write = self.change(c, **self.only(earlier, later, D(2024, 5, 2), D(2024, 5, 1)))
                self.assert_violates(self.name(earlier, later), write)

    def test_the_same_day_is_refused_only_where_the_order_is_strict(self) -> None:
        c = self.candidate()
        day = D(2024, 5, 2)
        for earlier, later, strict in DATE_ORDER:
            with self.subTest(earlier=earlier, later=later, strict=strict):
                write = self.change(c, **self.only(earlier, later, day, day))
                if strict:
                    self.assert_violates(self.name(earlier, later), write)
                else:
                    self.assert_accepted(write)

    def test_the_right_order_is_accepted(self) -> None:
        c = self.candidate()
        for earlier, later, _strict in DATE_ORDER:
            with self.subTest(earlier=earlier, later=later):
                self.assert_accepted(self.change(c, **self.only(earlier, later, D(2024, 5, 1), D(2024, 5, 2))))

    def test_an_empty_date_is_never_out_of_order(self) -> None:
        c = self.candidate(Stage.DOSSIER)
        self.assert_accepted(self.change(c, branch_vote_date=None, verification_date=D(2026, 1, 1)))


class CandidateRecordTestCase(ConstraintTestCase):
    def test_the_full_member_date_is_the_end_of_probation(self) -> None:
        c = self.candidate(Stage.OFFICIAL)
        assert c.probation_end is not None
        self.assert_violates(
            "recruitment_candidate_official_from_probation_end",
            self.change(c, official_date=c.probation_end + ONE_DAY),
        )
        self.assert_accepted(self.change(c, official_date=c.probation_end))

    def test_a_decision_date_needs_its_number(self) -> None:
        c = self.candidate(Stage.DECIDED)
        self.assert_violates("recruitment_candidate_decision_has_number", self.change(c, decision_no=""))

    def test_a_recognition_date_needs_its_number(self) -> None:
        c = self.candidate(Stage.OFFICIAL)
        self.assert_violates("recruitment_candidate_recognition_has_number", self.change(c, recognition_decision_no=""))

    def test_a_removal_date_needs_a_reason(self) -> None:
        c = self.candidate(Stage.REMOVED)
        self.assert_violates("recruitment_candidate_removal_has_reason", self.change(c, removal_reason=""))

    def test_a_removal_reason_is_one_of_the_codes(self) -> None:
        c = self.candidate(Stage.REMOVED)
        for text in ("Chuyển công tác", "Lý do khác", "OTHER"):
            with self.subTest(text=text):
                self.assert_violates("recruitment_candidate_removal_reason_valid", self.change(c, removal_reason=text))

    def test_a_decided_stage_needs_the_decision(self) -> None:
        for stage in (Stage.DECIDED, Stage.PROBATION, Stage.OFFICIAL):
            with self.subTest(stage=stage):
                c = self.candidate(stage)
                self.assert_violates("recruitment_candidate_decided_has_decision", self.change(c, decision_date=None))
        reviewed = self.candidate(Stage.COMMITTEE_REVIEWED)
        self.assert_violates("recruitment_candidate_decided_has_decision", self.change(reviewed, stage=Stage.DECIDED))

    def test_probation_needs_the_ceremony(self) -> None:
        c = self.candidate(Stage.DECIDED)
        self.assert_violates("recruitment_candidate_admitted_has_ceremony", self.change(c, stage=Stage.PROBATION))
        struck = self.candidate(Stage.STRUCK_OFF)
        self.assert_violates(
            "recruitment_candidate_admitted_has_ceremony", self.change(struck, admission_date=None, probation_end=None)
        )

    def test_a_full_member_needs_the_recognition(self) -> None:
        c = self.candidate(Stage.PROBATION)
        self.assert_violates("recruitment_candidate_official_is_recognized", self.change(c, stage=Stage.OFFICIAL))

    def test_an_ended_stage_needs_its_date(self) -> None:
        c = self.candidate()
        for stage in (Stage.REMOVED, Stage.NOT_ADMITTED, Stage.STRUCK_OFF, Stage.TRANSFERRED):
            with self.subTest(stage=stage):
                write = self.change(c, stage=stage, removal_date=None, admission_date=D(2023, 9, 5))
                self.assert_violates("recruitment_candidate_ended_has_date", write)

    def test_votes_for_cannot_exceed_the_members(self) -> None:
        c = self.candidate(Stage.OFFICIAL)
        cases = {
            "recruitment_candidate_branch_votes_within_members": {"branch_vote_members": 9, "branch_votes_for": 10},
            "recruitment_candidate_committee_votes_within_members": {"committee_members": 7, "committee_votes_for": 8},
            "recruitment_candidate_recognition_votes_within_members": {
                "recognition_vote_members": 9,
                "recognition_votes_for": 10,
            },
        }
        for name, values in cases.items():
            with self.subTest(constraint=name):
                self.assert_violates(name, self.change(c, **values))
        self.assert_accepted(self.change(c, branch_vote_members=9, branch_votes_for=9))


class IntroducerConstraintTestCase(ConstraintTestCase):
    def introducer(self, **fields: Any) -> Any:
        c = self.candidate(Stage.DOSSIER)
        values: dict[str, Any] = {
            "candidate": c,
            "kind": IntroducerKind.MEMBER,
            "name": "Trần Văn Hùng",
            "known_since": D(2020, 1, 1),
            "introduced_on": D(2023, 6, 1),
        }
        return lambda: Introducer.objects.create(**{**values, **fields})

    def test_a_member_says_since_when_they_know_the_person(self) -> None:
        self.assert_violates("recruitment_introducer_member_known_since", self.introducer(known_since=None))

    def test_a_replacement_member_may_leave_it_empty(self) -> None:
        self.assert_accepted(self.introducer(known_since=None, is_replacement=True))

    def test_a_union_resolution_has_no_such_date(self) -> None:
        self.assert_accepted(self.introducer(kind=IntroducerKind.YOUTH_UNION, name="BCH Đoàn", known_since=None))

    def test_the_acquaintance_starts_before_the_introduction(self) -> None:
        self.assert_violates(
            "recruitment_introducer_known_before_introduction", self.introducer(known_since=D(2023, 6, 2))
        )
        self.assert_accepted(self.introducer(known_since=D(2023, 6, 1)))

    def test_the_kind_must_be_one_of_the_choices(self) -> None:
        self.assert_violates("recruitment_introducer_kind_valid", self.introducer(kind="neighbour"))


class StageEventConstraintTestCase(ConstraintTestCase):
    def event(self, **fields: Any) -> Any:
        c = self.candidate()
        values: dict[str, Any] = {
            "candidate": c,
            "from_stage": "",
            "to_stage": Stage.SOURCE,
            "act_date": D(2023, 1, 10),
        }
        return lambda: StageEvent.objects.create(**{**values, **fields})

    def test_the_stages_must_be_among_the_choices(self) -> None:
        self.assert_violates("recruitment_stageevent_to_valid", self.event(to_stage="limbo"))
        self.assert_violates("recruitment_stageevent_from_valid", self.event(from_stage="limbo"))
        self.assert_accepted(self.event(from_stage=Stage.SOURCE, to_stage=Stage.AWARENESS))


class WarningConstraintTestCase(ConstraintTestCase):
    def warning(self, c: Candidate, **fields: Any) -> Any:
        return lambda: CandidateWarning.objects.create(candidate=c, **{"code": WarningCode.DECISION_LATE, **fields})

    def test_one_open_warning_of_a_kind_per_candidate(self) -> None:
        c = self.candidate(Stage.DECIDED)
        self.warning(c)()
        self.assert_unique_violated(
            "recruitment_candidatewarning_one_open_per_code",
            "recruitment_candidatewarning.candidate_id, recruitment_candidatewarning.code",
            self.warning(c),
        )

    def test_another_kind_or_a_handled_one_does_not_count(self) -> None:
        c = self.candidate(Stage.DECIDED)
        self.warning(c, resolved_at=timezone.now(), resolution="Đã báo cáo")()
        self.assert_accepted(self.warning(c))
        self.assert_accepted(self.warning(c, code=WarningCode.CEREMONY_LATE))
        other = self.candidate(Stage.DECIDED)
        self.assert_accepted(self.warning(other))
        self.assertEqual(CandidateWarning.objects.filter(resolved_at=None).count(), 3)

    def test_a_handled_warning_says_how(self) -> None:
        c = self.candidate(Stage.DECIDED)
        self.assert_violates(
            "recruitment_candidatewarning_resolution_explained", self.warning(c, resolved_at=timezone.now())
        )

    def test_the_code_must_be_one_of_the_choices(self) -> None:
        c = self.candidate(Stage.DECIDED)
        self.assert_violates("recruitment_candidatewarning_code_valid", self.warning(c, code="bad_weather"))


class RuleSetConstraintTestCase(ConstraintTestCase):
    def change_rules(self, **values: Any) -> Any:
        return lambda: RuleSet.objects.filter(effective_from=D(2025, 7, 1)).update(**values)

    def test_the_vote_fraction_is_above_zero_and_at_most_one(self) -> None:
        for numerator, denominator in ((0, 3), (4, 3)):
            with self.subTest(fraction=f"{numerator}/{denominator}"):
                write = self.change_rules(vote_numerator=numerator, vote_denominator=denominator)
                self.assert_violates("recruitment_ruleset_vote_fraction", write)
        self.assert_accepted(self.change_rules(vote_numerator=3, vote_denominator=3))

    def test_the_minimum_age_is_below_the_maximum(self) -> None:
        self.assert_violates("recruitment_ruleset_age_range", self.change_rules(min_age_months=720))
        self.assert_accepted(self.change_rules(min_age_months=719))

    def test_probation_lasts_some_months(self) -> None:
        self.assert_violates("recruitment_ruleset_probation_positive", self.change_rules(probation_months=0))

    def test_one_rule_set_per_day(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            RuleSet.objects.create(effective_from=D(2025, 7, 1), legal_basis="Bản trùng")
