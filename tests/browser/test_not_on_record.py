"""End-to-end (issue 15): a person imported as admitted, whose cell's vote is not on record, shows it on their
page, and the next step's form asks for the vote's counts before it moves them on.

Runs Debian's Chromium through Playwright against live_server (see conftest.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.utils import translation
from playwright.sync_api import expect

from imports import pipeline
from organizations.models import Role
from recruitment.models import Candidate, Stage
from tests.base import make_tree, make_user
from tests.browser.test_candidate_pipeline import expect_stage, login
from tests.test_workbook_pipeline import PEOPLE, admitted, book

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

expect.set_options(timeout=10_000)


def test_an_imported_admitted_person_shows_the_vote_not_on_record_and_the_next_step_asks_for_it(page: Page) -> None:
    orgs = make_tree()
    alice = make_user("alice", orgs["P"], Role.ADMIN)
    run = pipeline.import_file(
        book({PEOPLE: [admitted(national_id="001099000501")]}), "nhap.xlsx", user=alice, dry_run=False
    )
    assert run.status == "done", run.message
    c = Candidate.objects.get(national_id="001099000501")
    assert c.stage == Stage.PROBATION
    with translation.override("vi"):
        votes_label = "Số phiếu tán thành"  # the field's name, as the page writes it in Vietnamese
        assert str(Candidate._meta.get_field("branch_votes_for").verbose_name).capitalize() == votes_label

    login(page, "alice")
    page.goto(f"/candidates/{c.pk}/")
    expect_stage(page, Stage.PROBATION)
    box = page.locator("#not-on-record")
    expect(box).to_be_visible()
    expect(box.locator("li", has_text=votes_label)).to_have_count(1)

    # The next step (recognition) asks for the vote's counts, as required fields.
    with page.expect_navigation():
        page.click('section.steps a[href$="/step/recognition/"]')
    expect(page).to_have_url(re.compile(rf"/candidates/{c.pk}/step/recognition/$"))
    for name in ("branch_vote_members", "branch_votes_for"):
        field = page.locator(f"form.form [name={name}]")
        expect(field).to_have_count(1)
        expect(field).to_have_attribute("required", "")

    # Without them the form does not go (the browser holds it), and the person stays where they are.
    page.fill("form.form [name=recognition_vote_date]", "10/09/2024")
    page.fill("form.form [name=recognition_vote_members]", "9")
    page.fill("form.form [name=recognition_votes_for]", "9")
    page.click("form.form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/candidates/{c.pk}/step/recognition/$"))
    assert Candidate.objects.get(pk=c.pk).stage == Stage.PROBATION
