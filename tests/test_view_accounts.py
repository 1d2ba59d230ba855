from __future__ import annotations

from django.contrib.auth.models import User
from django.test import override_settings

from tests.base import PASSWORD, BaseTestCase


class LoginTestCase(BaseTestCase):
    url = "/accounts/login/"

    def test_the_login_page_is_in_vietnamese(self) -> None:
        r = self.client.get(self.url)
        self.assertContains(r, '<html lang="vi">')
        self.assertContains(r, "Đăng nhập")
        self.assertContains(r, 'name="username"')
        self.assertContains(r, 'name="password"')

    def test_it_signs_in_and_goes_home(self) -> None:
        r = self.client.post(self.url, {"username": "bob", "password": PASSWORD})
        self.assertRedirects(r, "/")
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.bob.pk)

    def test_it_explains_a_wrong_password_in_vietnamese(self) -> None:
        r = self.client.post(self.url, {"username": "bob", "password": "wrong"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Sai tên đăng nhập hoặc mật khẩu")

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_it_locks_out_after_repeated_failures(self) -> None:
        for _ in range(3):
            self.client.post(self.url, {"username": "bob", "password": "wrong"})
        r = self.client.post(self.url, {"username": "bob", "password": PASSWORD})
        self.assertEqual(r.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_sign_out_needs_post(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/accounts/logout/").status_code, 405)
        self.assertRedirects(self.client.post("/accounts/logout/"), "/accounts/login/")
        self.assertNotIn("_auth_user_id", self.client.session)


class PasswordChangeTestCase(BaseTestCase):
    def test_it_changes_the_password(self) -> None:
        self.client.force_login(self.bob)
        data = {
            "old_password": PASSWORD,
            "new_password1": "another long phrase 42",
            "new_password2": "another long phrase 42",
        }
        self.assertRedirects(self.client.post("/accounts/password/", data), "/accounts/password/done/")
        self.assertTrue(User.objects.get(pk=self.bob.pk).check_password("another long phrase 42"))

    def test_it_requires_login(self) -> None:
        self.assertEqual(self.client.get("/accounts/password/").status_code, 302)


class LanguageTestCase(BaseTestCase):
    def test_english_can_be_chosen_and_sticks(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post("/i18n/setlang/", {"language": "en", "next": "/org/"})
        self.assertRedirects(r, "/org/")
        r = self.client.get("/org/")
        self.assertContains(r, '<html lang="en">')
        self.assertContains(r, "Organization tree")

    def test_vietnamese_is_the_default(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/org/", HTTP_ACCEPT_LANGUAGE="")
        self.assertContains(r, '<html lang="vi">')
        self.assertContains(r, "Cây tổ chức")


class BrowserLanguageTestCase(BaseTestCase):
    def test_an_english_browser_still_gets_vietnamese(self) -> None:
        r = self.client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(r, '<html lang="vi">')

    def test_english_dates_are_read_day_first_too(self) -> None:
        self.client.force_login(self.erin)
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        data = {"code": "C1.B9", "name": "Chi bộ mới", "kind": "base_branch", "valid_from": "01/07/2025"}
        self.assertRedirects(self.client.post("/org/C1/new/", data), "/org/C1.B9/")
        import datetime

        self.assertEqual(self.org("C1.B9").valid_from, datetime.date(2025, 7, 1))
