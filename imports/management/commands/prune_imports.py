"""Delete the uploaded files of old workbook imports, keeping the record of each (imports.tasks)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imports import tasks
from organizations.notation import file_size, num

USAGE = 2  # CONTRACT §2: the command line is unusable


class Command(BaseCommand):
    help = _(
        "Delete the uploaded file of every workbook import that ended and was uploaded more than --days days "
        "ago (IMPORT_KEEP_DAYS by default). The record of each import stays: who, when, the file's name, size "
        "and hash, the counts and the errors. Imports waiting to be confirmed keep their file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help=_("Keep the files of the last DAYS days (at least 1)."))

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        days = int(settings.IMPORT_KEEP_DAYS) if days is None else days
        if days < 1:
            raise CommandError(_("--days must be at least 1."), returncode=USAGE)
        runs, freed = tasks.prune_files(keep=timedelta(days=days))
        if not runs:
            self.stdout.write(_("No import older than %(days)s days still had its file.") % {"days": num(days)})
            return
        message = ngettext(
            "Deleted the file of %(runs)s import uploaded more than %(days)s days ago: %(size)s freed.",
            "Deleted the files of %(runs)s imports uploaded more than %(days)s days ago: %(size)s freed.",
            runs,
        )
        self.stdout.write(message % {"runs": num(runs), "days": num(days), "size": file_size(freed)})
