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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from organizations.models import Kind, Sector
from organizations.text import fold
from recruitment.ethnicities import canonical_ethnicity
from recruitment.models import Gender
from recruitment.workbook import cells
from recruitment.workbook.reading import Issue, Sheet

PLAN_VERSION = 1

# The type of each column of CONTRACT §3, by sheet key and column key.
TEXT, DATE, INT, COUNT, BOOL, PERIOD, GENDER, ETHNICITY, RELIGION, NATIONAL_ID, KIND, SECTOR = (
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
)
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
        "removal_reason": TEXT,
    },
}
NATIONAL_ID_RE = re.compile(r"^[0-9]{12}$")
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

    def header(self, key: str) -> str:
        return self.headers.get(key, key)

    def issue(self, row: int, key: str, message: str) -> None:
        self.issues.append(Issue(self.name, row, self.header(key) if key else "", message))


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
            return {BOOL: False, INT: None, COUNT: None, PERIOD: None}.get(kind, "")
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
    text = value if isinstance(value, str) else cells.to_text(value)
    return "" if fold(text) in ("", "khong", "none", "no") else text


def _required_message(header: str) -> str:
    return _("%(column)s is empty: fill it in.") % {"column": header}


def normalize(sheets: list[Sheet], *, progress: Callable[[int], None] | None = None) -> list[Table]:
    """Each sheet's rows as typed values, with the problems of single cells (CONTRACT §3)."""
    tables = []
    for sheet in sheets:
        tables.append(_normalize_sheet(sheet, progress))
    return tables


def _normalize_sheet(sheet: Sheet, progress: Callable[[int], None] | None) -> Table:
    key = sheet.spec.key
    types = COLUMN_TYPES[key]
    columns = [c.key for c in sheet.spec.columns if c.key in sheet.headers and c.key in types]
    required = {c.key for c in sheet.spec.columns if c.required}
    table = Table(key=key, name=sheet.name, headers=dict(sheet.headers), columns=columns, rows=[])
    table.issues.extend(sheet.issues)
    table.notes.extend(sheet.notes)
    table.raw_headers = list(sheet.all_headers)
    if any(issue.row == 0 for issue in sheet.issues) or any(r not in sheet.headers for r in required):
        # A required column is missing (the reader said so): no row of this sheet can be checked.
        table.usable = False
        for r in sorted(required - set(sheet.headers)):
            if not any(issue.row == 0 for issue in sheet.issues):
                header = sheet.spec.column(r).header
                table.issues.append(
                    Issue(sheet.name, 0, "", _("The required column %(column)s is missing.") % {"column": header})
                )
    converter = _Converter()
    kinds = [(c, types[c], c in required) for c in columns]
    done = 0
    for number, values in sheet.rows:
        row: list[Any] = []
        bad = False
        for column, kind, is_required in kinds:
            raw = values.get(column)
            try:
                value = converter.convert(kind, raw)
            except cells.CellError as exc:
                table.issue(number, column, str(exc))
                bad = True
                value = None
            else:
                if is_required and (value is None or value == ""):
                    table.issue(number, column, _required_message(table.header(column)))
                    bad = True
            row.append(value)
        if bad:
            table.bad_rows.add(number)
        table.rows.append((number, row))
        done += 1
        if progress is not None and done % 2000 == 0:
            progress(2000)
    if progress is not None:
        progress(done % 2000)
    table.cell_issues = list(table.issues)
    if converter.padded_ids:
        table.notes.append(
            _(
                "%(count)d citizen ID numbers were typed as numbers and had lost their leading zeros; "
                "the zeros were put back."
            )
            % {"count": converter.padded_ids}
        )
    table.raw = {number: list(values) for number, values in sheet.raw}
    return table


# ---------------------------------------------------------------------------------------------
# The plan: the tables as JSON, compressed.


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$d": value.isoformat()}
    if isinstance(value, tuple):
        return list(value)
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return datetime.date.fromisoformat(value["$d"])
    return value


def encode_plan(tables: list[Table], *, fingerprint: str, failed: set[tuple[str, int]]) -> bytes:
    """The tables as stored in ImportRun.plan; the raw values are kept only for rows with errors."""
    out = []
    for t in tables:
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
                "issues": [[i.row, i.column, i.message] for i in t.issues],
                "cell_issues": [[i.row, i.column, i.message] for i in t.cell_issues],
                "notes": t.notes,
                "bad_rows": sorted(t.bad_rows),
                "usable": t.usable,
                "raw_headers": t.raw_headers,
                "raw": raw,
            }
        )
    data = {"version": PLAN_VERSION, "fingerprint": fingerprint, "tables": out}
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 1)


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
            issues=[Issue(t["name"], row, column, message) for row, column, message in t["issues"]],
            cell_issues=[Issue(t["name"], row, column, message) for row, column, message in t["cell_issues"]],
            notes=t["notes"],
            bad_rows=set(t["bad_rows"]),
            usable=t["usable"],
            raw_headers=t["raw_headers"],
            raw={int(n): [_decode_value(v) for v in values] for n, values in t["raw"].items()},
        )
        tables.append(table)
    return tables, data["fingerprint"]
