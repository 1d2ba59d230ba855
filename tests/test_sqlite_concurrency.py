"""The embedded default holds: on SQLite, the import worker polling its queue never makes a web write fail.

`make run` serves the web and runs `db_worker` on one SQLite file. The worker takes an exclusive transaction at
every poll; in SQLite's default journal a web write that began by reading then failed at once with "database is
locked" (an organization edit answered 500, and `add_user` failed the same way). Here a real worker polls as fast
as it can while another process makes the writes a web request makes, each in a transaction that reads first.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent

WRITES = """
import django, sys, time
django.setup()
from django.db import OperationalError, connection, transaction
from organizations import services
from organizations.models import Kind, Organization

root = services.organization_create(parent=None, code="T", name="Tỉnh", kind=Kind.PROVINCE)
done, failed, deadline = 0, [], time.monotonic() + float(sys.argv[1])
while time.monotonic() < deadline:
    try:
        with transaction.atomic():
            n = Organization.objects.count()  # a read first, as a form's validation does
            services.organization_create(parent=root, code=f"T{n}", name=f"Xã {n}", kind=Kind.COMMUNE)
        done += 1
    except OperationalError as exc:
        failed.append(str(exc))
print(connection.cursor().execute("PRAGMA journal_mode").fetchone()[0], done, len(failed), sorted(set(failed)))
"""


class WorkerAndWebTestCase(SimpleTestCase):
    def test_web_writes_succeed_while_the_worker_polls(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
                "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DEBUG": "1",
            }
            manage = [sys.executable, str(ROOT / "manage.py")]
            subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)  # noqa: S603
            worker = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed program)
                [*manage, "db_worker", "--interval", "0.001", "--no-startup-delay", "--no-reload", "-v0"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                time.sleep(1.5)  # the worker is up and polling
                if worker.poll() is not None:
                    self.fail(f"the worker stopped: {worker.stderr.read() if worker.stderr else ''}")
                writes = subprocess.run(  # noqa: S603
                    [sys.executable, "-c", WRITES, "4"],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
            finally:
                worker.terminate()
                worker.wait(timeout=30)
        self.assertEqual(writes.returncode, 0, writes.stderr)
        mode, done, failed, messages = writes.stdout.split(maxsplit=3)
        self.assertEqual(mode, "wal")
        self.assertEqual(int(failed), 0, messages)
        self.assertGreater(int(done), 20)  # it really wrote while the worker polled
