"""The workbook layout of CONTRACT §3: four sheets, their columns, and how names and headers are matched.

Sheet names and headers match case-insensitively and with or without Vietnamese diacritics; the English
key is accepted as an alias, and so is the header followed by its key in brackets ("Số CCCD [national_id]"),
the form the CONTRACT's tables use. A trailing "*" (templates mark required columns so) is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from organizations.text import fold

__all__ = ["PEOPLE_FIELDS", "SHEETS", "SHEETS_BY_KEY", "Column", "SheetSpec", "find_sheet_spec", "fold", "name_key"]


@dataclass(frozen=True)
class Column:
    key: str  # English key of CONTRACT §3, e.g. "national_id"
    header: str  # Vietnamese header exactly as CONTRACT §3, e.g. "Số CCCD"
    required: bool


@dataclass(frozen=True)
class SheetSpec:
    key: str  # "organizations" | "membership" | "quotas" | "people"
    name: str  # "Tổ chức" | "Số lượng đảng viên" | "Chỉ tiêu" | "Quần chúng"
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.required)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    @cached_property
    def aliases(self) -> dict[str, str]:
        """name_key(header or key) -> key."""
        aliases: dict[str, str] = {}
        for column in self.columns:
            aliases[name_key(column.header)] = column.key
            aliases[name_key(column.key)] = column.key
        return aliases

    def match_header(self, text: str) -> str | None:
        """The key of the column whose header (or English key) `text` is, or None."""
        normal = name_key(text)
        if not normal:
            return None
        if normal in self.aliases:
            return self.aliases[normal]
        bracketed = _BRACKETED.match(normal)
        if bracketed:
            for part in bracketed.groups():
                if part in self.aliases:
                    return self.aliases[part]
        return None


_BRACKETED = re.compile(r"^(.*?)\s*[\[(](.*?)[\])]$")


def name_key(text: str) -> str:
    """The key sheet names and headers are compared by: folded, "_"/"-" as spaces, no trailing "*" or ":"."""
    folded = fold(text.replace("_", " ").replace("-", " "))
    return folded.rstrip("*: ").strip()


def _columns(*columns: tuple[str, str, bool]) -> tuple[Column, ...]:
    return tuple(Column(key, header, required) for key, header, required in columns)


ORGANIZATIONS = SheetSpec(
    "organizations",
    "Tổ chức",
    _columns(
        ("code", "Mã tổ chức", True),
        ("name", "Tên tổ chức", True),
        ("parent_code", "Mã cấp trên", False),
        ("kind", "Loại tổ chức", True),
        ("sector", "Loại hình", False),
    ),
)
MEMBERSHIP = SheetSpec(
    "membership",
    "Số lượng đảng viên",
    _columns(
        ("code", "Mã tổ chức", True),
        ("year", "Năm", True),
        ("members", "Tổng số đảng viên", True),
    ),
)
QUOTAS = SheetSpec(
    "quotas",
    "Chỉ tiêu",
    _columns(
        ("code", "Mã tổ chức", True),
        ("period", "Kỳ", True),
        ("target", "Chỉ tiêu kết nạp", True),
    ),
)
PEOPLE = SheetSpec(
    "people",
    "Quần chúng",
    _columns(
        ("full_name", "Họ và tên", True),
        ("birth_date", "Ngày sinh", True),
        ("gender", "Giới tính", True),
        ("ethnicity", "Dân tộc", True),
        ("religion", "Tôn giáo", False),
        ("national_id", "Số CCCD", True),
        ("branch_code", "Mã chi bộ", True),
        ("youth_union", "Đoàn viên", False),
        ("occupation", "Nghề nghiệp", False),
        ("education", "Trình độ giáo dục phổ thông", False),
        ("source_date", "Ngày vào danh sách nguồn", False),
        ("awareness_cert_date", "Ngày cấp giấy chứng nhận nhận thức về Đảng", False),
        ("branch_vote_date", "Ngày chi bộ xét", False),
        ("decision_no", "Số quyết định kết nạp", False),
        ("decision_date", "Ngày quyết định kết nạp", False),
        ("admission_date", "Ngày kết nạp", False),
        ("recognition_date", "Ngày công nhận chính thức", False),
        ("recognition_decision_no", "Số quyết định công nhận", False),
        ("removal_date", "Ngày ra khỏi danh sách", False),
        ("removal_reason", "Lý do", False),
        # With a chi bộ other than the person's: a transfer registered on that day (imports.transfer_rows);
        # the other rows are updated as without it.
        ("transfer_date", "Ngày chuyển sinh hoạt", False),
        # Added in 2026-12 (files without them stay valid): the day the cell received the decision, from which
        # the ceremony's 30 working days count, and the counts of the cell's vote, checked against 2/3.
        ("decision_received_date", "Ngày chi bộ nhận quyết định", False),
        ("branch_members", "Số đảng viên chính thức của chi bộ", False),
        ("votes_for", "Số phiếu tán thành", False),
        # Added in 2026-12 by issue 17 (files without them stay valid; a column left out changes nothing): the
        # particulars the Party's documents and registers print. The two levels by code or Vietnamese label.
        ("home_town", "Quê quán", False),
        ("residence", "Nơi cư trú", False),
        ("phone", "Số điện thoại", False),
        ("professional_level", "Trình độ chuyên môn", False),
        ("political_theory", "Lý luận chính trị", False),
    ),
)
# The Candidate field a people column is stored in, where the CONTRACT's key is another name.
PEOPLE_FIELDS: dict[str, str] = {"branch_members": "branch_vote_members", "votes_for": "branch_votes_for"}

# In apply order.
SHEETS: tuple[SheetSpec, ...] = (ORGANIZATIONS, MEMBERSHIP, QUOTAS, PEOPLE)
SHEETS_BY_KEY: dict[str, SheetSpec] = {spec.key: spec for spec in SHEETS}
_SHEET_ALIASES: dict[str, SheetSpec] = {
    **{name_key(spec.name): spec for spec in SHEETS},
    **{name_key(spec.key): spec for spec in SHEETS},
}


def find_sheet_spec(name: str) -> SheetSpec | None:
    """The sheet a workbook's sheet name stands for ("Quan chung", "QUẦN CHÚNG", "people"), or None."""
    return _SHEET_ALIASES.get(name_key(name))
