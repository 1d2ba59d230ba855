"""Two-factor sign-in (TOTP): enrolling a device, signing in with a code, the requirement for admins."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.base import PASSWORD, BaseTestCase


def code(device: TOTPDevice, step: int = 0) -> str:
    """The code the phone shows now (step 0) or in the next window (step 1, accepted too: one step of tolerance)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + step):06d}"


def wrong(device: TOTPDevice) -> str:
    right = {code(device, step) for step in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


class EnrolTestCase(BaseTestCase):
    url = "/accounts/two-factor/"

    def test_it_shows_the_qr_code_and_the_key_in_vietnamese(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertContains(r, "Xác thực hai bước")
        self.assertContains(r, 'src="data:image/svg+xml')
        device = TOTPDevice.objects.get(user=self.bob)
        self.assertFalse(device.confirmed)
        self.assertContains(r, "otpauth://totp/")
        self.assertContains(r, "secret=")
        # The same unconfirmed device on a reload, so a scan before the reload still works.
        self.client.get(self.url)
        self.assertEqual(TOTPDevice.objects.filter(user=self.bob).count(), 1)

    def test_a_right_code_and_password_turn_it_on(self) -> None:
        self.client.force_login(self.bob)
        self.client.get(self.url)
        device = TOTPDevice.objects.get(user=self.bob)
        r = self.client.post(self.url, {"password": PASSWORD, "code": code(device)})
        self.assertRedirects(r, "/")
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(self.client.session["otp_device_id"], device.persistent_id)
        self.assertContains(self.client.get(self.url), "đang bật")
        self.assertEqual(self.client.get("/").status_code, 200)  # this session already gave the code

    def test_a_wrong_code_or_password_changes_nothing(self) -> None:
        self.client.force_login(self.bob)
        self.client.get(self.url)
        device = TOTPDevice.objects.get(user=self.bob)
        r = self.client.post(self.url, {"password": PASSWORD, "code": wrong(device)})
        self.assertContains(r, "Mã không đúng")
        r = self.client.post(self.url, {"password": "wrong", "code": code(device)})
        self.assertContains(r, "Mật khẩu không đúng")
        r = self.client.post(self.url, {"password": PASSWORD, "code": "12ab"})
        self.assertContains(r, "Nhập 6 chữ số")
        device.refresh_from_db()
        self.assertFalse(device.confirmed)

    def test_it_requires_login_and_get_or_post(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"/accounts/login/?next={self.url}")
        self.client.force_login(self.bob)
        self.assertEqual(self.client.put(self.url).status_code, 405)

    def test_a_second_device_cannot_replace_the_first(self) -> None:
        device = enrolled(self.bob)
        self.client.force_login(self.bob)
        self.client.post("/accounts/login/code/", {"code": code(device)})
        r = self.client.post(self.url, {"password": PASSWORD, "code": "123456"})
        self.assertContains(r, "đang bật")
        self.assertEqual(TOTPDevice.objects.filter(user=self.bob).count(), 1)


class SignInWithCodeTestCase(BaseTestCase):
    url = "/accounts/login/"
    code_url = "/accounts/login/code/"

    def setUp(self) -> None:
        super().setUp()
        self.device = enrolled(self.bob)

    def test_the_password_alone_does_not_sign_in(self) -> None:
        r = self.client.post(self.url, {"username": "bob", "password": PASSWORD})
        self.assertRedirects(r, self.code_url)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertRedirects(self.client.get("/"), "/accounts/login/?next=/")
        self.assertContains(self.client.get(self.code_url), "Mã đăng nhập")

    def test_the_right_code_signs_in_and_goes_where_asked(self) -> None:
        self.client.post(f"{self.url}?next=/org/", {"username": "bob", "password": PASSWORD, "next": "/org/"})
        r = self.client.post(self.code_url, {"code": code(self.device)})
        self.assertRedirects(r, "/org/")
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.bob.pk)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_a_wrong_code_does_not_sign_in_and_is_throttled(self) -> None:
        self.client.post(self.url, {"username": "bob", "password": PASSWORD})
        r = self.client.post(self.code_url, {"code": wrong(self.device)})
        self.assertContains(r, "Mã không đúng")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.device.refresh_from_db()
        self.assertEqual(self.device.throttling_failure_count, 1)  # django-otp waits 1 s, 2 s, 4 s… between tries

    def test_wrong_codes_count_toward_the_lockout(self) -> None:
        self.client.post(self.url, {"username": "bob", "password": PASSWORD})
        statuses = []
        for _ in range(settings.AXES_FAILURE_LIMIT):
            TOTPDevice.objects.filter(pk=self.device.pk).update(throttling_failure_count=0)  # past the waits
            statuses.append(self.client.post(self.code_url, {"code": wrong(self.device)}).status_code)
        self.assertEqual(statuses, [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429])
        TOTPDevice.objects.filter(pk=self.device.pk).update(throttling_failure_count=0)
        self.assertEqual(self.client.post(self.code_url, {"code": code(self.device)}).status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # The password too is refused now, from this address.
        self.assertEqual(self.client.post(self.url, {"username": "bob", "password": PASSWORD}).status_code, 429)

    def test_the_code_page_without_a_password_first_goes_back_to_sign_in(self) -> None:
        self.assertRedirects(self.client.get(self.code_url), self.url)
        self.assertRedirects(self.client.post(self.code_url, {"code": code(self.device)}), self.url)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_code_must_follow_the_password_within_five_minutes(self) -> None:
        self.client.post(self.url, {"username": "bob", "password": PASSWORD})
        session = self.client.session
        session["two_factor_pending"]["since"] -= 301
        session.save()
        self.assertRedirects(self.client.post(self.code_url, {"code": code(self.device)}), self.url)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_signing_in_another_way_still_asks_for_the_code(self) -> None:
        # As the Django admin's own sign-in page would: a session with the password only.
        self.client.force_login(self.bob)
        self.assertRedirects(self.client.get("/org/"), self.code_url)
        self.assertRedirects(self.client.post(self.code_url, {"code": code(self.device)}), "/")
        self.assertEqual(self.client.get("/org/").status_code, 200)

    def test_a_device_deleted_while_a_code_is_owed_ends_no_loop(self) -> None:
        # The README's lost phone: a superuser deletes the device of a session that owes its code. The code page
        # sent it to sign in, which sends a signed-in user on, back to the code page, for ever (found by a review).
        self.client.force_login(self.bob)
        self.assertRedirects(self.client.get("/org/"), self.code_url)
        self.device.delete()
        response = self.client.get("/org/", follow=True)  # a loop raises RedirectCycleError here
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.redirect_chain, [(self.code_url, 302), ("/", 302)])
        self.assertEqual(self.client.get("/org/").status_code, 200)

    @override_settings(OTP_REQUIRED_FOR_ADMINS=True)
    def test_a_deleted_device_of_an_admin_leads_to_enrolment(self) -> None:
        device = enrolled(self.alice)
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/org/"), self.code_url)
        device.delete()
        response = self.client.get("/org/", follow=True)
        self.assertEqual(response.redirect_chain[-1][0], "/accounts/two-factor/")
        self.assertEqual(response.status_code, 200)

    def test_an_unconfirmed_device_asks_for_nothing(self) -> None:
        TOTPDevice.objects.filter(pk=self.device.pk).update(confirmed=False)
        self.assertRedirects(self.client.post(self.url, {"username": "bob", "password": PASSWORD}), "/")


@override_settings(OTP_REQUIRED_FOR_ADMINS=True)
class RequiredForAdminsTestCase(BaseTestCase):
    url = "/accounts/login/"

    def test_an_admin_without_a_device_is_sent_to_enrol_before_anything_else(self) -> None:
        self.assertRedirects(
            self.client.post(self.url, {"username": "erin", "password": PASSWORD}), "/", target_status_code=302
        )
        for page in ("/", "/org/", "/org/C1/", "/accounts/password/"):
            self.assertRedirects(self.client.get(page), "/accounts/two-factor/")
        self.client.get("/accounts/two-factor/")
        device = TOTPDevice.objects.get(user=self.erin)
        self.client.post("/accounts/two-factor/", {"password": PASSWORD, "code": code(device)})
        self.assertEqual(self.client.get("/org/").status_code, 200)

    def test_a_superuser_without_a_role_is_held_too(self) -> None:
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(root)
        self.assertRedirects(self.client.get("/"), "/accounts/two-factor/")

    def test_signing_out_stays_possible(self) -> None:
        self.client.force_login(self.erin)
        self.assertRedirects(self.client.post("/accounts/logout/"), self.url)

    def test_a_viewer_or_staff_without_a_device_is_not_forced(self) -> None:
        for user in (self.bob, self.dave):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/").status_code, 200)

    @override_settings(OTP_REQUIRED_FOR_ADMINS=False)
    def test_without_the_setting_admins_are_not_forced(self) -> None:
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get("/").status_code, 200)

    def test_an_admin_with_a_device_gives_the_code_instead(self) -> None:
        device = enrolled(self.alice)
        self.client.post(self.url, {"username": "alice", "password": PASSWORD})
        self.assertRedirects(self.client.post("/accounts/login/code/", {"code": code(device)}), "/")
        self.assertEqual(self.client.get("/org/").status_code, 200)
