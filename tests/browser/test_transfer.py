"""End-to-end (issue 14 point 6): a probationary member moves from a cell of one commune to a cell of another.

The sending commune's staff record the transfer on the person's page; the receiving commune's staff find it
among the transfers to register and register the person. Before, while pending and after, the dashboards of
both communes and of the province show the right figures: the admission stays with the commune that made
it, the probationary member is counted where they are registered.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import Candidate, Stage
from tests.base import make_tree, make_user
from tests.browser.test_login_and_tree import login
from tests.people import TIMELINE, make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

expect.set_options(timeout=10_000)

NAME = "Đỗ Thị Thu Trang"


def dashboard(page: Page, code: str, year: int) -> tuple[str, str]:
    """(admitted in the year, probationary members now) on the dashboard of `code`."""
    page.goto(f"/?org={code}&year={year}")
    admitted = page.locator("#kpi-admitted .card-n").inner_text()
    probation = page.locator("#pipeline tr", has_text="Đảng viên dự bị").locator("td.num").inner_text()
    return admitted, probation


def figures(page: Page, year: int) -> dict[str, tuple[str, str]]:
    page.context.clear_cookies()
    login(page, "tinh")
    return {code: dashboard(page, code, year) for code in ("P", "C1", "C2")}


def test_a_probationary_member_moves_to_another_commune_and_the_figures_follow(page: Page, live_server: object) -> None:
    today = datetime.date.today()
    year = today.year
    orgs = make_tree()
    make_user("tinh", orgs["P"], Role.VIEWER)
    make_user("danchu", orgs["C1"], Role.STAFF)
    make_user("hoabinh", orgs["C2"], Role.STAFF)
    admitted_on = datetime.date(year, 1, 15)
    shift = admitted_on - TIMELINE["admission_date"]
    person = make_candidate(
        orgs["C1.B1.01"], Stage.PROBATION, timeline={k: v + shift for k, v in TIMELINE.items()}, full_name=NAME
    )
    before = {"P": ("1", "1"), "C1": ("1", "1"), "C2": ("0", "0")}
    assert figures(page, year) == before

    # Dân Chủ's staff record the transfer to Hòa Bình's cell, by its code.
    page.context.clear_cookies()
    login(page, "danchu")
    page.goto(f"/candidates/{person.pk}/")
    with page.expect_navigation():
        page.click(f'section.transfers a[href$="/candidates/{person.pk}/transfer/"]')
    sent_on = today - datetime.timedelta(days=3)
    page.fill("form.form [name=sent_on]", sent_on.strftime("%d/%m/%Y"))
    page.fill("form.form [name=document_no]", "27-GGT/ĐU")
    page.fill("form.form [name=to_code]", "C2.B1.01")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/candidates/{person.pk}/$"))
    expect(page.locator("section.transfers")).to_contain_text("27-GGT/ĐU")
    expect(page.locator("section.transfers")).to_contain_text("Chờ chi bộ nơi đến tiếp nhận")
    expect(page.locator("section.transfers")).not_to_contain_text("Khu phố 1")  # outside Dân Chủ's scope

    # Pending: nothing moves yet.
    assert figures(page, year) == before

    # Hòa Bình's staff find the person among the transfers to register, and register them.
    page.context.clear_cookies()
    login(page, "hoabinh")
    page.click("nav.mainnav >> text=Chuyển sinh hoạt đến")
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    expect(page.locator("table.data")).to_contain_text(NAME)
    expect(page.locator("table.data")).not_to_contain_text("Khoa học tự nhiên")  # the sending cell stays unsaid
    with page.expect_navigation():
        page.click('table.data a[href$="/register/"]')
    page.fill("form.form [name=registered_on]", today.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    new = Candidate.objects.get(national_id=person.national_id, organization=orgs["C2.B1.01"])
    expect(page).to_have_url(re.compile(rf"/candidates/{new.pk}/$"))
    expect(page.locator("h1 .tag")).to_have_class(re.compile(r"\bstage-probation\b"))
    expect(page.locator("section.transfers")).to_contain_text("ngoài phạm vi của bạn")

    # Registered: the admission stays with Dân Chủ, the probationary member counts in Hòa Bình.
    assert figures(page, year) == {"P": ("1", "1"), "C1": ("1", "0"), "C2": ("0", "1")}
