"""End-to-end: an admin uploads a workbook with two bad rows, reads the errors, fixes the file, imports it.

Runs Debian's Chromium through Playwright against live_server (see conftest.py). Tasks run at once
in tests, so each upload comes back already checked; the pages are found by their classes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from imports.models import ImportRun
from organizations.models import Role
from recruitment.models import Candidate
from tests.base import make_tree, make_user
from tests.browser.test_candidate_pipeline import login
from tests.test_view_imports import XLSX, people_workbook, person

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
