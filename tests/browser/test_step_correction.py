"""End-to-end: a clerk records a cell vote with a typo (11 of 20 instead of 18), corrects it with a reason, and
sees the correction in the person's timeline: who, when, from → to, why.

Runs Debian's Chromium through Playwright against pytest-django's live_server (see conftest.py). Inputs are
found by their name, links by their href, the stage by the class of the stage tag (`stage-<code>`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import Candidate, Stage, StageCorrection
from tests.base import make_tree, make_user
from tests.browser.test_candidate_pipeline import expect_stage, fill, login, save
from tests.people import add_member_introducers, make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

expect.set_options(timeout=10_000)


def test_a_clerk_corrects_a_mistyped_vote_and_sees_the_correction_in_the_timeline(page: Page) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    person = make_candidate(orgs["C1.B1.01"], Stage.DOSSIER, full_name="Trần Thị Hoa")
    add_member_introducers(person)
    login(page, "dave")
    page.goto(f"/candidates/{person.pk}/")
    expect_stage(page, Stage.DOSSIER)

    # The cell voted 18 of 20; the clerk types 11. Short of two thirds: the person stays.
    with page.expect_navigation():
        page.click('section.steps a[href$="/step/branch_vote/"]')
    fill(
        page,
        {"act_date": "05/07/2023", "document_no": "12-NQ/CB", "branch_vote_members": "20", "branch_votes_for": "11"},
    )
    save(page)
    expect(page).to_have_url(re.compile(rf"/candidates/{person.pk}/$"))
    expect_stage(page, Stage.DOSSIER)
    vote = page.locator("ol.timeline > li.stayed")
    expect(vote).to_have_count(1)
    expect(vote).to_contain_text("11")

    # The clerk opens the correction from the timeline: the form holds what was recorded.
    with page.expect_navigation():
        vote.locator('a[href$="/correct/"]').click()
    expect(page.locator("form.form [name=branch_votes_for]")).to_have_value("11")
    expect(page.locator("form.form [name=act_date]")).to_have_value("05/07/2023")
    # Without a reason the correction is refused, nothing saved.
    fill(page, {"branch_votes_for": "18"})
    save(page)
    expect(page.locator("form.form .field.has-error", has=page.locator("[name=reason]"))).to_have_count(1)
    assert not StageCorrection.objects.exists()
    fill(page, {"branch_votes_for": "18", "reason": "Gõ nhầm: biên bản ghi 18 phiếu tán thành"})
    save(page)

    # As if 18 had been recorded: the person moved on, the vote is no longer a failed one.
    expect(page).to_have_url(re.compile(rf"/candidates/{person.pk}/$"))
    expect_stage(page, Stage.BRANCH_VOTED)
    expect(page.locator("ol.timeline > li.stayed")).to_have_count(0)
    stored = Candidate.objects.get(pk=person.pk)
    assert (stored.stage, stored.failed_votes, stored.branch_votes_for) == (Stage.BRANCH_VOTED, 0, 18)

    # The timeline keeps the correction: who, when, from → to, why.
    correction = page.locator("ol.timeline ul.corrections > li.correction")
    expect(correction).to_have_count(1)
    expect(correction).to_contain_text("dave")
    at = timezone.localtime(StageCorrection.objects.get().at).strftime("%d/%m/%Y")  # the site's time zone
    expect(correction).to_contain_text(at)
    expect(correction.locator(".change").first).to_contain_text(re.compile(r"11\s*→\s*18"))
    expect(correction).to_contain_text("Gõ nhầm: biên bản ghi 18 phiếu tán thành")
