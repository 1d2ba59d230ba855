"""Backup and restore of the whole database: pg_dump/pg_restore on PostgreSQL, SQLite's online backup.

A backup is one file. It is taken while the app runs: pg_dump reads one consistent snapshot, and
SQLite's backup API copies the pages under a read lock (writes wait, nothing is torn). A restore goes
into an EMPTY database only (a new one, after `createdb`, or a new SQLite file): it never mixes a
backup with the rows of another database, and so it needs no delete. Afterwards the planner's
statistics are taken again (pg_restore leaves none), so the first pages are not planned blind.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _


class BackupError(Exception):
    """The backup or restore could not be done; the message says why and what to do."""


def _settings(using: str) -> dict[str, Any]:
    return connections[using].settings_dict


def _vendor(using: str) -> str:
    return connections[using].vendor


def _pg_env(settings: dict[str, Any]) -> dict[str, str]:
    """libpq's variables: the password never appears on a command line (other users' `ps` would show it)."""
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[name] = str(settings[key])
    env["PGDATABASE"] = str(settings["NAME"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _("%(tool)s was not found: install PostgreSQL's client programs (Debian: postgresql-client).")
            % {"tool": name}
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise BackupError(proc.stderr.strip() or proc.stdout.strip() or f"{command[0]}: exit {proc.returncode}")


def backup(path: Path, *, using: str = "default") -> int:
    """Writes the database to `path` (which must not exist yet). Returns the size of the file in bytes."""
    if path.exists():
        raise BackupError(_("%(path)s already exists: choose a new file name.") % {"path": path})
    settings = _settings(using)
    if _vendor(using) == "postgresql":
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"]
        _run(command, _pg_env(settings))
    elif _vendor(using) == "sqlite":
        connections[using].close()
        source = sqlite3.connect(settings["NAME"])
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        raise BackupError(_("Backups are made of PostgreSQL and SQLite databases only."))
    return path.stat().st_size


def _is_empty(using: str) -> bool:
    with connections[using].cursor() as cursor:
        return not connections[using].introspection.table_names(cursor)


def restore(path: Path, *, using: str = "default") -> None:
    """Restores the backup at `path` into the configured database, which must be empty."""
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": path})
    if not _is_empty(using):
        raise BackupError(
            _(
                "The database %(name)s is not empty: a backup is restored into an empty database only. Create a new "
                "database (PostgreSQL: createdb; SQLite: a new file in DATABASE_URL) and restore into it."
            )
            % {"name": _settings(using)["NAME"]}
        )
    settings = _settings(using)
    if _vendor(using) == "postgresql":
        command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        env = _pg_env(settings)
        _run([*command, f"--dbname={settings['NAME']}", str(path)], env)
        connections[using].close()
        with connections[using].cursor() as cursor:
            cursor.execute("ANALYZE")
    elif _vendor(using) == "sqlite":
        connections[using].close()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(settings["NAME"])
        try:
            if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(_("%(path)s is not a sound SQLite database.") % {"path": path})
            with target:
                source.backup(target)
            target.execute("ANALYZE")
        except sqlite3.DatabaseError as exc:
            raise BackupError(_("%(path)s is not a SQLite database: %(error)s") % {"path": path, "error": exc}) from exc
        finally:
            target.close()
            source.close()
    else:
        raise BackupError(_("Backups are made of PostgreSQL and SQLite databases only."))
