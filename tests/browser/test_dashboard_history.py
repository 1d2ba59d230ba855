"""End-to-end, issue 18 points 2–4: the forecast and how it is worked out, a past term's pipeline as it stood,
and a merged district reported on its own tree, reached from the province's term table."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations import services as org_services
from organizations.models import Kind, Organization, Role
from recruitment.models import Stage
from reports.models import MembershipCount
from tests.base import make_tree, make_user
from tests.browser.test_login_and_tree import login
from tests.people import TIMELINE, make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TODAY = datetime.date.today()
YEAR = TODAY.year


def _at(cell: Organization, stage: str, field: str, day: datetime.date) -> None:
    shift = day - TIMELINE[field]
    make_candidate(cell, stage, timeline={k: v + shift for k, v in TIMELINE.items()}, today=TODAY)


def test_the_forecast_counts_those_whose_admission_fits_in_the_time_left(page: Page, live_server: object) -> None:
    orgs = make_tree()
    make_user("lanhdao", orgs["C1"], Role.VIEWER)
    for _ in range(4):  # decided 50 days ago: the ceremony was due within 30 working days
        _at(orgs["C1.B1.01"], Stage.DECIDED, "decision_date", TODAY - datetime.timedelta(days=50))
    for _ in range(5):  # still preparing the dossier: the vote is still to come
        _at(orgs["C1.B1.01"], Stage.DOSSIER, "application_date", TODAY - datetime.timedelta(days=20))
    login(page, "lanhdao")
    page.goto(f"/?org=C1&year={YEAR}")
    card = page.locator("#kpi-forecast")
    expect(card.locator(".card-n")).to_have_text("4")  # not 4–9
    expect(card).to_have_attribute("title", re.compile("khoảng tin cậy 95%"))
    how = page.locator("#forecast-how")
    expect(how.locator("table")).to_be_hidden()
    how.locator("summary").click()
    expect(how.locator("table")).to_be_visible()
    expect(how).to_contain_text("Đã có quyết định kết nạp")
    expect(how).to_contain_text("tính theo thời hạn của bộ quy định")


def test_a_past_term_shows_its_pipeline_on_its_last_day_and_the_year_of_1_january(
    page: Page, live_server: object
) -> None:
    orgs = make_tree()
    make_user("lanhdao", orgs["C1"], Role.VIEWER)
    first, last = YEAR - 5, YEAR - 1
    MembershipCount.objects.create(organization=orgs["C1"], year=first - 1, members=575)
    _at(orgs["C1.B1.01"], Stage.DOSSIER, "application_date", datetime.date(last, 6, 1))  # then and now
    _at(orgs["C1.B1.01"], Stage.SOURCE, "source_date", datetime.date(YEAR, 1, 2))  # only now
    login(page, "lanhdao")
    page.goto(f"/?org=C1&term={first}-{last}")
    card = page.locator("#kpi-pipeline")
    expect(card).to_contain_text(f"Quần chúng đang theo dõi ngày 31/12/{last}")
    expect(card.locator(".card-n")).to_have_text("1")
    expect(page.locator("#kpi-rate")).to_contain_text(f"trên 575 đảng viên ngày 01/01/{first}")
    expect(page.locator("#pipeline a")).to_have_count(0)  # no link to today's list from a past day's figures
    page.goto(f"/?org=C1&year={YEAR}")
    expect(page.locator("#kpi-pipeline .card-n")).to_have_text("2")


def test_a_merged_districts_page_opens_from_the_provinces_term_table(page: Page, live_server: object) -> None:
    orgs = make_tree()
    make_user("lanhdao", orgs["P"], Role.VIEWER)
    first, last = YEAR - 5, YEAR - 1
    district = org_services.organization_create(parent=orgs["P"], code="D", name="Huyện Cũ", kind=Kind.DISTRICT)
    commune = org_services.organization_create(parent=district, code="D.X", name="Xã Cũ", kind=Kind.COMMUNE)
    cell = org_services.organization_create(parent=commune, code="D.X.01", name="Chi bộ thôn", kind=Kind.BRANCH)
    new = org_services.organization_create(parent=orgs["P"], code="N", name="Xã Mới", kind=Kind.COMMUNE)
    for month in (3, 5, 9):
        _at(cell, Stage.PROBATION, "admission_date", datetime.date(last - 1, month, 5))
    # Its last day of activity (`valid_to`); its units move to N the day after. (Review of issue 18: this passed
    # 01/07, when the end date was read as the first day without it.)
    org_services.organization_dissolve(org=district, effective_date=datetime.date(last, 6, 30), successor=new)
    login(page, "lanhdao")
    page.goto(f"/?org=P&term={first}-{last}")
    row = page.locator("#children tbody tr", has_text="Huyện Cũ")
    expect(row).to_contain_text(f"Sáp nhập vào Xã Mới ngày 30/06/{last}")  # the same day as the figures
    row.locator("a.org-link").click()
    expect(page.locator("h1")).to_contain_text("Huyện Cũ")
    expect(page.locator("#kpi-admitted .card-n")).to_have_text("3")  # not 0
    expect(page.locator(".period-line")).to_contain_text(f"30/06/{last}")
    expect(page.locator("#children tbody tr")).to_contain_text("Xã Cũ")
