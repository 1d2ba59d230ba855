"""Issue 12 point 7: no process-wide switch (the garbage collector, the GIL's switch interval) in code a web
worker can run. Only the `import_workbook` command's process sets them, around the whole import."""

from __future__ import annotations

import gc
import io
import re
import sys
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.urls import reverse

from imports import pipeline
from imports.models import ImportRun
from recruitment.models import Candidate
from tests.test_view_imports import ImportTestCase, good_people

ROOT = Path(__file__).resolve().parent.parent
APPS = ("organizations", "recruitment", "reports", "imports", "devdata")
SWITCHES = re.compile(r"\bgc\.(disable|freeze|set_threshold)\(|setswitchinterval\(")
# The one place allowed: the command's own process.
COMMAND = Path("imports/management/commands/import_workbook.py")


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("a process-wide switch was set in code a web worker runs")


class ProcessSwitchesTestCase(ImportTestCase):
    def test_no_app_module_but_the_command_sets_a_process_wide_switch(self) -> None:
        found = [
            str(path.relative_to(ROOT))
            for app in APPS
            for path in sorted((ROOT / app).rglob("*.py"))
            if path.relative_to(ROOT) != COMMAND and SWITCHES.search(path.read_text(encoding="utf-8"))
        ]
        self.assertEqual(found, [])

    def test_a_web_import_checks_and_applies_without_touching_them(self) -> None:
        self.client.force_login(self.alice)
        with (
            mock.patch("gc.disable", _refuse),
            mock.patch("gc.freeze", _refuse),
            mock.patch("gc.set_threshold", _refuse),
            mock.patch("sys.setswitchinterval", _refuse),
        ):
            self.upload(good_people())
            run = ImportRun.objects.get()
            self.client.post(reverse("imports:confirm", args=[run.pk]))
        run.refresh_from_db()
        self.assertEqual(run.status, ImportRun.Status.DONE, run.message)
        self.assertEqual(Candidate.objects.count(), 3)
        self.assertTrue(gc.isenabled())

    def test_the_command_sets_them_around_the_import_and_puts_them_back(self) -> None:
        seen: list[tuple[bool, float]] = []
        real = pipeline.import_file

        def spy(*args: Any, **kwargs: Any) -> ImportRun:
            seen.append((gc.isenabled(), sys.getswitchinterval()))
            return real(*args, **kwargs)

        before = sys.getswitchinterval()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "quan-chung.xlsx"
            path.write_bytes(good_people())
            with mock.patch.object(pipeline, "import_file", spy):
                call_command("import_workbook", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        self.assertEqual(len(seen), 1)
        self.assertFalse(seen[0][0])
        self.assertLess(seen[0][1], before)
        self.assertTrue(gc.isenabled())
        self.assertEqual(sys.getswitchinterval(), before)
        self.assertEqual(Candidate.objects.count(), 3)
