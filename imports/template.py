"""The template workbook admins download and fill in: the four sheets of CONTRACT §3, ready to type into.

Like the people export, the workbook is in Vietnamese whatever the page's language: its sheet
names and headers are the import format. An instructions sheet comes first; dropdowns read their
lists from a hidden "Danh mục" sheet, since Excel caps an inline list at 255 characters.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import xlsxwriter
from django.utils import translation
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from imports import layout
from imports.reading import max_bytes, max_rows
from organizations.exporting import write_text
from organizations.models import Kind, Sector
from recruitment.ethnicities import ETHNIC_GROUPS
from recruitment.models import PoliticalTheory, ProfessionalLevel, RemovalReason

INSTRUCTIONS_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
# Validations and formats cover the rows a sheet may have (Excel's last row, 0-based).
LAST_ROW = 1_048_575

YES, NO = "Có", "Không"
GENDERS = ("Nam", "Nữ")

DATE_KEYS = frozenset(
    {
        "birth_date",
        "source_date",
        "awareness_cert_date",
        "branch_vote_date",
        "decision_date",
        "admission_date",
        "recognition_date",
        "removal_date",
        "transfer_date",
        "decision_received_date",
    }
)
# Typed as text so that Excel keeps leading zeros (national IDs, codes) and does not turn
# "12/12" or "2020-2025" into a date or a subtraction.
TEXT_KEYS = frozenset(
    {"code", "parent_code", "national_id", "branch_code", "education", "period", "decision_no",
     "recognition_decision_no", "phone"}
)  # fmt: skip
WHOLE_NUMBER_KEYS = frozenset({"year", "members", "target", "branch_members", "votes_for"})

# What each column wants, shown as a note on its header. Keyed by (sheet, column), then column.
NOTES: dict[tuple[str, str] | str, str] = {
    ("organizations", "code"): "Mã duy nhất của tổ chức (chữ, số, dấu chấm, gạch ngang), ví dụ 01.02.003.",
    ("organizations", "name"): "Tên đầy đủ của tổ chức đảng.",
    "parent_code": "Mã của tổ chức cấp trên trực tiếp; để trống nếu là cấp cao nhất. "
    "Cấp trên có thể khai ở dòng trên trong cùng trang.",
    "kind": "Chọn trong danh sách (hoặc ghi mã: province, commune, base_committee, base_branch, "
    "sub_committee, branch, district).",
    "sector": "Chọn trong danh sách loại hình.",
    ("membership", "code"): "Mã tổ chức (đã có, hoặc khai ở trang Tổ chức của tệp này).",
    "year": "Năm, ví dụ 2024.",
    "members": "Tổng số đảng viên của tổ chức (toàn đảng bộ) tại ngày 31/12 của năm; số nguyên ≥ 0.",
    ("quotas", "code"): "Mã tổ chức được giao chỉ tiêu.",
    "period": "Một năm (2025) hoặc một nhiệm kỳ (2020-2025).",
    "target": "Số người được giao kết nạp; số nguyên ≥ 0. Nhập lại cùng mã và kỳ sẽ thay chỉ tiêu cũ.",
    "full_name": "Họ và tên đầy đủ, có dấu.",
    "birth_date": "Ngày sinh, dạng dd/mm/yyyy.",
    "gender": "Nam hoặc Nữ.",
    "ethnicity": "Một trong 54 dân tộc (chọn trong danh sách).",
    "religion": "Để trống hoặc ghi Không nếu không theo tôn giáo; ghi Chưa khai nếu chưa rõ.",
    "national_id": "Số căn cước công dân: đủ 12 chữ số (giữ số 0 ở đầu). "
    "Mỗi người một dòng; nhập lại cùng số CCCD sẽ cập nhật người đó.",
    "branch_code": "Mã chi bộ (chi bộ trực thuộc hoặc chi bộ cơ sở) nơi người đó sinh hoạt.",
    "youth_union": "Có nếu là đoàn viên; Không hoặc để trống nếu không.",
    "occupation": "Nghề nghiệp hiện nay, ví dụ Giáo viên, Công nhân, Nông dân, Sinh viên.",
    "education": "Ví dụ 9/12, 12/12. Để trống nếu chưa rõ (chi bộ phải ghi khi xét kết nạp).",
    "source_date": "Ngày chi bộ đưa vào danh sách nguồn (dd/mm/yyyy).",
    "awareness_cert_date": "Ngày cấp giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.",
    "branch_vote_date": "Ngày chi bộ họp xét, đề nghị kết nạp.",
    "decision_no": "Bắt buộc khi có ngày quyết định kết nạp.",
    "decision_date": "Ngày ký quyết định kết nạp.",
    "admission_date": "Ngày tổ chức lễ kết nạp (bắt đầu thời gian dự bị).",
    "recognition_date": "Ngày công nhận đảng viên chính thức.",
    "recognition_decision_no": "Bắt buộc khi có ngày công nhận chính thức.",
    "removal_date": "Ngày ra khỏi danh sách (không còn trong nguồn, xoá tên…).",
    "removal_reason": "Bắt buộc khi có ngày ra khỏi danh sách. Chọn một lý do trong danh sách (hoặc ghi mã: "
    "not_admitted, withdrew, struck_off, moved_away, died, other); lý do ghi theo cách khác không được nhận. "
    "Lý do phải phù hợp với giai đoạn người đó đã đến (ví dụ xóa tên dự bị chỉ với đảng viên dự bị); nếu không, "
    "thông báo lỗi nêu các lý do được chọn.",
    "transfer_date": "Ngày chuyển sinh hoạt đảng đến chi bộ ghi ở cột Mã chi bộ; bắt buộc khi chi bộ đó khác chi bộ "
    "đang ghi nhận người này. Dòng đó được ghi là chuyển sinh hoạt đảng chính thức, chi bộ nơi đến đã tiếp nhận "
    "vào ngày này (việc kết nạp trước đó vẫn tính cho đơn vị đã kết nạp); cả chi bộ nơi đi và nơi đến phải trong "
    "phạm vi của người nhập.",
    "decision_received_date": "Ngày chi bộ nhận được quyết định kết nạp; thời hạn 30 ngày làm việc tổ chức lễ kết nạp "
    "tính từ ngày này (để trống thì tính từ ngày quyết định).",
    "branch_members": "Số đảng viên chính thức của chi bộ tại cuộc họp xét kết nạp; số nguyên ≥ 0.",
    "votes_for": "Số đảng viên tán thành kết nạp tại cuộc họp đó; phải đạt ít nhất 2/3 số đảng viên chính thức. "
    'Để trống thì trang của người đó ghi "chưa có trong hồ sơ" và bước tiếp theo sẽ hỏi.',
    "home_town": "Quê quán như trong lý lịch, ví dụ: xã Hy Cương, tỉnh Phú Thọ. Để trống nếu chưa khai.",
    "residence": "Nơi cư trú (thường trú hoặc tạm trú). Để trống nếu chưa khai.",
    "phone": "Số điện thoại liên hệ, 9 đến 15 chữ số, có thể có dấu +, dấu cách hoặc dấu chấm "
    "(ví dụ 0912 345 678). Để trống nếu chưa khai.",
    "professional_level": "Trình độ chuyên môn, nghiệp vụ: chọn trong danh sách (hoặc ghi mã: none, elementary, "
    "intermediate, college, university, master, doctor); cách ghi khác không được nhận. Để trống nếu chưa khai.",
    "political_theory": "Trình độ lý luận chính trị: chọn trong danh sách (hoặc ghi mã: none, elementary, "
    "intermediate, advanced, bachelor); cách ghi khác không được nhận. Để trống nếu chưa khai.",
}

WIDTHS = {
    "name": 42,
    "full_name": 28,
    "kind": 34,
    "sector": 26,
    "removal_reason": 30,
    "occupation": 20,
    "national_id": 16,
    "ethnicity": 14,
    "home_town": 30,
    "residence": 30,
    "phone": 16,
    "professional_level": 34,
    "political_theory": 26,
}


def _vietnamese_labels(choices: Any) -> list[str]:
    with translation.override("vi"):
        return [str(label) for _value, label in choices]


def kind_labels() -> list[str]:
    return _vietnamese_labels(Kind.choices)


def sector_labels() -> list[str]:
    return _vietnamese_labels(Sector.choices)


def reason_labels() -> list[str]:
    return _vietnamese_labels(RemovalReason.choices)


def professional_labels() -> list[str]:
    return _vietnamese_labels(ProfessionalLevel.choices)


def theory_labels() -> list[str]:
    return _vietnamese_labels(PoliticalTheory.choices)


def _lists() -> dict[str, list[str]]:
    """The dropdowns' lists, one column each of the lists sheet, in this order."""
    return {
        "Loại tổ chức": kind_labels(),
        "Loại hình": sector_labels(),
        "Giới tính": list(GENDERS),
        "Dân tộc": list(ETHNIC_GROUPS),
        "Có/Không": [YES, NO],
        "Lý do": reason_labels(),
        "Trình độ chuyên môn": professional_labels(),
        "Lý luận chính trị": theory_labels(),
    }


def _instructions() -> list[tuple[str, str]]:
    """(style, text) lines of the instructions sheet."""
    mb = max_bytes() / (1024 * 1024)
    size = f"{mb:.0f}" if mb == int(mb) else f"{mb:.1f}".replace(".", ",")
    rows = f"{max_rows():,}".replace(",", ".")
    order = " → ".join(spec.name for spec in layout.SHEETS)
    lines: list[tuple[str, str]] = [
        ("title", "Mẫu nhập dữ liệu phát triển đảng viên"),
        ("text", "Điền dữ liệu vào các trang dưới đây, lưu tệp (.xlsx) rồi tải lên ở mục Nhập dữ liệu."),
        ("heading", "1. Các trang"),
        ("item", "Tổ chức: danh sách tổ chức đảng (mã, tên, mã cấp trên, loại tổ chức, loại hình)."),
        ("item", "Số lượng đảng viên: tổng số đảng viên của mỗi tổ chức (toàn đảng bộ) tại ngày 31/12 của năm."),
        ("item", "Chỉ tiêu: chỉ tiêu kết nạp đảng viên của tổ chức theo năm (2025) hoặc nhiệm kỳ (2020-2025)."),
        ("item", "Quần chúng: mỗi dòng một người, từ khi vào danh sách nguồn đến khi được công nhận chính thức."),
        ("text", "Chỉ cần điền những trang cần dùng; trang để trống hoặc đã xoá được bỏ qua."),
        ("heading", "2. Thứ tự áp dụng"),
        ("item", f"Các trang được áp dụng theo thứ tự: {order}."),
        ("item", "Vì vậy các trang sau có thể dùng mã của tổ chức mới khai ở trang Tổ chức của cùng tệp."),
        ("item", "Giai đoạn của mỗi người được xác định theo ngày muộn nhất đã điền."),
        ("heading", "3. Cách điền"),
        ("item", "Giữ nguyên tên trang và dòng tiêu đề. Cột tiêu đề màu đỏ là bắt buộc; cột thêm vào được bỏ qua."),
        ("item", "Đưa chuột vào ô tiêu đề để xem chú thích của cột. Cột có danh sách thì chọn trong danh sách."),
        ("item", "Ngày ghi dạng dd/mm/yyyy (ví dụ 05/03/2024), hoặc yyyy-mm-dd, hoặc ô ngày của Excel."),
        ("item", "Cột Có/Không nhận: Có/Không, x/để trống, 1/0."),
        ("item", "Số CCCD đủ 12 chữ số; cột đã định dạng văn bản để giữ số 0 ở đầu."),
        ("item", "Không dùng công thức: công thức không được tính; hãy dán giá trị (Paste Special → Values)."),
        ("heading", "4. Nhập lại và kiểm tra"),
        (
            "item",
            "Nhập lại một người (cùng Số CCCD) sẽ cập nhật người đó; tổ chức được nhận theo mã; "
            "số lượng đảng viên theo mã và năm; chỉ tiêu theo mã và kỳ.",
        ),
        ("item", "Nhập lại đúng tệp đã nhập không làm thay đổi gì."),
        (
            "item",
            "Tệp được kiểm tra toàn bộ trước khi ghi. Nếu có lỗi, không dòng nào được ghi: trang web liệt kê "
            "từng lỗi (trang, dòng, cột) và cho tải về các dòng lỗi kèm cột Lỗi để sửa rồi nhập lại.",
        ),
        ("item", "Chỉ nhập được dữ liệu của các tổ chức thuộc phạm vi tài khoản của mình."),
        ("heading", "5. Giới hạn"),
        ("item", f"Tệp .xlsx (hoặc .csv cho một trang), tối đa {size} MB và {rows} dòng."),
        ("heading", "6. Loại tổ chức (mã — tên)"),
    ]
    with translation.override("vi"):
        lines += [("item", f"{value} — {label}") for value, label in Kind.choices]
        lines.append(("heading", "7. Loại hình (mã — tên)"))
        lines += [("item", f"{value} — {label}") for value, label in Sector.choices]
        lines.append(("heading", "8. Lý do ra khỏi danh sách (mã — tên)"))
        lines += [("item", f"{value} — {label}") for value, label in RemovalReason.choices]
        lines.append(("heading", "9. Trình độ chuyên môn (mã — tên)"))
        lines += [("item", f"{value} — {label}") for value, label in ProfessionalLevel.choices]
        lines.append(("heading", "10. Lý luận chính trị (mã — tên)"))
        lines += [("item", f"{value} — {label}") for value, label in PoliticalTheory.choices]
    return lines


def _write_instructions(book: Workbook, sheet: Worksheet) -> None:
    styles = {
        "title": book.add_format({"bold": True, "font_size": 15, "font_color": "#B3261E"}),
        "heading": book.add_format({"bold": True, "font_size": 12}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
        "item": book.add_format({"text_wrap": True, "valign": "top", "indent": 1}),
    }
    sheet.set_column(0, 0, 110)
    sheet.hide_gridlines(2)
    row = 0
    for style, text in _instructions():
        if style == "heading":
            row += 1
        write_text(sheet, row, 0, text if style != "item" else f"• {text}", styles[style])
        row += 1
    sheet.activate()


def _write_lists(book: Workbook, sheet: Worksheet) -> dict[str, str]:
    """Writes the lists, one per column, and returns each list's range for a data validation."""
    bold = book.add_format({"bold": True})
    ranges: dict[str, str] = {}
    for col, (title, values) in enumerate(_lists().items()):
        write_text(sheet, 0, col, title, bold)
        sheet.set_column(col, col, max(12, max(len(v) for v in values) + 2))
        for row, value in enumerate(values, start=1):
            write_text(sheet, row, col, value)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        ranges[title] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    sheet.hide()
    return ranges


def _list_validation(source: str, *, strict: bool, title: str) -> dict[str, Any]:
    options: dict[str, Any] = {
        "validate": "list",
        "source": source,
        "error_title": title,
        "error_type": "stop" if strict else "warning",
        "error_message": "Hãy chọn một giá trị trong danh sách."
        if strict
        else "Giá trị không có trong danh sách. Vẫn giữ nếu chắc chắn đúng (ví dụ một mã hoặc cách viết khác).",
    }
    return options


def _validations(ranges: dict[str, str]) -> dict[str, dict[str, Any]]:
    date = {
        "validate": "date",
        "criteria": "between",
        "minimum": datetime.date(1900, 1, 1),
        "maximum": datetime.date(2100, 12, 31),
        "error_type": "warning",
        "error_title": "Ngày",
        "error_message": "Ghi ngày dạng dd/mm/yyyy, ví dụ 05/03/2024.",
    }
    whole = {
        "validate": "integer",
        "criteria": ">=",
        "value": 0,
        "error_type": "stop",
        "error_title": "Số nguyên",
        "error_message": "Ghi một số nguyên không âm.",
    }
    found = {
        "kind": _list_validation(ranges["Loại tổ chức"], strict=False, title="Loại tổ chức"),
        "sector": _list_validation(ranges["Loại hình"], strict=False, title="Loại hình"),
        "gender": _list_validation(ranges["Giới tính"], strict=True, title="Giới tính"),
        "ethnicity": _list_validation(ranges["Dân tộc"], strict=False, title="Dân tộc"),
        "youth_union": _list_validation(ranges["Có/Không"], strict=False, title="Đoàn viên"),
        "removal_reason": _list_validation(ranges["Lý do"], strict=False, title="Lý do"),
        "professional_level": _list_validation(
            ranges["Trình độ chuyên môn"], strict=False, title="Trình độ chuyên môn"
        ),
        "political_theory": _list_validation(ranges["Lý luận chính trị"], strict=False, title="Lý luận chính trị"),
        "members": whole,
        "target": whole,
        "year": {
            **whole,
            "criteria": "between",
            "minimum": 1930,
            "maximum": 2100,
            "error_message": "Ghi năm, ví dụ 2024.",
        },
    }
    found.update(dict.fromkeys(DATE_KEYS, date))
    return found


def _write_sheet(
    book: Workbook, sheet: Worksheet, spec: layout.SheetSpec, formats: dict[str, Any], validations: dict[str, Any]
) -> None:
    for col, column in enumerate(spec.columns):
        width = WIDTHS.get(column.key, max(12, min(30, len(column.header) + 2)))
        if column.key in DATE_KEYS:
            cell_format = formats["date"]
            width = max(width, 13)
        elif column.key in TEXT_KEYS:
            cell_format = formats["text"]
        else:
            cell_format = None
        sheet.set_column(col, col, width, cell_format)
        write_text(sheet, 0, col, column.header, formats["required" if column.required else "header"])
        note = NOTES.get((spec.key, column.key)) or NOTES.get(column.key)
        if note:
            required = "Bắt buộc." if column.required else "Không bắt buộc."
            sheet.write_comment(0, col, f"{required} {note}", {"x_scale": 2.2, "y_scale": 1.4})
        if column.key in validations:
            sheet.data_validation(1, col, LAST_ROW, col, validations[column.key])
    sheet.set_row(0, 36)
    sheet.freeze_panes(1, 0)


def template_workbook() -> bytes:
    """The empty template as .xlsx bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "in_memory": True})
    header = {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EFEFEF", "border": 1}
    formats = {
        "header": book.add_format(header),
        "required": book.add_format({**header, "bg_color": "#FDECEA", "font_color": "#B3261E"}),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        "text": book.add_format({"num_format": 49}),  # built-in "@": text
    }
    instructions = book.add_worksheet(INSTRUCTIONS_SHEET)
    sheets = [(spec, book.add_worksheet(spec.name)) for spec in layout.SHEETS]
    ranges = _write_lists(book, book.add_worksheet(LISTS_SHEET))
    validations = _validations(ranges)
    _write_instructions(book, instructions)
    for spec, sheet in sheets:
        _write_sheet(book, sheet, spec, formats, validations)
    book.set_properties({"title": "Mẫu nhập dữ liệu phát triển đảng viên", "comments": "CONTRACT §3"})
    book.close()
    return buffer.getvalue()
