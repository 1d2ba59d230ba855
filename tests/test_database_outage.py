"""A database outage answers 503 with Retry-After and a clear page, never a 500 or a traceback (config/errors.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.test import TestCase, override_settings

from tests.base import BaseTestCase

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ROOT = Path(__file__).resolve().parent.parent

# A request in a fresh interpreter whose database is a port nobody listens on: a refused connection, as
# while PostgreSQL restarts. DEBUG is off, as in production, so Django calls the handler500.
REQUEST_WITHOUT_DATABASE = """
import django; django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
response = client.post("/accounts/login/", {"username": "alice", "password": "x"}, secure=True)
print(response.status_code, response.get("Retry-After"), response.content.decode()[:2000].replace("\\n", " "))
"""


class DatabaseOutageTestCase(BaseTestCase):
    def _get_home(self, error: BaseException, *, usable: bool) -> TestResponse:
        self.client.force_login(self.alice)
        self.client.raise_request_exception = False
        with (
            mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=error),
            mock.patch.object(type(connections["default"]), "is_usable", return_value=usable),
        ):
            return self.client.get("/")

    def test_a_dropped_connection_answers_503_with_retry_after(self) -> None:
        response = self._get_home(OperationalError("server closed the connection unexpectedly"), usable=False)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "10")
        self.assertContains(response, "Hệ thống tạm thời gián đoạn", status_code=503)
        self.assertNotContains(response, "Traceback", status_code=503)

    def test_a_closed_connection_answers_503(self) -> None:
        response = self._get_home(InterfaceError("connection already closed"), usable=True)
        self.assertEqual(response.status_code, 503)

    def test_sqlite_locked_past_its_timeout_answers_503(self) -> None:
        response = self._get_home(OperationalError("database is locked"), usable=True)
        self.assertEqual(response.status_code, 503)

    def test_a_missing_table_on_a_working_connection_is_a_server_error(self) -> None:
        response = self._get_home(OperationalError("no such table: django_session"), usable=True)
        self.assertEqual(response.status_code, 500)
        self.assertFalse(response.has_header("Retry-After"))

    def test_any_other_error_is_a_server_error(self) -> None:
        response = self._get_home(ValueError("a bug"), usable=True)
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Lỗi hệ thống", status_code=500)


class NoDatabaseAtAllTestCase(TestCase):
    def test_a_refused_connection_answers_503_in_a_production_setup(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
            "DEBUG": "0",
            "SECRET_KEY": "outage-test-" + "abcdefghij" * 6,
            "ALLOWED_HOSTS": "testserver",
        }
        proc = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
            [sys.executable, "-c", REQUEST_WITHOUT_DATABASE],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        status, retry_after, page = proc.stdout.split(" ", 2)
        self.assertEqual((status, retry_after), ("503", "10"), page)
        self.assertIn("Vui lòng thử lại sau khoảng 10 giây", page)


@override_settings(DEBUG=False)
class ErrorPagesNeedNoDatabaseTestCase(TestCase):
    def test_the_503_page_is_rendered_without_a_query(self) -> None:
        from config.errors import server_error

        try:
            raise InterfaceError("connection already closed")
        except InterfaceError:
            with self.assertNumQueries(0):
                response = server_error(mock.Mock())
        self.assertEqual(response.status_code, 503)
