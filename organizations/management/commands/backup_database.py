from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from organizations.backup import BackupError, backup
from organizations.notation import file_size


class Command(BaseCommand):
    help = (
        "Write the whole database to one file while the app runs: pg_dump's custom format on PostgreSQL, "
        "SQLite's online backup for the embedded default. The file must not exist yet. "
        "Exit codes: 0 done, 2 the backup could not be made."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> str:
        try:
            size = backup(options["path"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        return _("Backup written to %(path)s (%(size)s).") % {"path": options["path"], "size": file_size(size)}
