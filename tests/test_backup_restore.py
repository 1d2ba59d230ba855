"""A backup restored into an empty database gives the same reports, tallies that check, and the same audit history.

The whole round trip runs as the operator would (README, "Backup and restore"): the demo data in one
database, `backup_database`, a new empty database, `migrate`-free `restore_database`, then the same
reports read from both. On SQLite always; on PostgreSQL when the suite runs there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg2
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")

# What must come out the same: the attainment of the demo province (CONTRACT §4), the audit history
# of the people and the tree, and the stage events, each as sorted rows.
FACTS = """
import django, hashlib, json; django.setup()
from django.core.management import call_command
from io import StringIO
from organizations.models import Organization
from recruitment.models import Candidate, StageEvent
root = Organization.objects.get(depth=1)
out = StringIO()
call_command("attainment_report", org=root.code, term="2020-2025", format="json", stdout=out)
year = StringIO()
call_command("attainment_report", org=root.code, year="2024", format="csv", stdout=year)
def digest(qs):
    rows = [json.dumps(r, default=str, sort_keys=True) for r in qs.values()]
    return [len(rows), hashlib.sha256("\\n".join(sorted(rows)).encode()).hexdigest()]
print(json.dumps({
    "term": json.loads(out.getvalue()), "year": year.getvalue(),
    "candidates": digest(Candidate.objects.all()),
    "candidate_history": digest(Candidate.history.all()),
    "organization_history": digest(Organization.history.all()),
    "events": digest(StageEvent.objects.all()),
}, sort_keys=True))
"""


def _manage(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    return subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900,
        input=stdin,
    )  # fmt: skip


class RoundTrip:
    def check_round_trip(self: SimpleTestCase, source: str, target: str, backup: Path) -> None:  # type: ignore[misc]
        manage = str(ROOT / "manage.py")
        for args in (["migrate", "-v0"], ["seed_demo"]):
            proc = _manage(source, manage, *args)
            self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        proc = _manage(source, manage, "backup_database", str(backup))
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        self.assertIn(f"Đã ghi bản sao lưu vào {backup}", proc.stdout)  # Vietnamese first
        self.assertGreater(backup.stat().st_size, 10_000)
        # A second backup to the same name is refused: a backup is never overwritten.
        again = _manage(source, manage, "backup_database", str(backup))
        self.assertEqual(again.returncode, 2)

        proc = _manage(target, manage, "restore_database", str(backup))
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        # Restoring twice would mix two databases: refused, nothing changed.
        twice = _manage(target, manage, "restore_database", str(backup))
        self.assertEqual(twice.returncode, 2)
        self.assertIn("không trống", twice.stderr)

        before, after = _manage(source, "-c", FACTS), _manage(target, "-c", FACTS)
        self.assertEqual(before.returncode, 0, before.stderr[-3000:])
        self.assertEqual(after.returncode, 0, after.stderr[-3000:])
        self.assertEqual(after.stdout, before.stdout)
        self.assertIn('"admitted"', before.stdout)
        check = _manage(target, manage, "rebuild_tallies", "--check")
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        migrated = _manage(target, manage, "migrate", "--check", "-v0")
        self.assertEqual(migrated.returncode, 0, migrated.stdout + migrated.stderr)


class SQLiteBackupTestCase(RoundTrip, SimpleTestCase):
    def test_a_restored_backup_gives_the_same_reports_tallies_and_history(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            self.check_round_trip(f"sqlite:///{tmp}/a.sqlite3", f"sqlite:///{tmp}/b.sqlite3", Path(tmp) / "a.backup")

    def test_a_file_that_is_not_a_backup_is_refused(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            junk = Path(tmp) / "junk.backup"
            junk.write_bytes(b"not a database" * 100)
            proc = _manage(f"sqlite:///{tmp}/b.sqlite3", str(ROOT / "manage.py"), "restore_database", str(junk))
        self.assertEqual(proc.returncode, 2, proc.stderr)


class PostgreSQLBackupTestCase(RoundTrip, SimpleTestCase):
    databases: set[str] = set()

    def setUp(self) -> None:
        if not ON_POSTGRESQL:
            self.skipTest("the suite runs on SQLite")
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        self.names = [f"backup_{uuid.uuid4().hex[:10]}_{side}" for side in ("a", "b")]
        self.urls = [f"{base}/{name}" for name in self.names]
        self._admin(lambda cur: [cur.execute(f'CREATE DATABASE "{n}"') for n in self.names])

    def tearDown(self) -> None:
        if ON_POSTGRESQL:
            self._admin(lambda cur: [cur.execute(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)') for n in self.names])

    def _admin(self, action: object) -> None:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        conn = psycopg2.connect(f"{base}/postgres")
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                action(cur)  # type: ignore[operator]
        finally:
            conn.close()

    def test_a_restored_dump_gives_the_same_reports_tallies_and_history(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            self.check_round_trip(self.urls[0], self.urls[1], Path(tmp) / "a.dump")
