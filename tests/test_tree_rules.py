"""The tree's rules once (issue 12 point 4): organizations.rules says what is wrong with a change; the services
and the workbook import both ask it, so the web, the Django admin (through the services) and a workbook refuse
the same change with the same words."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import timezone, translation

from organizations import rules
from organizations.models import Kind, Organization
from organizations.notation import short_date
from organizations.services import organization_create, organization_dissolve, organization_move
from tests.test_workbook_pipeline import ORGS, ImportTestCase, book

D = datetime.date


class MovesInCircleTestCase(SimpleTestCase):
    # Paths of four characters a level: A=0001, B=0002 (roots); A1=00010001, B1=00020001.
    def test_two_units_moved_under_each_other(self) -> None:
        self.assertEqual(rules.moves_in_circle({"A1": ("00010001", "00020001"), "B1": ("00020001", "00010001")}),
                         {"A1", "B1"})  # fmt: skip

    def test_a_circle_through_three_units_and_a_move_into_it(self) -> None:
        moves = {
            "A": ("0001", "00020001"),  # A under B1
            "B": ("0002", "00030001"),  # B under C1
            "C": ("0003", "00010001"),  # C under A1: A → B → C → A
            "D": ("0004", "00010001"),  # D under A1: into the circle, not in it
        }
        self.assertEqual(rules.moves_in_circle(moves), {"A", "B", "C"})

    def test_moves_that_only_look_crossed(self) -> None:
        # A1 goes under B, and B1 under A (not under A1): no unit ends under itself.
        self.assertEqual(rules.moves_in_circle({"A1": ("00010001", "0002"), "B1": ("00020001", "0001")}), set())

    def test_who_decides_a_move_is_one_level_up(self) -> None:
        self.assertEqual(rules.decided_at("00010002"), "0001")
        self.assertEqual(rules.decided_at("0001"), "")


class SameRefusalTestCase(ImportTestCase):
    def service_says(self, change: Callable[[], Any]) -> str:
        with translation.override("vi"), self.assertRaises(ValidationError) as caught:
            change()
        return caught.exception.messages[0]

    def import_says(self, row: dict[str, Any]) -> list[str]:
        with translation.override("vi"):
            run = self.run_import(book({ORGS: [row]}))
        return [e[3] for e in self.errors(run) if e[:2] == (ORGS, 2)]

    def row(self, org: Organization, parent_code: str) -> dict[str, Any]:
        return {"code": org.code, "name": org.name, "parent_code": parent_code, "kind": org.kind, "sector": org.sector}

    def test_a_move_under_its_own_unit(self) -> None:
        c1, under = self.orgs["C1"], self.orgs["C1.B1"]
        said = self.service_says(lambda: organization_move(org=c1, new_parent=under, effective_date=D(2026, 1, 1)))
        self.assertEqual(self.import_says(self.row(c1, "C1.B1")), [said])

    def test_a_move_under_a_dissolved_unit(self) -> None:
        organization_dissolve(org=self.orgs["C1.B1.02"], effective_date=D(2026, 1, 1))
        b2, gone = self.orgs["C1.B2"], Organization.objects.get(code="C1.B1.02")
        said = self.service_says(lambda: organization_move(org=b2, new_parent=gone, effective_date=D(2026, 2, 1)))
        self.assertIn("C1.B1.02", said)
        self.assertEqual(self.import_says(self.row(b2, "C1.B1.02")), [said])

    def test_a_new_unit_under_a_dissolved_unit(self) -> None:
        organization_dissolve(org=self.orgs["C1.B1.02"], effective_date=D(2026, 1, 1))
        gone = Organization.objects.get(code="C1.B1.02")
        said = self.service_says(
            lambda: organization_create(parent=gone, code="C1.B1.02.01", name="Tổ 1", kind=Kind.BRANCH)
        )
        row = {"code": "C1.B1.02.01", "name": "Tổ 1", "parent_code": "C1.B1.02", "kind": Kind.BRANCH}
        self.assertEqual(self.import_says(row), [said])

    def test_a_move_dated_before_the_units_last_move(self) -> None:
        # A merge with its last day today moves C1's units tomorrow; a move of one of them today (the date an
        # import gives) would come before it in the tree's history: both refuse it, naming the recorded day.
        today = timezone.localdate()
        organization_dissolve(org=self.orgs["C1"], effective_date=today, successor=self.orgs["C2"])
        b1, p = Organization.objects.get(code="C1.B1"), self.orgs["P"]
        said = self.service_says(lambda: organization_move(org=b1, new_parent=p, effective_date=today))
        with translation.override("vi"):
            self.assertIn(short_date(today + datetime.timedelta(days=1)), said)
        self.assertEqual(self.import_says(self.row(b1, "P")), [said])
        # On the recorded day or later the move is made.
        organization_move(org=b1, new_parent=p, effective_date=today + datetime.timedelta(days=1))

    def test_the_messages_are_written_once(self) -> None:
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent
        for msgid in (
            "An organization cannot be moved under itself or one of its own units.",
            "has been dissolved: no unit can be moved under it.",
            "has been dissolved: no unit can be added under it.",
            "An organization cannot be its own parent.",
            "The successor must be an organization outside the one being dissolved.",
            "a move cannot take effect before it.",
        ):
            holders = sorted(
                str(path.relative_to(root))
                for app in ("organizations", "recruitment", "reports", "imports", "devdata")
                for path in (root / app).rglob("*.py")
                if msgid in path.read_text(encoding="utf-8")
            )
            self.assertEqual(holders, ["organizations/rules.py"], msgid)
