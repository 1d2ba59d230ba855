"""Removal reasons as codes: where each may be given and what it ends in, and the migration from free text."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection
from django.test import SimpleTestCase
from django.utils import translation

from devdata import dataset, people
from recruitment.models import (
    REMOVAL_OUTCOMES,
    Candidate,
    RemovalReason,
    Stage,
    StageEvent,
    reasons_ending_in,
    reasons_from,
    removal_outcome,
)
from recruitment.services import STEPS
from tests.base import BaseTestCase
from tests.people import make_candidate

migration = importlib.import_module("recruitment.migrations.0014_removal_reason_codes")

BEFORE_VOTE = (Stage.SOURCE, Stage.AWARENESS, Stage.DOSSIER)
AFTER_VOTE = (Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED, Stage.DECIDED)


class RemovalOutcomesTestCase(SimpleTestCase):
    def test_each_reason_ends_where_the_rules_say(self) -> None:
        # Written out here from DOMAIN §2–3 and §8–9, not derived from the table under test.
        expected: dict[str, dict[str, str]] = {
            "not_admitted": dict.fromkeys(AFTER_VOTE, Stage.NOT_ADMITTED),
            "struck_off": {Stage.PROBATION: Stage.STRUCK_OFF},
            "moved_away": dict.fromkeys(BEFORE_VOTE, Stage.TRANSFERRED),
        }
        leaving: dict[str, str] = {
            **dict.fromkeys(BEFORE_VOTE, Stage.REMOVED),
            **dict.fromkeys(AFTER_VOTE, Stage.NOT_ADMITTED),
            Stage.PROBATION: Stage.STRUCK_OFF,  # a probationer who dies or leaves: off the probationary list
            Stage.OFFICIAL: Stage.OFFICIAL,  # a full member's later leaving ends no candidacy
        }
        for reason in ("withdrew", "died", "other"):
            expected[reason] = leaving
        for reason in RemovalReason.values:
            for stage in Stage.values:
                with self.subTest(reason=reason, stage=stage):
                    self.assertEqual(removal_outcome(reason, stage), expected[reason].get(stage))
        self.assertEqual(set(REMOVAL_OUTCOMES), set(expected))

    def test_an_unknown_reason_ends_nothing(self) -> None:
        self.assertIsNone(removal_outcome("chuyên ngành đào tạo", Stage.SOURCE))

    def test_the_pipeline_ends_only_as_the_reasons_allow(self) -> None:
        for stage, moves in Candidate.TRANSITIONS.items():
            ends = {to for to in moves if to in (Stage.REMOVED, Stage.NOT_ADMITTED, Stage.STRUCK_OFF,
                                                 Stage.TRANSFERRED)}  # fmt: skip
            with self.subTest(stage=stage):
                self.assertEqual(ends, {removal_outcome(r, stage) for r in reasons_from(stage)} - {stage})
        self.assertNotIn(Stage.TRANSFERRED, Candidate.TRANSITIONS[Stage.PROBATION])

    def test_the_reasons_of_each_ended_stage(self) -> None:
        self.assertEqual(reasons_ending_in(Stage.REMOVED), ["withdrew", "died", "other"])
        self.assertEqual(reasons_ending_in(Stage.NOT_ADMITTED), ["not_admitted", "withdrew", "died", "other"])
        self.assertEqual(reasons_ending_in(Stage.STRUCK_OFF), ["withdrew", "struck_off", "died", "other"])
        self.assertEqual(reasons_ending_in(Stage.TRANSFERRED), ["moved_away"])

    def test_the_vietnamese_labels(self) -> None:
        with translation.override("vi"):
            labels = {code: str(label) for code, label in RemovalReason.choices}
        self.assertEqual(labels, migration.LABELS)  # the migration's copy is the catalogue's


class MigrationMappingTestCase(SimpleTestCase):
    def test_a_code_or_a_label_becomes_the_code_with_nothing_in_the_note(self) -> None:
        for code, label in migration.LABELS.items():
            for text in (code, label, label.upper(), migration.fold(label), f"  {label} ", migration.ENGLISH[code]):
                with self.subTest(text=text):
                    self.assertEqual(migration.reason_code(text, Stage.REMOVED), (code, ""))

    def test_other_text_goes_into_the_note_and_the_stage_gives_the_code(self) -> None:
        cases = [
            ("Vi phạm tư cách", Stage.STRUCK_OFF, "struck_off"),
            ("Chuyển sinh hoạt đảng", Stage.TRANSFERRED, "moved_away"),
            ("Cấp trên không đồng ý", Stage.NOT_ADMITTED, "not_admitted"),
            ("chuyên ngành đào tạo", Stage.REMOVED, "other"),  # never read for words
            ("Chuyển công tác", Stage.REMOVED, "other"),
            ("Từ trần năm 2024", Stage.STRUCK_OFF, "struck_off"),  # not a label: the stage decides
            ("Chuyển đi", Stage.OFFICIAL, "other"),
        ]
        for text, stage, code in cases:
            with self.subTest(text=text):
                self.assertEqual(migration.reason_code(text, stage), (code, text))

    def test_an_empty_reason_stays_empty(self) -> None:
        self.assertEqual(migration.reason_code("", Stage.STRUCK_OFF), ("", ""))
        self.assertEqual(migration.reason_code("   ", Stage.REMOVED), ("", ""))

    def test_going_back_gives_the_text_again(self) -> None:
        for text, stage in [("Vi phạm tư cách", Stage.STRUCK_OFF), ("Từ trần", Stage.STRUCK_OFF), ("x", "removed")]:
            with self.subTest(text=text):
                self.assertEqual(migration.reason_text(*migration.reason_code(text, stage)), text)


class MigrationEventsTestCase(BaseTestCase):
    def test_the_reasons_recorded_in_leaving_acts_become_codes(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.STRUCK_OFF)
        assert c.removal_date is not None and c.admission_date is not None
        texts = [("Vi phạm tư cách", Stage.STRUCK_OFF), ("Từ trần", Stage.STRUCK_OFF), ("", Stage.PROBATION)]
        events = [
            StageEvent.objects.create(
                candidate=c, to_stage=stage, act_date=c.removal_date, details={"removal_reason": t}
            )
            for t, stage in texts
        ]
        other = StageEvent.objects.create(candidate=c, to_stage=Stage.PROBATION, act_date=c.admission_date, details={})
        migration.forwards(apps, SimpleNamespace(connection=connection))
        details = [StageEvent.objects.get(pk=e.pk).details for e in events]
        self.assertEqual(
            details,
            [
                {"removal_reason": "struck_off", "removal_note": "Vi phạm tư cách"},
                {"removal_reason": "died"},
                {"removal_reason": ""},
            ],
        )
        self.assertEqual(StageEvent.objects.get(pk=other.pk).details, {})
        c.refresh_from_db()
        self.assertEqual((c.removal_reason, c.removal_note), ("other", ""))  # a code already: left as it was
        migration._convert_events(StageEvent, connection.alias, migration.event_text)  # as backwards() does
        self.assertEqual(
            [StageEvent.objects.get(pk=e.pk).details["removal_reason"] for e in events], [t for t, _s in texts]
        )


class GeneratedReasonsTestCase(SimpleTestCase):
    def test_the_demo_and_the_dataset_write_reasons_their_ends_allow(self) -> None:
        for step, reasons in people._REMOVAL_REASONS.items():
            for code, _note in reasons:
                with self.subTest(step=step, code=code):
                    self.assertIn(code, reasons_ending_in(STEPS[step].to))
        for stage, choices in dataset._REMOVAL_REASONS.items():
            for code, _note in choices:
                with self.subTest(stage=stage, code=code):
                    self.assertIn(code, reasons_ending_in(stage))
