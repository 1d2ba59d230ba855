"""End-to-end: a commune's viewer opens 'Registers and reports' from the dashboard, picks a quarter, reads the
table and downloads the statistics workbook and the probationary register."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from django.utils import translation
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import PersonalDataAccess, Stage
from tests.base import make_tree, make_user
from tests.browser.test_dashboard import _admit
from tests.browser.test_login_and_tree import login
from tests.people import make_candidate
from tests.test_report_statistics import rows_by_label

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_a_viewer_picks_a_quarter_reads_the_table_and_downloads(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    year = datetime.date.today().year
    orgs = make_tree()
    make_user("xemxet", orgs["C1"], Role.VIEWER)
    _admit(orgs["C1.B1.01"], datetime.date(year, 1, 15), "Nguyễn Thị Hoa")
    _admit(orgs["C1.B1.02"], datetime.date(year, 2, 20), "Trần Văn Bình")
    _admit(orgs["C1.B1.01"], datetime.date(year, 5, 1), "Lê Thị Quý Hai")  # the second quarter
    _admit(orgs["C1.B1.01"], datetime.date(year - 1, 3, 1), "Phạm Văn Cũ")  # the same quarter last year
    _admit(orgs["C2.B1.01"], datetime.date(year, 1, 25), "Lê Thị Cúc")  # outside the viewer's scope

    login(page, "xemxet")
    page.goto("/")
    page.click("#registers-reports")
    expect(page.locator("h1")).to_contain_text("Sổ sách và báo cáo")
    page.select_option("#id_period", f"{year}-Q1")
    with page.expect_navigation():
        page.click("form.period button[type=submit]")
    expect(page.locator("#period-days")).to_contain_text(f"Quý I năm {year}: 01/01/{year} – 31/03/{year}")
    total = page.locator("#report-table tbody tr").first
    expect(total).to_contain_text("TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP")
    expect(total.locator("td")).to_have_text(["I. TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP", "2", "1", "200,00%"])
    expect(page.locator("#report-table tr", has_text="Sinh viên").first.locator("td").nth(1)).to_have_text(
        "Không có dữ liệu"
    )

    with page.expect_download() as info:
        page.click("#download-statistics")
    path = tmp_path / "bieu.xlsx"
    info.value.save_as(path)
    rows = rows_by_label(openpyxl.load_workbook(path)["2-BTCTW"])
    assert rows["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"][1:4] == (2, 1, 200)

    with page.expect_download() as info:
        page.click("#download-probation")
    path = tmp_path / "so.xlsx"
    info.value.save_as(path)
    names = [r[1] for r in openpyxl.load_workbook(path).active.iter_rows(min_row=8, values_only=True) if r[0]]
    assert "Nguyễn Thị Hoa" in names and "Lê Thị Cúc" not in names
    assert PersonalDataAccess.objects.filter(username="xemxet").count() == 1


def test_with_the_english_ui_the_printed_register_is_vietnamese(page: Page, live_server: Any) -> None:
    orgs = make_tree()
    make_user("xemxet", orgs["C1"], Role.VIEWER)
    make_candidate(orgs["C1.B1.01"], Stage.DOSSIER, full_name="Hoàng Thị Chờ")
    login(page, "xemxet")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    year = datetime.date.today().year
    page.goto(f"/quotas/C1/reports/summary/print/?period={year}")
    with translation.override("vi"):
        stage = str(Stage.DOSSIER.label)
    row = page.locator("#register tbody tr", has_text="Hoàng Thị Chờ")
    expect(row).to_contain_text(stage)
    expect(page.locator("p.subtitle")).to_contain_text(f"năm {year}")
