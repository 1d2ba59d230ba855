"""The candidate list as a workbook laid out like the people sheet of CONTRACT §3, so it can be edited and re-imported.

The headers are the workbook format's, in Vietnamese whatever the page's language; a few extra
columns (cell name, stage, deadlines) come after them and are ignored by the import.
"""

from __future__ import annotations

import datetime
import functools
import io
from collections.abc import Callable, Iterable
from typing import Any

import xlsxwriter
from django.db.models.expressions import Combinable
from django.utils import translation

from organizations.exporting import write_text
from recruitment.models import CandidateQuerySet, Gender, PoliticalTheory, ProfessionalLevel, RemovalReason, Stage
from recruitment.particulars import NOT_STATED_CELL

PEOPLE_SHEET = "Quần chúng"

_YES_NO = {True: "Có", False: "Không"}
_GENDER = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}


@functools.lru_cache(maxsize=16)
def _reason_label(code: str) -> str:
    """The reason's Vietnamese label, as the import reads it back (the template's dropdown)."""
    with translation.override("vi"):
        return str(RemovalReason(code).label) if code in RemovalReason.values else code


@functools.lru_cache(maxsize=32)
def _professional_label(code: str) -> str:
    """The professional level's Vietnamese label, as the import reads it back (the template's dropdown)."""
    with translation.override("vi"):
        return str(ProfessionalLevel(code).label) if code in ProfessionalLevel.values else code


@functools.lru_cache(maxsize=32)
def _theory_label(code: str) -> str:
    """The political theory level's Vietnamese label, as the import reads it back (the template's dropdown)."""
    with translation.override("vi"):
        return str(PoliticalTheory(code).label) if code in PoliticalTheory.values else code


# header, field, conversion
Column = tuple[str, str, Callable[[Any], Any] | None]
PEOPLE_COLUMNS: tuple[Column, ...] = (
    ("Họ và tên", "full_name", None),
    ("Ngày sinh", "birth_date", None),
    ("Giới tính", "gender", _GENDER.get),
    ("Dân tộc", "ethnicity", None),
    # Not stated: a word the import reads back as such (an empty cell would read as none, CONTRACT §3).
    ("Tôn giáo", "religion", lambda v: v or NOT_STATED_CELL),
    ("Số CCCD", "national_id", None),
    ("Mã chi bộ", "organization__code", None),
    ("Đoàn viên", "youth_union", _YES_NO.get),
    ("Nghề nghiệp", "occupation", None),
    ("Trình độ giáo dục phổ thông", "education", None),
    ("Ngày vào danh sách nguồn", "source_date", None),
    ("Ngày cấp giấy chứng nhận nhận thức về Đảng", "awareness_cert_date", None),
    ("Ngày chi bộ xét", "branch_vote_date", None),
    ("Số quyết định kết nạp", "decision_no", None),
    ("Ngày quyết định kết nạp", "decision_date", None),
    ("Ngày kết nạp", "admission_date", None),
    ("Ngày công nhận chính thức", "recognition_date", None),
    ("Số quyết định công nhận", "recognition_decision_no", None),
    ("Ngày ra khỏi danh sách", "removal_date", None),
    ("Lý do", "removal_reason", _reason_label),
    ("Ngày chi bộ nhận quyết định", "decision_received_date", None),
    ("Số đảng viên chính thức của chi bộ", "branch_vote_members", None),
    ("Số phiếu tán thành", "branch_votes_for", None),
    # Added by issue 17, as at the end of the import layout; blank (not stated) is an empty cell, which the
    # import reads back as not stated, and the phone as the reader may see it (recruitment.access).
    ("Quê quán", "home_town", None),
    ("Nơi cư trú", "residence", None),
    ("Số điện thoại", "phone", None),
    ("Trình độ chuyên môn", "professional_level", _professional_label),
    ("Lý luận chính trị", "political_theory", _theory_label),
    # Not in the import layout: for reading.
    ("Chi tiết lý do", "removal_note", None),
    ("Tên chi bộ", "organization__name", None),
    ("Giai đoạn", "stage", lambda v: str(Stage(v).label)),
    ("Hết thời gian dự bị", "probation_end", None),
    ("Hạn tiếp theo", "due_date", None),
)

_WIDTHS = {"full_name": 26, "organization__name": 40, "removal_reason": 30, "removal_note": 30, "occupation": 20,
           "home_town": 30, "residence": 30, "professional_level": 30, "political_theory": 20}  # fmt: skip


def people_workbook(
    rows: CandidateQuerySet, *, national_id: Combinable | None = None, phone: Combinable | None = None
) -> bytes:
    """The candidates as an .xlsx file, streamed row by row (constant memory at any size).

    national_id: the citizen ID column as the reader may see it (recruitment.access.national_id_expression),
    whole if not given; phone likewise (recruitment.access.phone_expression)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(PEOPLE_SHEET)
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EFEFEF"})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    for col, (header, field, _convert) in enumerate(PEOPLE_COLUMNS):
        sheet.set_column(col, col, _WIDTHS.get(field, 14))
        write_text(sheet, 0, col, header, bold)
    sheet.freeze_panes(1, 1)
    fields = [field for _header, field, _convert in PEOPLE_COLUMNS]
    if national_id is not None:
        rows = rows.annotate(shown_national_id=national_id)
        fields[fields.index("national_id")] = "shown_national_id"
    if phone is not None:
        rows = rows.annotate(shown_phone=phone)
        fields[fields.index("phone")] = "shown_phone"
    converters = [convert for _header, _field, convert in PEOPLE_COLUMNS]
    last = _write_rows(sheet, date, converters, rows.values_list(*fields).iterator(chunk_size=5000))
    sheet.autofilter(0, 0, max(last, 1), len(PEOPLE_COLUMNS) - 1)
    book.close()
    return buffer.getvalue()


def _write_rows(sheet: Any, date: Any, converters: list[Any], rows: Iterable[tuple[Any, ...]]) -> int:
    r = 0
    for r, row in enumerate(rows, start=1):
        for c, (value, convert) in enumerate(zip(row, converters, strict=True)):
            if convert is not None and value is not None:
                value = convert(value)
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, date)
            else:
                # Always text: a citizen ID must keep its leading zeros, and a name is never a formula.
                write_text(sheet, r, c, value)
    return r
