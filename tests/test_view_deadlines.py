"""The deadlines page and the count of overdue people and open warnings in the navigation."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from recruitment.models import Candidate, CandidateWarning, Stage, WarningCode
from tests.base import BaseTestCase
from tests.people import make_candidate
from tests.test_view_candidate_list import Population, build_population, population_templates, timeline_with

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

NOW = "2026-11-20 09:00 +0700"
KEYS = [
    "ceremony_due",
    "decision_overdue",
    "probation_ending",
    "recognition_overdue",
    "cert_expiring",
    "transfer_overdue",
    "warnings",
]


def _sections(r: TestResponse) -> dict[str, tuple[int, list[str]]]:
    """Each list on the page: its count and the names it shows."""
    return {spec.key: (count, [c.full_name for c in rows]) for spec, count, rows in r.context["sections"]}


def _badge(r: TestResponse) -> int | None:
    match = re.search(r'<span class="badge"[^>]*>(\d+)</span>', r.content.decode())
    return int(match.group(1)) if match else None


@time_machine.travel(NOW)
class DeadlinesTestCase(BaseTestCase):
    """On 20/11/2026, one or two people of C1 in each list, some beside them not yet due, and one case in C2."""

    warning: CandidateWarning

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cell, other_cell = cls.orgs["C1.B1.01"], cls.orgs["C1.B2"]

        def at(field: str, day: datetime.date) -> dict[str, Any]:
            return {"timeline": timeline_with(field, day)}

        # The acts of tests.people.TIMELINE are of 2023-2024: any deadline after them has long passed.
        make_candidate(cell, Stage.DECIDED, full_name="Hoàng Văn Em", **at("decision_date", datetime.date(2026, 11, 2)))
        make_candidate(other_cell, Stage.DECIDED, full_name="Phan Văn Muộn")
        make_candidate(cell, Stage.BRANCH_VOTED, full_name="Phạm Thị Dung")
        make_candidate(
            cell, Stage.COMMITTEE_REVIEWED, full_name="Lý Văn Kịp", **at("branch_vote_date", datetime.date(2026, 10, 1))
        )
        make_candidate(
            cell, Stage.PROBATION, full_name="Vũ Thị Phương", **at("admission_date", datetime.date(2025, 12, 2))
        )  # probation ends on 02/12/2026
        make_candidate(cell, Stage.PROBATION, full_name="Cao Văn Xa", **at("admission_date", datetime.date(2026, 3, 1)))
        make_candidate(other_cell, Stage.PROBATION, full_name="Trịnh Văn Trễ")
        make_candidate(
            cell, Stage.AWARENESS, full_name="Trần Thị Bích", **at("awareness_cert_date", datetime.date(2021, 12, 10))
        )  # expires on 10/12/2026
        make_candidate(
            cell, Stage.DOSSIER, full_name="Mạc Văn Hết", **at("awareness_cert_date", datetime.date(2021, 6, 1))
        )  # expired on 01/06/2026
        make_candidate(
            cell, Stage.AWARENESS, full_name="Tô Thị Mới", **at("awareness_cert_date", datetime.date(2025, 1, 6))
        )
        giang = make_candidate(other_cell, Stage.OFFICIAL, full_name="Giáp Văn Giang")
        cls.warning = CandidateWarning.objects.create(
            candidate=giang,
            code=WarningCode.RECOGNITION_LATE,
            due_date=datetime.date(2024, 9, 20),
            act_date=datetime.date(2024, 9, 25),
        )
        hanh = make_candidate(cell, Stage.REMOVED, full_name="Bùi Thị Hạnh")
        CandidateWarning.objects.create(
            candidate=hanh,
            code=WarningCode.VOTES_FAILED,
            resolution="Đã báo cáo",
            resolved_by=cls.erin,
            resolved_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        )
        outsider = make_candidate(cls.orgs["C2.B1.01"], Stage.DECIDED, full_name="Người Ngoài Xã")
        CandidateWarning.objects.create(candidate=outsider, code=WarningCode.DECISION_LATE)

    def get(self, user: Any, url: str = "/deadlines/") -> TestResponse:
        self.client.force_login(user)
        r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        return r

    def test_it_requires_login(self) -> None:
        self.assertRedirects(self.client.get("/deadlines/"), "/accounts/login/?next=/deadlines/")

    def test_it_rejects_post(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post("/deadlines/").status_code, 405)

    def test_each_list_shows_the_right_people_of_the_scope_with_its_count(self) -> None:
        sections = _sections(self.get(self.bob))
        self.assertEqual(list(sections), KEYS)
        self.assertEqual(
            sections,
            {
                "ceremony_due": (2, ["Phan Văn Muộn", "Hoàng Văn Em"]),  # the overdue one first
                "decision_overdue": (1, ["Phạm Thị Dung"]),
                "probation_ending": (1, ["Vũ Thị Phương"]),
                "recognition_overdue": (1, ["Trịnh Văn Trễ"]),
                "cert_expiring": (2, ["Mạc Văn Hết", "Trần Thị Bích"]),  # the expired one first
                "transfer_overdue": (0, []),  # tests/test_transfers.py has some
                "warnings": (1, ["Giáp Văn Giang"]),
            },
        )

    def test_it_shows_the_dates_that_matter(self) -> None:
        r = self.get(self.bob)
        self.assertContains(r, "02/12/2026")  # Phương's probation ends
        self.assertContains(r, "10/12/2026")  # Bích's certificate expires
        self.assertContains(r, '<td class="overdue">01/06/2026</td>', html=True)  # Hết's has expired

    def test_an_outsider_sees_only_their_own_commune(self) -> None:
        sections = _sections(self.get(self.charlie))
        self.assertEqual(sections["ceremony_due"], (1, ["Người Ngoài Xã"]))
        self.assertEqual(sections["warnings"], (1, ["Người Ngoài Xã"]))
        self.assertEqual(sum(count for count, _names in sections.values()), 2)

    def test_the_lists_follow_the_day(self) -> None:
        with time_machine.travel("2026-12-05 09:00 +0700"):
            sections = _sections(self.get(self.bob))
        self.assertEqual(sections["probation_ending"], (0, []))  # Phương's ended on 02/12
        self.assertEqual(sections["recognition_overdue"], (1, ["Trịnh Văn Trễ"]))  # hers is not late yet
        with time_machine.travel("2027-01-25 09:00 +0700"):
            r = self.get(self.bob)
        sections = _sections(r)
        self.assertEqual(sections["decision_overdue"], (2, ["Phạm Thị Dung", "Lý Văn Kịp"]))
        self.assertEqual(sections["recognition_overdue"], (2, ["Trịnh Văn Trễ", "Vũ Thị Phương"]))
        self.assertEqual(_badge(r), 7)  # Em's ceremony is late too

    def test_a_long_list_shows_its_first_20_and_links_to_the_full_list(self) -> None:
        for i in range(20):
            make_candidate(self.orgs["C1.B1.02"], Stage.DECIDED, full_name=f"Người Thứ {i:02d}")
        r = self.get(self.bob)
        count, names = _sections(r)["ceremony_due"]
        self.assertEqual((count, len(names)), (22, 20))
        self.assertContains(r, 'href="/candidates/?deadline=ceremony_due"')
        self.assertNotContains(r, 'href="/candidates/?deadline=decision_overdue"')

    def test_handling_a_warning_takes_it_off_the_page(self) -> None:
        self.client.force_login(self.dave)
        url = f"/candidates/{self.warning.candidate_id}/warnings/{self.warning.pk}/resolve/"
        self.assertEqual(self.client.post(url, {"resolution": "Đã báo cáo Đảng ủy xã"}).status_code, 302)
        r = self.get(self.dave)
        self.assertEqual(_sections(r)["warnings"], (0, []))
        self.assertEqual(_badge(r), 3)

    def test_the_navigation_counts_the_overdue_and_the_warnings(self) -> None:
        # Bob: Muộn's ceremony, Dung's decision, Trễ's recognition are overdue; Giang has a warning.
        for url in ("/deadlines/", "/candidates/", "/org/"):
            with self.subTest(url=url):
                self.assertEqual(_badge(self.get(self.bob, url)), 4)
        self.assertEqual(_badge(self.get(self.charlie, "/candidates/")), 2)
        self.assertEqual(_badge(self.get(self.alice, "/candidates/")), 6)

    def test_the_navigation_shows_no_badge_when_nothing_is_due(self) -> None:
        Candidate.objects.all().delete()
        r = self.get(self.bob, "/candidates/")
        self.assertIsNone(_badge(r))
        self.assertContains(r, 'href="/deadlines/"')

    def test_anonymous_pages_have_no_navigation_counts(self) -> None:
        r = self.client.get("/accounts/login/")
        self.assertIsNone(_badge(r))
        self.assertNotIn("nav_due", r.context)

    def test_it_uses_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.bob)
        # session, user, grants, the counts, one query a list (7), the counts of the navigation
        with self.assertNumQueries(11):
            self.client.get("/deadlines/")
        for i in range(25):
            make_candidate(self.orgs["C1.B1.02"], Stage.BRANCH_VOTED, full_name=f"Người Thứ {i:02d}")
        with self.assertNumQueries(11):
            self.client.get("/deadlines/")


# ---------------------------------------------------------------------------------------------
# At 100,000 candidates


@pytest.fixture(scope="module")
def populations(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[Population, Population]]:
    """10 and 100,000 candidates (see tests.test_view_candidate_list), rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        templates = population_templates()
        small = build_population("SMALL", 10, templates, first_id=800_000_000_000)
        big = build_population("BIG", 100_000, templates, first_id=900_000_000_000)
        yield small, big
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_deadlines_page_takes_as_many_queries_at_100000_candidates_as_at_10(
    populations: tuple[Population, Population], client: Client
) -> None:
    small, big = populations
    measured = []
    with time_machine.travel(NOW):
        for population in (small, big):
            client.force_login(population.viewer)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                r = client.get("/deadlines/")
                elapsed = (time.perf_counter() - started) * 1000
            assert r.status_code == 200
            measured.append((len(queries), elapsed, _sections(r), _badge(r)))
    (n_small, _ms, _s, _b), (n_big, ms, sections, badge) = measured
    print(f"\n[{connection.vendor}] deadlines: {n_small} queries at 10, {n_big} at 100,000; {ms:.0f} ms")
    assert n_small == n_big == 11
    # The synthetic population records no transfers (tests/test_transfers.py counts those).
    assert all(count > 20 and len(names) == 20 for key, (count, names) in sections.items() if key != "transfer_overdue")
    overdue = Candidate.objects.in_subtree(big.root).filter(due_date__lt=datetime.date(2026, 11, 20))
    overdue = overdue.filter(stage__in=[Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED, Stage.DECIDED, Stage.PROBATION])
    assert badge == overdue.count() + sections["warnings"][0]
