"""End-to-end (issue 18, points 1, 8 and 10): a staff member adds a person from the people list, choosing the
cell by typing part of its name; finds people and units from the header's search box; filters the list by a unit
chosen by name; edits an introducer and removes one after a confirmation; saves over their own change made in
another tab and keeps what they typed; sees the admission date in the person's summary. No page breaks the
Content-Security-Policy (htmx and app.js only).

Runs Debian's Chromium through Playwright against live_server (see conftest.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import Candidate, Introducer, Stage, StageEvent
from tests.base import make_tree, make_user
from tests.browser.test_candidate_pipeline import fill, login, save
from tests.people import add_member_introducers, make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.browser

expect.set_options(timeout=10_000)

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def no_violations(page: Page) -> None:
    assert page.evaluate("window.__violations") == []


def test_staff_add_a_person_from_the_list_choosing_the_cell_by_name(page: Page) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    make_user("bob", orgs["C1"], Role.VIEWER)
    page.add_init_script(WATCH)

    login(page, "bob")  # a viewer: no button
    page.goto("/candidates/")
    expect(page.locator('a[href="/candidates/new/"]')).to_have_count(0)
    page.context.clear_cookies()

    login(page, "dave")
    page.goto("/candidates/")
    with page.expect_navigation():
        page.click('a[href="/candidates/new/"]')
    page.fill("#cell-search", "khoa hoc tu")  # without diacritics, part of the name; htmx lists as one types
    link = page.locator('#cell-results a[href="/org/C1.B1.01/candidates/new/"]')
    expect(link).to_have_count(1)
    expect(page.locator("#cell-results li")).to_have_count(1)
    with page.expect_navigation():
        link.click()
    expect(page).to_have_url(re.compile(r"/org/C1\.B1\.01/candidates/new/$"))
    fill(page, {"full_name": "Đinh Thị Mới", "birth_date": "02/03/2000", "gender": "female",
                "national_id": "001300000777"})  # fmt: skip
    save(page)
    person = Candidate.objects.get(national_id="001300000777")
    expect(page).to_have_url(re.compile(rf"/candidates/{person.pk}/$"))
    assert person.organization.code == "C1.B1.01"
    no_violations(page)


def test_the_header_search_finds_people_and_units_in_scope(page: Page) -> None:
    orgs = make_tree()
    make_user("bob", orgs["C1"], Role.VIEWER)
    lan = make_candidate(orgs["C1.B1.01"], Stage.DOSSIER, full_name="Nguyễn Thị Lan")
    make_candidate(orgs["C2.B1.01"], Stage.SOURCE, full_name="Nguyễn Thị Lanh")  # outside Bob's scope
    page.add_init_script(WATCH)
    login(page, "bob")
    page.goto("/candidates/")
    page.fill("#head-search", "nguyen thi lan")
    with page.expect_navigation():
        page.press("#head-search", "Enter")
    expect(page).to_have_url(re.compile(r"/search/$"))
    expect(page.locator(f'a[href="/candidates/{lan.pk}/"]')).to_have_count(1)
    expect(page.get_by_text("Nguyễn Thị Lanh")).to_have_count(0)
    page.fill("#head-search", "khoa hoc")
    with page.expect_navigation():
        page.press("#head-search", "Enter")
    expect(page.locator('.search-units a[href="/org/C1.B1.01/"]')).to_have_count(1)
    expect(page.locator('.search-units a[href="/org/C1.B1.02/"]')).to_have_count(1)
    no_violations(page)


def test_the_list_filters_by_a_unit_chosen_by_name(page: Page) -> None:
    orgs = make_tree()
    make_user("bob", orgs["C1"], Role.VIEWER)
    make_candidate(orgs["C1.B1.01"], Stage.DOSSIER, full_name="Trần Thị Bích")
    make_candidate(orgs["C1.B2"], Stage.DOSSIER, full_name="Lê Văn Cường")
    page.add_init_script(WATCH)
    login(page, "bob")
    page.goto("/candidates/")
    expect(page.locator("table.data tbody tr")).to_have_count(2)
    page.fill("#org-search", "truong thcs")
    choice = page.locator('#org-results button[data-pick-code="C1.B1"]')
    expect(choice).to_have_count(1)
    choice.click()
    expect(page.locator("#org-search")).to_have_value("Đảng bộ Trường THCS Dân Chủ")
    expect(page.locator("input[name=org]")).to_have_value("C1.B1")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"/candidates/\?org=C1\.B1"))
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    expect(page.locator("table.data")).to_contain_text("Trần Thị Bích")
    expect(page.locator("#org-search")).to_have_value("Đảng bộ Trường THCS Dân Chủ")
    # Typing again forgets the choice: the filter is cleared unless another unit is chosen; Escape closes the list.
    page.fill("#org-search", "song")
    expect(page.locator("input[name=org]")).to_have_value("")
    expect(page.locator('#org-results button[data-pick-code="C1.B2"]')).to_have_count(1)
    page.press("#org-search", "Escape")
    expect(page.locator("#org-results li")).to_have_count(0)
    # A code outside the scope in the address: not found.
    response = page.goto("/candidates/?org=C2")
    assert response is not None and response.status == 404
    no_violations(page)


def test_without_script_the_filter_follows_the_box(browser: Browser, live_server: LiveServer) -> None:
    """No script: the hidden `org` keeps the unit chosen before; what the box holds when sent is what counts."""
    orgs = make_tree()
    make_user("bob", orgs["C1"], Role.VIEWER)
    make_candidate(orgs["C1.B1.01"], Stage.DOSSIER, full_name="Trần Thị Bích")
    make_candidate(orgs["C1.B2"], Stage.DOSSIER, full_name="Lê Văn Cường")
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, "bob")
        page.goto("/candidates/?org=C1.B2")
        expect(page.locator("#org-search")).to_have_value("Chi bộ Công ty Cổ phần Sông Lô")
        page.fill("#org-search", "truong thcs")
        with page.expect_navigation():
            page.click("form.filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"/candidates/\?(o=name&)?org=C1\.B1$"))  # the sort is sent too
        expect(page.locator("table.data tbody tr")).to_have_count(1)
        expect(page.locator("table.data")).to_contain_text("Trần Thị Bích")
        page.fill("#org-search", "")  # an emptied box: everyone again
        with page.expect_navigation():
            page.click("form.filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"/candidates/(\?o=name)?$"))
        expect(page.locator("table.data tbody tr")).to_have_count(2)
    finally:
        context.close()


def test_introducers_fixed_by_the_cells_vote_open_no_form(page: Page) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    c = make_candidate(orgs["C1.B1.01"], Stage.BRANCH_VOTED)
    # The vote recorded by its step, which checked the introductions: they stay as they were.
    assert c.branch_vote_date is not None
    StageEvent.objects.create(
        candidate=c, from_stage=Stage.DOSSIER, to_stage=Stage.BRANCH_VOTED, act_date=c.branch_vote_date
    )
    introducer = c.introducers.first()
    assert introducer is not None
    login(page, "dave")
    for suffix in ("edit/", "delete/"):
        page.goto(f"/candidates/{c.pk}/introducers/{introducer.pk}/{suffix}")
        expect(page).to_have_url(re.compile(rf"/candidates/{c.pk}/$"))
        expect(page.locator("ul.messages")).to_contain_text("Không thể thay đổi người giới thiệu")


def test_introducers_are_edited_and_removed_after_a_confirmation(page: Page) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    c = make_candidate(orgs["C1.B1.01"], Stage.DOSSIER)
    first, second = add_member_introducers(c)
    page.add_init_script(WATCH)
    login(page, "dave")
    page.goto(f"/candidates/{c.pk}/")
    with page.expect_navigation():
        page.click(f'a[href="/candidates/{c.pk}/introducers/{first.pk}/edit/"]')
    expect(page.locator("form.form [name=name]")).to_have_value(first.name)
    fill(page, {"name": "Hoàng Văn Sửa"})
    save(page)
    expect(page).to_have_url(re.compile(rf"/candidates/{c.pk}/$"))
    expect(page.locator("ul.introducers")).to_contain_text("Hoàng Văn Sửa")

    with page.expect_navigation():
        page.click(f'a[href="/candidates/{c.pk}/introducers/{second.pk}/delete/"]')
    expect(page).to_have_url(re.compile(rf"/introducers/{second.pk}/delete/$"))
    assert Introducer.objects.filter(pk=second.pk).exists()  # asked, not removed
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/candidates/{c.pk}/$"))
    assert not Introducer.objects.filter(pk=second.pk).exists()
    no_violations(page)


def test_a_save_over_ones_own_change_in_another_tab_keeps_the_input(page: Page) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    c = make_candidate(orgs["C1.B1.01"], Stage.PROBATION, occupation="Giáo viên")
    login(page, "dave")
    page.goto(f"/candidates/{c.pk}/")
    expect(page.locator("#admission-date")).to_have_text("05/09/2023")  # point 8d: the summary's admission date

    page.goto(f"/candidates/{c.pk}/edit/")
    other = page.context.new_page()  # a second tab, the same user
    other.goto(f"/candidates/{c.pk}/edit/")
    fill(other, {"occupation": "Bác sĩ"})
    save(other)

    fill(page, {"full_name": "Nguyễn Thị Lan Anh"})
    save(page)
    expect(page.locator(".errors")).to_contain_text("Hồ sơ này đã được thay đổi từ lúc bạn mở nó")
    expect(page.locator("form.form [name=full_name]")).to_have_value("Nguyễn Thị Lan Anh")
    expect(page.locator("form.form")).to_contain_text("Hiện trong hồ sơ: Bác sĩ")
    assert Candidate.objects.get(pk=c.pk).full_name == "Nguyễn Thị Lan"
    save(page)  # checked: saving again records what the form holds
    expect(page).to_have_url(re.compile(rf"/candidates/{c.pk}/$"))
    assert Candidate.objects.get(pk=c.pk).full_name == "Nguyễn Thị Lan Anh"


def test_a_refused_step_links_to_where_it_is_put_right(page: Page) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    c = make_candidate(orgs["C1.B1.01"], Stage.DOSSIER)  # no introducers yet
    login(page, "dave")
    page.goto(f"/candidates/{c.pk}/step/branch_vote/")
    fill(page, {"act_date": "05/07/2023", "document_no": "12-NQ/CB", "branch_vote_members": "9",
                "branch_votes_for": "9"})  # fmt: skip
    save(page)
    link = page.locator(f'.errors a[href="/candidates/{c.pk}/introducers/add/"]')
    expect(link).to_have_count(1)
    with page.expect_navigation():
        link.click()
    expect(page.locator("form.form [name=known_since]")).to_have_count(1)
