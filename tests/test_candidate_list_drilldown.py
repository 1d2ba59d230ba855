"""The candidate list's filters behind the dashboard's figures: date ranges, aged 30 or under, tree of a day."""

from __future__ import annotations

import datetime
from typing import Any

from organizations import services as org_services
from organizations.models import Kind, Organization
from recruitment.models import Stage
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate


def admitted(cell: Organization, day: datetime.date, **fields: Any) -> Any:
    shift = day - TIMELINE["admission_date"]
    return make_candidate(cell, Stage.PROBATION, timeline={k: v + shift for k, v in TIMELINE.items()}, **fields)


class DrillDownFilterTestCase(BaseTestCase):
    def listed(self, user: Any, **params: str) -> set[int]:
        self.client.force_login(user)
        r = self.client.get("/candidates/", params)
        self.assertEqual(r.status_code, 200)
        self.assertFalse(r.context["filter"].form.errors)
        return {c.pk for c in r.context["page"]}

    def test_admitted_from_and_until_are_inclusive(self) -> None:
        cell = self.org("C1.B1.01")
        first = admitted(cell, datetime.date(2025, 1, 1))
        last = admitted(cell, datetime.date(2025, 12, 31))
        admitted(cell, datetime.date(2026, 1, 1))
        found = self.listed(self.bob, admitted_from="2025-01-01", admitted_to="2025-12-31")
        self.assertEqual(found, {first.pk, last.pk})

    def test_dates_may_be_written_the_vietnamese_way(self) -> None:
        person = admitted(self.org("C1.B1.01"), datetime.date(2025, 3, 4))
        self.assertEqual(self.listed(self.bob, admitted_from="04/03/2025", admitted_to="04/03/2025"), {person.pk})

    def test_recognized_and_left_ranges(self) -> None:
        cell = self.org("C1.B1.01")
        official = make_candidate(cell, Stage.OFFICIAL)  # recognized 25/9/2024
        struck = make_candidate(cell, Stage.STRUCK_OFF)
        self.assertEqual(self.listed(self.bob, recognized_from="2024-01-01", recognized_to="2024-12-31"), {official.pk})
        assert struck.removal_date is not None
        left = struck.removal_date.isoformat()
        self.assertEqual(self.listed(self.bob, stage="struck_off", removed_from=left, removed_to=left), {struck.pk})

    def test_aged_30_or_under_counts_age_at_the_ceremony(self) -> None:
        cell = self.org("C1.B1.01")
        day = datetime.date(2026, 5, 10)
        thirty = admitted(cell, day, birth_date=datetime.date(1995, 5, 11))  # 30, turning 31 the next day
        admitted(cell, day, birth_date=datetime.date(1995, 5, 10))  # 31 that very day
        self.assertEqual(self.listed(self.bob, category="young"), {thirty.pk})

    def test_someone_born_on_29_february_turns_31_on_1_march(self) -> None:
        cell = self.org("C1.B1.01")
        born = datetime.date(1992, 2, 29)
        on_28 = admitted(cell, datetime.date(2023, 2, 28), birth_date=born)
        admitted(cell, datetime.date(2023, 3, 1), birth_date=born)
        self.assertEqual(self.listed(self.bob, category="young"), {on_28.pk})

    def test_the_tree_of_a_day_finds_the_people_of_a_dissolved_district(self) -> None:
        p = self.org("P")
        district = org_services.organization_create(parent=p, code="D", name="Huyện cũ", kind=Kind.DISTRICT)
        commune = org_services.organization_create(parent=district, code="D.X", name="Xã", kind=Kind.COMMUNE)
        cell = org_services.organization_create(parent=commune, code="D.X.01", name="Chi bộ", kind=Kind.BRANCH)
        person = admitted(cell, datetime.date(2024, 5, 5))
        org_services.organization_move(
            org=Organization.objects.get(code="D.X"), new_parent=p, effective_date=datetime.date(2025, 7, 1)
        )
        self.assertEqual(self.listed(self.alice, org="D"), set())
        self.assertEqual(self.listed(self.alice, org="D", tree="2024-12-31"), {person.pk})
        self.assertEqual(self.listed(self.alice, org="D", tree="2025-07-01"), set())
        # The commune itself keeps its people whichever day's tree is asked for.
        self.assertEqual(self.listed(self.alice, org="D.X", tree="2024-12-31"), {person.pk})

    def test_the_tree_of_a_day_stays_within_the_scope(self) -> None:
        self.client.force_login(self.charlie)
        r = self.client.get("/candidates/", {"org": "C1", "tree": "2024-12-31"})
        # Issue 18 (point 10): a code outside the scope answers 404 (it was a form error on an empty list).
        self.assertEqual(r.status_code, 404)
