"""Moves in the order they took effect: a move dated before the unit's latest recorded move is refused (the tree
of an earlier day would otherwise put the unit where it never was), and merges recorded before the merged unit's
units moved on the day after its last day are brought in line (migration 0006)."""

from __future__ import annotations

import datetime
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import TestCase

from organizations.history import Moves
from organizations.models import EventAction, Organization, OrganizationEvent
from organizations.services import organization_dissolve, organization_move
from tests.base import BaseTestCase, make_tree

D = datetime.date
shift = import_module("organizations.migrations.0006_merged_units_move_the_day_after")


class SameDayMoveAfterAMergeTestCase(TestCase):
    def test_the_tree_of_the_day_before_keeps_the_unit_where_it_was(self) -> None:
        orgs = make_tree()
        # C1 merged into C2, its last day 06/12: its units move to C2 on 07/12.
        organization_dissolve(org=orgs["C1"], effective_date=D(2026, 12, 6), successor=orgs["C2"])
        b1 = Organization.objects.get(code="C1.B1")
        # Moving C1.B1 to P dated 06/12 would have read, on 05/12, as under C2, where it never was.
        with self.assertRaises(ValidationError):
            organization_move(org=b1, new_parent=orgs["P"], effective_date=D(2026, 12, 6))
        organization_move(org=b1, new_parent=orgs["P"], effective_date=D(2026, 12, 7))
        moves = Moves.load(D(2026, 12, 1))
        self.assertEqual(moves.parents_on(D(2026, 12, 5))[b1.pk], orgs["C1"].pk)
        self.assertEqual(moves.parents_on(D(2026, 12, 6))[b1.pk], orgs["C1"].pk)


class OldMergesMigrationTestCase(TestCase):
    def old_merge(self, orgs: dict[str, Organization], last_day: datetime.date) -> None:
        """A merge as organization_dissolve recorded it before: its units' moves dated on its last day."""
        organization_dissolve(org=orgs["C1"], effective_date=last_day, successor=orgs["C2"])
        OrganizationEvent.objects.filter(action=EventAction.MOVED, from_parent=orgs["C1"]).update(
            effective_date=last_day
        )

    def dates(self) -> dict[tuple[str, str], datetime.date]:
        events = OrganizationEvent.objects.filter(action=EventAction.MOVED)
        codes = dict(Organization.objects.values_list("pk", "code"))
        return {(codes[e.organization_id], codes[e.to_parent_id]): e.effective_date for e in events}

    def test_the_merged_units_move_the_day_after_its_last_day(self) -> None:
        orgs = make_tree()
        last_day = D(2026, 6, 30)
        # Before the merge: C1.B2 leaves C1 for P on C1's last day (a plain move, not the merge's: it stays).
        organization_move(org=orgs["C1.B2"], new_parent=orgs["P"], effective_date=last_day)
        self.old_merge(orgs, last_day)
        # The tree of its last day shows C1 empty, as the report read it.
        moves = Moves.load(D(2026, 1, 1))
        c1b1 = orgs["C1.B1"].pk
        self.assertNotIn(c1b1, moves.parents_on(last_day))
        shift.forwards(apps, None)
        self.assertEqual(
            self.dates(),
            {("C1.B1", "C2"): D(2026, 7, 1), ("C1.B2", "P"): last_day},
        )
        self.assertEqual(Moves.load(D(2026, 1, 1)).parents_on(last_day)[c1b1], orgs["C1"].pk)
        # Run twice, nothing more moves (its date is no longer the last day); the reverse puts them back.
        shift.forwards(apps, None)
        self.assertEqual(self.dates()[("C1.B1", "C2")], D(2026, 7, 1))
        shift.backwards(apps, None)
        self.assertEqual(
            self.dates(),
            {("C1.B1", "C2"): last_day, ("C1.B2", "P"): last_day},
        )

    def test_a_unit_moved_again_on_the_last_day_keeps_its_merge_date(self) -> None:
        orgs = make_tree()
        last_day = D(2026, 6, 30)
        self.old_merge(orgs, last_day)
        # Recorded the old way: C1.B1 then moved on to P the same day, after the merge's move.
        OrganizationEvent.objects.create(
            organization=orgs["C1.B1"],
            action=EventAction.MOVED,
            effective_date=last_day,
            from_parent=orgs["C2"],
            to_parent=orgs["P"],
        )
        shift.forwards(apps, None)
        dates = self.dates()
        self.assertEqual(dates[("C1.B1", "C2")], last_day)
        self.assertEqual(dates[("C1.B2", "C2")], D(2026, 7, 1))


class MovePageTestCase(BaseTestCase):
    def test_the_move_page_names_the_recorded_move(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post("/org/C1.B1/dissolve/", {"effective_date": "06/12/2026", "successor": "C2.B1"})
        self.assertRedirects(r, "/org/C1.B1/", fetch_redirect_response=False)
        # Its cell moved to C2.B1 on 07/12: a move of it dated 06/12 is refused, on the form, naming that day.
        r = self.client.post("/org/C1.B1.01/move/", {"new_parent": "C1.B2", "effective_date": "06/12/2026"})
        self.assertContains(r, "Việc chuyển đơn vị này ngày 07/12/2026 đã được ghi nhận")
        self.assertTrue(self.org("C1.B1.01").is_within(self.org("C2.B1")))
        r = self.client.post("/org/C1.B1.01/move/", {"new_parent": "C1.B2", "effective_date": "07/12/2026"})
        self.assertRedirects(r, "/org/C1.B1.01/", fetch_redirect_response=False)
        self.assertTrue(self.org("C1.B1.01").is_within(self.org("C1.B2")))
