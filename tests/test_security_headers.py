"""Headers that protect the pages: a Content-Security-Policy that no inline code needs, personal data never cached,
and a production key that cannot be guessed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

from recruitment.models import Stage
from tests.base import BaseTestCase
from tests.people import make_candidate

ROOT = Path(__file__).resolve().parent.parent


class ContentSecurityPolicyTestCase(BaseTestCase):
    def test_pages_allow_only_their_own_scripts_and_styles(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        header = response.headers["Content-Security-Policy"]
        policy = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
        self.assertEqual(policy["script-src"], "'self'")
        self.assertEqual(policy["style-src"], "'self'")
        self.assertEqual(policy["object-src"], "'none'")
        self.assertEqual(policy["frame-ancestors"], "'none'")
        self.assertNotIn("unsafe", header)
        # The sign-in page too, before anyone signs in.
        self.client.logout()
        self.assertIn("script-src 'self'", self.client.get("/accounts/login/").headers["Content-Security-Policy"])


class TemplatesNeedNoInlineCodeTestCase(SimpleTestCase):
    """The policy blocks inline scripts, event handlers and style attributes: no template may rely on them."""

    INLINE = (
        (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
        (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
        (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
        (re.compile(r"<style[\s>]", re.I), "a <style> element"),
        (re.compile(r"javascript:", re.I), "a javascript: address"),
    )

    def test_no_template_has_inline_code(self) -> None:
        found = []
        for path in sorted((ROOT / "templates").rglob("*.html")):
            text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.S)  # comments may name them
            for pattern, what in self.INLINE:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
        self.assertEqual(found, [])


class NoStoreTestCase(BaseTestCase):
    def test_pages_and_files_with_personal_data_are_never_stored(self) -> None:
        person = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, full_name="Nguyễn Thị Hoa")
        self.client.force_login(self.dave)
        for url in (
            "/",
            f"/candidates/{person.pk}/",
            "/candidates/?q=Hoa",
            "/candidates/export.xlsx",
            "/report.csv?org=C1",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertEqual(response.headers["Cache-Control"], "no-store, private")


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", ALLOWED_HOSTS="tracker.example.org", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


class SecretKeyTestCase(SimpleTestCase):
    def test_a_short_or_repetitive_key_is_refused_when_debug_is_off(self) -> None:
        for key in ("x", "a" * 49, "ab" * 40):
            with self.subTest(key=key):
                proc = settings_with(SECRET_KEY=key, DEBUG="0")
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn("SECRET_KEY must be at least 50 characters", proc.stderr)

    def test_a_strong_key_is_taken(self) -> None:
        proc = settings_with(SECRET_KEY="k3J9-vQz_" * 6, DEBUG="0")
        self.assertEqual(proc.stdout.strip(), "started", proc.stderr)

    def test_development_may_use_any_key(self) -> None:
        proc = settings_with(SECRET_KEY="x", DEBUG="1")
        self.assertEqual(proc.stdout.strip(), "started", proc.stderr)
