"""Biểu 2-BTCTW and 4-BTCTW as a workbook (FORMS.md §3), one sheet each, in the form's frame.

Frame (as transcribed, M): the issuing body's lines top left, the title in the centre, "Biểu số …" top
right; the footer with the place and date, "NGƯỜI LẬP BIỂU" (the full name of the user who downloaded it, blank when
the user has none) and "TRƯỞNG BAN" (blank: the head signs by hand). In Vietnamese whatever the UI language.
The form numbers and titles are data (FORMS below) because a 2025 guidance may renumber them.
Figures are numbers; a row without data says so in words in its figure cells. Every cell goes
through organizations.exporting (text is never a formula).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from organizations.exporting import merge_text, write_text
from organizations.models import Kind, Organization
from reports.documents.render import body_name, date_line, form_for
from reports.models import DocumentForm
from reports.periods import ReportPeriod
from reports.registers import Register
from reports.statistics import FORM_2012, OURS, Line, Statistics


@dataclass(frozen=True)
class FormSpec:
    number: str
    title: str


# As transcribed from 11-HD/BTCTW 2021 (FORMS.md §3, M); the rows of DocumentForm (migration 0007, dated, edited
# in the admin when a guidance renumbers them) are read first: these stand in only where none is found.
FORMS = {
    "2": FormSpec("Biểu số 2-BTCTW", "THỐNG KÊ ĐẢNG VIÊN MỚI KẾT NẠP"),
    "4": FormSpec("Biểu số 4-BTCTW", "ĐẢNG VIÊN MỚI KẾT NẠP CHIA THEO DÂN TỘC VÀ TÔN GIÁO"),
}

_INT = "#,##0"
_DEC = "#,##0.00"


def issuer_lines(org: Organization, parent: Organization | None) -> tuple[str, str]:
    """The two lines top left: the party committee and its commission that compiles the statistics (Ban tổ
    chức of a province or district; Ban xây dựng đảng of a commune since 7/2025); below, the level above
    and the committee (or cell) itself, as reports.documents.render.heading writes them."""
    if org.kind in (Kind.PROVINCE, Kind.DISTRICT):
        return body_name(org), "BAN TỔ CHỨC"
    if org.kind == Kind.COMMUNE:
        return body_name(org), "BAN XÂY DỰNG ĐẢNG"
    return (parent.name.upper() if parent is not None else ""), body_name(org)


def form_spec(key: str, fallback: str, on: datetime.date) -> FormSpec:
    """The form's number and title in force on `on` (reports.documents.render.form_for), else as above."""
    try:
        form = form_for(key, on)
    except DocumentForm.DoesNotExist:
        return FORMS[fallback]
    return FormSpec(f"Biểu số {form.form_number}" if form.form_number else "", form.title)


def _formats(book: Any) -> dict[str, Any]:
    border = {"border": 1, "valign": "vcenter", "font_name": "Times New Roman", "font_size": 12}
    plain = {"font_name": "Times New Roman", "font_size": 12}
    return {
        "left": book.add_format({**plain, "align": "center", "bold": True}),
        "left2": book.add_format({**plain, "align": "center"}),
        "right": book.add_format({**plain, "align": "right", "bold": True}),
        "title": book.add_format({**plain, "bold": True, "font_size": 14, "align": "center", "text_wrap": True}),
        "subtitle": book.add_format({**plain, "italic": True, "align": "center"}),
        "header": book.add_format({**border, "bold": True, "align": "center", "text_wrap": True}),
        "text": book.add_format({**border, "text_wrap": True}),
        "bold_text": book.add_format({**border, "bold": True, "text_wrap": True}),
        "center": book.add_format({**border, "align": "center"}),
        "int": book.add_format({**border, "num_format": _INT}),
        "dec": book.add_format({**border, "num_format": _DEC}),
        "dec1": book.add_format({**border, "num_format": "#,##0.0"}),
        "nodata": book.add_format({**border, "italic": True, "font_color": "#666666", "align": "center"}),
        "blank": book.add_format(border),
        "note": book.add_format({**plain, "italic": True, "text_wrap": True}),
        "sign": book.add_format({**plain, "bold": True, "align": "center"}),
        "sign_note": book.add_format({**plain, "italic": True, "align": "center", "text_wrap": True}),
        "date": book.add_format({**plain, "italic": True, "align": "center"}),
    }


def _frame_top(
    sheet: Any, fmt: dict[str, Any], form: FormSpec, stats: Statistics, parent: Organization | None, width: int
) -> int:
    a, b = issuer_lines(stats.org, parent)
    write_text(sheet, 0, 0, a, fmt["left2"])
    write_text(sheet, 1, 0, b, fmt["left"])
    write_text(sheet, 2, 0, "*", fmt["left2"])
    write_text(sheet, 0, width - 1, form.number, fmt["right"])
    merge_text(sheet, 4, 0, 4, width - 1, form.title, fmt["title"])
    merge_text(sheet, 5, 0, 5, width - 1, f"{stats.period.label} ({stats.period.span_text})", fmt["subtitle"])
    merge_text(
        sheet, 6, 0, 6, width - 1,
        _("Same period of the year before: %(span)s") % {"span": stats.period.previous_text}, fmt["subtitle"],
    )  # fmt: skip
    return 8


def _frame_bottom(
    sheet: Any, fmt: dict[str, Any], r: int, width: int, *, compiler: str, place: str, on: datetime.date
) -> None:
    r += 1
    half = width // 2
    merge_text(sheet, r, half, r, width - 1, date_line(place, on), fmt["date"])
    r += 1
    merge_text(sheet, r, 0, r, half - 1, "NGƯỜI LẬP BIỂU", fmt["sign"])
    merge_text(sheet, r, half, r, width - 1, "TRƯỞNG BAN", fmt["sign"])
    r += 1
    merge_text(
        sheet, r, 0, r, half - 1, "(Ký, ghi rõ họ và tên; số điện thoại di động và cố định liên hệ)", fmt["sign_note"]
    )
    merge_text(sheet, r, half, r, width - 1, "(Ký, đóng dấu, ghi rõ họ và tên)", fmt["sign_note"])
    sheet.set_row(r, 30)
    r += 4
    merge_text(sheet, r, 0, r, half - 1, compiler, fmt["sign"])


def _figure(sheet: Any, r: int, c: int, value: int | Decimal | None, fmt: dict[str, Any], *, no_data: bool) -> None:
    if no_data:
        write_text(sheet, r, c, _("No data"), fmt["nodata"])
    elif value is None:
        sheet.write_blank(r, c, None, fmt["blank"])
    elif isinstance(value, Decimal):  # a percentage (2 places) or the average age (1 place)
        places = -int(value.as_tuple().exponent)
        sheet.write_number(r, c, float(value), fmt["dec1" if places == 1 else "dec"])
    else:
        sheet.write_number(r, c, value, fmt["int"])


def _label(line: Line) -> str:
    mark = {FORM_2012: " (*)", OURS: ""}.get(line.source, "")
    return "    " * line.indent + line.label + mark


def _form2(book: Any, fmt: dict[str, Any], stats: Statistics, parent: Organization | None, **footer: Any) -> None:
    sheet = book.add_worksheet("2-BTCTW")
    width = 4
    r = _frame_top(sheet, fmt, form_spec("admission_statistics", "2", footer["on"]), stats, parent, width)
    sheet.set_column(0, 0, 62)
    sheet.set_column(1, 3, 16)
    write_text(sheet, r, 0, "Tiêu chí", fmt["header"])
    merge_text(sheet, r, 1, r, 2, "Thực hiện", fmt["header"])
    write_text(sheet, r, 3, "(%) kỳ này so với cùng kỳ năm trước", fmt["header"])
    write_text(sheet, r + 1, 1, "Kỳ này", fmt["header"])
    write_text(sheet, r + 1, 2, "Cùng kỳ năm trước", fmt["header"])
    write_text(sheet, r + 1, 0, "", fmt["header"])
    write_text(sheet, r + 1, 3, "", fmt["header"])
    for c, text in enumerate(["1", "2", "3", "4 = 2 × 100 / 3"]):
        write_text(sheet, r + 2, c, text, fmt["center"])
    sheet.set_row(r, 32)
    r += 3
    for line in stats.form2():
        label = (f"{line.number}. " if line.number else "") + _label(line)
        write_text(sheet, r, 0, label, fmt["bold_text"] if line.indent == 0 else fmt["text"])
        if not line.has_figures:
            for c in (1, 2, 3):
                sheet.write_blank(r, c, None, fmt["blank"])
        else:
            _figure(sheet, r, 1, line.now, fmt, no_data=line.no_data)
            _figure(sheet, r, 2, line.before, fmt, no_data=line.no_data)
            _figure(sheet, r, 3, line.ratio, fmt, no_data=line.no_data)
        r += 1
    notes = [
        _("(*) A row of the 2012 form (Biểu 2-TCTW), kept as the report asks."),
        _("Rows in brackets are the app's own: where the form's rows are finer than the data it holds."),
        _("No data: the app does not record what the row counts; the figure is not 0."),
        _("Column 4 is blank where the same period of the year before had none."),
    ]
    for note in notes:
        merge_text(sheet, r, 0, r, width - 1, note, fmt["note"])
        r += 1
    _frame_bottom(sheet, fmt, r, width, **footer)
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(8, 10)


def _form4(book: Any, fmt: dict[str, Any], stats: Statistics, parent: Organization | None, **footer: Any) -> None:
    sheet = book.add_worksheet("4-BTCTW")
    width = 7
    r = _frame_top(sheet, fmt, form_spec("admission_statistics_by_group", "4", footer["on"]), stats, parent, width)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 6, 14)
    headers = [
        "TT",
        "Tên dân tộc, tôn giáo",
        "Tổng số",
        "Trong đó: nữ",
        "Tỷ lệ (%)",
        "Cùng kỳ năm trước",
        "(%) kỳ này so với cùng kỳ năm trước",
    ]
    for c, text in enumerate(headers):
        write_text(sheet, r, c, text, fmt["header"])
    sheet.set_row(r, 45)
    r += 1
    for line in stats.form4():
        write_text(sheet, r, 0, line.number, fmt["center"])
        write_text(sheet, r, 1, line.label, fmt["bold_text"] if line.indent == 0 else fmt["text"])
        if not line.has_figures:
            for c in range(2, width):
                sheet.write_blank(r, c, None, fmt["blank"])
        else:
            _figure(sheet, r, 2, line.now, fmt, no_data=False)
            _figure(sheet, r, 3, line.women, fmt, no_data=False)
            _figure(sheet, r, 4, line.share, fmt, no_data=False)
            _figure(sheet, r, 5, line.before, fmt, no_data=False)
            _figure(sheet, r, 6, line.ratio, fmt, no_data=False)
        r += 1
    merge_text(
        sheet, r, 0, r, width - 1,
        _("Share: of all admitted in the period (%(total)s)") % {"total": stats.total}, fmt["note"],
    )  # fmt: skip
    _frame_bottom(sheet, fmt, r + 1, width, **footer)
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


def workbook(stats: Statistics, *, compiler: str, place: str, on: datetime.date) -> bytes:
    """Both forms, one sheet each, in Vietnamese whatever the user's language ("Không có dữ liệu", the
    period's words); `compiler` is the name under "NGƯỜI LẬP BIỂU" (blank: written by hand)."""
    with translation.override("vi"):
        return _workbook(stats, compiler=compiler, place=place, on=on)


def _workbook(stats: Statistics, *, compiler: str, place: str, on: datetime.date) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    fmt = _formats(book)
    parent = Organization.objects.filter(path=stats.org.parent_path).first() if stats.org.depth > 1 else None
    footer = {"compiler": compiler, "place": place, "on": on}
    _form2(book, fmt, stats, parent, **footer)
    _form4(book, fmt, stats, parent, **footer)
    book.close()
    return buffer.getvalue()


def register_workbook(register: Register, org: Organization, period: ReportPeriod) -> bytes:
    """A register (reports.registers) on one A4 landscape sheet, its header repeated on each page; in
    Vietnamese whatever the user's language."""
    with translation.override("vi"):
        return _register_workbook(register, org, period)


def _register_workbook(register: Register, org: Organization, period: ReportPeriod) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    fmt = _formats(book)
    sheet = book.add_worksheet(register.key[:31])
    width = len(register.headers)
    parent = Organization.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
    a, b = issuer_lines(org, parent)
    write_text(sheet, 0, 0, a, fmt["left2"])
    write_text(sheet, 1, 0, b, fmt["left"])
    merge_text(sheet, 3, 0, 3, width - 1, register.title, fmt["title"])
    merge_text(sheet, 4, 0, 4, width - 1, f"{org.name} · {period.label} ({period.span_text})", fmt["subtitle"])
    r = 6
    for c, text in enumerate(register.headers):
        write_text(sheet, r, c, text, fmt["header"])
        sheet.set_column(c, c, 6 if c == 0 else 18)
    sheet.set_column(1, 1, 24)
    sheet.set_row(r, 60)
    for row in register.rows:
        r += 1
        for c, value in enumerate(row):
            if value:
                write_text(sheet, r, c, value, fmt["text"])
            else:  # not stated, or not held (số lý lịch): an empty cell
                sheet.write_blank(r, c, None, fmt["text"])
    if not register.rows:
        r += 1
        merge_text(sheet, r, 0, r, width - 1, _("Nobody in this period."), fmt["note"])
    if register.key == "so-dang-vien-du-bi":
        merge_text(
            sheet,
            r + 2,
            0,
            r + 2,
            width - 1,
            _("* Columns of the app's own: the form's other columns were not found in the sources."),
            fmt["note"],
        )
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(6, 6)
    book.close()
    return buffer.getvalue()
