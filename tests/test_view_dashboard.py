"""The officials' dashboard at `/` (CONTRACT §5): figures, drill-down, scope, exports, query counts."""

from __future__ import annotations

import datetime
import re
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations import services as org_services
from organizations.models import Kind, Membership, Organization, Role
from recruitment.models import Candidate, Stage
from reports.models import MembershipCount, Quota
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate
from tests.trees import bulk_tree

TODAY = "2026-11-15 09:00 +0700"


def admitted(cell: Organization, day: datetime.date, stage: str = Stage.PROBATION, **fields: Any) -> Candidate:
    """A person admitted (ceremony) on `day`, every earlier act shifted to match."""
    shift = day - TIMELINE["admission_date"]
    timeline = {k: v + shift for k, v in TIMELINE.items()}
    return make_candidate(cell, stage, timeline=timeline, today=datetime.date(2026, 11, 15), **fields)


def quota(org: Organization, first: int, last: int | None = None, target: int = 0, **kw: Any) -> Quota:
    return Quota.objects.create(organization=org, first_year=first, last_year=last or first, target=target, **kw)


@time_machine.travel(TODAY)
class DashboardTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cell1 = self.org("C1.B1.01")
        self.cell2 = self.org("C1.B2")
        self.cell3 = self.org("C2.B1.01")

    def get(self, user: Any, **params: str) -> Any:
        self.client.force_login(user)
        return self.client.get("/", params)

    def test_it_shows_admitted_target_and_percent_in_vietnamese_notation(self) -> None:
        for i in range(8):
            admitted(self.cell1, datetime.date(2026, 3, 1 + i))
        admitted(self.cell1, datetime.date(2025, 12, 31))  # another year
        quota(self.org("C1"), 2026, target=7)
        r = self.get(self.bob)
        total = r.context["att"].total
        self.assertEqual((total.admitted, total.target, str(total.percent)), (8, 7, "114.29"))
        self.assertContains(r, "114,29%")

    def test_a_target_in_thousands_is_grouped_with_dots(self) -> None:
        quota(self.org("P"), 2026, target=7894)
        r = self.get(self.alice)
        self.assertContains(r, "7.894")

    def test_it_lists_the_direct_children_by_code_and_adds_up(self) -> None:
        admitted(self.cell1, datetime.date(2026, 2, 1))
        admitted(self.cell2, datetime.date(2026, 2, 2))
        admitted(self.cell3, datetime.date(2026, 2, 3))
        r = self.get(self.alice, org="P", year="2026")
        children = r.context["children"]
        self.assertEqual([c.org.code for c in children], ["C1", "C2"])
        self.assertEqual([c.admitted for c in children], [2, 1])
        self.assertEqual(r.context["att"].total.admitted, 3)

    def test_each_admitted_figure_drills_down_to_the_same_people(self) -> None:
        people = [admitted(self.cell1, datetime.date(2026, 4, 2)), admitted(self.cell2, datetime.date(2026, 5, 3))]
        admitted(self.cell1, datetime.date(2025, 4, 2))
        r = self.get(self.bob, org="C1", year="2026")
        links = re.findall(r'href="(/candidates/\?org=C1&amp;admitted_from=[^"]+)"', r.content.decode())
        self.assertTrue(links)
        listing = self.client.get(links[0].replace("&amp;", "&"))
        self.assertEqual({c.pk for c in listing.context["page"]}, {p.pk for p in people})

    def test_the_pipeline_figures_drill_down_to_the_same_people(self) -> None:
        waiting = [make_candidate(self.cell1, Stage.SOURCE), make_candidate(self.cell2, Stage.DECIDED)]
        admitted(self.cell1, datetime.date(2026, 4, 2))  # a probationary member: admitted, not "in the pipeline"
        r = self.get(self.bob, org="C1", year="2026")
        self.assertEqual(r.context["att"].total.in_pipeline, 2)
        links = set(re.findall(r'href="(/candidates/\?org=C1&amp;stage=waiting[^"]*)"', r.content.decode()))
        self.assertTrue(links)
        for link in links:
            listing = self.client.get(link.replace("&amp;", "&"))
            self.assertEqual({c.pk for c in listing.context["page"]}, {p.pk for p in waiting}, link)

    def test_a_category_figure_drills_down_to_its_people(self) -> None:
        woman = admitted(self.cell1, datetime.date(2026, 4, 2), gender="female")
        admitted(self.cell1, datetime.date(2026, 4, 3), gender="male", full_name="Trần Văn Nam")
        r = self.get(self.bob, org="C1", year="2026")
        self.assertEqual(r.context["att"].total.figures.breakdown["women"], 1)
        link = re.search(r'href="(/candidates/\?org=C1&amp;category=women&amp;[^"]+)"', r.content.decode())
        assert link is not None
        listing = self.client.get(link[1].replace("&amp;", "&"))
        self.assertEqual([c.pk for c in listing.context["page"]], [woman.pk])

    def test_drill_down_links_go_to_the_child(self) -> None:
        r = self.get(self.alice, org="P", year="2026")
        self.assertContains(r, 'href="?org=C1&amp;year=2026"')

    def test_it_warns_when_the_childrens_quotas_fall_short(self) -> None:
        quota(self.org("P"), 2026, target=180)
        quota(self.org("C1"), 2026, target=100)
        quota(self.org("C2"), 2026, target=70)
        r = self.get(self.alice, org="P", year="2026")
        self.assertEqual((r.context["att"].children_target_sum, r.context["att"].children_short), (170, 10))
        self.assertContains(r, 'id="quota-short"')

    def test_it_does_not_warn_when_the_childrens_quotas_cover_the_parent(self) -> None:
        quota(self.org("P"), 2026, target=170)
        quota(self.org("C1"), 2026, target=100)
        quota(self.org("C2"), 2026, target=70)
        r = self.get(self.alice, org="P", year="2026")
        self.assertNotContains(r, 'id="quota-short"')

    def test_a_rate_quota_follows_the_members_on_1_january(self) -> None:
        MembershipCount.objects.create(organization=self.org("C1"), year=2025, members=101)
        Quota.objects.create(organization=self.org("C1"), first_year=2026, last_year=2026, rate="7.00")
        r = self.get(self.bob, org="C1", year="2026")
        self.assertEqual(r.context["att"].total.target, 8)  # 7% of 101, rounded up
        self.assertContains(r, "101")

    def test_it_shows_the_pace_and_the_forecast_of_an_open_year(self) -> None:
        quota(self.org("C1"), 2026, target=10)
        for i in range(4):
            admitted(self.cell1, datetime.date(2026, 3, 1 + i))
        make_candidate(self.cell1, Stage.DECIDED, timeline={"decision_date": datetime.date(2026, 10, 1)})
        make_candidate(self.cell1, Stage.DOSSIER)
        r = self.get(self.bob, org="C1", year="2026")
        att = r.context["att"]
        self.assertEqual((att.total.still_needed, att.months_left, str(att.pace)), (6, 2, "3.0"))
        # Issue 18 (point 2): the forecast weighs each stage by the time left. With no history here, the rule
        # set's deadlines decide: the decided person's ceremony falls due by 31/12 (both figures); the one
        # preparing the dossier, with the vote still to come, no longer counts in the high figure (was (5, 6)).
        self.assertEqual(att.forecast, (5, 5))
        self.assertContains(r, 'id="kpi-forecast"')

    def test_a_past_year_has_no_forecast(self) -> None:
        quota(self.org("C1"), 2024, target=10)
        r = self.get(self.bob, org="C1", year="2024")
        self.assertIsNone(r.context["att"].forecast)
        self.assertNotContains(r, 'id="kpi-forecast"')
        self.assertNotContains(r, 'id="kpi-needed"')

    def test_as_of_stops_the_count(self) -> None:
        admitted(self.cell1, datetime.date(2026, 3, 1))
        admitted(self.cell1, datetime.date(2026, 6, 1))
        r = self.get(self.bob, org="C1", year="2026", as_of="2026-04-30")
        self.assertEqual(r.context["att"].total.admitted, 1)
        self.assertContains(r, "30/04/2026")

    def test_an_as_of_date_before_the_period_is_refused_with_a_message(self) -> None:
        r = self.get(self.bob, org="C1", year="2026", as_of="31/12/2025")
        self.assertContains(r, "31/12/2025 là trước kỳ báo cáo, bắt đầu từ 01/01/2026")
        self.assertEqual(r.context["att"].cutoff, r.context["att"].period.end)  # the year as a whole instead

    def test_a_term_counts_every_year_of_it(self) -> None:
        admitted(self.cell1, datetime.date(2021, 3, 1))
        admitted(self.cell1, datetime.date(2025, 12, 31))
        admitted(self.cell1, datetime.date(2026, 1, 1))
        quota(self.org("C1"), 2020, 2025, target=4)
        r = self.get(self.bob, org="C1", term="2020-2025")
        att = r.context["att"]
        self.assertEqual((att.total.admitted, att.total.target, str(att.total.percent)), (2, 4, "50.00"))
        self.assertEqual(len(att.months), 72)

    def test_it_lists_cells_with_candidates_but_no_admission(self) -> None:
        make_candidate(self.cell1, Stage.DOSSIER)
        make_candidate(self.cell2, Stage.SOURCE)
        admitted(self.cell2, datetime.date(2026, 2, 2))
        r = self.get(self.bob, org="C1", year="2026")
        self.assertEqual(r.context["att"].idle_count, 1)
        self.assertEqual([u["code"] for u in r.context["att"].idle_units], ["C1.B1.01"])
        self.assertContains(r, 'id="idle"')

    def test_the_charts_get_their_data_and_the_vendored_library(self) -> None:
        admitted(self.cell1, datetime.date(2026, 3, 1))
        quota(self.org("C1"), 2026, target=12)
        r = self.get(self.bob, org="C1", year="2026")
        charts = r.context["charts"]
        self.assertEqual(charts["months"][:2], ["01/2026", "02/2026"])
        self.assertEqual(charts["cumulative"][2], 1)
        self.assertIsNone(charts["cumulative"][11])  # December is still ahead
        self.assertEqual(charts["target"][-1], 12.0)
        self.assertContains(r, "vendor/chartjs/chart.umd.min.js")
        self.assertContains(r, 'id="chart-data"')
        self.assertNotContains(r, "https://")

    def test_a_report_on_a_year_before_a_restructuring_follows_the_tree_of_that_year(self) -> None:
        p = self.org("P")
        district = org_services.organization_create(parent=p, code="D", name="Huyện cũ", kind=Kind.DISTRICT)
        old = org_services.organization_create(parent=district, code="D.X", name="Xã cũ", kind=Kind.COMMUNE)
        cell = org_services.organization_create(parent=old, code="D.X.01", name="Chi bộ thôn", kind=Kind.BRANCH)
        admitted(cell, datetime.date(2024, 5, 5))
        org_services.organization_move(
            org=Organization.objects.get(code="D.X"), new_parent=p, effective_date=datetime.date(2025, 7, 1)
        )
        org_services.organization_dissolve(
            org=Organization.objects.get(code="D"), effective_date=datetime.date(2025, 6, 30)
        )
        r = self.get(self.alice, org="P", year="2024")
        rows = {c.org.code: c.admitted for c in r.context["children"]}
        self.assertEqual(rows["D"], 1)
        self.assertNotIn("D.X", rows)
        self.assertContains(r, "31/12/2024")
        r = self.get(self.alice, org="P", year="2026")
        self.assertNotIn("D", {c.org.code for c in r.context["children"]})
        # The drill-down of the old district finds its person through the tree of that year.
        r = self.get(self.alice, org="D", year="2024")
        self.assertEqual(r.context["att"].total.admitted, 1)
        link = re.search(r'href="(/candidates/\?org=D&amp;admitted_from=[^"]+)"', r.content.decode())
        assert link is not None
        self.assertIn("tree=2024-12-31", link[1])
        listing = self.client.get(link[1].replace("&amp;", "&"))
        self.assertEqual(len(listing.context["page"]), 1)

    def test_it_returns_404_outside_the_scope(self) -> None:
        self.assertEqual(self.get(self.charlie, org="C1", year="2026").status_code, 404)
        self.assertEqual(self.get(self.bob, org="P", year="2026").status_code, 404)

    def test_a_viewer_sees_no_link_to_set_quotas(self) -> None:
        r = self.get(self.bob, org="C1", year="2026")
        self.assertFalse(r.context["can_manage"])
        self.assertTrue(self.get(self.erin, org="C1", year="2026").context["can_manage"])

    def test_the_csv_export_keeps_the_report_columns_and_opens_in_excel(self) -> None:
        admitted(self.cell1, datetime.date(2026, 3, 1))
        quota(self.org("C1"), 2026, target=4)
        self.client.force_login(self.bob)
        r = self.client.get("/report.csv", {"org": "C1", "year": "2026"})
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="ket-qua-ket-nap-C1-2026.csv"', r["Content-Disposition"])
        text = r.content.decode("utf-8")
        self.assertTrue(text.startswith("\ufefforg_code,org_name,target,admitted,percent,"))
        self.assertIn("\nC1,Đảng bộ xã Dân Chủ,4,1,25.00,", text)

    def test_the_xlsx_export_is_a_workbook(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/report.xlsx", {"org": "C1", "term": "2020-2025"})
        self.assertEqual(r["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn('filename="ket-qua-ket-nap-C1-2020-2025.xlsx"', r["Content-Disposition"])
        self.assertEqual(r.content[:2], b"PK")

    def test_the_exports_stay_within_the_scope(self) -> None:
        self.client.force_login(self.charlie)
        for url in ("/report.csv", "/report.xlsx"):
            self.assertEqual(self.client.get(url, {"org": "C1", "year": "2026"}).status_code, 404)

    def test_the_figures_are_the_same_as_the_report_command(self) -> None:
        from reports.attainment import attainment
        from reports.forms import Period

        admitted(self.cell1, datetime.date(2026, 3, 1))
        admitted(self.cell3, datetime.date(2026, 3, 1))
        quota(self.org("P"), 2026, target=3)
        r = self.get(self.alice, org="P", year="2026")
        att = attainment(self.org("P"), Period(2026, 2026), detail=False)
        page = [(row.org.code, row.target, row.admitted, row.percent) for row in r.context["att"].rows]
        self.assertEqual(page, [(row.org.code, row.target, row.admitted, row.percent) for row in att.rows])


@time_machine.travel(TODAY)
class DashboardQueryCountTestCase(BaseTestCase):
    def count(self, code: str) -> int:
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as ctx:
            r = self.client.get("/", {"org": code, "year": "2026"})
        self.assertEqual(r.status_code, 200)
        return len(ctx.captured_queries)

    def test_the_query_count_does_not_grow_with_the_number_of_organizations(self) -> None:
        small = bulk_tree(root_code="S", communes=3, bases_per_commune=2)  # 10 organizations
        big = bulk_tree(root_code="B", communes=40, bases_per_commune=24)  # 1,001 organizations
        for root in (small, big):
            cells = Organization.objects.filter(path__startswith=root.path, depth=3).order_by("path")
            for cell in cells[:3]:
                admitted(cell, datetime.date(2026, 3, 1))
                make_candidate(cell, Stage.DOSSIER)
            make_candidate(cells[3], Stage.SOURCE)  # a cell with candidates and no admission
            for org in Organization.objects.filter(path__startswith=root.path, depth__lte=2):
                Quota.objects.create(organization=org, first_year=2026, last_year=2026, target=5)
                MembershipCount.objects.create(organization=org, year=2025, members=100)
        for root in (small, big):
            Membership.objects.create(user=self.alice, organization=root, role=Role.VIEWER)
        self.assertEqual(Organization.objects.filter(path__startswith=small.path).count(), 10)
        self.assertEqual(Organization.objects.filter(path__startswith=big.path).count(), 1001)
        self.assertEqual(self.count("S"), self.count("B"))
        # session, user, organization, grants, moves after the day, children, the grouped figures
        # (months included), quotas, membership counts, idle units (count and list in one),
        # navigation count (a root has no ancestors to read), and the forecast of the open year (issue 18:
        # one grouped query over the subtree's people)
        self.assertEqual(self.count("B"), 12)
