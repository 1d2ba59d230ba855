"""Set-based writes: a fixed number of statements per table, whatever the number of rows.

On PostgreSQL rows go in with COPY (text format), and updates through a temporary table filled by
COPY and one UPDATE … FROM; elsewhere (SQLite in development and tests) one executemany per table.
New rows get their ids up front (one query), so that the history rows and the rows that refer to
them can be written in the same pass.

A row is encoded once (`Encoder.encode`) into what the backend takes: a CSV line for COPY on
PostgreSQL, a tuple of parameters elsewhere. Encoded pieces of a row are joined with `join`, so a
caller can encode the part of a row it knows early and add the rest (ids, timestamps) at write time.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models

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


class _LineReader:
    """A file-like object over lines, for COPY FROM STDIN without building one large string."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines: Iterator[str] = iter(lines)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = 1 << 30
        chunks = [self._buffer]
        length = len(self._buffer)
        for line in self._lines:
            data = (line + "\n").encode()
            chunks.append(data)
            length += len(data)
            if length >= size:
                break
        data = b"".join(chunks)
        self._buffer = data[size:]
        return data[:size]

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - psycopg2 only calls read()
        return self.read(size)


_END = None
_ABORT = ()


class CopyStream:
    """Rows inserted while the caller goes on producing them.

    On PostgreSQL a COPY runs in a thread on the transaction's connection: the server writes the rows
    while Python checks the next ones (psycopg2 lets go of the GIL while it sends). The caller must not
    use the connection until close() or abort(). Elsewhere the rows are collected and inserted at close().
    """

    CHUNK = 1000

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
        self.model, self.attnames = model, list(attnames)
        self.count = 0
        self.postgres = connection.vendor == "postgresql"
        self._rows: list[Any] = []
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _start(self) -> None:
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        sql = _copy(self.model, connection.ops.quote_name(self.model._meta.db_table), self.attnames)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()

        def lines() -> Iterator[str]:
            while True:
                chunk = self._queue.get()
                if chunk is _END:
                    return
                if chunk is _ABORT:
                    raise RuntimeError("import stopped")  # psycopg2 then ends the COPY with an error
                yield from chunk

        def copy() -> None:
            try:
                cursor.copy_expert(sql, _LineReader(lines()))
            except BaseException as exc:  # handed to the caller's thread by close()
                self._error = exc
            finally:
                cursor.close()

        self._thread = threading.Thread(target=copy, name="import-copy", daemon=True)
        self._thread.start()

    def put(self, row: Any) -> None:
        self.count += 1
        self._rows.append(row)
        if self.postgres and len(self._rows) >= self.CHUNK:
            if self._thread is None:
                self._start()
            self._queue.put(self._rows)
            self._rows = []

    def close(self) -> None:
        """Send the last rows and wait for the database; raises what the COPY raised."""
        if not self.postgres:
            insert(self.model, self.attnames, self._rows)
            self._rows = []
            return
        if self._thread is None:
            insert(self.model, self.attnames, self._rows)
        else:
            if self._rows:
                self._queue.put(self._rows)
            self._queue.put(_END)
            self._thread.join()
            if self._error is not None:
                with connection.wrap_database_errors:
                    raise self._error
        self._rows = []

    def abort(self) -> None:
        """Stop the COPY (the transaction is rolled back afterwards)."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(_ABORT)
            self._thread.join()
        self._rows = []


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
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
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
            cursor.cursor.copy_expert(_copy(model, table, attnames), _LineReader(rows))
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
            cursor.cursor.copy_expert(_copy(model, temp, attnames), _LineReader(rows))
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
