"""Sign-in lockouts count per username and client address, the address read behind the trusted proxies only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.test import RequestFactory, SimpleTestCase, override_settings

from organizations.client_address import client_ip
from tests.base import PASSWORD, BaseTestCase

NGINX = "10.0.0.1"  # every request reaches the app from the proxy
HOME = "203.0.113.7"  # bob's office
ELSEWHERE = "198.51.100.20"  # bob at home
STRANGER = "192.0.2."  # a stranger's many addresses


def request(remote: str, forwarded: str | None = None) -> HttpRequest:
    made = RequestFactory().get("/")
    made.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


class ClientIpTestCase(SimpleTestCase):
    @override_settings(TRUSTED_PROXIES=0)
    def test_without_proxies_it_reads_the_connection_and_ignores_the_header(self) -> None:
        self.assertEqual(client_ip(request(HOME, "6.6.6.6")), HOME)

    @override_settings(TRUSTED_PROXIES=1)
    def test_behind_one_proxy_it_reads_the_entry_the_proxy_appended(self) -> None:
        self.assertEqual(client_ip(request(NGINX, HOME)), HOME)

    @override_settings(TRUSTED_PROXIES=1)
    def test_a_forged_entry_in_front_of_the_proxys_is_not_believed(self) -> None:
        # The client sent "X-Forwarded-For: 6.6.6.6, 1.2.3.4"; nginx appended the address it saw.
        self.assertEqual(client_ip(request(NGINX, f"6.6.6.6, 1.2.3.4,{HOME}")), HOME)

    @override_settings(TRUSTED_PROXIES=2)
    def test_behind_two_proxies_it_reads_the_second_entry_from_the_right(self) -> None:
        self.assertEqual(client_ip(request(NGINX, f"6.6.6.6, {HOME}, 10.0.0.9")), HOME)

    @override_settings(TRUSTED_PROXIES=2)
    def test_fewer_entries_than_proxies_fall_back_to_the_connection(self) -> None:
        self.assertEqual(client_ip(request(NGINX, "6.6.6.6")), NGINX)

    @override_settings(TRUSTED_PROXIES=1)
    def test_no_header_or_a_malformed_entry_falls_back_to_the_connection(self) -> None:
        self.assertEqual(client_ip(request(NGINX)), NGINX)
        self.assertEqual(client_ip(request(NGINX, "not-an-address")), NGINX)
        self.assertEqual(client_ip(request(NGINX, " 2001:DB8::1 ")), "2001:db8::1")


@override_settings(TRUSTED_PROXIES=1, AXES_ENABLED=True)
class LockoutBehindProxyTestCase(BaseTestCase):
    url = "/accounts/login/"

    def post(self, address: str, password: str, forwarded: str | None = None) -> int:
        header = forwarded if forwarded is not None else address
        data = {"username": "bob", "password": password}
        return self.client.post(self.url, data, REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=header).status_code

    def fail_times(self, address: str, times: int, forwarded: str | None = None) -> None:
        for _ in range(times):
            self.assertEqual(self.post(address, "wrong", forwarded), 200)

    def test_failures_from_one_address_lock_the_username_only_there(self) -> None:
        self.fail_times(HOME, settings.AXES_FAILURE_LIMIT - 1)
        self.assertEqual(self.post(HOME, "wrong"), 429)  # the limit-th failure locks
        self.assertEqual(self.post(HOME, PASSWORD), 429)
        self.client.logout()
        self.assertEqual(self.post(ELSEWHERE, PASSWORD), 302)  # bob still signs in from elsewhere

    def test_a_stranger_failing_from_many_addresses_does_not_lock_bob_out(self) -> None:
        for n in range(1, 11):
            for _ in range(settings.AXES_FAILURE_LIMIT):
                self.post(f"{STRANGER}{n}", "wrong")
        self.assertEqual(self.post(f"{STRANGER}1", PASSWORD), 429)  # the stranger is locked where they tried
        self.assertEqual(self.post(HOME, PASSWORD), 302)

    def test_one_short_of_the_limit_does_not_lock(self) -> None:
        self.fail_times(HOME, settings.AXES_FAILURE_LIMIT - 1)
        self.assertEqual(self.post(HOME, PASSWORD), 302)

    def test_a_forged_header_neither_dodges_the_lock_nor_moves_it(self) -> None:
        # The attacker at HOME writes a new address in front each time; nginx appends HOME after it.
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.post(HOME, "wrong", forwarded=f"{ELSEWHERE}, 10.9.9.{n}, {HOME}")
        self.assertEqual(self.post(HOME, PASSWORD), 429)
        self.assertEqual(self.post(ELSEWHERE, PASSWORD), 302)

    @override_settings(TRUSTED_PROXIES=0)
    def test_without_the_setting_behind_a_proxy_everyone_shares_the_proxys_address(self) -> None:
        # Why the setting matters: the lock taken from HOME also holds bob at ELSEWHERE.
        self.fail_times(HOME, settings.AXES_FAILURE_LIMIT - 1)
        self.assertEqual(self.post(HOME, "wrong"), 429)
        self.assertEqual(self.post(ELSEWHERE, PASSWORD), 429)
