"""End-to-end: a staff member takes a person from the source list to recognition; a viewer cannot.

Runs Debian's Chromium through Playwright against pytest-django's live_server (see conftest.py).
The labels of these pages may not be translated yet, so inputs are found by their name, buttons
by their href, and the stage by the class of the stage tag (`stage-<code>`).
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from recruitment import rules
from recruitment.models import Candidate, Stage
from tests.base import PASSWORD, make_tree, make_user
from tests.people import add_member_introducers, make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

CELL = "C1.B1.01"  # Chi bộ Tổ Khoa học tự nhiên, under a base committee: the committee reviews.
NAME = "Nguyễn Thị Hồng Nhung"

expect.set_options(timeout=10_000)


def login(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)


def fill(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"form.form [name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def save(page: Page) -> None:
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def expect_stage(page: Page, stage: str) -> None:
    expect(page.locator("h1 .tag")).to_have_class(re.compile(rf"\bstage-{stage}\b"))


def step(page: Page, name: str, values: dict[str, str], stage: str, events: int) -> None:
    """Click the step's button on the candidate page, fill its form, save; the stage moves and the timeline grows."""
    with page.expect_navigation():
        page.click(f'section.steps a[href$="/step/{name}/"]')
    expect(page).to_have_url(re.compile(rf"/candidates/\d+/step/{name}/$"))
    fill(page, values)
    save(page)
    expect(page).to_have_url(re.compile(r"/candidates/\d+/$"))
    expect(page.locator("form.form")).to_have_count(0)
    expect_stage(page, stage)
    expect(page.locator("ol.timeline > li")).to_have_count(events)


def test_staff_takes_a_person_from_the_source_list_to_recognition(page: Page) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    login(page, "dave")

    # From the party cell's page, put a person on the source list.
    page.goto(f"/org/{CELL}/")
    with page.expect_navigation():
        page.click(f'a[href$="/org/{CELL}/candidates/new/"]')
    fill(
        page,
        {
            "full_name": NAME,
            "birth_date": "20/05/1998",
            "gender": "female",
            "ethnicity": "kinh",
            "national_id": "001198012345",
            "education": "12/12",
            "source_date": "10/01/2023",
        },
    )
    save(page)
    expect(page).to_have_url(re.compile(r"/candidates/\d+/$"))
    detail_url = page.url
    expect(page.locator("h1")).to_contain_text(NAME)
    expect_stage(page, Stage.SOURCE)
    expect(page.locator("ol.timeline > li")).to_have_count(1)
    candidate = Candidate.objects.get(national_id="001198012345")
    assert candidate.ethnicity == "Kinh"  # typed without the capital, stored as the official name
    assert candidate.organization.code == CELL

    step(page, "awareness", {"act_date": "15/03/2023", "document_no": "125/GCN-TTCT"}, Stage.AWARENESS, 2)
    step(page, "dossier", {"act_date": "03/04/2023"}, Stage.DOSSIER, 3)

    # The rest of the dossier, through the edit page.
    with page.expect_navigation():
        page.click('.titlebar a[href$="/edit/"]')
    fill(
        page,
        {
            "personal_history_date": "10/04/2023",
            "verification_date": "20/06/2023",
            "verification_result": "Đủ tiêu chuẩn chính trị",
            "residence_comment_date": "25/06/2023",
        },
    )
    save(page)
    expect(page).to_have_url(detail_url)
    expect_stage(page, Stage.DOSSIER)
    expect(page.locator("ol.timeline > li")).to_have_count(3)
    expect(page.locator("table.documents")).to_contain_text("20/06/2023")

    # Two official members who have known the applicant for more than 12 months.
    for introducer, reference in (("Trần Văn Hùng", "01.234567"), ("Lê Thị Mai", "01.765432")):
        with page.expect_navigation():
            page.click('a[href$="/introducers/add/"]')
        fill(
            page,
            {
                "kind": "member",
                "name": introducer,
                "reference": reference,
                "known_since": "01/09/2020",
                "introduced_on": "01/06/2023",
            },
        )
        # Each declared an official member of the same grassroots organization (issue 15).
        page.check("form.form [name=official_member_here]")
        save(page)
        expect(page).to_have_url(detail_url)
        expect(page.locator("ul.introducers")).to_contain_text(introducer)
    expect(page.locator("ul.introducers > li")).to_have_count(2)

    step(
        page,
        "branch_vote",
        {"act_date": "05/07/2023", "document_no": "12-NQ/CB", "branch_vote_members": "9", "branch_votes_for": "8"},
        Stage.BRANCH_VOTED,
        4,
    )
    # After the vote the introducers are fixed.
    expect(page.locator('a[href$="/introducers/add/"]')).to_have_count(0)
    step(
        page,
        "committee_review",
        {"act_date": "20/07/2023", "document_no": "34-NQ/ĐU", "committee_members": "7", "committee_votes_for": "6"},
        Stage.COMMITTEE_REVIEWED,
        5,
    )
    step(page, "decision", {"act_date": "15/08/2023", "document_no": "56-QĐ/ĐU"}, Stage.DECIDED, 6)

    # An impossible act: a ceremony before the decision. Refused, the error next to the date.
    with page.expect_navigation():
        page.click('section.steps a[href$="/step/ceremony/"]')
    fill(page, {"act_date": "10/08/2023"})
    save(page)
    expect(page).to_have_url(re.compile(r"/candidates/\d+/step/ceremony/$"))
    date_field = page.locator("form.form .field.has-error", has=page.locator("input[name=act_date]"))
    expect(date_field.locator("p.error")).to_contain_text("15/08/2023")
    expect(page.locator("p .tag")).to_have_class(re.compile(r"\bstage-decided\b"))
    page.goto(detail_url)
    expect_stage(page, Stage.DECIDED)
    expect(page.locator("ol.timeline > li")).to_have_count(6)

    # Within 30 working days of the decision (2/9 is a holiday).
    step(page, "ceremony", {"act_date": "05/09/2023"}, Stage.PROBATION, 7)
    probation_end = rules.add_months(datetime.date(2023, 9, 5), 12).strftime("%d/%m/%Y")
    assert probation_end == "05/09/2024"
    # Shown once, as the end of probation: not yet as the full-member date.
    expect(page.locator("dl.facts > dd", has_text=re.compile(rf"^{probation_end}$"))).to_have_count(1)

    step(
        page,
        "recognition",
        {
            "act_date": "25/09/2024",
            "document_no": "78-QĐ/ĐU",
            "new_member_course_date": "01/03/2024",
            "recognition_vote_date": "10/09/2024",
            "recognition_vote_members": "9",
            "recognition_votes_for": "9",
        },
        Stage.OFFICIAL,
        8,
    )
    # Full member from the day the 12 months of probation end (ceremony + 12 months), not from the decision:
    # the date now shows twice, as the end of probation and as the full-member date.
    expect(page.locator("dl.facts > dd", has_text=re.compile(rf"^{probation_end}$"))).to_have_count(2)
    expect(page.locator("section.steps")).to_have_count(0)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.OFFICIAL
    assert candidate.official_date == datetime.date(2024, 9, 5)
    assert candidate.recognition_date == datetime.date(2024, 9, 25)


def test_viewer_sees_the_candidate_but_no_steps(page: Page) -> None:
    orgs = make_tree()
    make_user("bob", orgs["C1"], Role.VIEWER)
    candidate = make_candidate(orgs[CELL], Stage.DOSSIER, full_name=NAME)
    add_member_introducers(candidate)
    login(page, "bob")

    response = page.goto(f"/candidates/{candidate.pk}/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text(NAME)
    expect_stage(page, Stage.DOSSIER)
    expect(page.locator("section.steps")).to_have_count(0)
    expect(page.locator('a[href*="/step/"]')).to_have_count(0)
    expect(page.locator('a[href$="/edit/"]')).to_have_count(0)
    expect(page.locator('a[href$="/introducers/add/"]')).to_have_count(0)
    expect(page.locator('form[action*="/introducers/"]')).to_have_count(0)

    for url in (
        f"/candidates/{candidate.pk}/step/branch_vote/",
        f"/candidates/{candidate.pk}/edit/",
        f"/candidates/{candidate.pk}/introducers/add/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 403, url
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("h1")).to_have_text("Không được phép")
        expect(page.locator("input[name=act_date]")).to_have_count(0)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER


def test_list_finds_a_name_typed_without_diacritics(page: Page) -> None:
    orgs = make_tree()
    make_user("bob", orgs["C1"], Role.VIEWER)
    make_candidate(orgs[CELL], Stage.SOURCE, full_name=NAME)
    make_candidate(orgs[CELL], Stage.SOURCE, full_name="Phạm Văn Đức")
    login(page, "bob")

    page.goto("/candidates/")
    page.fill("input[name=q]", "hong nhung")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    expect(page).to_have_url(re.compile(r"/candidates/\?.*q=hong(\+|%20)nhung"))
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("a")).to_have_text(NAME)
