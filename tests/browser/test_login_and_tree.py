"""End-to-end: sign in, browse and search the tree, switch language, and meet the role limits.

Runs Debian's Chromium through Playwright against pytest-django's live_server (see conftest.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from tests.base import PASSWORD, make_tree, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

C1_NAME = "Đảng bộ xã Dân Chủ"
C2_NAME = "Đảng bộ phường Hòa Bình"
C1_SCHOOL = "Đảng bộ Trường THCS Dân Chủ"
C1_SCHOOL_CELL = "Chi bộ Tổ Khoa học tự nhiên"

expect.set_options(timeout=10_000)


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form: django-axes needs the request, so client.login would not do."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)


def test_staff_signs_in_browses_own_tree_and_switches_language(page: Page, live_server: object) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)

    # The sign-in page, in Vietnamese.
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_attribute("type", "password")
    expect(page.locator("#lang-select")).to_have_value("vi")

    page.fill("input[name=username]", "dave")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    # Redirected to the home page, signed in.
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".userbox .who")).to_contain_text("dave")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # The tree shows the user's own commune, open, and nothing of the other commune.
    page.goto("/org/")
    expect(page.locator("h1")).to_have_text("Cây tổ chức")
    tree = page.locator("#tree")
    expect(tree).to_contain_text(C1_NAME)
    expect(tree).to_contain_text(C1_SCHOOL)
    expect(page.locator("body")).not_to_contain_text(C2_NAME)
    expect(page.locator('li.node[data-code="C2"]')).to_have_count(0)

    # A closed node loads its children over htmx when it is opened.
    school = page.locator('li.node[data-code="C1.B1"]')
    expect(school.locator(":scope > details")).to_have_attribute("hx-get", "/org/C1.B1/children/")
    expect(page.get_by_text(C1_SCHOOL_CELL)).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith("/org/C1.B1/children/")) as response:
        # Click the disclosure marker, left of the label: the label itself is a link to the unit.
        school.locator(":scope > details > summary").click(position={"x": 4, "y": 8})
    assert response.value.status == 200
    expect(school.locator(":scope > details")).to_have_attribute("open", "")
    expect(school.locator(f'li.node[data-code="C1.B1.01"] >> text="{C1_SCHOOL_CELL}"')).to_be_visible()
    expect(school.locator(":scope > details > ul.kids > li.loading")).to_have_count(0)

    # The header's language menu switches to English and back, staying on the page.
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/org/$"))
    expect(page.locator("#lang-select")).to_have_value("en")
    expect(page.locator("h1")).to_have_text("Organization tree")
    expect(page.locator("#tree")).to_contain_text(C1_NAME)

    with page.expect_navigation():
        page.select_option("#lang-select", "vi")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Cây tổ chức")
    expect(page).to_have_url(re.compile(r"/org/$"))


def test_search_without_diacritics_finds_the_commune(page: Page) -> None:
    orgs = make_tree()
    make_user("alice", orgs["P"], Role.ADMIN)
    login(page, "alice")

    page.goto("/org/")
    page.fill("#id_q", "dan chu")
    with page.expect_navigation():
        page.press("#id_q", "Enter")
    expect(page).to_have_url(re.compile(r"/org/\?q=dan(\+|%20)chu"))
    results = page.locator("ul.results")
    expect(results.locator(".org-link", has_text=re.compile(f"^{C1_NAME}$"))).to_have_count(1)
    expect(results).to_contain_text(C1_SCHOOL)
    expect(results).not_to_contain_text(C2_NAME)


def test_viewer_cannot_add_units(page: Page) -> None:
    orgs = make_tree()
    make_user("bob", orgs["C1"], Role.VIEWER)
    login(page, "bob")

    response = page.goto("/org/C1/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text(C1_NAME)
    expect(page.locator('a[href$="/org/C1/new/"]')).to_have_count(0)
    expect(page.get_by_text(re.compile("Thêm đơn vị|Add a unit"))).to_have_count(0)

    response = page.goto("/org/C1/new/")
    assert response is not None and response.status == 403
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Không được phép")
    expect(page.locator("input[name=code]")).to_have_count(0)
    expect(page.locator("input[name=name]")).to_have_count(0)
