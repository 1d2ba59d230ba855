"""End-to-end: an official opens the dashboard, drills down two levels to the people, exports xlsx.

Runs Debian's Chromium through Playwright against pytest-django's live_server (see conftest.py).
"""

from __future__ import annotations

import datetime
import re
import zipfile
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import Stage
from reports.models import Quota
from tests.base import make_tree, make_user
from tests.browser.test_login_and_tree import login
from tests.people import TIMELINE, make_candidate

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _admit(cell: object, day: datetime.date, name: str) -> None:
    shift = day - TIMELINE["admission_date"]
    make_candidate(cell, Stage.PROBATION, timeline={k: v + shift for k, v in TIMELINE.items()}, full_name=name)  # type: ignore[arg-type]


def test_an_official_drills_down_from_the_province_to_the_people_and_exports(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    year = datetime.date.today().year
    orgs = make_tree()
    make_user("lanhdao", orgs["P"], Role.VIEWER)
    _admit(orgs["C1.B1.01"], datetime.date(year, 1, 15), "Nguyễn Thị Hoa")
    _admit(orgs["C1.B1.02"], datetime.date(year, 1, 20), "Trần Văn Bình")
    _admit(orgs["C2.B1.01"], datetime.date(year, 1, 25), "Lê Thị Cúc")
    _admit(orgs["C1.B1.01"], datetime.date(year - 1, 6, 1), "Phạm Văn Cũ")  # last year: not counted
    for code, target in (("P", 4), ("C1", 2), ("C2", 1)):
        Quota.objects.create(organization=orgs[code], first_year=year, last_year=year, target=target)

    login(page, "lanhdao")
    page.goto("/")
    # The province's dashboard for the current year: 3 of 4, 75,00%, in Vietnamese notation.
    expect(page.locator("h1")).to_contain_text("Đảng bộ tỉnh Thử Nghiệm")
    expect(page.locator("#kpi-admitted .card-n")).to_have_text("3")
    expect(page.locator("#kpi-percent .card-n")).to_have_text("75,00%")
    expect(page.locator("#chart-months")).to_be_visible()
    rows = page.locator("#children tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Đảng bộ xã Dân Chủ")
    expect(rows.nth(0)).to_contain_text("100,00%")

    # Down one level: the commune.
    page.click("#children >> text=Đảng bộ xã Dân Chủ")
    expect(page.locator("h1")).to_contain_text("Đảng bộ xã Dân Chủ")
    expect(page.locator(".breadcrumb")).to_contain_text("Đảng bộ tỉnh Thử Nghiệm")
    expect(page.locator("#kpi-admitted .card-n")).to_have_text("2")

    # Down a second level: the school's grassroots committee, then the people behind its figure.
    page.click("#children >> text=Đảng bộ Trường THCS Dân Chủ")
    expect(page.locator("h1")).to_contain_text("Đảng bộ Trường THCS Dân Chủ")
    expect(page.locator("#children tbody tr")).to_have_count(2)
    page.click("#kpi-admitted")
    expect(page).to_have_url(re.compile(r"/candidates/\?org=C1\.B1&"))
    people = page.locator("table.data tbody tr")
    expect(people).to_have_count(2)
    expect(page.locator("table.data")).to_contain_text("Nguyễn Thị Hoa")
    expect(page.locator("table.data")).not_to_contain_text("Phạm Văn Cũ")

    # Back at the province, export the table to Excel.
    page.goto("/")
    with page.expect_download() as download_info:
        page.click("text=Xuất ra Excel")
    download = download_info.value
    assert download.suggested_filename == f"ket-qua-ket-nap-P-{year}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "Đảng bộ xã Dân Chủ" in strings
    assert "Đảng bộ phường Hòa Bình" in strings


def test_the_print_stylesheet_hides_the_controls(page: Page, live_server: object) -> None:
    orgs = make_tree()
    make_user("lanhdao", orgs["P"], Role.VIEWER)
    login(page, "lanhdao")
    page.goto("/")
    expect(page.locator(".actions")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".actions")).to_be_hidden()
    expect(page.locator("form.period")).to_be_hidden()
    expect(page.locator(".kpis")).to_be_visible()
