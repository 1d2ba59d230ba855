from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imports import pipeline
from imports.models import ImportRun

USAGE = 2  # CONTRACT §2: the command line or the file itself is unusable
DATA = 1  # CONTRACT §2: the data is wrong; nothing was saved

# How long the checking thread may keep the GIL when the COPY thread (organizations.bulk.Background) wants it.
# Each COPY takes the GIL five or six times; at Python's default of 5 ms each, PostgreSQL would wait for
# Python more than it works.
SWITCH_INTERVAL = 0.0002


@contextlib.contextmanager
def batch_process() -> Iterator[None]:
    """Process-wide settings for a process that only imports one file: this command's (and the bench's).

    Never in library code: with TASKS_BACKEND=immediate the import runs inside a web worker, whose other
    threads these would affect. Reading, normalising and checking a workbook build a million small objects
    without cycles, which the cyclic garbage collector would scan again and again (a third of the reading
    time, half a second of checking for 50,000 people, holding the GIL the COPY thread needs meanwhile);
    and a short switch interval lets the COPY thread take the GIL as soon as it needs it.
    """
    collecting, switch = gc.isenabled(), sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(min(SWITCH_INTERVAL, switch))
    try:
        yield
    finally:
        sys.setswitchinterval(switch)
        if collecting:
            gc.enable()


class Command(BaseCommand):
    help = (
        "Import an .xlsx, .xls (Excel 97-2003) or .csv file laid out as in CONTRACT §3 (organizations, "
        "membership counts, quotas, people), all or nothing. On success prints one line per sheet: "
        "'<sheet>: created N, updated N, unchanged N'. On data errors prints one line per error, "
        "'<sheet>!<row>: <column>: <message>', saves nothing and exits 1. --dry-run checks and reports "
        "without saving. --user applies that user's scope "
        "(rows outside it are errors) and records the user as the author; without it the import is not "
        "limited and has no author. Every run is recorded (admin: workbook imports). "
        "Exit codes: 0 done, 1 the data is wrong (nothing saved), 2 the command line or the file is unusable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="the .xlsx, .xls or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, save nothing")
        parser.add_argument("--user", metavar="USERNAME", help="import as this user: their scope, their name")

    def handle(self, *args: Any, **options: Any) -> str:
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"].strip()).first()
            if user is None or not user.is_active:
                raise CommandError(_("There is no active user %(user)s.") % {"user": options["user"]}, returncode=USAGE)
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror or exc}, returncode=USAGE
            ) from exc
        with batch_process():
            run = pipeline.import_file(data, path.name, user=user, dry_run=options["dry_run"])
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(run.message, returncode=USAGE)
        if run.status == ImportRun.Status.INVALID:
            for issue in pipeline.issues(run):
                self.stdout.write(f"{issue['sheet']}!{issue['row']}: {issue['column']}: {issue['message']}")
            if run.message:
                self.stderr.write(run.message)
            raise CommandError(
                ngettext("%(count)d error: nothing was saved.", "%(count)d errors: nothing was saved.", run.error_count)
                % {"count": run.error_count},
                returncode=DATA,
            )
        for sheet in run.summary:
            # The wording of these lines is part of CONTRACT §2: scripts read them.
            name = pipeline.sheet_label(sheet["name"], sheet.get("key"))  # in English, the sheet's English key
            self.stdout.write(
                f"{name}: created {sheet['created']}, updated {sheet['updated']}, unchanged {sheet['unchanged']}"
            )
            for note in sheet.get("notes", []):
                self.stderr.write(f"{name}: {note}")
        if options["dry_run"]:
            self.stderr.write(_("Checked only (--dry-run): nothing was saved."))
        elif not any(s["created"] or s["updated"] for s in run.summary):
            self.stderr.write(_("Nothing to change: the database already holds this file's data."))
        return ""
