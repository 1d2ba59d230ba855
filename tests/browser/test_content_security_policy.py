"""The Content-Security-Policy blocks nothing the app itself needs: the main pages, their charts, the tree's htmx
loading and the language chooser run in Chromium with no policy violation."""

from __future__ import annotations

import datetime
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

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_the_main_pages_run_under_the_policy(page: Page, live_server: object) -> None:
    orgs = make_tree()
    make_user("quantri", orgs["P"], Role.ADMIN)
    person = make_candidate(orgs["C1.B1.01"], Stage.SOURCE, full_name="Nguyễn Thị Hoa")
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)

    login(page, "quantri")
    year = datetime.date.today().year
    for url in (
        f"/?org=P&year={year}",
        "/candidates/",
        f"/candidates/{person.pk}/",
        "/deadlines/",
        "/org/",
        "/imports/",
        f"/quotas/P/?year={year}",
    ):
        page.goto(url)
        assert page.evaluate("window.__violations") == [], url
    # htmx loads a level of the tree on demand, and the charts draw, without a blocked style or script.
    page.goto("/org/")
    page.locator("[hx-get]").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"/?org=P&year={year}")
    expect(page.locator("#chart-months")).to_be_visible()
    # The language chooser switches without an inline handler.
    page.select_option("#lang-select", "en")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.evaluate("window.__violations") == []
    assert console == []
