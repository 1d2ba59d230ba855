"""The attainment report as files: csv and json for scripts (CONTRACT §4), xlsx for officials.

Used by `manage.py attainment_report` and by the dashboard's export buttons. csv and json
carry the contract's figures in machine notation (a dot before the decimals, no grouping);
the workbook holds real numbers with number formats, so each reader's Excel shows them in its
own notation (102,78 and 7.894 in Vietnamese).
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_rowcol_to_cell

from organizations.exporting import CsvWriter, merge_text, write_text
from organizations.models import Organization
from recruitment.selectors import NOT_STATED, NOT_STATED_OF
from reports import terms
from reports.attainment import BREAKDOWNS, Attainment, Row, percent

CONTRACT_FIELDS = ("org_code", "org_name", "target", "admitted", "percent")
# The extended csv (the dashboard's): the contract's columns first, then these.
EXTENDED_FIELDS = (
    "members_at_start",
    "admission_rate",
    "still_needed",
    "recognized",
    "struck_off",
    *BREAKDOWNS,
    *NOT_STATED,  # of those admitted, whose ethnic group, religion is not stated
)


def decimal_text(value: Decimal | None) -> str | None:
    """A rounded figure with a dot and its two decimals ("102.78", "12.50"); None stays None."""
    return None if value is None else f"{value:f}"


def _has_detail(att: Attainment) -> bool:
    # attainment(detail=False) skips recognitions, strikings-off, breakdowns and the months; the
    # months always cover the whole period when they are computed, so they tell the two apart.
    return bool(att.months)


def _require_detail(att: Attainment) -> None:
    if not _has_detail(att):
        raise ValueError("these columns need attainment(..., detail=True)")


def _contract_values(row: Row) -> list[Any]:
    """CONTRACT_FIELDS' values of a row, the figures as numbers (the percentage a Decimal)."""
    return [row.org.code, row.org.name, row.target, row.admitted, row.percent]


def contract_records(att: Attainment) -> list[dict[str, Any]]:
    """CONTRACT §4: one record per row (the organization, then each direct child by code)."""
    records = [dict(zip(CONTRACT_FIELDS, _contract_values(row), strict=True)) for row in att.rows]
    for record in records:
        record["percent"] = decimal_text(record["percent"])
    return records


def _extended_values(row: Row) -> list[Any]:
    fig = row.figures
    return [
        row.members_at_start,
        row.admission_rate,
        row.still_needed,
        fig.recognized,
        fig.struck_off,
        *(fig.breakdown[key] for key in BREAKDOWNS),
        *(fig.not_stated[key] for key in NOT_STATED),
    ]


def write_csv(att: Attainment, stream: TextIO | Any, *, extended: bool = False, bom: bool = False) -> None:
    """CONTRACT §4 as csv: a header row, then the rows; an empty cell where a figure is None.

    `extended` appends EXTENDED_FIELDS (it needs detail=True). `bom` starts the text with a
    byte-order mark, for a file meant to be opened in Excel (which otherwise guesses a legacy
    encoding); scripts reading the contract do not want one. Lines end in "\\n".
    """
    if extended:
        _require_detail(att)
    if bom:
        stream.write("\ufeff")
    writer = CsvWriter(stream, lineterminator="\n")
    writer.writerow([*CONTRACT_FIELDS, *(EXTENDED_FIELDS if extended else ())])
    for row in att.rows:
        values = _contract_values(row)
        if extended:
            values += _extended_values(row)
        # Names and codes neutralized (organizations.exporting); the figures stay numbers, the
        # percentages written with a dot and their two decimals.
        writer.writerow(values)


def write_json(att: Attainment, stream: TextIO | Any) -> None:
    """CONTRACT §4 as json: a list of objects with the five keys, null where a figure is None.

    `percent` is a JSON number, written exactly as in the csv (102.78, 12.50, 100.00): the json
    module cannot write a Decimal, and through a float it would drop the second decimal (12.5,
    100.0), so each object is assembled here with the rounded decimal text as the literal.
    """
    lines = []
    for record in contract_records(att):
        literals = {key: json.dumps(value, ensure_ascii=False) for key, value in record.items()}
        if record["percent"] is not None:
            literals["percent"] = record["percent"]
        lines.append("  {" + ", ".join(f"{json.dumps(key)}: {literals[key]}" for key in CONTRACT_FIELDS) + "}")
    stream.write("[\n" + ",\n".join(lines) + "\n]\n")


# The workbook ---------------------------------------------------------------------------------

_INT = "#,##0"
_PCT = "0.00"


@dataclass(frozen=True)
class _Column:
    key: str
    header: Callable[[], str | Promise]
    width: float
    kind: str  # "text", "int" or "pct"
    value: Callable[[Row], Any]
    group: str = ""  # the header spanning a group of columns (the breakdowns)
    detail: bool = False  # needs attainment(detail=True)


def _columns() -> list[_Column]:
    cols = [
        _Column("org_code", lambda: _("Code"), 14, "text", lambda r: r.org.code),
        _Column("org_name", lambda: _("Party organization"), 44, "text", lambda r: r.org.name),
        _Column("target", lambda: _("Target"), 11, "int", lambda r: r.target),
        _Column("admitted", lambda: _("Admitted"), 11, "int", lambda r: r.admitted),
        _Column("percent", lambda: _("Attained (%)"), 11, "pct", lambda r: r.percent),
        _Column("members_at_start", lambda: _("Party members at the start"), 13, "int", lambda r: r.members_at_start),
        _Column("admission_rate", lambda: _("Admitted per 100 members (%)"), 13, "pct", lambda r: r.admission_rate),
        _Column("still_needed", lambda: _("Still needed"), 11, "int", lambda r: r.still_needed),
        _Column(
            "recognized",
            lambda: _("Recognized as full members"),
            13,
            "int",
            lambda r: r.figures.recognized,
            detail=True,
        ),
        _Column(
            "struck_off",
            lambda: _("Struck off during probation"),
            13,
            "int",
            lambda r: r.figures.struck_off,
            detail=True,
        ),
    ]
    for key, (label, _q) in BREAKDOWNS.items():
        cols.append(_Column(key, _constant(label), 12, "int", _breakdown(key), group="breakdown", detail=True))
        if key in NOT_STATED_OF:  # beside its breakdown: those whose answer is not stated
            unknown = NOT_STATED_OF[key]
            label = NOT_STATED[unknown][1]
            cols.append(
                _Column(unknown, _constant(label), 12, "int", _not_stated(unknown), group="breakdown", detail=True)
            )
    return cols


def _not_stated(key: str) -> Callable[[Row], int]:
    return lambda row: row.figures.not_stated[key]


def _constant(label: Promise) -> Callable[[], Promise]:
    return lambda: label


def _breakdown(key: str) -> Callable[[Row], int]:
    return lambda row: row.figures.breakdown[key]


def _title(att: Attainment) -> str:
    if att.period.is_term:
        return _("Party member admissions in the term %(term)s") % {"term": str(att.period)}
    return _("Party member admissions in %(year)s") % {"year": att.period.first_year}


def figures_day(att: Attainment) -> datetime.date:
    """The last day the figures can cover: the end of the period or the as-of date, not after today."""
    return min(att.cutoff, att.today)


def workbook(att: Attainment, *, can_name: Callable[[Organization], bool] = lambda _org: True) -> bytes:
    """The report as an .xlsx for officials.

    The organization's own row (its whole subtree, bold) comes first, then its direct children
    grouped one outline level down, then their sum; a second sheet has the admissions by month.
    Computed with detail=False, the workbook leaves out the columns and the sheet that need detail.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({"title": _title(att), "subject": att.org.name})
    fmt = _formats(book)
    detailed = _has_detail(att)
    _attainment_sheet(book, att, [col for col in _columns() if detailed or not col.detail], fmt, can_name)
    if att.months:
        _months_sheet(book, att, fmt)
    book.close()
    return buffer.getvalue()


def _formats(book: Any) -> dict[str, Any]:
    border = {"border": 1, "valign": "vcenter"}
    fmt: dict[str, Any] = {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "subtitle": book.add_format({"bold": True, "align": "center"}),
        "note": book.add_format({"italic": True, "align": "center"}),
        "header": book.add_format(
            {**border, "bold": True, "text_wrap": True, "align": "center", "bg_color": "#EFEFEF"}
        ),
        "month": book.add_format({**border, "num_format": "mm/yyyy", "align": "center"}),
        "dec": book.add_format({**border, "num_format": "#,##0.00"}),
    }
    for style, extra in (("", {}), ("bold_", {"bold": True}), ("child_", {}), ("sum_", {"bold": True, "top": 2})):
        fmt[f"{style}text"] = book.add_format({**border, **extra, **({"indent": 1} if style == "child_" else {})})
        fmt[f"{style}int"] = book.add_format({**border, **extra, "num_format": _INT})
        fmt[f"{style}pct"] = book.add_format({**border, **extra, "num_format": _PCT})
    return fmt


def _cell_value(value: Any) -> Any:
    # Decimals become floats: Excel stores doubles anyway, and 102.78 is the nearest double to the rounded figure.
    return float(value) if isinstance(value, Decimal) else value


def _write_row(sheet: Any, r: int, cols: list[_Column], row: Row, fmt: dict[str, Any], style: str) -> None:
    for c, col in enumerate(cols):
        value = col.value(row)
        cell_fmt = fmt[f"{style}{col.kind}"]
        if value is None:
            sheet.write_blank(r, c, None, cell_fmt)
        elif col.kind == "text":
            write_text(sheet, r, c, value, cell_fmt)
        else:
            sheet.write_number(r, c, _cell_value(value), cell_fmt)


def _write_sum_row(
    sheet: Any, r: int, cols: list[_Column], att: Attainment, first: int, last: int, fmt: dict[str, Any]
) -> None:
    """The children's sum: formulas, each with its value cached so readers that do not calculate show it."""
    sheet.write_blank(r, 0, None, fmt["sum_text"])
    write_text(sheet, r, 1, _("Total of the direct units"), fmt["sum_text"])
    sums: dict[str, int | None] = {}
    for c, col in enumerate(cols):
        if col.kind != "int":
            continue
        values = [v for v in (col.value(row) for row in att.children) if v is not None]
        sums[col.key] = sum(values) if values else None
        if not values:
            sheet.write_blank(r, c, None, fmt["sum_int"])
            continue
        rng = f"{xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(last, c)}"
        sheet.write_formula(r, c, f"=SUM({rng})", fmt["sum_int"], sums[col.key])
    positions = {col.key: c for c, col in enumerate(cols)}
    for key, part, whole in (("percent", "admitted", "target"), ("admission_rate", "admitted", "members_at_start")):
        c = positions[key]
        value = percent(sums["admitted"] or 0, sums[whole])
        if value is None:
            sheet.write_blank(r, c, None, fmt["sum_pct"])
            continue
        part_cell, whole_cell = xl_rowcol_to_cell(r, positions[part]), xl_rowcol_to_cell(r, positions[whole])
        formula = f'=IF(N({whole_cell})>0,ROUND({part_cell}/{whole_cell}*100,2),"")'
        sheet.write_formula(r, c, formula, fmt["sum_pct"], float(value))


def _attainment_sheet(
    book: Any, att: Attainment, cols: list[_Column], fmt: dict[str, Any], can_name: Callable[[Organization], bool]
) -> None:
    sheet = book.add_worksheet(_("Attainment")[:31])
    last_col = len(cols) - 1
    merge_text(sheet, 0, 0, 0, last_col, _title(att), fmt["title"])
    merge_text(sheet, 1, 0, 1, last_col, f"{att.org.name} ({att.org.code})", fmt["subtitle"])
    day = figures_day(att)
    merge_text(sheet, 2, 0, 2, last_col, _("Figures up to %(date)s") % {"date": f"{day:%d/%m/%Y}"}, fmt["note"])
    if att.period.is_term:  # the term's first and last day, and where they come from (CONTRACT §4)
        merge_text(sheet, 3, 0, 3, last_col, " ".join(terms.describe(att.period, can_name=can_name)), fmt["note"])

    # Two header rows: the breakdowns share "Of those admitted" above their own labels; the others span both.
    top, sub = 4, 5
    sheet.set_row(sub, 45)
    group = [c for c, col in enumerate(cols) if col.group]
    if group:
        merge_text(sheet, top, group[0], top, group[-1], _("Of those admitted"), fmt["header"])
    for c, col in enumerate(cols):
        sheet.set_column(c, c, col.width)
        if col.group:
            write_text(sheet, sub, c, col.header(), fmt["header"])
        else:
            merge_text(sheet, top, c, sub, c, col.header(), fmt["header"])

    r = sub + 1
    _write_row(sheet, r, cols, att.total, fmt, "bold_")
    first_child = r + 1
    for row in att.children:
        r += 1
        sheet.set_row(r, None, None, {"level": 1})
        _write_row(sheet, r, cols, row, fmt, "child_")
    last_data = r
    if att.children:
        r += 1
        _write_sum_row(sheet, r, cols, att, first_child, last_data, fmt)

    sheet.freeze_panes(sub + 1, 2)
    sheet.autofilter(sub, 0, last_data, last_col)
    sheet.outline_settings(True, True, True, False)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top, sub)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P/&N")


def _months_sheet(book: Any, att: Attainment, fmt: dict[str, Any]) -> None:
    sheet = book.add_worksheet(_("By month")[:31])
    curve = dict(att.target_curve())
    headers = [_("Month"), _("Admitted in the month"), _("Admitted so far")]
    if curve:
        headers.append(_("Target spread evenly, so far"))
    merge_text(sheet, 0, 0, 0, len(headers) - 1, _title(att), fmt["title"])
    merge_text(sheet, 1, 0, 1, len(headers) - 1, f"{att.org.name} ({att.org.code})", fmt["subtitle"])
    for c, header in enumerate(headers):
        sheet.set_column(c, c, 10 if c == 0 else 16)
        write_text(sheet, 3, c, header, fmt["header"])
    sheet.set_row(3, 45)
    # Months after the last day the figures cover are left empty rather than shown as no admissions.
    day = figures_day(att)
    r = 3
    for month, admitted, cumulative in att.months:
        r += 1
        sheet.write_datetime(r, 0, datetime.datetime(month.year, month.month, 1), fmt["month"])
        if month <= day:
            sheet.write_number(r, 1, admitted, fmt["int"])
            sheet.write_number(r, 2, cumulative, fmt["int"])
        else:
            sheet.write_blank(r, 1, None, fmt["int"])
            sheet.write_blank(r, 2, None, fmt["int"])
        if curve:
            sheet.write_number(r, 3, float(curve[month]), fmt["dec"])
    sheet.freeze_panes(4, 1)
    sheet.repeat_rows(3)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)

    chart = book.add_chart({"type": "line"})
    series = [(2, _("Admitted so far"))] + ([(3, _("Target spread evenly, so far"))] if curve else [])
    for c, name in series:
        chart.add_series(
            {
                "name": name,
                "categories": [sheet.name, 4, 0, r, 0],
                "values": [sheet.name, 4, c, r, c],
            }
        )
    chart.set_title({"name": _title(att)})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 320})
    sheet.insert_chart(3, len(headers) + 1, chart)
