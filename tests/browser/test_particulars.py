"""End-to-end: staff edit a person, set home town, residence, phone and the two levels (issue 17), and see them on
the person's page; a wrong phone number is refused with the model's message, next to the field.

Runs Debian's Chromium through Playwright against pytest-django's live_server (see conftest.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from organizations.models import Role
from recruitment.models import Candidate, Stage
from tests.base import make_tree, make_user
from tests.browser.test_login_and_tree import login
from tests.people import make_candidate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def _fact(page: Page, label: str) -> str:
    return page.locator(f"dl.facts dt:text-is('{label}') + dd").inner_text().strip()


def test_staff_set_the_particulars_and_see_them_on_the_page(page: Page, live_server: object) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)
    c = make_candidate(orgs["C1.B1.01"], Stage.DOSSIER, full_name="Nguyễn Thị Lan")

    login(page, "dave")
    page.goto(f"/candidates/{c.pk}/")
    for label in ("Quê quán", "Nơi cư trú", "Số điện thoại", "Trình độ chuyên môn", "Lý luận chính trị"):
        assert _fact(page, label) == "Chưa khai"

    with page.expect_navigation():
        page.click('.titlebar a[href$="/edit/"]')
    page.get_by_label("Quê quán", exact=True).fill("xã Hy Cương, tỉnh Phú Thọ")
    page.get_by_label("Nơi cư trú", exact=True).fill("khu 3, phường Việt Trì, tỉnh Phú Thọ")
    page.get_by_label("Số điện thoại", exact=True).fill("0912 34")
    page.get_by_label("Trình độ chuyên môn, nghiệp vụ", exact=True).select_option(label="Cao đẳng")
    page.get_by_label("Trình độ lý luận chính trị", exact=True).select_option(label="Sơ cấp")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    # The phone is checked by the model's rule; the other values typed stay in the form.
    expect(page.locator(".field.has-error")).to_contain_text("Số điện thoại có từ 9 đến 15 chữ số")
    expect(page.get_by_label("Quê quán", exact=True)).to_have_value("xã Hy Cương, tỉnh Phú Thọ")

    page.get_by_label("Số điện thoại", exact=True).fill("0912 345 678")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(rf"/candidates/{c.pk}/$"))
    assert _fact(page, "Quê quán") == "xã Hy Cương, tỉnh Phú Thọ"
    assert _fact(page, "Nơi cư trú") == "khu 3, phường Việt Trì, tỉnh Phú Thọ"
    assert _fact(page, "Số điện thoại") == "0912 345 678"
    assert _fact(page, "Trình độ chuyên môn") == "Cao đẳng"
    assert _fact(page, "Lý luận chính trị") == "Sơ cấp"
    c.refresh_from_db()
    assert (c.phone, c.professional_level, c.political_theory) == ("0912 345 678", "college", "elementary")
    assert Candidate.objects.count() == 1
