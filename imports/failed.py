"""The failed rows of an import as a workbook: the user fixes them there and imports that file again.

One sheet per sheet with errors, named as in the uploaded file: the row's number in the uploaded
file first, then the file's own headers and values as read, then the errors. The first and last
columns are not part of the layout, so the import ignores them when the fixed file comes back.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from imports import pipeline
from imports.models import ImportRun
from organizations.exporting import write_text

ROW_HEADER = "Dòng trong tệp gốc"
ERROR_HEADER = "Lỗi"


def _write_value(sheet: Worksheet, row: int, col: int, value: object, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats["datetime"])
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, datetime.time):
        sheet.write_datetime(row, col, value, formats["time"])
    elif isinstance(value, datetime.timedelta):
        sheet.write_datetime(row, col, value, formats["duration"])
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        write_text(sheet, row, col, value)


def _write_sheet(
    sheet: Worksheet,
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[object], str]],
    formats: dict[str, Any],
) -> None:
    error_col = len(headers) + 1
    sheet.set_row(0, 30)  # rows are written in order (constant memory): set the header row's height first
    write_text(sheet, 0, 0, ROW_HEADER, formats["header"])
    for col, header in enumerate(headers, start=1):
        write_text(sheet, 0, col, header, formats["header"])
        sheet.set_column(col, col, max(12, min(30, len(str(header)) + 2)))
    write_text(sheet, 0, error_col, ERROR_HEADER, formats["error_header"])
    sheet.set_column(0, 0, 10)
    sheet.set_column(error_col, error_col, 60, formats["error"])
    for r, (number, values, message) in enumerate(rows, start=1):
        sheet.write_number(r, 0, number)
        for col, value in enumerate(values[: len(headers)], start=1):
            _write_value(sheet, r, col, value, formats)
        write_text(sheet, r, error_col, message, formats["error"])
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(rows), 1), error_col)


def failed_rows_workbook(run: ImportRun) -> bytes:
    """The run's failed rows as .xlsx bytes (an empty first sheet when there are none)."""
    buffer = io.BytesIO()
    # constant_memory writes row by row: a file with 50,000 failed rows stays small in memory.
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False, "in_memory": True})
    formats = {
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EFEFEF"}),
        "error_header": book.add_format(
            {"bold": True, "valign": "top", "bg_color": "#FDECEA", "font_color": "#B3261E"}
        ),
        "error": book.add_format({"font_color": "#B3261E", "text_wrap": True, "valign": "top"}),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        "datetime": book.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        "time": book.add_format({"num_format": "hh:mm:ss"}),
        "duration": book.add_format({"num_format": "[h]:mm:ss"}),
    }
    sheets = pipeline.failed_rows(run)
    for name, headers, rows in sheets:
        _write_sheet(book.add_worksheet(name[:31]), headers, rows, formats)
    if not sheets:
        book.add_worksheet(ERROR_HEADER)
    book.close()
    return buffer.getvalue()
