"""Issue 18, points 2–4 on the dashboard: the forecast from the unit's past, a past period's pipeline as it stood,
and an ended unit reported on its own tree."""

from __future__ import annotations

import datetime
import re
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations import services as org_services
from organizations.models import Kind, Organization
from recruitment.models import Candidate, Stage
from reports.forecast import wilson
from reports.models import MembershipCount
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate

D = datetime.date
SIXTH_DECEMBER = "2026-12-06 09:00 +0700"


def shifted(stage_date_field: str, day: datetime.date) -> dict[str, datetime.date]:
    """TIMELINE moved so that `stage_date_field` falls on `day`."""
    shift = day - TIMELINE[stage_date_field]
    return {k: v + shift for k, v in TIMELINE.items()}


def person(cell: Organization, stage: str, field: str, day: datetime.date, **kw: Any) -> Candidate:
    return make_candidate(cell, stage, timeline=shifted(field, day), today=D(2026, 12, 6), **kw)


class WilsonTestCase(BaseTestCase):
    def test_the_interval_is_worked_out_by_hand(self) -> None:
        # k = n: (n / (n + z²), 1); k = 0: (0, z² / (n + z²)); z² = 1.96² = 3.8416.
        low, high = wilson(40, 40)
        self.assertAlmostEqual(low, 40 / 43.8416, places=9)
        self.assertEqual(high, 1.0)
        low, high = wilson(0, 40)
        self.assertEqual(low, 0.0)
        self.assertAlmostEqual(high, 3.8416 / 43.8416, places=9)
        # 15 of 20: p = 0.75, centre (0.75 + 0.09604) / 1.19208 = 0.709718, half 1.96 × √(0.009375 + 0.0024010) /
        # 1.19208 = 0.178423: 0.531295–0.888140.
        low, high = wilson(15, 20)
        self.assertAlmostEqual(low, 0.531295, places=5)
        self.assertAlmostEqual(high, 0.888140, places=5)


@time_machine.travel(SIXTH_DECEMBER)
class ForecastTestCase(BaseTestCase):
    """6 December 2026, 25 days left in the year: 4 people hold a decision, 5 were voted by the cell, 6 are
    preparing the dossier, none admitted yet this year (the commune of the issue showed 29–38)."""

    def setUp(self) -> None:
        super().setUp()
        self.cell = self.org("C1.B1.01")

    def pipeline(self, decided_on: list[datetime.date]) -> None:
        for day in decided_on:
            person(self.cell, Stage.DECIDED, "decision_date", day)
        for _ in range(5):
            person(self.cell, Stage.BRANCH_VOTED, "branch_vote_date", D(2026, 11, 20))
        for _ in range(6):
            person(self.cell, Stage.DOSSIER, "application_date", D(2026, 10, 1))

    def get(self, **params: str) -> Any:
        self.client.force_login(self.bob)
        return self.client.get("/", {"org": "C1", "year": "2026", **params})

    def test_with_a_history_each_stage_counts_with_its_share_admitted_in_the_days_left(self) -> None:
        # The past: 40 people decided on 1 March 2025 and admitted 21 days later (TIMELINE: decision 15/08,
        # ceremony 05/09), so within 25 days of the decision; their votes were 41 days and their applications
        # 134 days before the decision, so never within 25 days of those. The people in the pipeline today
        # who voted or applied by 11/11/2026 (25 days before today) are past cases of those stages too, not
        # admitted within 25 days: the 4 decided (voted 10/10) at the vote, and they and the 5 voted (applied
        # 19/08) and the 6 preparing the dossier (applied 01/10) at the dossier.
        for _ in range(40):
            person(self.cell, Stage.PROBATION, "decision_date", D(2025, 3, 1))
        self.pipeline([D(2026, 11, 20)] * 4)
        r = self.get()
        outlook = r.context["att"].outlook
        stages = {s.stage: (s.people, s.cases, s.admitted, s.thin) for s in outlook.stages if s.people}
        self.assertEqual(
            stages,
            {
                Stage.DECIDED: (4, 40, 40, False),
                Stage.BRANCH_VOTED: (5, 44, 0, False),
                Stage.DOSSIER: (6, 55, 0, False),
            },
        )
        self.assertEqual(outlook.days, 25)
        # By hand (z² = 3.8416): low = 4 × 40/43.8416 = 3.65 → 4; high = 4 × 1 + 5 × 3.8416/47.8416 +
        # 6 × 3.8416/58.8416 = 4 + 0.40 + 0.39 = 4.79 → 5. The old forecast: 0 + 4 + 5 … + 6 = 9–15.
        self.assertEqual(r.context["att"].forecast, (4, 5))
        self.assertContains(r, "4–5")
        self.assertContains(r, 'id="forecast-how"')
        self.assertContains(r, "40 trên 40 người được kết nạp trong vòng 25 ngày (100,00%)")
        self.assertContains(r, "khoảng tin cậy 95%")

    def test_with_a_thin_history_the_rule_sets_deadlines_stand_in(self) -> None:
        # No past here. Two decisions of 15/10 have their ceremony due within 30 working days, before 31/12;
        # two of 20/11 fall due in January. The votes of 20/11 have their decision due in February.
        self.pipeline([D(2026, 10, 15)] * 2 + [D(2026, 11, 20)] * 2)
        r = self.get()
        att = r.context["att"]
        self.assertEqual(att.forecast, (2, 4))
        self.assertTrue(all(s.thin for s in att.outlook.stages))
        self.assertContains(r, "2 trường hợp: tính theo thời hạn của bộ quy định")  # the two decided on 15/10

    def test_next_years_forecast_counts_only_admissions_that_fall_in_it(self) -> None:
        # Review of issue 18: on 06/12/2026 the 2027 page counted the admissions due before 01/01/2027, the
        # same people as 2026's forecast. 2027 starts 26 days from today and ends 390 days from it: a past case
        # counts if admitted 26–390 days after reaching its stage. The 40 past decided were admitted 21 days
        # after the decision (too soon: 0 of 40), 62 days after the vote and 155 after applying (40 of 40).
        for _ in range(40):
            person(self.cell, Stage.PROBATION, "decision_date", D(2025, 3, 1))
        self.pipeline([D(2026, 11, 20)] * 4)
        r = self.get(year="2027")
        outlook = r.context["att"].outlook
        stages = {s.stage: (s.people, s.cases, s.admitted) for s in outlook.stages if s.people}
        self.assertEqual(
            stages, {Stage.DECIDED: (4, 40, 0), Stage.BRANCH_VOTED: (5, 40, 40), Stage.DOSSIER: (6, 40, 40)}
        )
        # low = 0 + 5 × 40/43.8416 + 6 × 40/43.8416 = 10.04 → 10; high = 4 × 3.8416/43.8416 + 5 + 6 = 11.35
        # → 11 (was 14–15, the decided counted as if admitted in 2027).
        self.assertEqual(r.context["att"].forecast, (10, 11))
        self.assertEqual((outlook.first, outlook.days), (26, 390))
        self.assertContains(r, "40 trên 40 người được kết nạp từ 26 đến 390 ngày sau khi đến bước đó (100,00%)")
        self.assertContains(r, "Kỳ này bắt đầu sau 26 ngày nữa")

    def test_next_years_deadlines_count_only_within_it(self) -> None:
        # No past. The ceremonies of the two decided on 15/10 fall due in 2026, before 2027 starts: neither
        # figure of 2027 counts them (they did: 4–9); those of 20/11 fall due in January 2027 (both figures),
        # the decisions of the five voted on 20/11 in February (the high one).
        self.pipeline([D(2026, 10, 15)] * 2 + [D(2026, 11, 20)] * 2)
        self.assertEqual(self.get(year="2027").context["att"].forecast, (2, 7))
        self.assertEqual(self.get().context["att"].forecast, (2, 4))  # 2026 as before

    def test_the_forecast_takes_one_query_whatever_the_number_of_people(self) -> None:
        def queries() -> int:
            self.get()  # the first request of a test reads what later ones have cached (the rule set, the calendar)
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.get().status_code, 200)
            return len(ctx.captured_queries)

        self.pipeline([D(2026, 11, 20)])
        few = queries()
        for _ in range(10):
            person(self.cell, Stage.PROBATION, "decision_date", D(2025, 3, 1))
        self.pipeline([D(2026, 11, 20)] * 3)
        self.assertEqual(queries(), few)

    def test_a_past_as_of_day_has_no_forecast(self) -> None:
        self.pipeline([D(2026, 11, 20)])
        r = self.get(as_of="2026-11-30")
        self.assertIsNone(r.context["att"].outlook)
        self.assertNotContains(r, 'id="kpi-forecast"')

    def test_it_returns_404_outside_the_scope(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get("/", {"org": "C1", "year": "2026"}).status_code, 404)


@time_machine.travel(SIXTH_DECEMBER)
class PastPipelineTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cell = self.org("C1.B1.01")
        # On 31/12/2025: reviewed by the committee (16/12/2025; admitted since), at the dossier (still there),
        # through the awareness course (04/11/2025; removed in 2026), a probationer (recognised in 2026). Not
        # then: one put on the list in 2026, one removed in 2025.
        person(self.cell, Stage.PROBATION, "admission_date", D(2026, 2, 1))  # voted 02/11/2025
        person(self.cell, Stage.DOSSIER, "application_date", D(2025, 6, 1))
        make_candidate(
            self.cell, Stage.REMOVED, timeline={**shifted("source_date", D(2025, 9, 1)), "removal_date": D(2026, 3, 1)}
        )
        person(self.cell, Stage.OFFICIAL, "admission_date", D(2025, 3, 1))
        person(self.cell, Stage.SOURCE, "source_date", D(2026, 1, 5))
        make_candidate(
            self.cell, Stage.REMOVED, timeline={**shifted("source_date", D(2025, 1, 5)), "removal_date": D(2025, 5, 1)}
        )
        MembershipCount.objects.create(organization=self.org("C1"), year=2019, members=575)

    def get(self, user: Any = None, **params: str) -> Any:
        self.client.force_login(user or self.bob)
        return self.client.get("/", {"org": "C1", **params})

    def test_a_past_term_shows_the_pipeline_as_it_stood_on_its_last_day(self) -> None:
        r = self.get(term="2020-2025")
        att = r.context["att"]
        self.assertEqual(att.pipeline_day, D(2025, 12, 31))
        pipeline = att.total.figures.pipeline
        self.assertEqual(
            {k: v for k, v in pipeline.items() if v},
            {Stage.AWARENESS: 1, Stage.DOSSIER: 1, Stage.COMMITTEE_REVIEWED: 1, Stage.PROBATION: 1},
        )
        self.assertEqual(att.total.in_pipeline, 3)
        self.assertContains(r, "Quần chúng đang theo dõi ngày 31/12/2025")
        self.assertNotContains(r, "Quần chúng đang theo dõi</span>")
        # The units directly under add up to the same, on the same day.
        self.assertEqual(sum(row.in_pipeline for row in att.children), 3)

    def test_every_1_january_names_its_year(self) -> None:
        r = self.get(term="2020-2025")
        self.assertContains(r, "trên 575 đảng viên ngày 01/01/2020")
        self.assertNotContains(r, "ngày 01/01<")

    def test_an_as_of_day_shows_the_pipeline_of_that_day(self) -> None:
        r = self.get(year="2026", as_of="2026-01-31")
        pipeline = r.context["att"].total.figures.pipeline
        # 31/01/2026: the decision of 11/01/2026, the dossier, the awareness course (removed in March), the
        # source list of 05/01/2026, the probationer.
        self.assertEqual(
            {k: v for k, v in pipeline.items() if v},
            {Stage.SOURCE: 1, Stage.AWARENESS: 1, Stage.DOSSIER: 1, Stage.DECIDED: 1, Stage.PROBATION: 1},
        )
        self.assertContains(r, "ngày 31/01/2026")

    def test_the_current_year_still_shows_todays_pipeline(self) -> None:
        r = self.get(year="2026")
        self.assertIsNone(r.context["att"].pipeline_day)
        self.assertEqual(r.context["att"].total.in_pipeline, 2)  # the dossier and the source list of 2026
        self.assertContains(r, "Quần chúng đang theo dõi</span>")

    def test_a_transferred_person_counts_once_on_a_day_before_the_transfer(self) -> None:
        # On the source list since 01/05/2025, moved to C1.B2 on 01/04/2026: its copy there has the same dates.
        old = person(self.cell, Stage.TRANSFERRED, "source_date", D(2025, 5, 1), removal_date=D(2026, 4, 1))
        person(self.org("C1.B2"), Stage.SOURCE, "source_date", D(2025, 5, 1), previous=old)
        r = self.get(term="2020-2025")
        self.assertEqual(r.context["att"].total.in_pipeline, 4)
        self.assertEqual({row.org.code: row.in_pipeline for row in r.context["att"].children}, {"C1.B1": 4, "C1.B2": 0})
        # After the transfer: at C1.B2 only (C1.B1: the dossier, and the source list of 2026).
        r = self.get(year="2026", as_of="2026-04-30")
        self.assertEqual({row.org.code: row.in_pipeline for row in r.context["att"].children}, {"C1.B1": 2, "C1.B2": 1})

    def test_a_past_periods_idle_units_count_the_people_waiting_on_its_last_day(self) -> None:
        # Review of issue 18: the idle units counted the people waiting today against a past period. On
        # 31/12/2025 C1.B1.02 had two waiting (on the source list since 01/09/2025, removed 01/03/2026; reviewed
        # by the committee, admitted 01/02/2026) and admitted no one in 2025; C1.B2's one waiting today was put
        # on the list in 2026. C1.B1.01 admitted someone in 2025.
        other = self.org("C1.B1.02")
        make_candidate(
            other, Stage.REMOVED, timeline={**shifted("source_date", D(2025, 9, 1)), "removal_date": D(2026, 3, 1)}
        )
        person(other, Stage.PROBATION, "admission_date", D(2026, 2, 1))
        person(self.org("C1.B2"), Stage.SOURCE, "source_date", D(2026, 1, 5))
        r = self.get(year="2025")
        att = r.context["att"]
        self.assertEqual(
            (att.idle_count, att.idle_units), (1, [{"code": "C1.B1.02", "name": other.name, "waiting": 2}])
        )
        # That day's figure: no link to the candidate list, which shows today's people.
        idle = re.search(r'<section id="idle">(.*?)</section>', r.content.decode(), re.S)
        assert idle is not None
        self.assertIn("Đang chờ ngày 31/12/2025", idle.group(1))
        self.assertNotIn(r.context["people_url"], idle.group(1))
        # The current year still counts the people waiting today, with the link.
        r = self.get(year="2026")
        att = r.context["att"]
        self.assertEqual([(u["code"], u["waiting"]) for u in att.idle_units], [("C1.B2", 1)])
        self.assertContains(r, f'href="{r.context["people_url"]}?org=C1.B2&amp;')

    def test_the_past_pipeline_takes_one_query_more_whatever_the_number_of_people(self) -> None:
        def queries() -> int:
            self.get(term="2020-2025")  # the first request of a test reads what later ones have cached
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.get(term="2020-2025").status_code, 200)
            return len(ctx.captured_queries)

        few = queries()
        for _ in range(5):
            person(self.cell, Stage.DOSSIER, "application_date", D(2025, 6, 1))
        self.assertEqual(queries(), few)

    def test_it_returns_404_outside_the_scope(self) -> None:
        self.assertEqual(self.get(self.charlie, term="2020-2025").status_code, 404)


@time_machine.travel(SIXTH_DECEMBER)
class EndedUnitTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        p = self.org("P")
        self.district = org_services.organization_create(parent=p, code="D", name="Huyện cũ", kind=Kind.DISTRICT)
        commune = org_services.organization_create(parent=self.district, code="D.X", name="Xã cũ", kind=Kind.COMMUNE)
        cell = org_services.organization_create(parent=commune, code="D.X.01", name="Chi bộ thôn", kind=Kind.BRANCH)
        self.new = org_services.organization_create(parent=p, code="N", name="Xã mới", kind=Kind.COMMUNE)
        for day in (D(2021, 5, 5), D(2024, 5, 5), D(2024, 9, 9), D(2025, 3, 3)):
            person(cell, Stage.PROBATION, "admission_date", day)
        person(cell, Stage.PROBATION, "admission_date", D(2025, 9, 9))  # after the merger: under N's tree
        person(cell, Stage.DOSSIER, "application_date", D(2025, 5, 1))
        # The district's last day of activity is 30/06/2025 (its `valid_to`); its units move to N on 01/07.
        # (Issue 18 review: this used to pass 01/07, when the end date was read as the first day without it.)
        org_services.organization_dissolve(
            org=Organization.objects.get(code="D"), effective_date=D(2025, 6, 30), successor=self.new
        )

    def get(self, code: str, user: Any = None, **params: str) -> Any:
        self.client.force_login(user or self.alice)
        return self.client.get("/", {"org": code, **params})

    def test_a_merged_districts_term_page_reports_on_its_tree_while_it_existed(self) -> None:
        r = self.get("D", term="2020-2025")
        att = r.context["att"]
        self.assertEqual(att.total.admitted, 4)  # 2021, 2024 twice, 2025 before the merger
        self.assertEqual((att.cutoff, att.tree_day), (D(2025, 6, 30), D(2025, 6, 30)))
        self.assertEqual([row.org.code for row in att.children], ["D.X"])
        self.assertEqual(att.children[0].admitted, 4)
        # As it stood on 30/06/2025: two preparing the dossier (applied 01/05/2025, and 07/04/2025 admitted 09/09).
        self.assertEqual(att.total.in_pipeline, 2)
        self.assertContains(r, "30/06/2025")

    def test_a_year_of_the_district_counts_as_before(self) -> None:
        r = self.get("D", year="2024")
        self.assertEqual(r.context["att"].total.admitted, 2)

    def test_the_provinces_term_table_marks_the_ended_unit_and_its_successor(self) -> None:
        r = self.get("P", term="2020-2025")
        # The province's rows follow the tree of the term's last day (CONTRACT §4), on which the district's
        # units are under the commune it merged into: the note says where its figures went.
        rows = {row.org.code: row.admitted for row in r.context["children"]}
        self.assertEqual((rows["D"], rows["N"]), (0, 5))
        self.assertContains(r, "Sáp nhập vào Xã mới ngày 30/06/2025")  # the label names its last day
        # A year while the district stood: its row counts its own.
        r = self.get("P", year="2024")
        self.assertEqual({row.org.code: row.admitted for row in r.context["children"]}["D"], 2)

    def test_a_dissolved_unit_counts_its_last_day(self) -> None:
        # Review of issue 18: `valid_to` is the last day the unit existed (`active_on`), so an admission on
        # that day counts, and the label and the figures name the same day.
        cell = self.org("C1.B1.02")
        person(cell, Stage.PROBATION, "admission_date", D(2026, 1, 31))
        person(cell, Stage.PROBATION, "admission_date", D(2026, 2, 1))
        org_services.organization_dissolve(org=cell, effective_date=D(2026, 2, 1))
        r = self.get("C1.B1.02", user=self.bob, year="2026")
        self.assertEqual((r.context["att"].cutoff, r.context["att"].total.admitted), (D(2026, 2, 1), 2))
        self.assertContains(r, "01/02/2026")
        r = self.get("C1.B1", user=self.bob, year="2026")
        self.assertContains(r, "Giải thể ngày 01/02/2026")

    def test_a_dissolved_unit_is_marked_dissolved(self) -> None:
        org_services.organization_dissolve(org=self.org("C1.B1.02"), effective_date=D(2026, 2, 1))
        r = self.get("C1.B1", user=self.bob, year="2026")
        self.assertContains(r, "Giải thể ngày 01/02/2026")

    def test_a_successor_outside_the_readers_scope_is_not_named(self) -> None:
        org_services.organization_dissolve(
            org=self.org("C1.B1.02"), effective_date=D(2026, 2, 1), successor=self.org("C2.B1")
        )
        r = self.get("C1.B1", user=self.bob, year="2026")
        self.assertContains(r, "Sáp nhập vào một đơn vị ngoài tổ chức này ngày 01/02/2026")
        self.assertNotContains(r, self.org("C2.B1").name)

    def test_it_returns_404_outside_the_scope(self) -> None:
        self.assertEqual(self.get("D", user=self.bob, term="2020-2025").status_code, 404)
