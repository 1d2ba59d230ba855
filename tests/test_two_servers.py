"""Two app servers on one database act as one (README, "Deployment"): PostgreSQL only.

Two gunicorn servers on two loopback ports, as the README deploys them, and one db_worker: a sign-in on
one is valid on the other, a lockout on one holds on the other, an import uploaded on one is checked by
the worker and confirmed from the other, and a write on one is seen by the next read on the other. Every
request carries the proxy's X-Forwarded-Proto, as behind the README's nginx.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import unittest
import urllib.parse
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

from django.db import connection
from django.test import TransactionTestCase

from organizations.models import Organization, Role
from recruitment.models import RuleSet
from tests.base import PASSWORD, make_tree

ROOT = Path(__file__).resolve().parent.parent
HOST = "pdv.example.org"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """One user's browser: its own cookies, sent to whichever server it is pointed at."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if method == "POST":
            headers |= {"Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}", "Content-Type": content_type}
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.headers.get("Location", ""), text

    def get(self, port: int, path: str) -> tuple[int, str, str]:
        return self.request(port, "GET", path)

    def post_form(
        self, port: int, path: str, fields: dict[str, str], *, form_path: str | None = None
    ) -> tuple[int, str, str]:
        _status, _location, html = self.get(port, form_path or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, html[:2000]
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        return self.request(port, "POST", path, body, "application/x-www-form-urlencoded")

    def sign_in(self, port: int, username: str, password: str = PASSWORD) -> int:
        return self.post_form(port, "/accounts/login/", {"username": username, "password": password})[0]


@unittest.skipUnless(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), "two servers share a PostgreSQL database"
)
class TwoServersTestCase(TransactionTestCase):
    def setUp(self) -> None:
        RuleSet.objects.get_or_create(effective_from="2025-07-01", defaults={"legal_basis": "294-QĐ/TW"})
        self.orgs = make_tree()
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        self.env = {
            **os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
            "SECRET_KEY": "two-servers-" + uuid.uuid4().hex * 2, "ALLOWED_HOSTS": HOST, "TASKS_BACKEND": "database",
            "AXES_FAILURE_LIMIT": "3",
        }  # fmt: skip
        # DEBUG off serves the collected, hashed static files, as the README's deployment does.
        collect = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
            [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=self.env, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        self.assertEqual(collect.returncode, 0, collect.stderr)
        # The accounts, made as an operator makes them (with production's password hashing, not the tests').
        for username, code, role in (("alice", "P", Role.ADMIN), ("dave", "C1", Role.STAFF)):
            made = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
                [sys.executable, str(ROOT / "manage.py"), "add_user", username, "--org", code, "--role", role,
                 "--password-stdin"],
                cwd=ROOT, env=self.env, input=PASSWORD + "\n", capture_output=True, text=True, check=False,
            )  # fmt: skip
            self.assertEqual(made.returncode, 0, made.stderr)
        self.ports = [_free_port(), _free_port()]
        self.processes = [self._start("-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2")
                          for port in self.ports]  # fmt: skip
        self.processes.append(self._start(str(ROOT / "manage.py"), "db_worker", "--interval", "0.2", "--no-reload"))
        for port in self.ports:
            self._wait_until_up(port)

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed program)
            [sys.executable, *args], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.addCleanup(process.wait, timeout=30)
        self.addCleanup(process.terminate)
        return process

    def _wait_until_up(self, port: int) -> None:
        for _ in range(120):
            try:
                if Browser().get(port, "/accounts/login/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        self.fail(f"gunicorn on {port} did not answer")

    def test_two_servers_act_as_one(self) -> None:
        with self.subTest("a sign-in on one server is valid on the other"):
            self._sign_in()
        with self.subTest("a lockout on one server holds on the other"):
            self._lockout()
        with self.subTest("an import uploaded on one is checked by the worker and confirmed from the other"):
            self._import()
        with self.subTest("a write on one server is seen by the next read on the other"):
            self._write()

    def _sign_in(self) -> None:
        a, b = self.ports
        browser = Browser()
        self.assertEqual(browser.sign_in(a, "alice"), 302)
        status, _location, page = browser.get(b, "/")
        self.assertEqual(status, 200)
        self.assertIn("Đảng bộ tỉnh Thử Nghiệm", page)
        self.assertEqual(Browser().get(b, "/")[0], 302, "a browser that did not sign in is sent to the sign-in page")

    def _lockout(self) -> None:
        a, b = self.ports
        for _ in range(2):
            self.assertEqual(Browser().sign_in(a, "dave", "wrong password"), 200)
        self.assertEqual(Browser().sign_in(a, "dave", "wrong password"), 429)  # the third: locked out
        # The right password, on the other server: still locked out (django-axes keeps its count in the database).
        browser = Browser()
        status = browser.sign_in(b, "dave")
        self.assertEqual(status, 429)
        self.assertEqual(browser.get(b, "/")[0], 302)

    def _import(self) -> None:
        a, b = self.ports
        browser = Browser()
        self.assertEqual(browser.sign_in(a, "alice"), 302)
        _status, _location, upload = browser.get(a, "/imports/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', upload)
        assert token
        boundary = uuid.uuid4().hex
        csv = "Mã tổ chức,Tên tổ chức,Mã cấp trên,Loại tổ chức\nC3,Đảng bộ xã Mới,P,commune\n".encode()
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                f"{token.group(1)}\r\n"
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="to-chuc.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + csv
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, location, _page = browser.request(
            a, "POST", "/imports/", body, f"multipart/form-data; boundary={boundary}"
        )
        self.assertEqual(status, 302)
        run = location.rstrip("/").rsplit("/", 1)[-1]
        self.assertEqual(self._wait_for(browser, b, run, {"ready", "invalid", "failed"}), "ready")
        status, _location, _page = browser.post_form(b, f"/imports/{run}/confirm/", {}, form_path=f"/imports/{run}/")
        self.assertEqual(status, 302)
        self.assertEqual(self._wait_for(browser, a, run, {"done", "failed", "invalid"}), "done")
        # The write, seen by the next read on the other server.
        self.assertTrue(Organization.objects.filter(code="C3").exists())
        status, _location, page = browser.get(a, "/org/C3/")
        self.assertEqual(status, 200)
        self.assertIn("Đảng bộ xã Mới", page)

    def _write(self) -> None:
        a, b = self.ports
        browser = Browser()
        self.assertEqual(browser.sign_in(a, "alice"), 302)
        fields = {"name": "Đảng bộ xã Dân Chủ Mới", "kind": "commune", "sector": "", "valid_from": ""}
        status, _location, _page = browser.post_form(a, "/org/C1/edit/", fields)
        self.assertEqual(status, 302)
        _status, _location, page = browser.get(b, "/org/C1/")
        self.assertIn("Đảng bộ xã Dân Chủ Mới", page)

    def _wait_for(self, browser: Browser, port: int, run: str, statuses: set[str]) -> str:
        status = ""
        for _ in range(240):
            code, _location, text = browser.get(port, f"/imports/{run}/progress/")
            self.assertEqual(code, 200)
            status = json.loads(text)["status"]
            if status in statuses:
                return status
            time.sleep(0.25)
        self.fail(f"import {run} still {status}")
