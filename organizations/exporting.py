"""Cells of the files the app hands out (csv, xlsx) that no spreadsheet takes for a formula.

A text that begins with "=", "+", "-" or "@" is a formula to Excel and LibreOffice, and some of
them skip a leading tab or carriage return first: a unit named ``=HYPERLINK(…)`` or
``+cmd|' /C calc'!A0`` would run in the official's spreadsheet (OWASP, "CSV Injection"). Every
writer of the app puts its cells through here, the one place the rule is kept:

- csv: such a text gets a single quote in front (``'=1+1``, ``'\\t=1+1``: the tab is kept) and is
  wrapped in double quotes, its own quotes doubled, as OWASP recommends; any other text with a
  comma, a quote, a line break or a carriage return is quoted too, so no cell spills into the next.
  (Python 3.11's csv module leaves a carriage return unquoted when lines end in "\\n", and a
  reader then cuts the row there: CsvWriter quotes it.)
- xlsx: text is always written as a string cell (XlsxWriter's write_string), which a spreadsheet
  shows as text and never calculates, so the text stays exactly as stored (a candidate list or a
  failed rows workbook is imported again as it is, without a quote to strip).

Numbers stay numbers: an int, a float or a Decimal (a count, a percentage, a negative figure) is
written as a number, never as neutralized text.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# What a spreadsheet may read as the start of a formula (OWASP): =, +, -, @, tab (0x09), carriage return (0x0D).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could take the text for a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralized(text: str) -> str:
    """The text as a csv cell: a single quote in front when it could be taken for a formula, else as it is."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_NEEDS_QUOTES = frozenset(',"\r\n')


def csv_field(value: object) -> str:
    """One csv cell as written: empty for None, a number as a number (a Decimal with all its places and a
    dot), a text neutralized and quoted where it needs to be."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if not is_formula_like(text) and _NEEDS_QUOTES.isdisjoint(text):
        return text
    return '"' + neutralized(text).replace('"', '""') + '"'


class CsvWriter:
    """csv.writer's writerow() with csv_field's cells: comma separated, quoted where needed (RFC 4180)."""

    def __init__(self, stream: Any, *, lineterminator: str = "\r\n") -> None:
        self._stream = stream
        self._end = lineterminator

    def writerow(self, values: Iterable[object]) -> None:
        self._stream.write(",".join(map(csv_field, values)) + self._end)


def write_text(sheet: Any, row: int, col: int, value: object, cell_format: Any = None) -> None:
    """Text into an XlsxWriter sheet: always a string cell, never a formula, whatever it begins with.

    (XlsxWriter's generic write() would make a formula of a text beginning with "=".)
    """
    sheet.write_string(row, col, str(value), cell_format)


def merge_text(
    sheet: Any, first_row: int, first_col: int, last_row: int, last_col: int, value: object, cell_format: Any
) -> None:
    """Text across merged XlsxWriter cells, a string cell like write_text's.

    (merge_range() writes its text with write(), which makes a formula of a text beginning with
    "=": the merged range is made empty, then its first cell overwritten with the string, as
    XlsxWriter's documentation describes.)
    """
    sheet.merge_range(first_row, first_col, last_row, last_col, "", cell_format)
    write_text(sheet, first_row, first_col, value, cell_format)
