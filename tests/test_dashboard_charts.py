"""The dashboard's unit chart and its printed form (issue 18 point 5, issue 17 point 6): the axis stops
before one unit far beyond its target flattens the others, the headings are distinct, the printout says
whose figures, for which period, printed when and by whom."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import Any

import time_machine
from django.contrib.auth.models import User
from django.utils import translation

from organizations.models import Organization, Role
from reports.charts import axis_cap, unit_chart
from tests.base import BaseTestCase, make_user
from tests.wide_tree import OUTLIER, wide_province

TODAY = "2026-11-15 09:00 +0700"


class AxisCapTest(BaseTestCase):
    def test_no_cap_while_every_bar_is_within_150_percent(self) -> None:
        self.assertIsNone(axis_cap([Decimal("20"), Decimal("150.00"), None, Decimal("99")]))
        self.assertIsNone(axis_cap([None, None]))
        self.assertIsNone(axis_cap([]))

    def test_one_unit_at_400_percent_among_thirty_stops_the_axis_at_150(self) -> None:
        values: list[Decimal | None] = [Decimal(40 + 2 * i) for i in range(30)]  # 40 … 98, median 69
        values[7] = Decimal("400.00")
        self.assertEqual(axis_cap(values), 150)
        # Units around their target (median 98): the axis goes to twice that, 200.
        self.assertEqual(axis_cap([Decimal(70 + 2 * i) for i in range(30)] + [Decimal(400)]), 200)

    def test_the_axis_reaches_twice_the_median_rounded_up_to_50(self) -> None:
        # Three units: the median is 90, twice that 180 → 200; the one at 400 is beyond.
        self.assertEqual(axis_cap([Decimal(80), Decimal(90), Decimal(400)]), 200)
        # Every unit far beyond: 2 × median 300 → 600, which the largest does not pass: no cap.
        self.assertIsNone(axis_cap([Decimal(280), Decimal(300), Decimal(400)]))

    def test_with_ten_units_or_more_the_90th_percentile_is_kept_in(self) -> None:
        # Median 60 (2 × = 120 → 150), but the 90th percentile, 260, → 300: only the 500 is cut.
        values = [Decimal(v) for v in (50, 55, 58, 60, 60, 60, 62, 240, 260, 500)]
        self.assertEqual(axis_cap(values), 300)

    def test_the_bars_beyond_are_labelled_in_vietnamese_notation(self) -> None:
        with translation.override("vi"):
            chart = unit_chart([Decimal("412.5"), Decimal("80"), None, Decimal("100")])
        self.assertEqual(chart, {"children_cap": 200, "children_outliers": ["412,50%", None, None, None]})


def chart_data(response: Any) -> dict[str, Any]:
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', response.content.decode())
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


@time_machine.travel(TODAY)
class UnitChartViewTest(BaseTestCase):
    root: Organization
    official: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = wide_province(32, year=2026, admitted_on=datetime.date(2026, 3, 2))
        cls.official = make_user("tinhuy", cls.root, Role.VIEWER)
        cls.official.first_name, cls.official.last_name = "Hoa", "Nguyễn Thị"
        cls.official.save()

    def get(self, user: Any, **params: str) -> Any:
        self.client.force_login(user)
        return self.client.get("/", params)

    def test_the_chart_data_carry_the_axis_end_and_the_outliers_real_value(self) -> None:
        r = self.get(self.official, org="W", year="2026")
        data = chart_data(r)
        self.assertEqual(len(data["children"]), 32)
        self.assertEqual(data["children_cap"], 150)
        at = [c.org.code for c in r.context["children"]].index(OUTLIER)
        self.assertEqual(data["children_percent"][at], 400.0)  # the bar keeps its value; the axis stops
        self.assertEqual(data["children_outliers"][at], "400,00%")
        self.assertEqual([v for v in data["children_outliers"] if v], ["400,00%"])
        self.assertContains(r, 'id="chart-children-cap"')
        self.assertContains(r, "Trục dừng ở 150%")

    def test_no_cap_and_no_note_when_every_unit_is_within_150_percent(self) -> None:
        r = self.get(self.bob, org="C1", year="2026")
        data = chart_data(r)
        self.assertIsNone(data["children_cap"])
        self.assertEqual(data["children_outliers"], [None] * len(data["children"]))
        self.assertNotContains(r, 'id="chart-children-cap"')

    def test_the_category_chart_and_the_category_table_have_distinct_headings(self) -> None:
        r = self.get(self.official, org="W", year="2026")
        html = r.content.decode()
        captions = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.S)
        headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
        self.assertIn("Kết nạp theo đối tượng", headings)
        self.assertNotIn("Kết nạp theo đối tượng", [c.strip() for c in captions])
        self.assertIn("Số người được kết nạp thuộc từng đối tượng", html)
        texts = [re.sub(r"<[^>]+>", "", t).strip() for t in captions + headings]
        self.assertEqual(len(texts), len(set(texts)), texts)

    def test_the_print_header_names_the_organization_the_period_the_day_and_who_printed(self) -> None:
        r = self.get(self.official, org="W", year="2026")
        html = r.content.decode()
        header = re.search(r'<header class="print-only print-header" id="print-header">(.*?)</header>', html, re.S)
        assert header is not None
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", header.group(1)))
        self.assertIn("Đảng bộ tỉnh Nhiều Đơn Vị", text)
        self.assertIn("Năm 2026: 01/01/2026 – 31/12/2026", text)
        self.assertIn("In ngày 15/11/2026", text)
        self.assertIn("Người in: Hoa Nguyễn Thị", text)

    def test_the_print_header_names_the_term_and_falls_back_to_the_username(self) -> None:
        r = self.get(self.bob, org="C1", term="2020-2025")
        self.assertContains(r, "Nhiệm kỳ 2020-2025")
        self.assertContains(r, "Người in: bob")
        self.assertContains(r, "In ngày 15/11/2026")

    def test_the_print_header_is_in_english_for_an_english_reader(self) -> None:
        self.client.force_login(self.bob)
        self.client.cookies["django_language"] = "en"
        r = self.client.get("/", {"org": "C1", "year": "2026"})
        self.assertContains(r, "Printed on 15/11/2026")
        self.assertContains(r, "Printed by bob")

    def test_outside_scope_the_dashboard_is_404_and_prints_nothing(self) -> None:
        r = self.get(self.bob, org="W", year="2026")
        self.assertEqual(r.status_code, 404)
        self.assertNotContains(r, "Nhiều Đơn Vị", status_code=404)
