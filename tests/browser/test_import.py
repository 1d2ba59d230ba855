"""End-to-end: an admin uploads a workbook with two bad rows, reads the errors, fixes the file, imports it.

Runs Debian's Chromium through Playwright against live_server (see conftest.py). Tasks run at once
in tests, so each upload comes back already checked; the pages are found by their classes.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from imports.models import ImportRun
from organizations.models import Role
from recruitment.models import Candidate
from tests.base import make_tree, make_user
from tests.browser.test_candidate_pipeline import login
from tests.test_view_imports import PEOPLE, PEOPLE_HEADERS, XLSX, people_workbook, person, workbook
from tests.test_workbook_reading import XLS_FIXTURE

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Page

pytestmark = pytest.mark.browser

expect.set_options(timeout=10_000)

GOOD = [
    person("Nguyễn Thị Hồng Nhung", "001198012345"),
    person("Trần Văn Bình", "001098012346", gender="Nam"),
    person("Lê Thị Mai", "001198012347", branch="C1.B2"),
]


def upload(page: Page, data: bytes, name: str) -> None:
    page.goto("/imports/")
    payload: FilePayload = {"name": name, "mimeType": XLSX, "buffer": data}
    page.set_input_files("input[name=file]", files=[payload])
    with page.expect_navigation():
        page.click("form.import-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))


def test_an_admin_fixes_two_bad_rows_and_imports_the_workbook(page: Page) -> None:
    orgs = make_tree()
    make_user("alice", orgs["P"], Role.ADMIN)
    login(page, "alice")

    # The template is one click away on the upload page.
    page.goto("/imports/")
    with page.expect_download() as download:
        page.click('a[href$="/imports/template.xlsx"]')
    assert download.value.suggested_filename.endswith(".xlsx")

    bad = [*GOOD[:2], person("Phạm Văn Cường", "0011980"), GOOD[2], person("Đỗ Thị Dung", "001198012349", "KHONG.CO")]
    upload(page, people_workbook(*bad), "quan-chung.xlsx")
    expect(page.locator(".tag[data-status=invalid]")).to_have_count(1)
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("Số CCCD")
    expect(errors.nth(0).locator("td").nth(1)).to_have_text("4")
    expect(errors.nth(1).locator("td").nth(1)).to_have_text("6")
    expect(page.locator("form.confirm")).to_have_count(0)
    with page.expect_download() as failed:
        page.click("a[href$='/failed.xlsx']")
    assert failed.value.suggested_filename.endswith(".xlsx")
    assert not Candidate.objects.exists()

    fixed = [*GOOD, person("Phạm Văn Cường", "001098012348", gender="Nam"), person("Đỗ Thị Dung", "001198012349")]
    upload(page, people_workbook(*fixed), "quan-chung-da-sua.xlsx")
    expect(page.locator(".tag[data-status=ready]")).to_have_count(1)
    expect(page.locator("table.import-errors")).to_have_count(0)
    expect(page.locator("table.import-summary tr[data-sheet=people] td").nth(1)).to_have_text("5")

    with page.expect_navigation():
        page.click("form.confirm button[type=submit]")
    expect(page.locator(".tag[data-status=done]")).to_have_count(1)
    expect(page.locator(".import-done")).to_contain_text("5")
    expect(page.locator("form.confirm")).to_have_count(0)

    assert Candidate.objects.count() == 5
    assert set(Candidate.objects.values_list("national_id", flat=True)) == {
        "001198012345",
        "001098012346",
        "001198012347",
        "001098012348",
        "001198012349",
    }
    assert ImportRun.objects.filter(status=ImportRun.Status.DONE).count() == 1

    # Both runs stay listed on the upload page, to come back to.
    page.goto("/imports/")
    expect(page.locator("table.imports tbody tr")).to_have_count(2)


def test_the_page_follows_a_running_check_and_shows_the_preview_when_it_ends(page: Page) -> None:
    orgs = make_tree()
    alice = make_user("alice", orgs["P"], Role.ADMIN)
    run = ImportRun.objects.create(
        created_by=alice, scope=orgs["P"], filename="lon.xlsx", sha256="b" * 64, size=1, content=b"x",
        status=ImportRun.Status.VALIDATING, progress_done=2000, progress_total=40000, heartbeat_at=timezone.now(),
    )  # fmt: skip
    login(page, "alice")
    page.goto(f"/imports/{run.pk}/")
    bar = page.locator(".import-progress progress")
    expect(bar).to_have_attribute("value", "2000")

    # The worker moves on; the page asks every second and follows without a reload.
    ImportRun.objects.filter(pk=run.pk).update(progress_done=30000, heartbeat_at=timezone.now())
    expect(bar).to_have_js_property("value", 30000)
    expect(page.locator(".import-progress .progress-text")).to_contain_text("30.000")

    # The check ends: the page reloads itself and shows the preview with the confirm button.
    summary = [{"key": "people", "name": "Quần chúng", "created": 4, "updated": 0, "unchanged": 0, "errors": 0}]
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.READY, summary=summary)
    expect(page.locator("form.confirm")).to_have_count(1)
    expect(page.locator(".import-progress")).to_have_count(0)


def test_the_preview_lists_who_changes_warns_of_overdue_people_and_ends_a_file_with_nothing_new(page: Page) -> None:
    # Issue 18, points 6 and 7: an .xls upload; the list of people with what changes; the overdue warning; a
    # file with nothing to change ends as done.
    orgs = make_tree()
    make_user("alice", orgs["P"], Role.ADMIN)
    login(page, "alice")

    page.goto("/imports/")
    expect(page.locator("input[name=file]")).to_have_attribute("accept", ".xlsx,.xls,.csv")
    xls: FilePayload = {
        "name": "quan-chung.xls",
        "mimeType": "application/vnd.ms-excel",
        "buffer": XLS_FIXTURE.read_bytes(),
    }
    page.set_input_files("input[name=file]", files=[xls])
    with page.expect_navigation():
        page.click("form.import-form button[type=submit]")
    expect(page.locator(".tag[data-status=ready]")).to_have_count(1)
    expect(page.locator("table.import-changes tbody tr")).to_have_count(3)
    expect(page.locator("table.import-changes tbody tr").nth(0)).to_contain_text("Nguyễn Thị Hồng Nhung")
    with page.expect_navigation():
        page.click("form.confirm button[type=submit]")
    expect(page.locator(".tag[data-status=done]")).to_have_count(1)
    assert Candidate.objects.count() == 3

    # The same people again, one with a later source-list date, and one voted on long ago with no decision since.
    later = person("Trần Văn Bình", "001098012346", gender="Nam")
    later[7] = datetime.date(2023, 2, 15)
    late = [*person("Vũ Văn Nam", "001098012360"), datetime.date(2023, 3, 1), datetime.date(2023, 6, 1), 10, 9]
    headers = [*PEOPLE_HEADERS, "Ngày cấp giấy chứng nhận nhận thức về Đảng", "Ngày chi bộ xét",
               "Số đảng viên chính thức của chi bộ", "Số phiếu tán thành"]  # fmt: skip
    upload(page, workbook({PEOPLE: [headers, [*later, None, None, None, None], late]}), "lan-hai.xlsx")
    expect(page.locator(".tag[data-status=ready]")).to_have_count(1)
    rows = page.locator("table.import-changes tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Trần Văn Bình")
    expect(rows.nth(0)).to_contain_text("10/01/2023 → 15/02/2023")
    expect(rows.nth(1)).to_contain_text("Vũ Văn Nam")
    expect(page.locator(".import-overdue")).to_contain_text("từ 0 lên 1")

    # The first file once more: nothing to change, and the run says so as done, with nothing to confirm.
    upload(page, people_workbook(*GOOD), "lan-ba.xlsx")
    expect(page.locator(".tag[data-status=done]")).to_have_count(1)
    expect(page.locator(".import-nothing")).to_be_visible()
    expect(page.locator("form.confirm")).to_have_count(0)


def speak(page: Page, language: str) -> None:
    """The language cookie the interface's language menu sets, for the whole site."""
    site = re.match(r"https?://[^/]+", page.url)
    assert site is not None
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": f"{site[0]}/"}])


def test_an_english_reader_sees_the_sheets_english_keys_and_english_errors(page: Page) -> None:
    # Issue 18, point 9.
    orgs = make_tree()
    make_user("alice", orgs["P"], Role.ADMIN)
    login(page, "alice")
    speak(page, "en")
    upload(page, people_workbook(GOOD[0], person("Phạm Văn Cường", "0011980")), "quan-chung.xlsx")
    expect(page.locator(".tag[data-status=invalid]")).to_have_count(1)
    error = page.locator("table.import-errors tbody tr")
    expect(error).to_have_count(1)
    expect(error.locator("td").nth(0)).to_have_text("people")
    expect(error.locator("td").nth(3)).to_have_text("A citizen ID number has 12 digits; this one is “0011980”.")
    expect(page.locator("table.import-summary tr[data-sheet=people] td").nth(0)).to_have_text("people")

    # Back in Vietnamese, the stored error reads in Vietnamese.
    speak(page, "vi")
    page.reload()
    expect(error.locator("td").nth(0)).to_have_text("Quần chúng")
    expect(error.locator("td").nth(3)).to_contain_text("0011980")
    expect(error.locator("td").nth(3)).not_to_contain_text("A citizen ID")
