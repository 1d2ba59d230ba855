"""`db_worker`, django-tasks-db's worker, made to outlast a database restart.

The library's worker exits with an error when the database goes away (only SQLite's "locked" is
retried), and the imports then stop until someone restarts it. This command takes its name (the
`imports` app comes before django_tasks_db in INSTALLED_APPS, so Django finds this one first) and
its options, and runs a worker that, when the database cannot be reached:
- waits, asking again with a growing pause (0.5 s, doubling, at most RETRY_MAX_SECONDS), logging once;
- when it answers, puts the tasks it was running back in the queue: an import's apply is one
  transaction, so the attempt cut off left nothing, and the run is applied again from the start;
- goes on taking tasks, as before.
A validation cut off is not resumed that way (its run claims QUEUED only): it shows as stalled after a
minute, with the button to check it again (imports.tasks.is_stale).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker as library
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from config.errors import database_unavailable

logger = logging.getLogger("django_tasks_db")

RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0


class Worker(library.Worker):
    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                if isinstance(error, OperationalError) and is_locked_database_exception(error):
                    raise  # the library retries these itself; one that escapes is not an outage
                if not database_unavailable(error):
                    raise
                self.running_task = False
                logger.warning("database unavailable (%s): the worker waits for it", error)
                if not self.wait_for_database():
                    return
                self.requeue_interrupted()

    def wait_for_database(self) -> bool:
        """Until the database answers (True), or the worker is told to stop (False)."""
        pause = RETRY_FIRST_SECONDS
        while self.running:
            for connection in connections.all(initialized_only=True):
                with contextlib.suppress(Exception):  # a dead connection may fail to close; it is dropped anyway
                    connection.close()
            try:
                connections["default"].ensure_connection()
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT 1")
            except (OperationalError, InterfaceError):
                time.sleep(pause)
                pause = min(pause * 2, RETRY_MAX_SECONDS)
                continue
            logger.warning("database available again: the worker goes on")
            return True
        return False

    def requeue_interrupted(self) -> int:
        """Puts back in the queue the tasks this worker had claimed and not finished. Returns how many."""
        running = DBTaskResult.objects.running().filter(backend_name=self.backend_name)
        mine = [pk for pk, ids in running.values_list("pk", "worker_ids") if ids and ids[-1] == self.worker_id]
        if mine:
            DBTaskResult.objects.filter(pk__in=mine).update(status=TaskResultStatus.READY, started_at=None)
            logger.warning("%s interrupted task(s) queued again: %s", len(mine), ", ".join(map(str, mine)))
        return len(mine)


class Command(library.Command):
    help = library.Command.help + " It waits for the database when it goes away, and resumes."

    def handle(self, *args: Any, **options: Any) -> None:
        original = library.Worker
        library.Worker = Worker  # type: ignore[misc]  # this process only: the command is its whole life
        try:
            super().handle(*args, **options)
        finally:
            library.Worker = original  # type: ignore[misc]
