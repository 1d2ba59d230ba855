"""End-to-end: a viewer's candidate list shows citizen IDs masked, a search by citizen ID stays out of
the address bar, and the administrator's access log shows the viewer's visit to the person's page.

Runs Debian's Chromium through Playwright against pytest-django's live_server (see conftest.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import Stage
from tests.base import make_tree, make_user
from tests.browser.test_login_and_tree import login
from tests.people import make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

LAN_ID = "001098001234"


def test_a_viewer_sees_masked_ids_and_the_admin_sees_the_visit_in_the_access_log(
    page: Page, live_server: object
) -> None:
    orgs = make_tree()
    make_user("bob", orgs["C1"], Role.VIEWER)
    make_user("erin", orgs["C1"], Role.ADMIN)
    make_candidate(orgs["C1.B1.01"], Stage.DOSSIER, full_name="Nguyễn Thị Lan", national_id=LAN_ID)
    make_candidate(orgs["C1.B2"], Stage.SOURCE, full_name="Trần Văn Hùng", national_id="001097005678")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    login(page, "bob")
    page.goto("/candidates/")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Nguyễn Thị Lan")).to_contain_text("••••••••1234")
    expect(rows.filter(has_text="Trần Văn Hùng")).to_contain_text("••••••••5678")
    expect(page.locator("main")).not_to_contain_text(LAN_ID)
    expect(page.get_by_role("link", name="Nhật ký truy cập")).to_have_count(0)  # a viewer has no access log

    # Bob knows Lan's number: he finds her by it, and it never shows in the address bar.
    page.fill("input[name=q]", LAN_ID)
    with page.expect_navigation():
        page.get_by_role("button", name="Lọc").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("••••••••1234")
    assert LAN_ID not in page.url
    with page.expect_navigation():
        rows.nth(0).get_by_role("link", name="Nguyễn Thị Lan").click()
    expect(page.locator("main dl")).to_contain_text("••••••••1234")
    assert not [url for url in requested if LAN_ID in url]
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button").click()

    login(page, "erin")
    with page.expect_navigation():
        page.get_by_role("link", name="Nhật ký truy cập").click()
    expect(page.locator("h1")).to_have_text("Nhật ký truy cập dữ liệu cá nhân")
    log = page.locator("table.data tbody tr")
    expect(log).to_have_count(1)
    expect(log.nth(0)).to_contain_text("bob")
    expect(log.nth(0)).to_contain_text("Mở trang của một người")
    expect(log.nth(0)).to_contain_text("Nguyễn Thị Lan")
    expect(log.nth(0)).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
