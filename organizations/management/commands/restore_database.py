from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from organizations.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a file written by backup_database into the configured database, which must be empty "
        "(a new PostgreSQL database made with createdb, or a new SQLite file). Then run migrate, in case the "
        "backup was made by an older version. Exit codes: 0 done, 2 the restore could not be made "
        "(nothing restored)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> str:
        try:
            restore(options["path"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        return _("Restored %(path)s.") % {"path": options["path"]}
