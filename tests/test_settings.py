"""Settings read from the environment (README, "Configuration"): their values, and a clear refusal of bad ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
READ = (
    "import django; django.setup(); from django.conf import settings as s; print(s.IMPORT_MAX_BYTES, s.IMPORT_MAX_ROWS)"
)


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    """The settings module loaded in a fresh interpreter with these variables (and no test-run defaults)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IMPORT_MAX")}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1", **env)
    return subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, "-c", READ], cwd=ROOT, env=clean, capture_output=True, text=True, check=False, timeout=60
    )


class ImportLimitsTestCase(SimpleTestCase):
    def test_the_defaults(self) -> None:
        proc = settings_with()
        self.assertEqual(proc.stdout.split(), [str(20 * 1024 * 1024), "200000"], proc.stderr)

    def test_set_from_the_environment(self) -> None:
        proc = settings_with(IMPORT_MAX_MB="5", IMPORT_MAX_ROWS=" 50000 ")
        self.assertEqual(proc.stdout.split(), [str(5 * 1024 * 1024), "50000"], proc.stderr)

    def test_a_value_that_is_not_a_number_is_refused_by_name(self) -> None:
        proc = settings_with(IMPORT_MAX_ROWS="50k")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("IMPORT_MAX_ROWS must be a whole number, not '50k'.", proc.stderr)

    def test_a_value_too_small_is_refused(self) -> None:
        proc = settings_with(IMPORT_MAX_MB="0")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("IMPORT_MAX_MB must be at least 1, not 0.", proc.stderr)


class DjangoMessagesTestCase(SimpleTestCase):
    """Django's Vietnamese wording that read badly is replaced by ours (config/messages.py, locale/vi)."""

    def test_form_errors_read_well_in_vietnamese(self) -> None:
        from django import forms
        from django.core.exceptions import ValidationError
        from django.utils import translation

        cases = [
            (forms.IntegerField(), "abc", "Nhập một số nguyên."),
            (forms.IntegerField(min_value=0), "-3", "Giá trị phải lớn hơn hoặc bằng 0."),
            (forms.DateField(), "32/13/2024", "Nhập một ngày hợp lệ, dạng ngày/tháng/năm (ví dụ 16/11/2023)."),
        ]
        with translation.override("vi"):
            for field, value, message in cases:
                with self.subTest(value=value), self.assertRaises(ValidationError) as caught:
                    field.clean(value)
                self.assertEqual(caught.exception.messages, [message])
