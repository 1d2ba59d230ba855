"""The import worker outlasts a database restart (imports/management/commands/db_worker.py).

PostgreSQL only: the worker reaches the database through a TCP relay that this test cuts for three
seconds, dropping the open connections and refusing new ones, as a restarting server does. The worker
must still be running afterwards and take the next import as usual.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import unittest
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import User
from django.db import connection
from django.db.utils import OperationalError
from django.test import SimpleTestCase, TransactionTestCase, override_settings

from imports.management.commands.db_worker import Worker
from imports.models import ImportRun
from imports.tasks import import_start
from recruitment.models import RuleSet
from tests.relay import Relay
from tests.workbooks import people_workbook

ROOT = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@unittest.skipUnless(os.environ.get("DATABASE_URL", "").startswith("postgres"), "a relay to a PostgreSQL server")
class WorkerOutlastsADatabaseRestartTestCase(TransactionTestCase):
    def test_the_worker_waits_for_the_database_and_takes_the_next_import(self) -> None:
        # A TransactionTestCase before this one may have emptied the tables the migrations filled.
        RuleSet.objects.get_or_create(effective_from="2025-07-01", defaults={"legal_basis": "294-QĐ/TW"})
        settings_dict = connection.settings_dict
        relay = Relay((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
        relay.start()
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{settings_dict['USER']}@127.0.0.1:{relay.port}/{settings_dict['NAME']}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "TASKS_BACKEND": "database",
            "CONN_MAX_AGE": "60",
            "DEBUG": "1",
        }
        worker = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed program)
            [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.05", "--no-startup-delay",
             "--no-reload", "-v1"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            time.sleep(2)
            self.assertIsNone(worker.poll(), "the worker is up")
            relay.cut()
            time.sleep(3)
            self.assertIsNone(worker.poll(), "the worker did not exit while the database was away")
            relay.start()  # the same port, listening again
            alice = User.objects.create_user("alice", password="x", is_superuser=True)
            with override_settings(TASKS=DATABASE_TASKS):
                run = import_start(data=people_workbook(3), filename="p.xlsx", acting_user=alice, scope=None)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                run.refresh_from_db()
                if run.status != ImportRun.Status.QUEUED and run.status != ImportRun.Status.VALIDATING:
                    break
                time.sleep(0.2)
            self.assertIsNone(worker.poll(), "the worker is still running")
        finally:
            worker.terminate()
            output = worker.communicate(timeout=30)[0]
            relay.cut()
        self.assertIn("database unavailable", output)
        self.assertIn("database available again", output)
        self.assertIn(run.status, (ImportRun.Status.READY, ImportRun.Status.INVALID), output[-3000:])


class RequeueTestCase(SimpleTestCase):
    def test_the_worker_gives_up_waiting_when_told_to_stop(self) -> None:
        worker = Worker(
            queue_names=["default"], interval=0.01, batch=False, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id="w1", excluded_queue_names=[],
        )  # fmt: skip
        worker.running = False
        self.assertFalse(worker.wait_for_database())

    def test_a_lock_past_its_timeout_is_not_taken_for_an_outage(self) -> None:
        worker = Worker(
            queue_names=["default"], interval=0.01, batch=False, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id="w1", excluded_queue_names=[],
        )  # fmt: skip
        locked = OperationalError("database is locked")
        with (
            mock.patch("django_tasks_db.management.commands.db_worker.Worker.run", side_effect=locked),
            self.assertRaises(OperationalError),
        ):
            worker.run()


class RequeueInterruptedTestCase(TransactionTestCase):
    def test_only_the_tasks_this_worker_was_running_go_back_in_the_queue(self) -> None:
        from django.utils import timezone
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        def task(status: str, worker_ids: list[str]) -> DBTaskResult:
            return DBTaskResult.objects.create(
                status=status, args_kwargs={"args": [1], "kwargs": {}}, task_path="imports.tasks.apply_import",
                backend_name="default", queue_name="default", run_after=timezone.now(), worker_ids=worker_ids,
                started_at=timezone.now(),
            )  # fmt: skip

        mine = task(TaskResultStatus.RUNNING, ["old", "w1"])
        another_workers = task(TaskResultStatus.RUNNING, ["w2"])
        retried_elsewhere = task(TaskResultStatus.RUNNING, ["w1", "w2"])
        finished = task(TaskResultStatus.SUCCESSFUL, ["w1"])
        worker = Worker(
            queue_names=["default"], interval=0.01, batch=False, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id="w1", excluded_queue_names=[],
        )  # fmt: skip
        self.assertEqual(worker.requeue_interrupted(), 1)
        statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
        self.assertEqual(statuses[mine.pk], TaskResultStatus.READY)
        self.assertEqual(statuses[another_workers.pk], TaskResultStatus.RUNNING)
        self.assertEqual(statuses[retried_elsewhere.pk], TaskResultStatus.RUNNING)
        self.assertEqual(statuses[finished.pk], TaskResultStatus.SUCCESSFUL)
