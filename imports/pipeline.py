"""The workbook import (issue 5): check a stored file, then apply it in one transaction.

    validate_run(run)   read the file, normalise its cells, check every row against the database;
                        the run ends READY (no error), INVALID (errors, each located) or FAILED
                        (the file itself is unusable). The normalised rows are stored as the run's plan.
    apply_run(run)      in one transaction: check the stored rows again against the database as it is
                        now (locked) while writing them in bulk; DONE, or INVALID when a change made
                        since the check made rows wrong (told apart by a fingerprint of every row the
                        file refers to). All or nothing.
    import_file(...)    for the command (and scripts): read, then check and write in one pass; the
                        run records it all the same.

Every history row the import writes carries the run's author and `import:<run id>`.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from imports import checks, messages, reading, writes
from imports.models import ImportRun
from imports.normalize import Table, decode_plan, encode_plan, normalize
from imports.reading import Issue
from organizations import access
from organizations.bulk import ANALYZE_AFTER_ROWS, analyze
from organizations.models import Organization
from recruitment.models import Candidate, StageEvent
from recruitment.selectors import overdue_q
from reports.models import MembershipCount, Quota, Tally

logger = logging.getLogger(__name__)
Status = ImportRun.Status


@dataclass
class _Checked:
    """What a validation found, kept on the run object so that applying it in the same process skips the work."""

    tables: list[Table]
    changes: checks.Changes


def _issue_dict(issue: Issue, keys: dict[str, str]) -> dict[str, Any]:
    """An issue as stored: where (the sheet's name in the file and its key), and the message both as written and
    as it can be written again in the reader's language (imports.messages)."""
    stored: dict[str, Any] = {"sheet": issue.sheet, "row": issue.row, "column": issue.column, "message": issue.message}
    if issue.sheet in keys:
        stored["key"] = keys[issue.sheet]
    again = messages.as_json(issue.message)
    if again is not None:
        stored["msg"] = again
    return stored


def _issue_dicts(changes: checks.Changes) -> list[dict[str, Any]]:
    keys = {r.name: r.key for r in changes.results}
    return [_issue_dict(i, keys) for i in changes.issues[: ImportRun.MAX_STORED_ERRORS]]


def sheet_label(name: str, key: str | None) -> str:
    """A sheet as the pages and the command name it: as in the file in Vietnamese; in another language, by its
    English key of CONTRACT §3 (organizations, membership, quotas, people)."""
    if key and not (translation.get_language() or "vi").startswith("vi"):
        return key
    return name


def shown_issue(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored issue in the active language: its sheet named as sheet_label does, its message written again."""
    return {
        **stored,
        "sheet": sheet_label(stored["sheet"], stored.get("key")),
        "message": messages.render(stored.get("msg"), stored["message"]),
    }


def _failed_keys(tables: list[Table]) -> set[tuple[str, int]]:
    return {(t.key, i.row) for t in tables for i in t.issues if i.row}


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def validate_run(run: ImportRun, *, progress: Callable[[int, int], None] | None = None) -> None:
    """Read and check the run's file; the run ends READY, INVALID or FAILED (an unusable file)."""
    _validate(run, progress=progress, keep_plan=True)


def _validate(run: ImportRun, *, progress: Callable[[int, int], None] | None, keep_plan: bool) -> None:
    started = time.perf_counter()
    if run.status == Status.QUEUED:
        run.move_to(Status.VALIDATING, heartbeat_at=timezone.now())
    try:
        sheets = reading.read_workbook(bytes(run.content), run.filename)
    except reading.Unusable as exc:
        run.move_to(Status.FAILED, message=str(exc), duration_ms=_elapsed_ms(started), heartbeat_at=timezone.now())
        return
    rows = sum(len(sheet.numbers) for sheet in sheets)
    done = 0  # each row is gone through twice (converted, then checked): progress is told in rows

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done // 2, rows)

    tables = normalize(sheets, progress=advance, lazy=True)
    del sheets
    changes = checks.check(tables, run, progress=advance)
    run._checked = _Checked(tables, changes)  # type: ignore[attr-defined]
    status = Status.INVALID if changes.issues else Status.READY
    ended: dict[str, Any] = {}
    if status == Status.READY and not run.dry_run and not any(r.created or r.updated for r in changes.results):
        # Nothing to confirm: the run is over (issue 18), rather than waiting for a confirmation it cannot get.
        status = Status.DONE
        ended = {"applied_at": timezone.now()}  # its page says there was nothing to change
    # The plan is what confirming applies, and what the failed rows are read from.
    plan = None
    if (keep_plan and status == Status.READY) or status == Status.INVALID:
        plan = encode_plan(tables, fingerprint=changes.fingerprint, failed=_failed_keys(tables))
    summary = [r.as_dict() for r in changes.results]
    _count_overdue(run, summary, changes.today)
    run.move_to(
        status,
        summary=summary,
        errors=_issue_dicts(changes),
        error_count=changes.error_count,
        plan=plan,
        validated_at=timezone.now(),
        progress_done=rows,
        progress_total=rows,
        duration_ms=_elapsed_ms(started),
        heartbeat_at=timezone.now(),
        **{"message": "", **ended},
    )


def _count_overdue(run: ImportRun, summary: list[dict[str, Any]], today: datetime.date) -> None:
    """When the file would put more people past their deadline than it takes off, the number overdue in the
    run's scope now (the deadlines page's count), so that the preview can say what it becomes: one query."""
    for sheet in summary:
        if sheet.get("overdue_after", 0) > sheet.get("overdue_before", 0):
            overdue = Candidate.objects.filter(overdue_q(today))
            if run.scope is not None:
                overdue = overdue.filter(organization__path__startswith=run.scope.path)
            sheet["overdue_now"] = overdue.count()


class _StillInvalid(Exception):
    def __init__(self, changes: checks.Changes) -> None:
        super().__init__("rows became invalid")
        self.changes = changes


def _analyze_written(results: list[checks.SheetResult]) -> None:
    """After a large import has committed, the planner's statistics of what it wrote are taken again (a
    province's dashboard planned on statistics from before a bulk import can take seconds instead of
    milliseconds, and autovacuum takes its time, or is off)."""
    if sum(r.created + r.updated for r in results) >= ANALYZE_AFTER_ROWS:
        analyze(Organization, Candidate, StageEvent, Quota, MembershipCount, Tally)


def apply_run(run: ImportRun) -> None:
    """Write a READY run (or one being applied) in one transaction: all of it, or nothing.

    The stored rows are checked again as they are written (the file is not read again): the database may
    have changed since the check, and a row the change made wrong stops everything.
    """
    _apply(run, tables=None)


def _apply(run: ImportRun, *, tables: list[Table] | None) -> None:
    if run.status not in (Status.READY, Status.APPLYING):
        raise ValueError(f"import run {run.pk} is {run.status}, not ready")
    if run.dry_run:
        raise ValueError(f"import run {run.pk} is a dry run: it only checks")
    started = time.perf_counter()
    checked: _Checked | None = getattr(run, "_checked", None)
    checked_against: str | None = None
    if tables is None and checked is not None:
        tables, checked_against = checked.tables, checked.changes.fingerprint
    elif tables is None:
        if run.plan is None:
            raise ValueError(f"import run {run.pk} has no plan to apply")
        tables, checked_against = decode_plan(bytes(run.plan))
    changed = ""
    try:
        with transaction.atomic():
            # Written first: the run is claimed, and on SQLite the transaction holds the write lock from here.
            claimed = ImportRun.objects.filter(pk=run.pk, status__in=[Status.READY, Status.APPLYING]).update(
                status=Status.APPLYING, heartbeat_at=timezone.now()
            )
            if not claimed:
                return
            run.status = Status.APPLYING
            scope = checks.Scope(run)
            today = timezone.localdate()
            state = checks.State.load(tables, scope, today=today, lock=True)
            if checked_against is not None and state.fingerprint != checked_against:
                changed = _("The data changed after the file was checked; the file was checked again before importing.")
            # The driver's own errors (a COPY's) as Django's, with the driver's error as their cause.
            with connection.wrap_database_errors:
                changes = checks.Checker(tables, state, scope, today, None).run(writes.Writer(run, today))
            if changes.issues:
                raise _StillInvalid(changes)
            run.move_to(
                Status.DONE,
                summary=[r.as_dict() for r in changes.results],
                applied_at=timezone.now(),
                plan=None,
                message=changed,
                duration_ms=run.duration_ms + _elapsed_ms(started),
                heartbeat_at=timezone.now(),
            )
        _analyze_written(changes.results)
    except _StillInvalid as exc:
        run.refresh_from_db(fields=["status"])
        message = ""
        if changed:
            message = _(
                "The data changed after the file was checked, and some rows are now wrong. Nothing was saved: "
                "correct them and import the file again."
            )
        run._checked = _Checked(tables, exc.changes)  # type: ignore[attr-defined]
        run.move_to(
            Status.INVALID,
            summary=[r.as_dict() for r in exc.changes.results],
            errors=_issue_dicts(exc.changes),
            error_count=exc.changes.error_count,
            plan=encode_plan(tables, fingerprint=exc.changes.fingerprint, failed=_failed_keys(tables)),
            message=message,
            duration_ms=run.duration_ms + _elapsed_ms(started),
            heartbeat_at=timezone.now(),
        )
    except DatabaseError as exc:
        conflict, constraint = database_failure(exc)
        if conflict:
            logger.warning("import run %s not applied: a conflict with another change (%s): %s", run.pk,
                           constraint or "no constraint", exc)  # fmt: skip
            message = _(
                "Someone changed the same data while the file was being imported. Nothing was saved: "
                "import the file again."
            )
        else:
            # The checks let through a row the database refuses: a check is missing (each constraint has one).
            logger.error("import run %s not applied: the database refused a row the checks accepted, "
                         "constraint %s: %s", run.pk, constraint or "unknown", exc)  # fmt: skip
            message = _(
                "The import stopped because of an internal error: the database refused a row that the checks "
                "had accepted (%(constraint)s). Nothing was saved. Report it to the system administrator, "
                "giving the import's number (#%(run)s)."
            ) % {"constraint": constraint or "?", "run": run.pk}
        run.refresh_from_db(fields=["status"])
        run.move_to(
            Status.FAILED,
            message=message,
            duration_ms=run.duration_ms + _elapsed_ms(started),
            heartbeat_at=timezone.now(),
        )


# SQLSTATEs of a conflict with another transaction: a serialization failure, a deadlock, a lock not
# available, and a unique key that another transaction inserted meanwhile (the checks refuse every
# duplicate they can see: in the file, and in the database as it was read).
CONFLICT_STATES = frozenset({"40001", "40P01", "55P03", "23505"})
_SQLITE_CONSTRAINT = re.compile(r"(CHECK|UNIQUE|NOT NULL|FOREIGN KEY) constraint failed(?::\s*(.+))?")


def database_failure(exc: DatabaseError) -> tuple[bool, str]:
    """(whether another transaction's change caused it, the name of the constraint the database named).

    PostgreSQL gives the SQLSTATE and the constraint's name on the driver's error (the cause of Django's);
    SQLite only a message: "CHECK constraint failed: <name>", "database is locked"."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    state = getattr(cause, "pgcode", None)
    if state:
        diag = getattr(cause, "diag", None)
        return state in CONFLICT_STATES, getattr(diag, "constraint_name", None) or ""
    text = str(cause)
    found = _SQLITE_CONSTRAINT.search(text)
    if found:
        return found[1] == "UNIQUE", (found[2] or "").strip()
    return "database is locked" in text or "database table is locked" in text, ""


def _scope_for(user: User | None) -> Organization | None:
    """The user's one scope organization; None for the whole tree or for several subtrees (the roles decide)."""
    if user is None or access.is_global(user):
        return None
    roots = access.scope_roots(user)
    return roots[0] if len(roots) == 1 else None


class _Reading:
    """The workbook read in a thread, while the run is recorded: the reader needs no database, and the
    xlsx reader (python-calamine) lets go of the GIL while it parses, so storing the file and parsing it
    overlap. `result()` gives the sheets or raises what the reader raised (reading.Unusable)."""

    def __init__(self, data: bytes, filename: str) -> None:
        self._sheets: list[reading.Sheet] = []
        self._error: BaseException | None = None
        language = translation.get_language()  # the reader's messages, in the language of the caller

        def read() -> None:
            try:
                with translation.override(language):
                    self._sheets = reading.read_workbook(data, filename)
            except BaseException as exc:  # handed over by result()
                self._error = exc

        self._thread = threading.Thread(target=read, name="import-read", daemon=True)
        self._thread.start()

    def result(self) -> list[reading.Sheet]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        sheets, self._sheets = self._sheets, []
        return sheets


def import_file(data: bytes, filename: str, *, user: User | None, dry_run: bool) -> ImportRun:
    """Record a run for the file, check it and, unless dry_run or it has errors, apply it."""
    max_bytes = reading.max_bytes()
    too_big = len(data) > max_bytes
    started = time.perf_counter()
    read = None if too_big or dry_run else _Reading(data, filename)
    run = ImportRun.objects.create(
        created_by=user,
        scope=_scope_for(user),
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        # A file over the limit is refused by the reader; it is not worth storing.
        content=b"" if too_big else data,
        dry_run=dry_run,
        status=Status.QUEUED,
        heartbeat_at=timezone.now(),
    )
    if too_big:
        try:
            reading.read_workbook(data, filename)
        except reading.Unusable as exc:
            run.move_to(Status.FAILED, message=str(exc))
            return run
        run.content = data  # pragma: no cover - the reader's limit is the same
        run.save(update_fields=["content"])
    if dry_run:
        _validate(run, progress=None, keep_plan=False)
        return run
    # Checked while it is written, in one pass and one transaction: rows with errors roll it all back.
    assert read is not None
    run.move_to(Status.VALIDATING, heartbeat_at=timezone.now())
    try:
        sheets = read.result()
    except reading.Unusable as exc:
        run.move_to(Status.FAILED, message=str(exc), duration_ms=_elapsed_ms(started), heartbeat_at=timezone.now())
        return run
    tables = normalize(sheets, lazy=True)  # the people's rows converted as the checks reach them
    del sheets
    run.move_to(Status.READY, validated_at=timezone.now(), duration_ms=_elapsed_ms(started))
    try:
        _apply(run, tables=tables)
    except Exception as exc:
        # Nothing was saved (the transaction is rolled back); the run says so, then the error goes on up.
        ImportRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED,
            message=_("The import stopped because of an internal error (%(error)s). Nothing was saved.")
            % {"error": type(exc).__name__},
        )
        raise
    return run


def issues(run: ImportRun) -> list[dict[str, Any]]:
    """Every error of the run when it was checked in this process, else the stored first ones; in the active
    language (shown_issue)."""
    checked: _Checked | None = getattr(run, "_checked", None)
    if checked is None:
        return [shown_issue(i) for i in run.errors]
    keys = {r.name: r.key for r in checked.changes.results}
    return [shown_issue(_issue_dict(i, keys)) for i in checked.changes.issues]


def failed_rows(run: ImportRun) -> list[tuple[str, list[str], list[tuple[int, list[object], str]]]]:
    """Per sheet with row errors: (sheet name, headers as in the file, [(row number, values as read, messages)])."""
    checked: _Checked | None = getattr(run, "_checked", None)
    if checked is not None:
        tables = checked.tables
    elif run.plan:
        tables, _fingerprint = decode_plan(bytes(run.plan))
    else:
        return []
    out = []
    for t in tables:
        messages: dict[int, list[str]] = {}
        for issue in t.issues:
            if issue.row:
                # The column, unless the message opens with its name already ("Số CCCD gồm 12 chữ số…").
                named = not issue.column or issue.message.casefold().startswith(issue.column.casefold())
                text = issue.message if named else f"{issue.column}: {issue.message}"
                messages.setdefault(issue.row, []).append(text)
        if not messages:
            continue
        if t.raw and t.raw_headers:
            headers = list(t.raw_headers)
            values_of = t.raw
        else:
            headers = [t.header(k) for k in t.columns]
            values_of = {number: list(values) for number, values in t.rows}
        rows = [
            (number, list(values_of.get(number, [])), "\n".join(texts)) for number, texts in sorted(messages.items())
        ]
        out.append((t.name, headers, rows))
    return out
