"""The rows of a workbook as typed values, before anything is compared with the database.

`normalize()` turns each sheet the reader returned into a `Table`: per row, the value of every
column the sheet has, converted to its type (text, date, whole number, yes/no, a choice's code, a
period), and the problems found in the cells. It needs no database, so the result is the *plan*
that an import stores (`encode_plan`) and that confirming reads back (`decode_plan`) instead of
parsing the file again.

Conversions repeat a lot (the same gender, ethnic group, kind or date text in thousands of rows),
so each column keeps a small cache from the raw value to its result.
"""

from __future__ import annotations

import datetime
import json
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from imports import cells, messages
from imports.messages import gettext as _
from imports.reading import Issue, Sheet
from organizations.models import Kind, Sector
from organizations.text import fold
from recruitment.ethnicities import canonical_ethnicity
from recruitment.models import Gender, PoliticalTheory, ProfessionalLevel, RemovalReason, phone_validator
from recruitment.particulars import NO_RELIGION, NOT_STATED_CELL, canonical_religion, is_not_stated

PLAN_VERSION = 1

# The type of each column of CONTRACT §3, by sheet key and column key.
TEXT, DATE, INT, COUNT, BOOL, PERIOD, GENDER, ETHNICITY, RELIGION, NATIONAL_ID, KIND, SECTOR, REASON = (
    "text",
    "date",
    "int",
    "count",
    "bool",
    "period",
    "gender",
    "ethnicity",
    "religion",
    "national_id",
    "kind",
    "sector",
    "reason",
)
# Added in 2026-12 (issue 17): the particulars the Party's documents print.
PHONE, PROFESSIONAL, THEORY = "phone", "professional_level", "political_theory"
COLUMN_TYPES: dict[str, dict[str, str]] = {
    "organizations": {"code": TEXT, "name": TEXT, "parent_code": TEXT, "kind": KIND, "sector": SECTOR},
    "membership": {"code": TEXT, "year": INT, "members": COUNT},
    "quotas": {"code": TEXT, "period": PERIOD, "target": COUNT},
    "people": {
        "full_name": TEXT,
        "birth_date": DATE,
        "gender": GENDER,
        "ethnicity": ETHNICITY,
        "religion": RELIGION,
        "national_id": NATIONAL_ID,
        "branch_code": TEXT,
        "youth_union": BOOL,
        "occupation": TEXT,
        "education": TEXT,
        "source_date": DATE,
        "awareness_cert_date": DATE,
        "branch_vote_date": DATE,
        "decision_no": TEXT,
        "decision_date": DATE,
        "admission_date": DATE,
        "recognition_date": DATE,
        "recognition_decision_no": TEXT,
        "removal_date": DATE,
        "removal_reason": REASON,
        "transfer_date": DATE,
        "decision_received_date": DATE,
        "branch_members": COUNT,
        "votes_for": COUNT,
        "home_town": TEXT,
        "residence": TEXT,
        "phone": PHONE,
        "professional_level": PROFESSIONAL,
        "political_theory": THEORY,
    },
}
NATIONAL_ID_RE = re.compile(r"^[0-9]{12}$")
MOBILE_FIRST_DIGITS = "35789"  # a Vietnamese mobile number without its 0: 03x, 05x, 07x, 08x, 09x
_SPACES = re.compile(r"\s+")


@dataclass
class Table:
    """One sheet's rows as typed values: what the checks read, and what the plan stores."""

    key: str
    name: str  # as written in the file
    headers: dict[str, str]  # key -> header as written in the file, for the columns the sheet has
    columns: list[str]  # the keys of the values in each row, in this order
    rows: list[tuple[int, list[Any]]]  # (row number in the file, values); a cell that could not be read is None
    issues: list[Issue] = field(default_factory=list)  # all problems found: its cells', then the checks'
    cell_issues: list[Issue] = field(default_factory=list)  # the problems of its cells alone
    notes: list[str] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)  # rows with a cell that could not be read: not checked further
    usable: bool = True  # False when the sheet itself is wrong (a required column missing): no row is checked
    raw_headers: list[str] = field(default_factory=list)
    raw: dict[int, list[Any]] = field(default_factory=dict)  # the row as read, kept for rows with errors
    # The rows still to convert (normalize(lazy=True)): rows, their issues and bad_rows grow as they are.
    to_come: _Conversion | None = field(default=None, repr=False, compare=False)

    def header(self, key: str) -> str:
        return self.headers.get(key, key)

    def issue(self, row: int, key: str, message: str) -> None:
        self.issues.append(Issue(self.name, row, self.header(key) if key else "", message))

    def complete(self) -> None:
        """Convert the rows not converted yet: then rows, issues, cell_issues and bad_rows are whole."""
        if self.to_come is not None:
            self.to_come.until(None)

    def iter_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The rows, converting them a chunk at a time as they are reached (the checks go through them so)."""
        i = 0
        while True:
            if i == len(self.rows):
                if self.to_come is None:
                    return
                self.to_come.until(i + 1)
                if i == len(self.rows):
                    return
            yield self.rows[i]
            i += 1

    def row_numbers(self) -> list[int]:
        """The row number of every row, converted or not."""
        if self.to_come is not None:
            return self.to_come.numbers
        return [number for number, _values in self.rows]

    def column(self, key: str) -> list[Any]:
        """Every row's value of one column (the columns other rows and sheets refer to come first)."""
        if self.to_come is not None and key in self.to_come.ready:
            return self.to_come.ready[key]
        self.complete()
        i = self.columns.index(key)
        return [values[i] for _number, values in self.rows]


class _Choices:
    """A choice column: by code or label (cells.to_choice), and a few short forms offices write."""

    def __init__(self, choices: list[tuple[str, Any]], extra: dict[str, str] | None = None) -> None:
        self.choices = choices  # one list object: cells.to_choice caches its lookup table by identity
        self.extra = {fold(text): code for text, code in (extra or {}).items()}

    def convert(self, value: Any) -> str:
        if isinstance(value, str) and fold(value) in self.extra:
            return self.extra[fold(value)]
        return cells.to_choice(value, self.choices)


def _choices() -> dict[str, _Choices]:
    return {
        GENDER: _Choices(Gender.choices, {"Nam": Gender.MALE, "Nữ": Gender.FEMALE}),
        KIND: _Choices(
            Kind.choices,
            {
                # CONTRACT §3's wording and the usual short forms.
                "Đảng bộ tỉnh": Kind.PROVINCE,
                "Đảng bộ thành phố": Kind.PROVINCE,
                "Đảng bộ cấp huyện": Kind.DISTRICT,
                "Đảng bộ huyện": Kind.DISTRICT,
                "Đảng bộ quận": Kind.DISTRICT,
                "Đảng bộ xã": Kind.COMMUNE,
                "Đảng bộ phường": Kind.COMMUNE,
                "Đảng bộ đặc khu": Kind.COMMUNE,
                "Chi bộ": Kind.BRANCH,
            },
        ),
        SECTOR: _Choices(Sector.choices),
        # A code or a label of the template's dropdown, and the usual short forms of the labels; any
        # other text is refused (never read for words: "chuyển ngành đào tạo" is no transfer).
        REASON: _Choices(
            RemovalReason.choices,
            {
                "Xin rút": RemovalReason.WITHDREW,
                "Tự rút khỏi danh sách": RemovalReason.WITHDREW,
                "Xóa tên dự bị": RemovalReason.STRUCK_OFF,
                "Qua đời": RemovalReason.DIED,
                "Khác": RemovalReason.OTHER,
            },
        ),
        # By code or Vietnamese label (the template's dropdowns), like the reason; anything else is refused.
        # "Chưa khai", the form's word for a blank, is not stated.
        PROFESSIONAL: _Choices(ProfessionalLevel.choices, {NOT_STATED_CELL: ""}),
        THEORY: _Choices(PoliticalTheory.choices, {NOT_STATED_CELL: ""}),
    }


class _Converter:
    """Turns the raw values of one sheet into typed ones, caching what repeats."""

    def __init__(self) -> None:
        self.choices = _choices()
        self.cache: dict[tuple[str, Any], Any] = {}
        self.padded_ids = 0

    def convert(self, kind: str, value: Any) -> Any:
        """The typed value; raises cells.CellError with a Vietnamese message."""
        t = type(value)
        # Fast paths first: most cells already have the type their column wants.
        if kind == TEXT:
            if value is None:
                return ""
            return value if t is str else cells.to_text(value)
        if kind == DATE:
            if value is None or t is datetime.date:
                return value
            if t is datetime.datetime:
                return value.date()
            return self._cached(kind, value, cells.to_date)
        if kind == NATIONAL_ID:
            return self._national_id(value)
        if value is None:
            return {BOOL: False, INT: None, COUNT: None, PERIOD: None, RELIGION: NO_RELIGION}.get(kind, "")
        if kind == BOOL:
            return value if t is bool else self._cached(kind, value, cells.to_bool)
        if kind in (INT, COUNT):
            if t is int and (kind == INT or value >= 0):
                return value
            minimum = 0 if kind == COUNT else None
            return cells.to_int(value, minimum=minimum)
        if kind == PERIOD:
            return self._cached(kind, value, cells.to_period)
        if kind == ETHNICITY:
            return self._cached(kind, value, _ethnicity)
        if kind == RELIGION:
            return self._cached(kind, value, _religion)
        if kind == PHONE:
            return self._cached(kind, value, _phone)
        return self._cached(kind, value, self.choices[kind].convert)

    def _cached(self, kind: str, value: Any, convert: Callable[[Any], Any]) -> Any:
        key = (kind, value)
        try:
            result = self.cache[key]
        except KeyError:
            try:
                result = convert(value)
            except cells.CellError as exc:
                result = exc
            except TypeError:  # an unhashable value cannot be cached
                return convert(value)
            self.cache[key] = result
        if isinstance(result, cells.CellError):
            raise result
        return result

    def _national_id(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return _SPACES.sub("", value)
        # Typed as a number, the ID lost its leading zeros (Hà Nội's start with 001): cells puts them back.
        text = cells.to_text(value, zero_pad=12)
        if text != cells.to_text(value):
            self.padded_ids += 1
        return text


def _ethnicity(value: Any) -> str:
    text = value if isinstance(value, str) else cells.to_text(value)
    found = canonical_ethnicity(text)
    if found is None:
        raise cells.CellError(
            _(
                "“%(value)s” is not one of the 54 ethnic groups. Write its name as in the list, "
                "for example Kinh, Tày, Mường."
            )
            % {"value": text}
        )
    return found


def _religion(value: Any) -> str:
    """CONTRACT §3: an empty cell or `Không` is none (stored as NO_RELIGION); `Chưa khai`, which the candidate
    list's export writes, is not stated (blank). Without the column, a new person's religion is not stated."""
    text = value if isinstance(value, str) else cells.to_text(value)
    if is_not_stated(text):
        return ""
    return canonical_religion(text) or NO_RELIGION


def _phone(value: Any) -> str:
    """A phone number, checked by the web form's validator (recruitment.models.phone_validator: one rule).
    Typed as a number, a Vietnamese mobile number (10 digits: 03x, 05x, 07x, 08x, 09x) lost its leading zero: it
    is put back. Any other 9 digits are a number of their own (the validator takes 9 to 15): kept as they are."""
    text = value if isinstance(value, str) else cells.to_text(value)
    text = " ".join(text.split())
    if is_not_stated(text):
        return ""
    if not isinstance(value, str) and len(text) == 9 and text.isdigit() and text[0] in MOBILE_FIRST_DIGITS:
        text = "0" + text
    try:
        phone_validator(text)
    except ValidationError as exc:
        raise cells.CellError(
            _("“%(value)s” is not a phone number. %(rule)s") % {"value": text, "rule": " ".join(exc.messages)}
        ) from None
    return text


def _required_message(header: str) -> str:
    return _("%(column)s is empty: fill it in.") % {"column": header}


# The columns converted first when a sheet's rows are converted as the checks reach them (lazy): the
# ones the database is asked about before any row is checked (checks.State.load) and the duplicates.
KEY_COLUMNS = {"people": ("national_id", "branch_code")}


def normalize(sheets: list[Sheet], *, progress: Callable[[int], None] | None = None, lazy: bool = False) -> list[Table]:
    """Each sheet's rows as typed values, with the problems of single cells (CONTRACT §3).

    `lazy`: the people sheet's rows are converted a chunk at a time as the checks reach them
    (Table.iter_rows), but for its KEY_COLUMNS: the database starts writing the first rows sooner.
    The result is the same, its issues in the same order."""
    return [_normalize_sheet(sheet, progress, lazy) for sheet in sheets]


class _Slow:
    """Stands, in a column being converted, for a cell that needs the converter called on it."""


_SLOW = _Slow()


@dataclass
class _Failed:
    """A cell that could not be converted, and why."""

    message: str


# Kinds whose text values go through the converter's cache: converted once per distinct text.
_BY_DISTINCT_TEXT = frozenset(
    {DATE, BOOL, PERIOD, ETHNICITY, RELIGION, GENDER, KIND, SECTOR, REASON, PHONE, PROFESSIONAL, THEORY}
)
_EMPTY = {DATE: None, BOOL: False, PERIOD: None, RELIGION: NO_RELIGION}  # the others: ""
_NONE = type(None)
# The types of the cells each kind converts without calling the converter on each.
_FAST_TYPES: dict[str, set[type]] = {
    TEXT: {str, _NONE},
    NATIONAL_ID: {_NONE},  # and text of digits only
    INT: {int, _NONE},
    COUNT: {_NONE},  # and whole numbers from 0
    DATE: {datetime.date, datetime.datetime, str, _NONE},
    BOOL: {bool, str, _NONE},
}


def _first_pass(converter: _Converter, kind: str, column: Sequence[Any]) -> tuple[list[Any], bool, bool]:
    """(the column converted but for the cells that need the converter called on them one at a time,
    which are _SLOW; whether there are such cells; whether a cell may have failed).

    `_Converter.convert`'s own fast paths, a column at a time; and for the kinds it caches, each
    distinct text converted once (text is never equal to a value of another type, so the order in which
    the texts go through the cache does not matter)."""
    types: set[type] = set(map(type, column))
    fast = _FAST_TYPES.get(kind, {str, _NONE})
    slow = not types <= fast
    values: list[Any]
    if kind == TEXT:
        if not slow:
            values = [v if v is not None else "" for v in column]
            return values, False, False
        values = [v if v.__class__ is str else "" if v is None else _SLOW for v in column]
        return values, True, False
    if kind == NATIONAL_ID:
        # Digits hold no whitespace: the converter would hand them back as they are.
        values = [v if v.__class__ is str and v.isdigit() else "" if v is None else _SLOW for v in column]
        return values, _SLOW in values, False
    if kind in (INT, COUNT):
        least = None if kind == INT else 0
        values = [
            v if v.__class__ is int and (least is None or v >= least) else None if v is None else _SLOW for v in column
        ]
        return values, _SLOW in values, False
    texts: dict[str, Any] = {}
    if str in types:
        for v in {v for v in column if v.__class__ is str}:
            try:
                texts[v] = converter.convert(kind, v)
            except cells.CellError as exc:
                texts[v] = _Failed(exc.args[0])
    failed = any(r.__class__ is _Failed for r in texts.values())
    if kind == DATE:
        date, moment = datetime.date, datetime.datetime
        values = [
            v if v is None or v.__class__ is date else v.date() if v.__class__ is moment
            else texts[v] if v.__class__ is str else _SLOW
            for v in column
        ]  # fmt: skip
    elif kind == BOOL:
        values = [v if v.__class__ is bool else False if v is None else texts[v] if v.__class__ is str else _SLOW
                  for v in column]  # fmt: skip
    else:
        empty = _EMPTY.get(kind, "")
        values = [empty if v is None else texts[v] if v.__class__ is str else _SLOW for v in column]
    return values, slow, failed


def _normalize_sheet(sheet: Sheet, progress: Callable[[int], None] | None, lazy: bool = False) -> Table:
    key = sheet.spec.key
    types = COLUMN_TYPES[key]
    columns = [c.key for c in sheet.spec.columns if c.key in sheet.headers and c.key in types]
    required = {c.key for c in sheet.spec.columns if c.required}
    table = Table(key=key, name=sheet.name, headers=dict(sheet.headers), columns=columns, rows=[])
    table.issues.extend(sheet.issues)
    table.notes.extend(sheet.notes)
    table.raw_headers = list(sheet.all_headers)
    if not sheet.headers and not sheet.numbers and not sheet.issues:
        return table  # an empty sheet (a template's sheet left blank): nothing to import, nothing wrong
    if any(issue.row == 0 for issue in sheet.issues) or any(r not in sheet.headers for r in required):
        # A required column is missing (the reader said so): no row of this sheet can be checked.
        table.usable = False
        for r in sorted(required - set(sheet.headers)):
            if not any(issue.row == 0 for issue in sheet.issues):
                header = sheet.spec.column(r).header
                table.issues.append(
                    Issue(sheet.name, 0, "", _("The required column %(column)s is missing.") % {"column": header})
                )
    table.cell_issues = list(table.issues)
    first = [c for c in KEY_COLUMNS.get(key, ()) if c in columns] if lazy else columns
    conversion = _Conversion(table, sheet, [(c, types[c], c in required) for c in columns], first, progress)
    if lazy and first:
        table.to_come = conversion
    else:
        conversion.until(None)
    if conversion.converter.padded_ids:  # national IDs: converted by now
        table.notes.append(
            _(
                "%(count)d citizen ID numbers were typed as numbers and had lost their leading zeros; "
                "the zeros were put back."
            )
            % {"count": conversion.converter.padded_ids}
        )
    table.raw = dict(sheet.raw)  # the rows as read; nothing changes them
    return table


class _Conversion:
    """A sheet's cells turned into a Table's rows, column by column: each cell as _Converter.convert would
    make it, with the same problems, reported in the same order (row by row, column by column), in a
    tenth of the time. The `first` columns are converted at once (whole); the rest a chunk of rows at a
    time, when `until` asks for them."""

    CHUNK = 2000

    def __init__(
        self,
        table: Table,
        sheet: Sheet,
        columns: list[tuple[str, str, bool]],  # (key, kind, required)
        first: list[str],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.table, self.numbers, self.columns, self.progress = table, sheet.numbers, columns, progress
        self.converter = _Converter()
        count = len(self.numbers)
        self.cells = [sheet.cells.get(key) or [None] * count for key, _kind, _required in columns]
        self.done = 0
        self.finished = False
        self.ready: dict[str, list[Any]] = {}  # the columns converted first, whole
        self._ready_problems: list[tuple[int, int, str]] = []
        if len(first) < len(columns):
            # Converting them first changes nothing: neither national IDs nor text go through the converter's
            # cache, which alone makes the order in which cells are converted matter.
            assert all(kind in (TEXT, NATIONAL_ID) for key, kind, _r in columns if key in first)
            indexes = [j for j, (key, _kind, _r) in enumerate(columns) if key in first]
            values, problems = self._convert(indexes, 0, count)
            self.ready = {columns[j][0]: v for j, v in zip(indexes, values, strict=True)}
            self._ready_problems = problems

    def until(self, n: int | None) -> None:
        """Convert the rows up to the n-th (all: None), a chunk at a time."""
        count = len(self.numbers)
        n = count if n is None else min(n, count)
        ready = [j for j, (key, _kind, _r) in enumerate(self.columns) if key in self.ready]
        rest = [j for j, (key, _kind, _r) in enumerate(self.columns) if key not in self.ready]
        table = self.table
        while not self.finished and (self.done < n or self.done == count):
            start, end = self.done, min(self.done + self.CHUNK, count)
            values, problems = self._convert(rest, start, end)
            by_column = dict(zip(rest, values, strict=True))
            for j in ready:
                by_column[j] = self.ready[self.columns[j][0]][start:end]
            problems += [p for p in self._ready_problems if start <= p[0] < end]
            for i, j, message in sorted(problems):
                number = self.numbers[i]
                issue = Issue(table.name, number, table.header(self.columns[j][0]), message)
                table.issues.append(issue)
                if table.cell_issues is not table.issues:
                    table.cell_issues.append(issue)
                table.bad_rows.add(number)
            ordered = [by_column[j] for j in range(len(self.columns))]
            rows = zip(*ordered, strict=True) if ordered else ((),) * (end - start)
            table.rows.extend(zip(self.numbers[start:end], map(list, rows), strict=True))
            self.done = end
            if self.progress is not None and end - start == self.CHUNK:
                self.progress(self.CHUNK)
            if end == count:
                self.finished = True
                table.to_come = None
                if self.progress is not None:
                    self.progress(count % self.CHUNK)

    def _convert(self, indexes: list[int], start: int, end: int) -> tuple[list[list[Any]], list[tuple[int, int, str]]]:
        """The columns' values for rows start to end, and their problems (row index, column index, message)."""
        converter = self.converter
        kinds = [self.columns[j][1] for j in indexes]
        cells_of = [self.cells[j][start:end] for j in indexes]
        passes = [_first_pass(converter, kind, column) for kind, column in zip(kinds, cells_of, strict=True)]
        converted = [values for values, _slow, _failed in passes]
        # Columns that may hold a _Failed: one of their texts could not be converted, or one of their slow cells.
        may_fail = {k for k, (_values, _slow, failed) in enumerate(passes) if failed}
        slow = sorted(
            (i, k) for k, (values, has_slow, _failed) in enumerate(passes) if has_slow
            for i, v in enumerate(values) if v is _SLOW
        )  # fmt: skip
        for i, k in slow:  # in the order of the rows: the converter's cache sees them as it did one row at a time
            try:
                converted[k][i] = converter.convert(kinds[k], cells_of[k][i])
            except cells.CellError as exc:
                converted[k][i] = _Failed(exc.args[0])
                may_fail.add(k)
        problems: list[tuple[int, int, str]] = []
        for k, values in enumerate(converted):
            j = indexes[k]
            key, _kind, required = self.columns[j]
            failed = [i for i, v in enumerate(values) if v.__class__ is _Failed] if k in may_fail else []
            for i in failed:
                problems.append((start + i, j, values[i].message))
                values[i] = None
            if required and (None in values or "" in values):
                failed_at = set(failed)
                message = _required_message(self.table.header(key))
                problems.extend(
                    (start + i, j, message)
                    for i, v in enumerate(values)
                    if (v is None or v == "") and i not in failed_at
                )
        return converted, problems


# ---------------------------------------------------------------------------------------------
# The plan: the tables as JSON, compressed.


def _encode_value(value: Any) -> Any:
    """A cell's value as read (any type python-calamine gives) in JSON."""
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$d": value.isoformat()}
    if isinstance(value, datetime.time):  # a cell formatted as a time of day
        return {"$t": value.isoformat()}
    if isinstance(value, datetime.timedelta):  # a cell formatted as a duration ([h]:mm)
        return {"$td": value.total_seconds()}
    if isinstance(value, tuple):
        return list(value)
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return datetime.date.fromisoformat(value["$d"])
        if "$t" in value:
            return datetime.time.fromisoformat(value["$t"])
        if "$td" in value:
            return datetime.timedelta(seconds=value["$td"])
    return value


def encode_plan(tables: list[Table], *, fingerprint: str, failed: set[tuple[str, int]]) -> bytes:
    """The tables as stored in ImportRun.plan; the raw values are kept only for rows with errors."""
    out = []
    for t in tables:
        t.complete()
        dates = [i for i, c in enumerate(t.columns) if COLUMN_TYPES[t.key][c] == DATE]
        rows = []
        for number, values in t.rows:
            if dates:
                values = list(values)
                for i in dates:
                    if values[i] is not None:
                        values[i] = values[i].toordinal()
            rows.append([number, values])
        raw = {str(n): [_encode_value(v) for v in values] for n, values in t.raw.items() if (t.key, n) in failed}
        out.append(
            {
                "key": t.key,
                "name": t.name,
                "headers": t.headers,
                "columns": t.columns,
                "rows": rows,
                # Each message also as it can be written again in another language (imports.messages).
                "issues": [[i.row, i.column, i.message, messages.as_json(i.message)] for i in t.issues],
                "cell_issues": [[i.row, i.column, i.message, messages.as_json(i.message)] for i in t.cell_issues],
                "notes": t.notes,
                "bad_rows": sorted(t.bad_rows),
                "usable": t.usable,
                "raw_headers": t.raw_headers,
                "raw": raw,
            }
        )
    data = {"version": PLAN_VERSION, "fingerprint": fingerprint, "tables": out}
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def _issue(sheet: str, row: int, column: str, message: str, again: dict[str, Any] | None = None) -> Issue:
    """An issue of a stored plan (plans stored before issue 18 have no `again`), in the active language."""
    return Issue(sheet, row, column, messages.revive(again, message))


def decode_plan(blob: bytes) -> tuple[list[Table], str]:
    """The tables and the fingerprint of the database state they were checked against."""
    data = json.loads(zlib.decompress(blob))
    if data.get("version") != PLAN_VERSION:
        raise ValueError("unknown plan version")
    tables = []
    for t in data["tables"]:
        period = [i for i, c in enumerate(t["columns"]) if COLUMN_TYPES[t["key"]][c] == PERIOD]
        dates = [i for i, c in enumerate(t["columns"]) if COLUMN_TYPES[t["key"]][c] == DATE]
        fromordinal = datetime.date.fromordinal
        rows = []
        for number, values in t["rows"]:
            for i in dates:
                if values[i] is not None:
                    values[i] = fromordinal(values[i])
            for i in period:
                if values[i] is not None:
                    values[i] = tuple(values[i])
            rows.append((number, values))
        table = Table(
            key=t["key"],
            name=t["name"],
            headers=t["headers"],
            columns=t["columns"],
            rows=rows,
            issues=[_issue(t["name"], *stored) for stored in t["issues"]],
            cell_issues=[_issue(t["name"], *stored) for stored in t["cell_issues"]],
            notes=t["notes"],
            bad_rows=set(t["bad_rows"]),
            usable=t["usable"],
            raw_headers=t["raw_headers"],
            raw={int(n): [_decode_value(v) for v in values] for n, values in t["raw"].items()},
        )
        tables.append(table)
    return tables, data["fingerprint"]
