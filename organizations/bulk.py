"""Set-based writes: a few statements per table (one per few thousand rows), whatever the number of rows.

The one COPY writer, for any app's tables: the workbook import (imports.writes), the generated data
(devdata.dataset, through `Table`) and the import's benchmark all write with it.

On PostgreSQL rows go in with COPY (CSV format), and updates through a temporary table filled by
COPY and one UPDATE … FROM; elsewhere (SQLite in development and tests) one executemany per table.
`Background` runs the COPYs in a thread, a chunk of rows each, while the caller checks the next rows.
New rows get their ids up front (one query), so that the history rows and the rows that refer to
them can be written in the same pass.

A row is encoded once (`Encoder.encode`) into what the backend takes: a CSV line for COPY on
PostgreSQL, a tuple of parameters elsewhere. Encoded pieces of a row are joined with `join`, so a
caller can encode the part of a row it knows early and add the rest (ids, timestamps) at write time.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

_counter = itertools.count(1)


class _Sink:
    """A file for csv.writer that hands each line back: writerow() then returns the encoded row."""

    def write(self, line: str) -> str:
        return line


class Encoder:
    """Encodes rows for the database in use.

    PostgreSQL: CSV lines for COPY (csv's C writer does the work); None becomes an unquoted empty
    field, which COPY reads as NULL, and the text columns are read with FORCE_NOT_NULL, so an empty
    string stays an empty string. Elsewhere: tuples of parameters.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        # "\r\n" as the line end makes csv quote any field holding either character; it is cut off again.
        self._writer = csv.writer(_Sink(), lineterminator="\r\n")

    def encode(self, values: Iterable[Any]) -> Any:
        if self.postgres:
            line: str = self._writer.writerow(values)  # type: ignore[func-returns-value]
            return line[:-2]
        return tuple(map(self._param, values))

    def join(self, *pieces: Any) -> Any:
        if self.postgres:
            return ",".join(pieces)
        return tuple(itertools.chain.from_iterable(pieces))

    @staticmethod
    def _param(value: Any) -> Any:
        if value is None:
            return None
        t = type(value)
        if t is str or t is int:
            return value
        if t is bool:
            return int(value)
        if t is datetime.datetime:
            return connection.ops.adapt_datetimefield_value(value)
        if t is datetime.date:
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, str):  # a TextChoices member
            return str(value)
        return value


_READ = 1 << 20  # what psycopg2 asks a file for at a time (its default, 8 kB, is a call into Python per 8 kB)


def _encoded(lines: list[str]) -> bytes:
    """Encoded lines, for COPY: joined and encoded in one go."""
    return ("\n".join(lines) + "\n").encode()


class _LineReader:
    """A file-like object over lines, for COPY FROM STDIN without building one large string."""

    BATCH = 2000  # lines per read

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines: Iterator[str] = iter(lines)

    def read(self, size: int = -1) -> bytes:
        # psycopg2 sends what read() returns, whatever its length; an empty result ends the COPY.
        lines = list(itertools.islice(self._lines, self.BATCH))
        return _encoded(lines) if lines else b""

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - psycopg2 only calls read()
        return self.read(size)


_END = None


class Background:
    """COPY statements run one after the other while the caller goes on producing rows.

    On PostgreSQL a thread runs them on the transaction's connection: the server writes one chunk of
    rows while Python checks the next ones (psycopg2 lets go of the GIL while it sends and waits). The
    rows reach the thread encoded, a chunk at a time, so that it seldom needs the GIL (each time it
    does, it may wait for the checking thread to let go of it). The caller must not use the connection
    until close() or abort(). Elsewhere the rows are collected, and inserted at close() with one
    statement per table, in the order the tables first came.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self._pending: dict[tuple[type[models.Model], tuple[str, ...]], list[Any]] = {}
        self._thread: threading.Thread | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._stop = False

    def copy(self, model: type[models.Model], attnames: Sequence[str], rows: list[Any]) -> None:
        """Insert these encoded rows (each in the order of attnames), after those given before."""
        if not rows:
            return
        if not self.postgres:
            self._pending.setdefault((model, tuple(attnames)), []).extend(rows)
            return
        if self._error is not None:
            return  # it failed: close() says so, and the transaction is rolled back
        if self._thread is None:
            self._start()
        self._queue.put((_copy(model, connection.ops.quote_name(model._meta.db_table), attnames), _encoded(rows)))

    def _flush(self) -> None:
        pending, self._pending = self._pending, {}
        for (model, attnames), rows in pending.items():
            insert(model, attnames, rows)

    def _start(self) -> None:
        connection.ensure_connection()
        cursor = connection.connection.cursor()

        def work() -> None:
            try:
                while (job := self._queue.get()) is not _END:
                    if self._stop:
                        continue
                    sql, data = job
                    cursor.copy_expert(sql, io.BytesIO(data), size=max(len(data), 1))
            except BaseException as exc:  # handed to the caller's thread by close()
                self._error = exc
            finally:
                cursor.close()

        self._thread = threading.Thread(target=work, name="import-copy", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Wait for the database to have written everything; raises what a COPY raised."""
        self._flush()
        if self._thread is not None:
            self._queue.put(_END)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            with connection.wrap_database_errors:
                raise self._error

    def abort(self) -> None:
        """Stop writing (the transaction is rolled back afterwards)."""
        self._pending = {}
        if self._thread is not None:
            self._stop = True
            self._queue.put(_END)
            self._thread.join()
            self._thread = None


def check_now(*tables: type[models.Model]) -> list[str]:
    """PostgreSQL: the deferred foreign keys of these models' tables checked at the end of each statement
    (each COPY) from now on, rather than all at commit: the same checks, made while the rows after
    are being checked. Returns the constraints' names, for `check_at_commit`."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable AND condeferred "
            "AND conrelid = ANY(%s::regclass[]) ORDER BY conname",
            [[model._meta.db_table for model in tables]],
        )
        names = [name for (name,) in cursor.fetchall()]
        if names:
            cursor.execute(f"SET CONSTRAINTS {', '.join(map(connection.ops.quote_name, names))} IMMEDIATE")
    return names


def check_at_commit(names: list[str]) -> None:
    """Back to checking these foreign keys at commit, as they were declared."""
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(map(connection.ops.quote_name, names))} DEFERRED")


def _columns(model: type[models.Model], attnames: Sequence[str]) -> list[str]:
    meta = model._meta
    by_attname = {f.attname: f.column for f in meta.concrete_fields}
    return [by_attname[a] for a in attnames]


def _copy(model: type[models.Model], table: str, attnames: Sequence[str]) -> str:
    """COPY … FROM STDIN for Encoder's CSV lines: text columns that cannot be NULL keep their empty strings."""
    quote = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = _columns(model, attnames)
    text = [
        quote(c)
        for a, c in zip(attnames, columns, strict=True)
        if isinstance(fields[a], models.CharField | models.TextField) and not fields[a].null
    ]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text)})" if text else "")
    names = ", ".join(quote(c) for c in columns)
    return f"COPY {table} ({names}) FROM STDIN WITH ({options})"


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """n new primary keys for model, taken from its sequence (one query)."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence named once (a function of the name per row costs ten times the nextval);
            # the ids come back as a range when they are consecutive, as they are unless someone else
            # took ids at the same moment.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                "WITH taken AS (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) "
                "SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL "
                "ELSE array_agg(id ORDER BY id) END FROM taken",
                [sequence, n],
            )
            first, last, ids = cursor.fetchone()
            return list(range(first, last + 1)) if ids is None else list(ids)
        # SQLite: the transaction already holds the write lock (the run's status was written first),
        # so nobody else can take these ids. AUTOINCREMENT keeps the highest id ever used apart.
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {quoted}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + n))


def insert(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Any]) -> int:
    """Insert encoded rows (each in the order of attnames); returns how many."""
    rows = list(rows)
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _columns(model, attnames))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.cursor.copy_expert(_copy(model, table, attnames), _LineReader(rows), size=_READ)
        else:
            marks = ", ".join(["%s"] * len(attnames))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    return len(rows)


def update(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Any]) -> int:
    """Update rows by id: attnames[0] must be "id", each encoded row gives the id then the new values."""
    rows = list(rows)
    if not rows:
        return 0
    assert attnames[0] == "id"
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = _columns(model, attnames)
    sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns[1:])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = quote(f"import_{model._meta.db_table}_{next(_counter)}")
            names = ", ".join(quote(c) for c in columns)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608
            )
            cursor.cursor.copy_expert(_copy(model, temp, attnames), _LineReader(rows), size=_READ)
            cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {temp} AS s WHERE t.id = s.id")  # noqa: S608
            cursor.execute(f"DROP TABLE {temp}")
        else:
            assignments = ", ".join(f"{quote(c)} = %s" for c in columns[1:])
            params = [(*row[1:], row[0]) for row in rows]
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", params)  # noqa: S608
    return len(rows)


def add_to(model: type[models.Model], column: str, increments: dict[int, int]) -> None:
    """column += n for each id: n in increments (one statement)."""
    if not increments:
        return
    quote = connection.ops.quote_name
    table, col = quote(model._meta.db_table), quote(column)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {col} = {col} + %s WHERE id = %s",  # noqa: S608
            [(n, pk) for pk, n in increments.items()],
        )


def history_attnames(model: type[models.Model]) -> list[str]:
    """The columns of model's history table that an import writes (all but history_id)."""
    history = model.history.model  # type: ignore[attr-defined]
    return [f.attname for f in history._meta.concrete_fields if f.attname != "history_id"]


class Table:
    """Rows of one model, each a list in the order of its concrete fields (the id too if `with_id`),
    inserted `batch` rows at a time. A column the caller does not set keeps the field's default
    (timestamps: now), prepared for the database once; so every row holds every NOT NULL column."""

    def __init__(self, model: type[models.Model], *, with_id: bool = False, batch: int = 20_000) -> None:
        self.model = model
        self.batch = batch
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.attnames = [f.attname for f in fields]
        self.at = {name: i for i, name in enumerate(self.attnames)}
        now = timezone.now()
        defaults = []
        for f in fields:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            value = now if auto else (None if f.primary_key else f.get_default())
            defaults.append(f.get_db_prep_save(value, connection))
        self.defaults = defaults
        self.encoder = Encoder()
        self.rows: list[Any] = []
        self.count = 0

    def blank(self) -> list[Any]:
        """A new row of the defaults, for the caller to fill in (None is NULL)."""
        return self.defaults.copy()

    def add(self, row: list[Any]) -> None:
        self.rows.append(self.encoder.encode(row))
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the rows added since the last flush."""
        self.count += insert(self.model, self.attnames, self.rows)
        self.rows = []


# A bulk write of at least this many rows takes the planner's statistics again in the same job: autovacuum
# comes round later (or never, where it is turned off), and until then PostgreSQL plans the new rows blind.
ANALYZE_AFTER_ROWS = 1000


def analyze(*tables: type[models.Model]) -> None:
    """Refreshes the planner's statistics of these tables (ANALYZE, on PostgreSQL and on SQLite), outside any
    transaction's snapshot of them: call it after the bulk write has committed."""
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
