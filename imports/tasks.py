"""The web import's steps and its background work (django-tasks, Django's DEP 14 task framework).

Upload stores the file in an ImportRun and queues its validation; confirming queues its apply.
Both run in the `db_worker` process in production (the database backend: the queue is a table,
so it survives restarts and serves several app servers) and at once in tests (the immediate
backend). Everything the pages show is on the ImportRun row: no state lives in a process.

A worker killed mid-task leaves its run validating or applying; a run whose last sign of life is
older than STALE_AFTER (an apply: see is_stale) is shown as stalled, with a button to queue it
again (`import_retry`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from hashlib import sha256

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import IntegerField, Q, Sum
from django.db.models.functions import Coalesce, Length
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from imports import pipeline
from imports.models import ImportRun
from organizations.models import Organization

logger = logging.getLogger(__name__)

Status = ImportRun.Status
RUNNING = (Status.QUEUED, Status.VALIDATING, Status.APPLYING)
STALE_AFTER = timedelta(minutes=1)
APPLY_STALE_AFTER = timedelta(minutes=10)
# Progress is written when it moved by a hundredth, or this many seconds after the last write.
PROGRESS_INTERVAL = 0.5


def prune_files(*, keep: timedelta, now: datetime | None = None) -> tuple[int, int]:
    """Deletes the stored file and plan of the runs uploaded more than `keep` ago that have ended: imported,
    failed, refused for errors, or checked only (a dry run ends once checked). A run waiting to be
    confirmed keeps its file. The record stays, with `file_deleted_at` set. Returns (runs, bytes freed)."""
    now = now or timezone.now()
    ended = Q(status__in=[Status.DONE, Status.INVALID, Status.FAILED]) | Q(dry_run=True, status=Status.READY)
    runs = ImportRun.objects.filter(ended, created_at__lt=now - keep, file_deleted_at__isnull=True)
    with transaction.atomic():
        ids = list(runs.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0, 0
        chosen = ImportRun.objects.filter(pk__in=ids)
        freed = chosen.aggregate(
            bytes=Sum(Coalesce(Length("content"), 0) + Coalesce(Length("plan"), 0), output_field=IntegerField())
        )["bytes"]
        chosen.update(content=b"", plan=None, file_deleted_at=now)
    logger.info("import files pruned: %s runs, %s bytes", len(ids), freed)
    return len(ids), int(freed or 0)


def _progress_writer(run_id: int) -> Callable[[int, int], None]:
    """Writes the progress when it moved by a hundredth, or after PROGRESS_INTERVAL: at most ~100 small UPDATEs."""
    last_time = 0.0
    last_done = 0

    def progress(done: int, total: int) -> None:
        nonlocal last_time, last_done
        now = time.monotonic()
        moved = done - last_done >= max(1, total // 100)
        if done < total and not moved and now - last_time < PROGRESS_INTERVAL:
            return
        last_time, last_done = now, done
        ImportRun.objects.filter(pk=run_id).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )

    return progress


def _crashed(run_id: int, exc: BaseException) -> None:
    logger.exception("import run %s failed", run_id)
    message = _("The import stopped because of an internal error (%(error)s). Nothing was saved.") % {
        "error": type(exc).__name__
    }
    ImportRun.objects.filter(pk=run_id, status__in=RUNNING).update(
        status=Status.FAILED, message=message, heartbeat_at=timezone.now()
    )


@task()
def validate_import(run_id: int, language: str | None = None) -> None:
    """Reads and checks the stored file; the run ends READY, INVALID or FAILED. `language`: the uploader's, for
    what is stored as text (the run's message; the errors are also stored to be written again in any language)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        _validate_import(run_id)


def _validate_import(run_id: int) -> None:
    # Claim the run: a retried task and a late original must not both validate it.
    claimed = ImportRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.VALIDATING, progress_done=0, progress_total=0, heartbeat_at=timezone.now()
    )
    run = ImportRun.objects.filter(pk=run_id).first() if claimed else None
    if run is None:
        return
    try:
        pipeline.validate_run(run, progress=_progress_writer(run_id))
    except ImportRun.Superseded:
        logger.warning("import run %s: this validation was overtaken by another attempt; its result is dropped", run_id)
    except Exception as exc:
        _crashed(run_id, exc)
        raise


@task()
def apply_import(run_id: int, language: str | None = None) -> None:
    """Writes a confirmed run's rows in one transaction; the run ends DONE or FAILED."""
    with translation.override(language or settings.LANGUAGE_CODE):
        _apply_import(run_id)


def _apply_import(run_id: int) -> None:
    run = ImportRun.objects.filter(pk=run_id, status=Status.APPLYING).first()
    if run is None:
        return
    try:
        pipeline.apply_run(run)
    except ImportRun.Superseded:
        logger.warning("import run %s: this attempt to apply it was overtaken by another; nothing was kept", run_id)
    except Exception as exc:
        _crashed(run_id, exc)
        raise


def import_start(*, data: bytes, filename: str, acting_user: User, scope: Organization | None) -> ImportRun:
    """Stores the uploaded file as a new run and queues its validation."""
    run = ImportRun.objects.create(
        created_by=acting_user,
        scope=scope,
        filename=filename[:255],
        sha256=sha256(data).hexdigest(),
        size=len(data),
        content=data,
        status=Status.QUEUED,
        heartbeat_at=timezone.now(),
    )
    validate_import.enqueue(run.pk, translation.get_language())
    return run


def has_changes(run: ImportRun) -> bool:
    """A checked run without errors that would write something (a file already imported changes nothing)."""
    return (
        run.status == Status.READY
        and not run.error_count
        and any(sheet.get("created") or sheet.get("updated") for sheet in run.summary)
    )


def import_confirm(*, run: ImportRun, acting_user: User) -> bool:
    """Queues the apply of a valid run; False when the run is not (or no longer) waiting for it, or when
    it would change nothing."""
    if not has_changes(run):
        return False
    # One conditional UPDATE: two clicks, or two tabs, apply the run once.
    # A dry run (import_workbook --dry-run) was asked to check only.
    claimed = ImportRun.objects.filter(pk=run.pk, status=Status.READY, error_count=0, dry_run=False).update(
        status=Status.APPLYING, heartbeat_at=timezone.now(), confirmed_by=acting_user
    )
    if not claimed:
        return False
    logger.info("import run %s confirmed by %s", run.pk, acting_user.username)
    apply_import.enqueue(run.pk, translation.get_language())
    return True


def is_stale(run: ImportRun, *, now: datetime | None = None) -> bool:
    """A run still marked as running whose worker has stopped: no sign of life for STALE_AFTER (a check
    writes its progress every half second; a queued run is taken within seconds).

    The apply is one transaction, so it can write no progress that others see. On PostgreSQL its row
    lock tells: while an apply holds the run's row, it is alive, however long it takes. Elsewhere
    (SQLite in development) an apply is given APPLY_STALE_AFTER."""
    if run.status not in RUNNING:
        return False
    idle = (now or timezone.now()) - (run.heartbeat_at or run.created_at)
    if run.status != Status.APPLYING:
        return idle > STALE_AFTER
    if connection.vendor != "postgresql":
        return idle > APPLY_STALE_AFTER
    if idle <= STALE_AFTER:
        return False
    with transaction.atomic():
        unlocked = ImportRun.objects.filter(pk=run.pk).select_for_update(skip_locked=True).values_list("pk")
        return bool(list(unlocked))  # not held by an apply: nobody is applying it


def import_retry(*, run: ImportRun, acting_user: User) -> bool:
    """Queues a stalled run's step again (validation, or the apply); False when it is not stalled."""
    if not is_stale(run):
        return False
    logger.warning("import run %s retried by %s after it stalled in %s", run.pk, acting_user.username, run.status)
    # Only if the run is still where it stalled: it may have ended since the page was shown.
    still = ImportRun.objects.filter(pk=run.pk, status=run.status)
    if run.status == Status.APPLYING:
        # The apply is one transaction: a killed worker's attempt left nothing behind.
        if not still.update(heartbeat_at=timezone.now()):
            return False
        apply_import.enqueue(run.pk, translation.get_language())
    else:
        if not still.update(status=Status.QUEUED, progress_done=0, progress_total=0, heartbeat_at=timezone.now()):
            return False
        validate_import.enqueue(run.pk, translation.get_language())
    return True


def previous_import(*, run: ImportRun) -> ImportRun | None:
    """An earlier run of the same file that was applied, by the same user or into the same scope."""
    same_scope = Q(scope=run.scope_id) if run.scope_id else Q(scope__isnull=True)
    return (
        ImportRun.objects.filter(sha256=run.sha256, status=Status.DONE, created_at__lt=run.created_at)
        .filter(Q(created_by=run.created_by_id) | same_scope)
        .only("pk", "applied_at", "created_at", "filename", "created_by")
        .order_by("-applied_at")
        .first()
    )
