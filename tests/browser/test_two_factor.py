"""End-to-end: a user turns on two-factor sign-in from the page (scanning the QR code), then signs in with a code.

The codes are computed as the phone would, with django-otp's TOTP, from the key the page shows.
"""

from __future__ import annotations

from base64 import b32decode
from typing import TYPE_CHECKING

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from organizations.models import Role
from tests.base import PASSWORD, make_tree, make_user

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

expect.set_options(timeout=10_000)


def phone(secret: str, step: int = 0) -> str:
    return f"{totp(b32decode(secret), drift=step):06d}"


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def test_a_user_enrols_an_authenticator_and_then_signs_in_with_a_code(page: Page, live_server: object) -> None:
    orgs = make_tree()
    make_user("dave", orgs["C1"], Role.STAFF)

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "dave")
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    expect(page).to_have_url(f"{live_server}/")

    # From the header to the enrolment page: a QR code drawn by the server, shown under the CSP.
    page.click("a[href='/accounts/two-factor/']")
    expect(page.locator("h1")).to_have_text("Xác thực hai bước")
    qr = page.locator("img.qr")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('img.qr').naturalWidth") > 0
    secret = page.locator("code.secret").inner_text().strip()
    expect(page.locator("code.uri")).to_contain_text(f"secret={secret}")

    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", phone(secret))
    submit(page)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".messages")).to_contain_text("Đã bật xác thực hai bước")

    # Signing in again: the password, then the code.
    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "dave")
    page.fill("input[name=password]", PASSWORD)
    submit(page)
    expect(page).to_have_url(f"{live_server}/accounts/login/code/")
    expect(page.locator("h1")).to_have_text("Mã đăng nhập")
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(0)  # not signed in yet

    page.fill("input[name=code]", "000000" if phone(secret, 1) != "000000" else "111111")
    submit(page)
    expect(page.locator(".error")).to_contain_text("Mã không đúng")

    # The next window's code (the one just used for enrolment cannot be used twice).
    page.wait_for_timeout(1_100)  # django-otp makes a wrong code wait 1 s before the next try
    page.fill("input[name=code]", phone(secret, 1))
    submit(page)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".userbox .who")).to_contain_text("dave")
