"""Workbooks built in memory for tests: .xlsx through XlsxWriter, .csv in any encoding, and crafted bad files.

    xlsx_bytes({"Quần chúng": [[headers...], [row...], ...]})   # one list of rows per sheet, from A1
    csv_bytes([[headers...], [row...]], encoding="cp1258", bom=False, delimiter=";")
    rewrite_xlsx(data, {"xl/sharedStrings.xml": b"..."})         # same zip, some parts replaced
    people_rows(3) / people_workbook(50_000)                      # plausible people rows, CONTRACT §3

Cell values: None is left empty; str is written as text (never as a formula, even when it starts with "=");
int/float as numbers, bool as booleans, date/datetime as real Excel dates shown dd/mm/yyyy;
Formula("=1+1", 42) as a formula with its cached result; Merge("title", rows=2, columns=3) as a merged range
starting at that cell.
"""

from __future__ import annotations

import csv
import datetime
import io
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from imports import layout


@dataclass(frozen=True)
class Formula:
    formula: str
    value: Any = None  # the cached result Excel would have saved; None saves none


@dataclass(frozen=True)
class Merge:
    value: Any
    rows: int = 1
    columns: int = 1


Rows = Sequence[Sequence[Any]]

PEOPLE_HEADERS = [column.header for column in layout.PEOPLE.columns]
ORGANIZATIONS_HEADERS = [column.header for column in layout.ORGANIZATIONS.columns]
QUOTAS_HEADERS = [column.header for column in layout.QUOTAS.columns]
MEMBERSHIP_HEADERS = [column.header for column in layout.MEMBERSHIP.columns]


def xlsx_bytes(
    sheets: Mapping[str, Rows],
    *,
    cells: Mapping[str, Mapping[tuple[int, int], Any]] | None = None,
    constant_memory: bool = False,
) -> bytes:
    """An .xlsx with one sheet per entry, its rows written from A1 (a row may be shorter than others).

    cells: more cells per sheet, by 0-based (row, column), e.g. {"Quần chúng": {(1048575, 0): "x"}}.
    constant_memory writes strings inline rather than in the shared-strings part, as streaming writers do.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "constant_memory": constant_memory, "strings_to_numbers": False}
    )
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    time_format = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                _write(sheet, r, c, value, date_format, time_format)
        for (r, c), value in sorted((cells or {}).get(name, {}).items()):
            _write(sheet, r, c, value, date_format, time_format)
    book.close()
    return buffer.getvalue()


def _write(sheet: Any, r: int, c: int, value: Any, date_format: Any, time_format: Any) -> None:
    if value is None:
        return
    if isinstance(value, Merge):
        sheet.merge_range(r, c, r + value.rows - 1, c + value.columns - 1, value.value)
    elif isinstance(value, Formula):
        sheet.write_formula(r, c, value.formula, None, "" if value.value is None else value.value)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(r, c, value, time_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
    else:
        sheet.write_string(r, c, str(value))


def csv_bytes(rows: Rows, *, encoding: str = "utf-8", bom: bool = False, delimiter: str = ",") -> bytes:
    """A .csv of text cells. "cp1258" writes tone marks as Windows-1258 does, combining; "utf-16" has its BOM."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        ["" if value is None else str(value) for value in row] for row in rows
    )
    text = buffer.getvalue()
    data = _windows_1258(text) if encoding == "cp1258" else text.encode(encoding)
    if bom and encoding in ("utf-8", "utf8"):
        data = b"\xef\xbb\xbf" + data
    return data


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _windows_1258(text: str) -> bytes:
    # Windows-1258 has â ê ô ă ơ ư đ as letters but tones only as combining marks: "ễ" is "ê" + tilde.
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
            char = base + "".join(p for p in parts if p in _TONES)
        out.append(char)
    return "".join(out).encode("cp1258")


def rewrite_xlsx(data: bytes, parts: Mapping[str, bytes | None] | Callable[[str, bytes], bytes | None]) -> bytes:
    """The same zip with parts replaced (name -> new bytes, None drops it, a new name adds it) or passed
    through a function (name, bytes) -> bytes or None."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            original = source.read(info)
            content: bytes | None = original
            if callable(parts):
                content = parts(info.filename, original)
            elif info.filename in parts:
                content = parts[info.filename]
            if content is not None:
                target.writestr(info.filename, content)
        if not callable(parts):
            for name, content in parts.items():
                if name not in source.namelist() and content is not None:
                    target.writestr(name, content)
    return out.getvalue()


def patch_zip_entry(data: bytes, name: str, *, size: int | None = None, flags: int | None = None) -> bytes:
    """The zip with one entry's declared uncompressed size (central directory and local header) or
    general-purpose flags (central directory) overwritten: crafted bombs, lies and "encrypted" entries."""
    patched = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    if size is not None:
        struct.pack_into("<I", patched, info.header_offset + 22, size)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length].decode() == name:
            if size is not None:
                struct.pack_into("<I", patched, position + 24, size)
            if flags is not None:
                struct.pack_into("<H", patched, position + 8, flags)
        position = data.find(b"PK\x01\x02", position + 46)
    return bytes(patched)


_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Ngọc")
_GIVEN = ("An", "Bình", "Cường", "Dũng", "Hương", "Lan", "Phượng", "Tuấn", "Yến", "Quỳnh")


def people_rows(count: int, *, start: int = 0, branch_code: str = "CB01") -> list[list[Any]]:
    """`count` plausible rows of the people sheet (every column, in PEOPLE_HEADERS order), distinct CCCDs.

    Every fourth person is admitted (branch vote, decision, ceremony), the others are on the source list.
    """
    rows = []
    for i in range(start, start + count):
        birth = datetime.date(1985 + i % 20, 1 + i % 12, 1 + i % 28)
        source = datetime.date(2022, 1 + i % 12, 1 + i % 28)
        admitted = i % 4 == 0
        vote = datetime.date(2024, 1 + i % 6, 1 + i % 28) if admitted else None
        rows.append(
            [
                f"{_FAMILY[i % 10]} {_MIDDLE[i % 7]} {_GIVEN[(i // 7) % 10]}",
                birth,
                "Nữ" if i % 2 else "Nam",
                "Kinh",
                "Không",
                f"0{1 + i % 96:02d}{i % 10}{i:08d}",
                branch_code,
                "x" if i % 3 else None,
                "Nông dân",
                "12/12",
                source,
                datetime.date(2023, 1 + i % 12, 1 + i % 28),
                vote,
                f"{i}-QĐ/ĐU" if admitted else None,
                vote + datetime.timedelta(days=20) if vote else None,
                vote + datetime.timedelta(days=40) if vote else None,
                None,
                None,
                None,
                None,
            ]
        )
    return rows


def people_workbook(count: int, **options: Any) -> bytes:
    return xlsx_bytes({layout.PEOPLE.name: [PEOPLE_HEADERS, *people_rows(count, **options)]})
