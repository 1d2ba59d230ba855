"""Reading an uploaded workbook (.xlsx, .xls or .csv) into sheets of clean rows, after refusing files that are unsafe.

An .xlsx file is checked before any of it reaches the xlsx reader (python-calamine): the zip's declared
sizes, entry count and compression ratios; then every XML part calamine may read is inflated here, in
chunks, so that a part cannot inflate past its declared size, its prolog goes through defusedxml (a DTD
is refused, and with it every entity trick: entities can only be declared in a DTD), and each sheet to
read is measured, since calamine allocates rows × columns cells up to the farthest cell (one cell at
XFD1048576 is a 500 GB allocation and kills the process). Formulas are never evaluated: calamine hands
over the value Excel cached when it saved the file (empty when there is none).

Text cells come back trimmed, with inner runs of whitespace (non-breaking spaces included) collapsed, in
NFC, and converted from the legacy TCVN3 and VNI fonts' encodings when the sheet is typed in them.
"""

from __future__ import annotations

import csv
import datetime
import io
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress, repeat
from operator import itemgetter, ne
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, fromstring
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import ngettext

from imports import biff, layout, legacy
from imports.layout import SheetSpec
from imports.messages import gettext as _
from organizations.notation import megabytes

__all__ = ["Issue", "Sheet", "Unusable", "max_bytes", "max_rows", "read_workbook"]

# Limits. The file's size and the rows per sheet are the settings IMPORT_MAX_BYTES and IMPORT_MAX_ROWS (from
# IMPORT_MAX_MB and IMPORT_MAX_ROWS in the environment), read through max_bytes() and max_rows() by every part
# of the import: reading, the pipeline, the upload page and the template workbook's instructions.
# IMPORT_MAX_UNCOMPRESSED in the settings overrides MAX_UNCOMPRESSED (tests).
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # an .xlsx's parts, all together, as declared in the zip
MAX_ENTRIES = 10_000  # files inside an .xlsx
MAX_RATIO = 100  # uncompressed / compressed, for a part of RATIO_FROM bytes or more
RATIO_FROM = 1024 * 1024
MAX_COLUMNS = 200  # a sheet's width, up to its farthest cell
CELLS_PER_ROW = 30  # rows × columns may reach max rows × this
HEADER_ROWS = 10  # the header row is looked for in this many rows at the top

_CHUNK = 1 << 20


class Unusable(Exception):
    """The file itself cannot be used (the command exits 2); str(error) says why and what to do, translated."""


@dataclass
class Issue:
    sheet: str  # sheet name as written in the file (for csv: the spec name)
    row: int  # 1-based row number as Excel shows it (0 when it concerns the whole sheet)
    column: str  # the column header as written in the file ("" when none)
    message: str  # translated, says what to do


@dataclass
class Sheet:
    spec: SheetSpec
    name: str  # as written in the file
    headers: dict[str, str]  # key -> header text as written in the file
    numbers: list[int]  # the Excel row number of each non-empty row
    # key -> the value in each of those rows, every key of the spec present; a value is
    # str (trimmed, NFC, legacy encodings converted) | int | float | bool | date | datetime | None (empty)
    cells: dict[str, list[object]]
    raw: list[tuple[int, list[object]]]  # the same rows as read, every column, nothing converted
    issues: list[Issue]  # missing or repeated columns, text in an encoding that could not be told
    notes: list[str]  # e.g. "Converted 12 cells from TCVN3 (ABC) to Unicode."
    header_row: int = 0  # Excel row number of the (last) header row; 0 when none was found
    columns: dict[str, int] = field(default_factory=dict)  # key -> index of its column in `raw` rows
    all_headers: list[str] = field(default_factory=list)  # every column's header, as in the file

    @cached_property
    def rows(self) -> list[tuple[int, dict[str, object]]]:
        """(Excel row number, {key: value}) for each non-empty row: `cells` row by row, made when asked for
        (the import reads the columns)."""
        keys = list(self.cells)
        by_row = zip(*self.cells.values(), strict=True) if keys else ((),) * len(self.numbers)
        return list(zip(self.numbers, map(dict, map(zip, repeat(keys), by_row)), strict=True))


def max_bytes() -> int:
    """The largest file the import takes, in bytes."""
    return int(settings.IMPORT_MAX_BYTES)


def max_rows() -> int:
    """The most rows with data a sheet may have."""
    return int(settings.IMPORT_MAX_ROWS)


def _max_uncompressed() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED", MAX_UNCOMPRESSED))


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def read_workbook(data: bytes, filename: str) -> list[Sheet]:
    """The sheets of the file in apply order (organizations, membership, quotas, people); others are ignored.

    Raises Unusable when the file cannot be used at all. A .csv file holds one sheet, recognised from its headers.
    """
    limit = max_bytes()
    if len(data) > limit:
        raise Unusable(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split it into smaller files.")
            % {"size": megabytes(len(data)), "limit": megabytes(limit)}
        )
    if not data or data.isspace():
        raise Unusable(_("The file is empty."))
    return _read(data, filename)


def _read(data: bytes, filename: str) -> list[Sheet]:
    extension = posixpath.splitext(filename.replace("\\", "/").lower())[1]
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE2 compound file: either an Excel 97-2003 .xls or an .xlsx encrypted with a password.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Unusable(_protected())
        return _read_xls(data)
    if extension in (".csv", ".txt"):
        return [_read_csv(data)]
    if data.startswith(b"PK"):
        raise Unusable(_damaged())
    raise Unusable(
        _(
            "This is not an Excel workbook. Import an .xlsx file (in Excel: File › Save As › Excel Workbook) "
            "or a .csv file."
        )
    )


def _damaged() -> str:
    return _("The file is damaged or is not a real .xlsx workbook. Open it in Excel, save it as .xlsx and try again.")


def _protected() -> str:
    return _("The file is protected with a password. Open it in Excel, remove the password, save it and try again.")


def _bomb() -> str:
    return _(
        "The file inflates to far more data than a workbook of this size holds, which is how zip bombs "
        "attack servers, so it was refused. Open it in Excel, save it as a new .xlsx and try again."
    )


# --- .xls: Excel 97-2003 ---------------------------------------------------------------------------


def _xls_unreadable() -> str:
    return _("This old Excel 97-2003 (.xls) file cannot be read. Open it in Excel, save it as .xlsx and try again.")


def _sheet_spec(name: str, wanted: Mapping[str, tuple[Any, ...]]) -> SheetSpec | None:
    """The sheet a workbook's sheet stands for (None for a sheet of no interest); two sheets for one are refused.
    `wanted`: the sheets found so far, by key, each with the name it has in the file second."""
    spec = layout.find_sheet_spec(name) or layout.find_sheet_spec(legacy.guess(name))
    if spec is not None and spec.key in wanted:
        raise Unusable(
            _("The sheets “%(first)s” and “%(second)s” are both the sheet “%(name)s”. Keep one of them.")
            % {"first": wanted[spec.key][1], "second": name, "name": spec.name}
        )
    return spec


def _read_xls(data: bytes) -> list[Sheet]:
    """An Excel 97-2003 workbook, still common in offices, read by the same reader (python-calamine).

    The format bounds a sheet to 65,536 rows by 256 columns, and the file's size is limited like any other,
    but calamine allocates a sheet up to its farthest cell (a 6 KB file with one cell at IV65536 takes a
    gigabyte): each sheet's extent is measured from the file's records first (imports.biff) and held to the
    same limits as an .xlsx's before calamine reads it.
    """
    try:
        extents = biff.extents(data)
    except biff.Malformed:
        raise Unusable(_xls_unreadable()) from None
    farthest = (max((r for r, _c in extents.values()), default=0), max((c for _r, c in extents.values()), default=0))
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise Unusable(_protected()) from None
    except Exception:  # not a workbook after all (another OLE2 file), or a damaged one
        raise Unusable(_xls_unreadable()) from None
    wanted: dict[str, tuple[SheetSpec, str]] = {}
    with book:
        for name in book.sheet_names:
            spec = _sheet_spec(name, wanted)
            if spec is None:
                continue
            wanted[spec.key] = (spec, name)
        if not wanted:
            raise Unusable(
                _("The workbook has none of the sheets to import. Name them: %(names)s.")
                % {"names": ", ".join(f"“{spec.name}”" for spec in layout.SHEETS)}
            )
        sheets = []
        for spec in layout.SHEETS:
            if spec.key in wanted:
                _spec, name = wanted[spec.key]
                _check_extent(name, *extents.get(name, farthest))  # a name not told apart: the farthest of all
                sheets.append(_build_sheet(spec, name, _load(book, name)))
    return sheets


# --- .xlsx: the zip --------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> list[Sheet]:
    archive = _Archive(data)
    wanted = archive.sheets_to_read()
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise Unusable(_protected()) from None
    except Exception:  # calamine's errors, and anything else it may raise on a malformed file
        raise Unusable(_damaged()) from None
    sheets = []
    with book:
        for spec, name, has_cells in wanted:
            sheets.append(_build_sheet(spec, name, _load(book, name) if has_cells else []))
    return sheets


def _load(book: python_calamine.CalamineWorkbook, name: str) -> list[list[Any]]:
    """The sheet's rows from A1 on, lists of equal length; calamine's own copy is freed on return."""
    try:
        sheet = book.get_sheet_by_name(name)
        end = sheet.end
        if end is not None:  # the guard measured the sheet; make sure calamine agrees
            _check_extent(name, end[0] + 1, end[1] + 1)
        return sheet.to_python(skip_empty_area=False)
    except Unusable:
        raise
    except Exception:
        raise Unusable(_damaged()) from None


def _check_extent(name: str, rows: int, columns: int) -> None:
    limit = max_rows()
    if rows > limit + HEADER_ROWS:
        raise Unusable(_too_many_rows(name, rows, limit))
    if columns > MAX_COLUMNS:
        raise Unusable(
            _(
                "The sheet “%(sheet)s” has something in column %(column)s, far to the right. "
                "Delete the columns after the last column of the layout and try again."
            )
            % {"sheet": name, "column": _column_name(columns)}
        )
    if rows * columns > max(limit * CELLS_PER_ROW, MAX_COLUMNS * 1000):
        raise Unusable(
            _("The sheet “%(sheet)s” is too large to read at once (%(rows)s rows by %(columns)s columns). Split it.")
            % {"sheet": name, "rows": _number(rows), "columns": _number(columns)}
        )


def _too_many_rows(name: str, rows: int, limit: int) -> str:
    return _(
        "The sheet “%(sheet)s” has %(rows)s rows; at most %(limit)s rows can be imported at once. "
        "Delete the empty rows at its end, or split it into several files."
    ) % {"sheet": name, "rows": _number(rows), "limit": _number(limit)}


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _Archive:
    """The .xlsx as a zip, checked entry by entry before calamine sees it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._read_whole: set[str] = set()  # parts already inflated whole and parsed
        if _declared_entries(data) > MAX_ENTRIES:  # before zipfile builds an object for each
            raise Unusable(_bomb())
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            raise Unusable(_damaged()) from None
        if len(infos) > MAX_ENTRIES:
            raise Unusable(_bomb())
        self.infos = {info.filename: info for info in infos}
        if len(self.infos) != len(infos):  # two entries of one name: readers disagree on which is real
            raise Unusable(_damaged())
        if sum(info.file_size for info in infos) > _max_uncompressed():
            raise Unusable(_bomb())
        for info in infos:
            if info.flag_bits & 0x1:
                raise Unusable(_protected())
            if info.file_size >= RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Unusable(_bomb())
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not info.is_dir():
                raise Unusable(_damaged())

    def read(self, name: str) -> bytes:
        """A small part, whole, after the checks of `inflate`."""
        chunks: list[bytes] = []
        self.inflate(name, chunks.append)
        return b"".join(chunks)

    def inflate(self, name: str, consume: Callable[[bytes], None], *, prolog_only: bool = False) -> None:
        """Inflates a part in chunks, checking it inflates to exactly its declared size; XML goes through defusedxml."""
        info = self.infos[name]
        offset = info.header_offset
        if self.data[offset : offset + 4] != b"PK\x03\x04":
            raise Unusable(_damaged())
        name_length, extra_length = struct.unpack_from("<HH", self.data, offset + 26)
        start = offset + 30 + name_length + extra_length
        raw = memoryview(self.data)[start : start + info.compress_size]
        if len(raw) != info.compress_size:
            raise Unusable(_damaged())
        check = _PrologCheck() if name.lower().endswith((".xml", ".rels")) else None
        total = 0
        for chunk in _chunks(raw, info.compress_type):
            total += len(chunk)
            if total > info.file_size:
                raise Unusable(_bomb())
            if check is not None and not check.done:
                check.feed(chunk)
                if prolog_only and check.done:
                    return
            consume(chunk)
        if total != info.file_size:
            raise Unusable(_damaged())

    def sheets_to_read(self) -> list[tuple[SheetSpec, str, bool]]:
        """(spec, sheet name, whether it has any cell) of each sheet to read, in apply order; checks every part."""
        main = self._main_part()
        if main.lower().endswith(".bin"):
            raise Unusable(_("This is a binary Excel workbook (.xlsb). Open it in Excel and save it as .xlsx."))
        parts = self._sheet_parts(main)
        wanted: dict[str, tuple[SheetSpec, str, str]] = {}
        for name, part in parts.items():
            spec = _sheet_spec(name, wanted)
            if spec is None:
                continue
            wanted[spec.key] = (spec, name, part)
        if not wanted:
            raise Unusable(
                _("The workbook has none of the sheets to import. Name them: %(names)s.")
                % {"names": ", ".join(f"“{spec.name}”" for spec in layout.SHEETS)}
            )
        wanted_parts = {part for _spec, _name, part in wanted.values()}
        other_sheets = set(parts.values()) - wanted_parts
        extents: dict[str, tuple[int, int]] = {}
        for name in self.infos:
            if name in self._read_whole:
                continue
            if name in wanted_parts:
                extents[name] = self._measure(name)
            elif name.lower().endswith((".xml", ".rels")):
                # Sheets not imported are never read; other parts calamine may open (shared strings, styles…).
                self.inflate(name, _discard, prolog_only=name in other_sheets)
        result = []
        for spec in layout.SHEETS:
            if spec.key in wanted:
                _spec, name, part = wanted[spec.key]
                rows, columns = extents.get(part, (0, 0))
                _check_extent(name, rows, columns)
                result.append((spec, name, rows > 0))
        return result

    def _main_part(self) -> str:
        main = ""
        if "_rels/.rels" in self.infos:
            for relation in self._relations("_rels/.rels"):
                if relation.get("Type", "").endswith("/officeDocument"):
                    main = _resolve("", relation.get("Target", ""))
        if not main and "xl/workbook.xml" in self.infos:
            main = "xl/workbook.xml"
        if main not in self.infos:
            raise Unusable(_damaged())
        return main

    def _sheet_parts(self, main: str) -> dict[str, str]:
        """Sheet name -> its part, in workbook order."""
        folder, base = posixpath.split(main)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        targets = {}
        if rels in self.infos:
            for relation in self._relations(rels):
                targets[relation.get("Id", "")] = _resolve(folder, relation.get("Target", ""))
        parts: dict[str, str] = {}
        for element in self._parse(main).iter():
            if _local(element.tag) == "sheet":
                name = element.get("name", "")
                relation_id = next(
                    (value for key, value in element.attrib.items() if _local(key) == "id" and key.startswith("{")),
                    "",
                )
                part = targets.get(relation_id, "")
                if name and part in self.infos:
                    if any(name.casefold() == other.casefold() for other in parts):
                        # Excel never writes this; the reader would read one sheet and the checks measure another.
                        raise Unusable(
                            _(
                                "The workbook has two sheets named “%(name)s”, which Excel does not allow: the file "
                                "was not saved by Excel, or it was altered. Open it in Excel, give the sheets "
                                "different names and save it again."
                            )
                            % {"name": name}
                        )
                    parts[name] = part
        return parts

    def _relations(self, name: str) -> Iterable[Element]:
        return (element for element in self._parse(name).iter() if _local(element.tag) == "Relationship")

    def _parse(self, name: str) -> Element:
        data = self.read(name)
        self._read_whole.add(name)
        try:
            return fromstring(data, forbid_dtd=True)
        except DefusedXmlException:
            raise Unusable(_xml_bomb()) from None
        except ParseError:
            raise Unusable(_damaged()) from None

    def _measure(self, name: str) -> tuple[int, int]:
        """(last row, last column), 1-based, of the cells with a value calamine will place, (0, 0) for none."""
        scan = _ExtentScan(max_rows() + HEADER_ROWS)
        self.inflate(name, scan.feed)
        if not scan.structured:
            return _exact_extent(self.read(name))
        if scan.wide:
            return _reference_extent(self.read(name))
        return scan.bound()


def _declared_entries(data: bytes) -> int:
    """The entry count of the zip's end record, found as zipfile finds it (a zip64 count reads as 65535)."""
    end = len(data) - 22 if data[-22:-18] == b"PK\x05\x06" else data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        raise Unusable(_damaged())
    return int(struct.unpack_from("<H", data, end + 10)[0])


def _discard(_chunk: bytes) -> None:
    pass


def _chunks(raw: memoryview, method: int) -> Iterable[bytes]:
    if method == zipfile.ZIP_STORED:
        for start in range(0, len(raw), _CHUNK):
            yield bytes(raw[start : start + _CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    position = 0
    pending: bytes | memoryview
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                pending = inflater.unconsumed_tail
            elif position < len(raw):
                pending = raw[position : position + _CHUNK]
                position += _CHUNK
            else:
                break
            chunk = inflater.decompress(pending, _CHUNK)
            if chunk:
                yield chunk
    except zlib.error:
        raise Unusable(_damaged()) from None
    if not inflater.eof:
        raise Unusable(_damaged())


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(folder, target))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_bomb() -> str:
    return _(
        "The file holds XML with a document type declaration, which Excel never writes and XML bombs use, "
        "so it was refused. Open it in Excel, save it as a new .xlsx and try again."
    )


class _RootReached(Exception):
    pass


class _PrologTarget:
    def start(self, tag: str, attrs: dict[str, str]) -> None:
        raise _RootReached

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        pass


class _PrologCheck:
    """Parses an XML part up to its root element with defusedxml: a DTD, where entities live, can only come before."""

    def __init__(self) -> None:
        self.parser = DefusedXMLParser(target=_PrologTarget(), forbid_dtd=True)
        self.done = False

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.feed(chunk)
        except _RootReached:
            self.done = True
        except DefusedXmlException:
            raise Unusable(_xml_bomb()) from None
        except ParseError:
            raise Unusable(_damaged()) from None


# Cell references reduced to their shape: letters become "A", digits "0".
_SHAPES = bytes(
    ord("A") if chr(code).isascii() and chr(code).isalpha() else ord("0") if chr(code).isdigit() else code
    for code in range(256)
)
_CELL = b'<c r="'  # how Excel, LibreOffice, openpyxl and XlsxWriter start every cell
_MARK = b"\x01"  # stands for _CELL in the scans: cannot appear in XML 1.0
_OTHER_CELL_TAG = re.compile(rb"<c[\s>]")  # a cell written another way, once _CELL is replaced


class _ExtentScan:
    """A quick look at a sheet's XML, chunk by chunk, that bounds where calamine will place cells.

    When every cell element starts `<c r="` ("structured") and no reference has two letters, cells end
    at most in column Z; rows end below 10^(d-1), d being the digits of the row limit, unless a reference
    has d digits or more: the highest of those is kept as the scan goes (a sheet of 100,000 rows or
    more, under the default limit). Wider sheets get their references read (`_reference_extent`), and
    sheets written any other way are measured as calamine places cells (`_exact_extent`); both are
    slower, and rare.
    """

    def __init__(self, row_limit: int) -> None:
        self.digits = len(str(row_limit))
        self.deep_shape = _MARK + b"A" + b"0" * self.digits
        # A one-letter reference's row, when it has `digits` significant digits or more.
        self.deep_row = re.compile(rb"\x01[A-Za-z]0*([1-9]\d{%d,})" % (self.digits - 1))
        self.structured = True
        self.wide = self.seen = False
        self.deepest = 0  # the highest such row seen
        self.pending = b""

    def feed(self, chunk: bytes) -> None:
        if not self.structured:
            return
        # Scan up to the last ">", so that no tag is cut in two; the rest goes first next time.
        text = self.pending + chunk
        cut = text.rfind(b">") + 1
        marked, self.pending = text[:cut].replace(_CELL, _MARK), text[cut:]
        if len(self.pending) > _CHUNK or _OTHER_CELL_TAG.search(marked) or b":c" in marked:
            self.structured = False
            return
        self.seen = self.seen or _MARK in marked
        shapes = marked.translate(_SHAPES)
        self.wide = self.wide or _MARK + b"AA" in shapes
        if self.deep_shape in shapes and (rows := self.deep_row.findall(marked)):
            # Digit strings without leading zeros: the longest, then the greatest, is the highest row.
            self.deepest = max(self.deepest, int(max(rows, key=lambda row: (len(row), row))))

    def bound(self) -> tuple[int, int]:
        return (max(self.deepest, 10 ** (self.digits - 1) - 1), 26) if self.seen else (0, 0)


_ROW_OF_REFERENCE = re.compile(rb"\x01[A-Za-z]+0*(\d+)")
_LONG_COLUMN = re.compile(rb"\x01([A-Za-z]{2,})\d")


def _reference_extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) of a structured sheet, from every cell's reference (empty cells included)."""
    marked = xml.replace(_CELL, _MARK)
    rows = max(map(int, _ROW_OF_REFERENCE.findall(marked)), default=0)
    columns = max((_column_number(letters.decode()) for letters in set(_LONG_COLUMN.findall(marked))), default=26)
    return (rows, columns) if rows else (0, 0)


_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]*)0*(\d*)["']""")


def _exact_extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) of the cells calamine will place, by its rules: a cell without a reference
    follows the one before it in its row, `<row r>` sets the row, `</row>` moves to the next, and empty
    `<c/>` elements are skipped. Empty `<c></c>` elements count: an overestimate is safe."""
    row = column = 0
    last_row = last_column = 0
    budget = max_rows() * 200
    for count, match in enumerate(_TAG.finditer(xml)):
        if count > budget:
            raise Unusable(_("The file is too large to read at once. Split it into smaller files."))
        closing, tag, attributes, empty = match.groups()
        if tag == b"row":
            if closing:
                row, column = row + 1, 0
            elif not empty:
                ref = _REF.search(attributes)
                if ref and ref[2]:
                    row = int(ref[2]) - 1
            continue
        if closing or empty:
            continue
        ref = _REF.search(attributes)
        cell_row = row
        if ref and ref[2]:
            cell_row = int(ref[2]) - 1
        if ref and ref[1]:
            column = _column_number(ref[1].decode()) - 1
        last_row = max(last_row, cell_row + 1)
        last_column = max(last_column, column + 1)
        column += 1
    return last_row, last_column


# --- .csv --------------------------------------------------------------------------------------------


def _read_csv(data: bytes) -> Sheet:
    text = _decode(data)
    end = text.find("\n") if "\n" in text else len(text)
    first_line = text[:end].strip().strip('"').lower()
    if first_line.startswith("sep=") and len(first_line) == 5:  # Excel's "sep=;" line: not a row
        delimiter = first_line[4]
        text = text[end + 1 :]  # and Excel numbers the rows after it from 1
    else:
        delimiter = _sniff(text)
    try:
        table: list[list[Any]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise Unusable(_("The CSV file is damaged. Open it in Excel, save it as CSV UTF-8 and try again.")) from None
    spec = _csv_kind(table)
    limit = max_rows()
    if len(table) > limit + HEADER_ROWS:
        raise Unusable(_too_many_rows(spec.name, len(table), limit))
    return _build_sheet(spec, spec.name, table)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# A vowel (â ê ô ă ơ ư as Windows-1258 bytes included) followed by a Windows-1258 tone mark byte.
_CP1258_TONED = re.compile("[aeiouyAEIOUY\xe2\xea\xf4\xe3\xf5\xfd\xc2\xca\xd4\xc3\xd5\xdd][\xcc\xec\xd2\xde\xf2]")


_SAMPLE = 256 * 1024


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1258, or legacy-font bytes (TCVN3/VNI via Latin-1)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise Unusable(_unknown_encoding()) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _refuse_damaged_utf8(data, exc.start)
    # Not UTF-8: Windows-1258 (Vietnamese Windows' "CSV"), unless the bytes are text typed in a legacy
    # font saved as Windows-1252, which Windows-1258 would turn into nonsense that cannot be undone.
    latin = data.decode("latin-1")
    sample = latin[:_SAMPLE]  # one encoding for the whole file: its start tells
    tcvn3, vni = legacy.evidence(sample)
    if max(tcvn3, vni) > len(_CP1258_TONED.findall(sample)):
        return latin
    try:
        return data.decode("cp1258")  # tone marks come as combining characters: cells are put in NFC
    except UnicodeDecodeError:
        raise Unusable(_unknown_encoding()) from None


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _refuse_damaged_utf8(data: bytes, bad: int) -> None:
    """A file that is mostly UTF-8 (more of its non-ASCII bytes form UTF-8 letters than not) with a few bytes
    that are not: refused with the line, rather than read whole as Windows-1258, which would turn every
    Vietnamese letter of it into nonsense without a word."""
    in_sequences = len(data) - len(_UTF8_SEQUENCE.sub(b"", data))  # bytes of well-formed UTF-8 letters
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if in_sequences <= high - in_sequences:
        return
    raise Unusable(
        _(
            "The CSV file is in UTF-8, but line %(line)s holds characters that are not (the file was damaged, "
            "or put together from files in different encodings). Correct that line, save the file as CSV UTF-8 "
            "and try again."
        )
        % {"line": _number(data.count(b"\n", 0, bad) + 1)}
    )


def _unknown_encoding() -> str:
    return _(
        "The CSV file's encoding could not be recognised. "
        "In Excel, save it with File › Save As › CSV UTF-8 and try again."
    )


def _sniff(text: str) -> str:
    """The delimiter (comma, semicolon or tab) under which the top rows best read as a header."""
    head = "\n".join(text.splitlines()[: HEADER_ROWS + 1])
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        try:
            rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        matched = max((_locate_header(spec, rows).score for spec in layout.SHEETS), default=0)
        score = (matched, min((len(row) for row in rows if any(row)), default=0))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_kind(table: Sequence[Sequence[Any]]) -> SheetSpec:
    head = table[: HEADER_ROWS + 1]
    complete = [spec for spec in layout.SHEETS if not _locate_header(spec, head).missing]
    if len(complete) == 1:
        return complete[0]
    expected = "; ".join(
        f"{spec.name}: {', '.join(column.header for column in spec.required)}" for spec in layout.SHEETS
    )
    if complete:
        raise Unusable(
            _(
                "The CSV file's headers fit more than one kind of sheet (%(kinds)s). "
                "Keep the columns of one: %(expected)s."
            )
            % {"kinds": ", ".join(spec.name for spec in complete), "expected": expected}
        )
    raise Unusable(
        _("The CSV file's headers were not recognised. Its first row must hold the headers of one sheet: %(expected)s.")
        % {"expected": expected}
    )


# --- Both: header, rows, text ------------------------------------------------------------------------


@dataclass
class _Header:
    score: int = 0  # distinct columns of the spec found
    first: int = -1  # index of the (first) header row
    data: int = 0  # index of the first row after the header
    columns: dict[str, int] = field(default_factory=dict)  # key -> column index
    texts: dict[int, str] = field(default_factory=dict)  # column index -> header text
    repeated: list[tuple[str, str]] = field(default_factory=list)  # (key, header text) of repeated columns
    missing: list[str] = field(default_factory=list)  # keys of missing required columns


def _header_text(value: object) -> str:
    if value is None or value == "":
        return ""
    text = value if isinstance(value, str) else _plain(value)
    return unicodedata.normalize("NFC", legacy.guess(" ".join(text.split())))


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _trimmed(row: Sequence[Any]) -> Sequence[Any]:
    """The row without its trailing empty cells (a CSV saved from a sheet formatted far right has thousands)."""
    end = len(row)
    while end and (
        row[end - 1] is None or row[end - 1] == "" or (isinstance(row[end - 1], str) and not row[end - 1].strip())
    ):
        end -= 1
    return row[:end]


def _locate_header(spec: SheetSpec, head: Sequence[Sequence[Any]]) -> _Header:
    """The header among the top rows: the row naming most of the spec's columns, with the row under it
    when that one names columns the first leaves blank or titles over a group (a merged header)."""
    texts = [[_header_text(value) for value in _trimmed(row)] for row in head[: HEADER_ROWS + 1]]
    best = _Header(missing=[column.key for column in spec.required])
    for first in range(min(HEADER_ROWS, len(texts))):
        if not any(texts[first]):
            continue
        found: dict[int, tuple[str, str]] = {}  # column index -> (key, text)
        for index, text in enumerate(texts[first]):
            key = spec.match_header(text)
            if key:
                found[index] = (key, text)
        # The row below completes the header where this one is blank or holds a group's title.
        below = texts[first + 1] if first + 1 < len(texts) else []
        two_rows = False
        for index, text in enumerate(below):
            key = spec.match_header(text) if index not in found else None
            if key and key not in {k for k, _t in found.values()}:
                found[index] = (key, text)
                two_rows = True
        keys = {key for key, _text in found.values()}
        if len(keys) <= best.score:
            continue
        header = _Header(score=len(keys), first=first, data=first + (2 if two_rows else 1))
        for index in sorted(found):
            key, text = found[index]
            if key in header.columns:
                header.repeated.append((key, text))
            else:
                header.columns[key] = index
        rows = [texts[first], below if two_rows else []]
        width = max(len(rows[0]), len(rows[1]))
        header.texts = {
            index: found[index][1]
            if index in found
            else next((row[index] for row in rows if index < len(row) and row[index]), "")
            for index in range(width)
        }
        header.missing = [column.key for column in spec.required if column.key not in header.columns]
        best = header
    return best


_PASSING = (float, int, bool, datetime.date, datetime.datetime)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SOFT_HYPHEN = "\u00ad"


# ASCII whitespace that str.split() and str.strip() act on, besides the single space between words; and
# a space beside the "\x00" that joins a column's values for one look at all of them.
_UNTIDY = ("  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x00 ", " \x00")


def _clean_column(column: Sequence[Any], text: _SheetText) -> Sequence[Any]:
    """The column's values cleaned: each distinct value once, and the column rewritten only if one changed.

    Dates and numbers pass as they are; the mapping holds only text (and the rare time or duration),
    so that True and 1.0, equal as keys, never stand for each other.
    """
    mapping: dict[Any, Any] = {}
    plain: list[str] = []
    distinct = set(column)
    for value in distinct:
        kind = value.__class__
        if kind is str:
            if value.isascii():
                plain.append(value)
            else:
                clean = text.clean(value)
                if clean != value:
                    mapping[value] = clean
        elif kind in _PASSING:
            continue
        elif kind is datetime.time:
            mapping[value] = value.strftime("%H:%M:%S")
        else:  # a duration, or anything else calamine may hand over
            mapping[value] = str(value)
    if plain:
        joined = "\x00".join(plain)
        if joined[:1] == " " or joined[-1:] == " " or any(mark in joined for mark in _UNTIDY):
            for value in plain:
                clean = " ".join(value.split()) or None
                if clean != value:
                    mapping[value] = clean
        elif "" in distinct:
            mapping[""] = None
    return list(map(mapping.get, column, column)) if mapping else column


@dataclass
class _SheetText:
    candidates: dict[str, tuple[int, int]] = field(default_factory=dict)  # maybe legacy text -> evidence
    unicode_seen: bool = False  # the sheet holds real Unicode Vietnamese (letters past Latin-1)

    def clean(self, value: str) -> str | None:
        """Non-ASCII text, trimmed and in NFC; noted as a legacy-encoding candidate when it may be one."""
        text = " ".join(value.translate(_INVISIBLE).split())  # split() takes non-breaking spaces too
        if not text:
            return None
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if legacy.is_candidate(text):
            # A soft hyphen stays until the sheet's decision: it is TCVN3's ư.
            if text not in self.candidates:
                self.candidates[text] = legacy.evidence(text)
            return text
        self.unicode_seen = True
        return text.replace(_SOFT_HYPHEN, "") if _SOFT_HYPHEN in text else text


_COLUMN_NUMBER = re.compile(r"\(?(\d{1,3})\)?")


def _is_numbering(row: Sequence[Any]) -> bool:
    """A row that numbers the columns, "(1) (2) (3)…" or "1 2 3…", as official forms put under the header."""
    numbers = []
    for value in row:
        if value is None or value == "":
            continue
        if value.__class__ in (int, float) and value == int(value):
            numbers.append(int(value))
        elif isinstance(value, str) and (match := _COLUMN_NUMBER.fullmatch(value.strip())):
            numbers.append(int(match[1]))
        else:
            return False
    return len(numbers) >= 3 and numbers == list(range(1, len(numbers) + 1))


def _build_sheet(spec: SheetSpec, name: str, table: list[list[Any]]) -> Sheet:
    header = _locate_header(spec, table[: HEADER_ROWS + 1])
    if header.score and header.data < len(table) and _is_numbering(table[header.data]):
        header.data += 1
    if not header.score and not any(value not in ("", None) for row in table for value in row):
        return Sheet(spec, name, {}, [], {}, [], [], [_("The sheet is empty.")])
    header_row = header.data if header.score else 0  # Excel's number of the (last) header row
    issues = [
        Issue(name, header_row, text, _("The column “%(column)s” appears twice. Keep one of them.") % {"column": text})
        for _key, text in header.repeated
    ]
    issues += [
        Issue(
            name,
            0,
            spec.column(key).header,
            _("The required column “%(column)s” is missing. Add it to the header row, spelled as in the template.")
            % {"column": spec.column(key).header},
        )
        for key in header.missing
    ]
    if not header.score:
        return Sheet(spec, name, {}, [], {}, [], issues, [])
    headers = {key: header.texts.get(index, "") for key, index in header.columns.items()}
    all_headers = [header.texts.get(index, "") for index in range(len(header.texts))]

    # Column by column, so that the work runs in C (map, itemgetter, zip) but for each distinct value.
    body = table[header.data :]
    need = max(header.columns.values()) + 1  # csv rows may be shorter than the header
    body = [row if len(row) >= need else [*row, *[""] * (need - len(row))] for row in body]
    text = _SheetText()
    keys = list(header.columns)
    indexes = [header.columns[key] for key in keys]
    if len(indexes) == 1:
        picked: list[Sequence[Any]] = [list(map(itemgetter(indexes[0]), body))]
    else:
        picked = list(zip(*map(itemgetter(*indexes), body), strict=True)) or [[] for _key in keys]
    columns = [_clean_column(column, text) for column in picked]
    absent = [column.key for column in spec.columns if column.key not in header.columns]
    keys += absent
    columns += [[None] * len(body)] * len(absent)
    # Skipping empty rows (formatted ones and trailing ones too); in C, without a Python-level loop:
    # 50,000 rows × 20 columns take a tenth of what a loop does.
    values = zip(*columns, strict=True)
    keep = list(map(ne, map(tuple.count, values, repeat(None)), repeat(len(keys))))
    numbers = list(compress(range(header.data + 1, len(table) + 1), keep))
    kept_all = len(numbers) == len(body)
    cells = {
        key: list(column) if kept_all else list(compress(column, keep))
        for key, column in zip(keys, columns, strict=True)
    }
    raw: list[tuple[int, list[object]]] = list(zip(numbers, compress(body, keep), strict=True))
    limit = max_rows()
    if len(numbers) > limit:
        raise Unusable(_too_many_rows(name, len(numbers), limit))
    notes: list[str] = []
    if text.candidates:
        _fix_legacy(name, headers, numbers, cells, text, issues, notes)
    return Sheet(spec, name, headers, numbers, cells, raw, issues, notes, header_row, dict(header.columns), all_headers)


def _fix_legacy(
    name: str,
    headers: dict[str, str],
    numbers: list[int],
    cells: dict[str, list[object]],
    text: _SheetText,
    issues: list[Issue],
    notes: list[str],
) -> None:
    """Converts the sheet's legacy-encoded cells, or reports them when the encoding cannot be told."""
    decision = legacy.decide(text.candidates, unicode_seen=text.unicode_seen)
    fixes: dict[str, str | None] = {
        candidate: candidate.replace(_SOFT_HYPHEN, "") or None
        for candidate in text.candidates
        if _SOFT_HYPHEN in candidate and candidate not in decision.conversions
    }
    fixes.update(decision.conversions)
    undecided = decision.undecided
    if not fixes and not undecided:
        return
    converted = 0
    columns = list(cells.items())
    for i, number in enumerate(numbers):  # row by row, column by column: the issues in the order of the sheet
        for key, column in columns:
            value = column[i]
            if value.__class__ is not str:
                continue
            if value in fixes:
                column[i] = fixes[value]  # type: ignore[index]
                converted += value in decision.conversions  # type: ignore[operator]
            if value in undecided:
                issues.append(
                    Issue(
                        name,
                        number,
                        headers.get(key, key),
                        _(
                            "This text looks typed in an old Vietnamese font (TCVN3 or VNI), but which one cannot "
                            "be told. Convert the file to Unicode with Unikey's converter and import it again."
                        ),
                    )
                )
    if converted and decision.encoding:
        notes.append(
            ngettext(
                "Converted %(count)s cell from the %(encoding)s encoding to Unicode.",
                "Converted %(count)s cells from the %(encoding)s encoding to Unicode.",
                converted,
            )
            % {"count": _number(converted), "encoding": legacy.NAMES[decision.encoding]}
        )
