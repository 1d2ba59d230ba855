"""The demo quotas and membership counts that seed_demo adds (devdata/quotas.py)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from devdata import quotas as demo
from devdata.tree import ROOT_CODE
from organizations.models import Organization
from recruitment.models import Candidate
from reports.attainment import attainment
from reports.forms import Period
from reports.models import MembershipCount, Quota

# The day the seed is built on, as in test_command_seed_demo: the figures do not drift with the calendar.
NOW = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TODAY = NOW.date()
PAST_YEARS = range(TODAY.year - 6, TODAY.year)  # the full years of admissions: 2020-2025
ALL_PERIODS = [*(Period(y, y) for y in range(TODAY.year - 7, TODAY.year + 1)), demo.TERM]


def stored() -> dict[str, object]:
    return {
        "quotas": list(Quota.objects.order_by("pk").values_list()),
        "counts": list(MembershipCount.objects.order_by("pk").values_list()),
        "quota_history": Quota.history.count(),
        "count_history": MembershipCount.history.count(),
    }


def content() -> list[tuple[object, ...]]:
    """The demo figures without database ids or timestamps, to compare two seeds."""
    quotas = Quota.objects.values_list("organization__code", "first_year", "last_year", "category", "target", "rate")
    counts = MembershipCount.objects.values_list("organization__code", "year", "members")
    return sorted(quotas) + sorted(counts)  # type: ignore[operator]


class DemoQuotasTestCase(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        out = io.StringIO()
        with time_machine.travel(NOW, tick=False):
            call_command("seed_demo", stdout=out)
        cls.output = out.getvalue()

    def setUp(self) -> None:
        self.root = Organization.objects.get(code=ROOT_CODE)

    def test_it_reports_what_it_created(self) -> None:
        n = Quota.objects.count() + MembershipCount.objects.count()
        grouped = number_format(n, force_grouping=True)  # 1.669 in Vietnamese
        self.assertIn(_("Demo quotas and membership counts created: %(n)s.") % {"n": grouped}, self.output)

    def test_the_province_and_each_unit_under_it_have_a_quota_for_every_period(self) -> None:
        for period in ALL_PERIODS:
            with self.subTest(period=str(period)):
                result = attainment(self.root, period, today=TODAY, detail=False)
                self.assertIsNotNone(result.total.target)
                for row in result.children:
                    if row.admitted:
                        self.assertIsNotNone(row.target, row.org.code)
                bases = Quota.objects.filter(
                    first_year=period.first_year, last_year=period.last_year, organization__kind="base_committee"
                )
                # every grassroots organization that admitted anyone; in the first year only a few did
                self.assertGreaterEqual(bases.count(), 25 if period.first_year in PAST_YEARS else 5)

    def test_past_years_are_attained_at_75_to_120_percent(self) -> None:
        for period in [*(Period(y, y) for y in PAST_YEARS), demo.TERM]:
            result = attainment(self.root, period, today=TODAY, detail=False)
            for row in result.rows:
                if row.target is None:
                    continue
                with self.subTest(period=str(period), org=row.org.code):
                    assert row.percent is not None
                    self.assertTrue(Decimal(70) <= row.percent <= Decimal(125), row.percent)

    def test_before_the_reform_the_district_has_the_quota_of_its_units(self) -> None:
        result = attainment(self.root, Period(2023, 2023), today=TODAY, detail=False)
        codes = {row.org.code for row in result.children if row.target is not None}
        self.assertIn("PT.H-LT", codes)
        self.assertNotIn("PT.LTH", codes)
        after = attainment(self.root, Period(2025, 2025), today=TODAY, detail=False)
        self.assertTrue({"PT.LTH", "PT.PNG"} <= {row.org.code for row in after.children if row.target is not None})

    def test_one_commune_gives_its_units_less_than_its_own_target(self) -> None:
        short = Organization.objects.get(code=demo.SHORT_COMMUNE)
        for period in ALL_PERIODS:
            with self.subTest(period=str(period)):
                self.assertIsNotNone(attainment(short, period, today=TODAY, detail=False).children_short)
                self.assertIsNone(attainment(self.root, period, today=TODAY, detail=False).children_short)

    def test_a_commune_has_a_rate_for_the_current_year(self) -> None:
        ward = Organization.objects.get(code=demo.RATE_COMMUNE)
        quota = Quota.objects.get(organization=ward, first_year=TODAY.year, last_year=TODAY.year, category="")
        self.assertIsNone(quota.target)
        assert quota.rate is not None
        self.assertTrue(Decimal("0.1") <= quota.rate <= Decimal(20))
        result = attainment(ward, Period(TODAY.year, TODAY.year), today=TODAY, detail=False)
        self.assertIsNotNone(result.total.target)  # the members of 31 December last year are there
        self.assertIsNone(result.children_short)
        self.assertEqual(Quota.objects.exclude(rate=None).count(), 1)

    def test_the_province_has_sub_targets_for_women_and_youth_union_members(self) -> None:
        for period in ALL_PERIODS:
            categories = set(
                Quota.objects.filter(
                    organization=self.root, first_year=period.first_year, last_year=period.last_year
                ).values_list("category", flat=True)
            )
            self.assertEqual(categories, {"", "women", "youth_union"}, str(period))

    def test_membership_counts_add_up_on_the_tree_of_each_year(self) -> None:
        counts = {(c, y): n for c, y, n in MembershipCount.objects.values_list("organization__code", "year", "members")}
        years = sorted({y for _c, y in counts})
        self.assertEqual(years, list(range(TODAY.year - 8, TODAY.year)))
        orgs = list(Organization.objects.descendant_of(self.root))
        by_path = {o.path: o.code for o in orgs}
        moved = {"PT.LTH", "PT.PNG", "PT.H-LT"}
        for year in years:
            sums: dict[str, int] = {}
            for org in orgs:
                parent = by_path.get(org.parent_path)
                if parent and (org.code, year) in counts:
                    sums[parent] = sums.get(parent, 0) + counts[(org.code, year)]
            for code, total in sums.items():
                if year < 2025 and (code in moved or code == ROOT_CODE):
                    continue  # these follow the tree before the reform, checked below
                with self.subTest(code=code, year=year):
                    self.assertEqual(counts[(code, year)], total)
            if year < 2025:
                units = [f"PT.{c}" for c in ("DCH", "VTR", "NTR", "TBA", "H-LT")]
                self.assertEqual(counts[(ROOT_CODE, year)], sum(counts[(c, year)] for c in units))
                self.assertNotIn(("PT.LTH", year), counts)
            else:
                self.assertNotIn(("PT.H-LT", year), counts)

    def test_membership_grows_by_roughly_the_admissions(self) -> None:
        counts = dict(MembershipCount.objects.filter(organization=self.root).values_list("year", "members"))
        for year in PAST_YEARS:
            admitted = Candidate.objects.filter(admission_date__year=year).count()
            growth = counts[year] - counts[year - 1]
            with self.subTest(year=year):
                self.assertTrue(0.5 * admitted <= growth <= admitted, (growth, admitted))

    def test_running_it_twice_changes_nothing(self) -> None:
        before = stored()
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        self.assertEqual(stored(), before)
        self.assertIn(_("Demo quotas and membership counts already present; left unchanged."), out.getvalue())
        self.assertEqual(demo.seed_quotas(today=TODAY), 0)

    def test_the_same_people_give_the_same_figures(self) -> None:
        before = content()
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            Quota.objects.all().delete()
            MembershipCount.objects.all().delete()
        self.assertEqual(demo.seed_quotas(today=TODAY), len(before))
        self.assertEqual(content(), before)
