"""The unit chart with 32 units, one at 400 % (issue 18 point 5), and the dashboard on A4 paper (issue 17 point 6).

Chart.js draws on a canvas: the tests read its instance (Chart.getChart) for the axis, the ticks and the labels.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from tests.base import make_user
from tests.browser.test_login_and_tree import login
from tests.wide_tree import OUTLIER, wide_province

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# A4 is 210 mm wide; the print stylesheet's margins leave 186 mm, 703 CSS pixels (96 to the inch).
A4_PRINTABLE_PX = 703

UNIT_CHART = """() => {
  const c = Chart.getChart("chart-children"), y = c.scales.y, x = c.scales.x;
  const font = Chart.helpers.toFont(y.options.ticks.font);
  c.ctx.save(); c.ctx.font = font.string;
  const labels = c.data.labels.map((l) => Array.isArray(l) ? l : [l]);
  const widths = labels.map((lines) => Math.max(...lines.map((t) => c.ctx.measureText(t).width)));
  c.ctx.restore();
  const pixels = y.ticks.map((_t, i) => y.getPixelForTick(i));
  const gaps = pixels.slice(1).map((p, i) => p - pixels[i]);
  return {
    width: c.width, xMax: x.max, values: c.data.datasets[0].data, ticks: y.ticks.length,
    lines: labels.map((l) => l.length), lineHeight: font.lineHeight, minGap: Math.min(...gaps),
    widestLabel: Math.max(...widths), axisLeft: y.left, axisWidth: y.width,
    outliers: c.$outliersDrawn, right: c.chartArea.right,
    canvasRight: c.canvas.getBoundingClientRect().right,
    figureRight: c.canvas.parentNode.getBoundingClientRect().right,
  };
}"""


def _province(units: int = 32) -> None:
    year = datetime.date.today().year
    root = wide_province(units, year=year, admitted_on=datetime.date(year, 1, 1))
    make_user("tinhuy", root, Role.VIEWER)


def test_thirty_two_units_one_at_400_percent_are_all_named_and_none_flattened(page: Page, live_server: object) -> None:
    _province()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, "tinhuy")
    page.goto(f"/?org=W&year={datetime.date.today().year}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-children')")
    assert errors == []
    chart: dict[str, Any] = page.evaluate(UNIT_CHART)
    # The axis stops at 150 %; the outlier keeps its value, drawn to the end and labelled.
    assert chart["xMax"] == 150
    assert 400 in chart["values"]
    assert [o["text"] for o in chart["outliers"]] == ["400,00%"]
    assert abs(chart["outliers"][0]["x"] - chart["right"]) < 1
    # Every unit named (no tick skipped), in at most two lines, rows far enough apart not to overlap,
    # and the names within the axis (not cut at the canvas's left edge).
    assert chart["ticks"] == 32
    assert max(chart["lines"]) <= 2
    assert chart["minGap"] >= 2 * chart["lineHeight"], chart
    assert chart["axisLeft"] >= 0
    assert chart["widestLabel"] <= chart["axisWidth"], chart
    # The full name is the tooltip's title.
    title = page.evaluate(
        """(code) => {
          const c = Chart.getChart("chart-children"), i = 6;  // the 7th unit, W.X0007
          const bar = c.getDatasetMeta(0).data[i];
          c.tooltip.setActiveElements([{ datasetIndex: 0, index: i }], { x: bar.x, y: bar.y });
          c.update();
          return c.tooltip.title.join(" ") + " | " + c.tooltip.body.map((b) => b.lines.join(" ")).join(" ");
        }""",
        OUTLIER,
    )
    assert title == "Đảng bộ Công ty Trách nhiệm hữu hạn Một thành viên Xây dựng và Thương mại Số 7 | 400%"
    expect(page.locator("#chart-children-cap")).to_contain_text("Trục dừng ở 150%")
    # The print header is not shown on screen.
    expect(page.locator("#print-header")).to_be_hidden()


def _overflowing(page: Page) -> list[str]:
    """Elements of the page wider than the page, or scrolling sideways (paper does not scroll)."""
    return page.evaluate(
        """(width) => {
          const out = [];
          for (const el of document.querySelectorAll("main *")) {
            const box = el.getBoundingClientRect();
            if (!box.width && !box.height) continue;  // not shown
            const name = `${el.tagName}#${el.id}.${el.className}`;
            if (box.right > width + 0.5 || box.left < -0.5) out.push(`${name} ${box.left}-${box.right}`);
            if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible")
              out.push(`${name} scrolls ${el.scrollWidth} > ${el.clientWidth}`);
          }
          const page = document.documentElement.scrollWidth;
          if (page > width + 0.5) out.push(`page ${page}`);
          return out;
        }""",
        A4_PRINTABLE_PX,
    )


def test_the_dashboard_prints_on_a4_with_its_header_and_nothing_cut(page: Page, live_server: object) -> None:
    _province()
    user = make_user("inbaocao", None, None)
    user.first_name, user.last_name = "Lan", "Trần Thị"
    user.save()
    from organizations.models import Membership, Organization

    Membership.objects.create(user=user, organization=Organization.objects.get(code="W"), role=Role.VIEWER)
    login(page, "inbaocao")
    year = datetime.date.today().year
    page.goto(f"/?org=W&year={year}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-children')")
    wide = page.evaluate("() => Chart.getChart('chart-children').width")
    assert wide > 1000  # drawn for the 1280-pixel screen

    # The print media on the A4 page's printable width: the charts follow (dashboard.js resizes them).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1000})
    header = page.locator("#print-header")
    expect(header).to_be_visible()
    today = datetime.date.today().strftime("%d/%m/%Y")
    expect(header).to_contain_text("Đảng bộ tỉnh Nhiều Đơn Vị")
    expect(header).to_contain_text(f"Năm {year}: 01/01/{year} – 31/12/{year}")
    expect(header).to_contain_text(f"In ngày {today}")
    expect(header).to_contain_text("Người in: Lan Trần Thị")
    expect(page.locator(".actions")).to_be_hidden()
    page.wait_for_function(f"() => Chart.getChart('chart-children').width <= {A4_PRINTABLE_PX}")
    chart: dict[str, Any] = page.evaluate(UNIT_CHART)
    assert chart["canvasRight"] <= chart["figureRight"] + 0.5
    assert chart["minGap"] >= 2 * chart["lineHeight"], chart
    assert chart["widestLabel"] <= chart["axisWidth"], chart
    assert _overflowing(page) == []
    # No heading left alone at the foot of a page; no figure or table row split across two.
    styles = page.evaluate(
        """() => [...document.querySelectorAll("h2, figcaption")].map((e) => getComputedStyle(e).breakAfter)
              .concat([...document.querySelectorAll("figure")].map((e) => getComputedStyle(e).breakInside))"""
    )
    assert set(styles) == {"avoid"}
    # But the units' table may run over pages: kept whole, it went to page 2 and left page 1 blank.
    assert page.evaluate("() => getComputedStyle(document.querySelector('#children').parentNode).breakInside") == "auto"


def test_the_pdf_is_a4_and_a_sane_number_of_pages(page: Page, live_server: object) -> None:
    _province()
    login(page, "tinhuy")
    page.goto(f"/?org=W&year={datetime.date.today().year}")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-children')")
    wide = page.evaluate("() => Chart.getChart('chart-children').width")
    page.evaluate(
        """() => { window.printed = [];
             const note = (when) => window.printed.push([when, Chart.getChart('chart-children').width]);
             addEventListener('afterprint', () => note('afterprint'));
             matchMedia('print').addEventListener('change', (e) => note(e.matches ? 'print' : 'screen')); }"""
    )
    pdf = page.pdf(format="A4", print_background=True)
    # Printing resized the charts to the page (dashboard.js; they stay drawn for the screen otherwise), and back.
    printed = dict(page.evaluate("() => window.printed"))
    assert printed["print"] <= A4_PRINTABLE_PX + 2, printed
    assert printed["afterprint"] == wide > 1000, printed
    # A4 (595 × 842 points) and a sane count: the 32 units' table over two pages, the unit chart on one,
    # the whole in five (measured: 5).
    sizes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert sizes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in sizes), sizes
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert 3 <= pages <= 6, pages
