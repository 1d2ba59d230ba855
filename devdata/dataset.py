"""Synthetic datasets for benchmarks and load tests: `manage.py generate_dataset --scale …` (CONTRACT §2).

A dataset is today's tree of one province (district and province scales) or of the whole country
under one root (national scale), with its party members counted on 31 December of each year, quotas
for each year and for the congress term, and candidacies whose dates pass the admission rules.

What it holds, and why:
- The tree follows CONTRACT §3 after the 2025 reform: province → commune or ward → grassroots
  organization → party cell. Residential cells (hamlets, residential groups) are the most; agencies,
  schools, health stations, state and private enterprises, the commune's military command and its
  police have theirs. A grassroots organization is a committee with cells under it, or a grassroots
  cell (chi bộ cơ sở) on its own. The tree is the one of today, as if it had always stood: it has no
  restructuring history (no district level before 7/2025, no moves), so reports on earlier years use
  it as it is.
- The national scale has one root, TW, above the 34 provinces, so that the whole country is one
  organization a user can be given and a dashboard can show. The contract has no kind for the
  Central Committee; TW takes the `province` kind (a `central` kind would need a migration).
- Membership counts exist for every organization and every year; a cell's count follows from the
  year before (+ admissions − those who died, moved or were removed), and every other organization's
  count is the sum of its children's.
- Each cell admits about `admission_rate` of its members a year (more in the army, police, schools and
  enterprises, fewer in residential areas), times a performance factor of its commune and province.
  Quotas are set from the expected admissions without that factor, so attainment spreads around
  80–115 %. A parent's quota is the sum of its children's, rounded, and a fifth of the time set
  above it (the dashboard then warns that the children fall short).
- Each candidacy is planned backwards from its ceremony: decision within 30 working days before it,
  the cell's vote (and the grassroots committee's review) within 60 working days before the decision,
  the dossier, the awareness course and the source list before that; probation of 12 months and
  recognition within the deadlines after it. The plan is then cut at today, so recent people are
  somewhere in the pipeline. About 8 % leave before admission (removed, transferred, not admitted)
  and about 1 % of the admitted are struck off during probation. Every record passes
  `recruitment.rules.check_record` without a problem, missed deadlines included (there are none).
- Bulk data carries no history rows, stage events, introducers or warnings: the candidate page shows
  no timeline for generated people. Writes go straight to the tables (COPY on PostgreSQL, one
  prepared INSERT per batch elsewhere), with the derived columns (probation end, full-member date,
  certificate expiry, next deadline, search key) computed as the services compute them.
- Everything follows from the seed and today's date: the same seed on the same day gives the same rows.
- A root organization carries an OrganizationEvent whose details say `generated_by: generate_dataset`;
  that is how a later run recognises a generated dataset (and, with `--replace`, deletes it). A database
  holding anything else is never touched.
"""

from __future__ import annotations

import calendar
import datetime
import math
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from devdata import population
from devdata.population import pick as _pick
from devdata.population import weights as _weights
from organizations.bulk import Table, analyze
from organizations.models import EventAction, Kind, Organization, OrganizationEvent, Sector
from organizations.notation import num
from organizations.text import fold, name_sort_key
from recruitment.models import Candidate, Gender, OccupationGroup, RemovalReason, Stage
from recruitment.particulars import NO_RELIGION
from recruitment.rules import RuleBook, add_months
from recruitment.workdays import IndexedCalendar
from reports import tally
from reports.models import MembershipCount, Quota, QuotaCategory, Tally, rate_target

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

_T = TypeVar("_T")
GENERATOR = "generate_dataset"
MAX_SEED = 2**32 - 1
TERM_YEARS = 6  # the years before the current one that the dataset covers: the 2020–2025 term in 2026
REFORM_DAY = datetime.date(2025, 7, 1)  # commune committees decide admissions since then
BATCH = 20_000


@dataclass(frozen=True)
class Scale:
    key: str
    label: Promise
    cells: int  # party cells (chi bộ), grassroots cells included
    members: int  # party members on 31 December of the last full year
    communes: int
    admission_rate: float  # admissions a year as a share of the members
    provinces: int = 0  # 0: one province is the root; otherwise a national root above that many
    # Ranges the tests hold the district scale to (cells, members, admissions in a full year).
    ranges: tuple[tuple[int, int], tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0), (0, 0))


SCALES: dict[str, Scale] = {
    "district": Scale(
        "district",
        _("district scale"),
        cells=300,
        members=8_000,
        communes=6,
        admission_rate=0.025,
        ranges=((285, 330), (7_200, 8_800), (150, 260)),
    ),
    "province": Scale(
        "province",
        _("province scale"),
        cells=3_000,
        members=150_000,
        communes=60,
        admission_rate=0.025,
        ranges=((2_900, 3_150), (140_000, 160_000), (3_200, 4_400)),
    ),
    "national": Scale(
        "national",
        _("national scale"),
        cells=250_000,
        members=5_500_000,
        communes=3_321,
        admission_rate=150_000 / 5_500_000,
        provinces=34,
        ranges=((245_000, 260_000), (5_300_000, 5_700_000), (135_000, 170_000)),
    ),
}

# ---------------------------------------------------------------------------------------------
# Provinces, places and ethnic groups

_MIDLAND = {"Kinh": 84, "Mường": 10, "Dao": 2, "Tày": 1.5, "Sán Dìu": 1, "Thái": 1, "Sán Chay": 0.5}


@dataclass(frozen=True)
class _Province:
    code: str
    name: str
    communes: int  # after the 2025 reform
    ethnic: dict[str, float]  # shares of the people on its source lists, in %
    births: tuple[str, ...]  # first three digits of a citizen ID: the provinces merged into it
    city: bool = False
    density: float = 1.0  # party members per commune, relative


# The 34 provincial organizations since 1/7/2025, with the provinces merged into them (their citizen ID codes).
PROVINCES = (
    _Province("HNI", "thành phố Hà Nội", 126, {"Kinh": 98.5, "Mường": 0.8, "Tày": 0.4, "Hoa": 0.3},
              ("001",), city=True, density=2.2),
    _Province("HUE", "thành phố Huế", 40, {"Kinh": 97, "Tà Ôi": 1.5, "Cơ Tu": 1, "Bru-Vân Kiều": 0.5},
              ("046",), city=True, density=1.3),
    _Province("LCU", "tỉnh Lai Châu", 38, {"Thái": 30, "Mông": 25, "Kinh": 15, "Dao": 12, "Hà Nhì": 8, "Giáy": 5,
              "Lự": 5}, ("012",), density=0.7),
    _Province("DBN", "tỉnh Điện Biên", 45, {"Thái": 38, "Mông": 30, "Kinh": 20, "Khơ Mú": 5, "Dao": 3, "Hà Nhì": 2,
              "Lào": 2}, ("011",), density=0.8),
    _Province("SLA", "tỉnh Sơn La", 75, {"Thái": 54, "Kinh": 18, "Mông": 15, "Mường": 8, "Dao": 2, "Khơ Mú": 2,
              "Xinh Mun": 1}, ("014",), density=0.9),
    _Province("LSN", "tỉnh Lạng Sơn", 65, {"Nùng": 42, "Tày": 35, "Kinh": 17, "Dao": 4, "Sán Chay": 1, "Hoa": 1},
              ("020",), density=0.9),
    _Province("QNH", "tỉnh Quảng Ninh", 54, {"Kinh": 88, "Dao": 5, "Tày": 3, "Sán Dìu": 2, "Hoa": 1, "Sán Chay": 1},
              ("022",), density=1.4),
    _Province("THA", "tỉnh Thanh Hóa", 166, {"Kinh": 84, "Mường": 9, "Thái": 6, "Mông": 0.5, "Dao": 0.5},
              ("038",), density=1.1),
    _Province("NAN", "tỉnh Nghệ An", 130, {"Kinh": 86, "Thái": 10, "Khơ Mú": 2, "Mông": 2}, ("040",), density=1.1),
    _Province("HTH", "tỉnh Hà Tĩnh", 69, {"Kinh": 99.8, "Chứt": 0.2}, ("042",), density=1.0),
    _Province("CBG", "tỉnh Cao Bằng", 56, {"Tày": 40, "Nùng": 30, "Mông": 10, "Dao": 9, "Kinh": 8, "Sán Chay": 3},
              ("004",), density=0.7),
    _Province("TQG", "tỉnh Tuyên Quang", 124, {"Kinh": 30, "Tày": 25, "Mông": 18, "Dao": 12, "Nùng": 5,
              "Sán Chay": 5, "Giáy": 2, "Pà Thẻn": 1, "Lô Lô": 1}, ("008", "002"), density=0.8),
    _Province("LCI", "tỉnh Lào Cai", 99, {"Kinh": 40, "Mông": 15, "Tày": 14, "Dao": 13, "Thái": 6, "Giáy": 3,
              "Nùng": 3, "Hà Nhì": 2, "Phù Lá": 2, "Bố Y": 1, "La Chí": 1}, ("010", "015"), density=0.8),
    _Province("TNN", "tỉnh Thái Nguyên", 92, {"Kinh": 62, "Tày": 22, "Nùng": 6, "Dao": 5, "Sán Dìu": 2, "Mông": 2,
              "Sán Chay": 1}, ("019", "006"), density=1.0),
    _Province("PTO", "tỉnh Phú Thọ", 148, {"Kinh": 75, "Mường": 20, "Dao": 2, "Tày": 1.5, "Sán Dìu": 1,
              "Thái": 0.5}, ("025", "026", "017"), density=1.0),
    _Province("BNH", "tỉnh Bắc Ninh", 99, {"Kinh": 91, "Nùng": 4, "Tày": 2.5, "Sán Chay": 1, "Sán Dìu": 1,
              "Hoa": 0.5}, ("027", "024"), density=1.1),
    _Province("HYN", "tỉnh Hưng Yên", 104, {"Kinh": 99.7, "Tày": 0.2, "Mường": 0.1}, ("033", "034"), density=1.1),
    _Province("HPG", "thành phố Hải Phòng", 114, {"Kinh": 99.5, "Hoa": 0.3, "Tày": 0.2}, ("031", "030"),
              city=True, density=1.3),
    _Province("NBH", "tỉnh Ninh Bình", 129, {"Kinh": 98, "Mường": 2}, ("037", "035", "036"), density=1.1),
    _Province("QTI", "tỉnh Quảng Trị", 78, {"Kinh": 93, "Bru-Vân Kiều": 5, "Tà Ôi": 1.5, "Chứt": 0.5},
              ("045", "044"), density=0.9),
    _Province("DNG", "thành phố Đà Nẵng", 94, {"Kinh": 96, "Cơ Tu": 2.5, "Xơ Đăng": 1, "Giẻ-Triêng": 0.5},
              ("048", "049"), city=True, density=1.1),
    _Province("QNI", "tỉnh Quảng Ngãi", 96, {"Kinh": 70, "Hrê": 10, "Xơ Đăng": 10, "Ba Na": 4, "Co": 3,
              "Giẻ-Triêng": 3}, ("051", "062"), density=0.9),
    _Province("GLI", "tỉnh Gia Lai", 135, {"Kinh": 70, "Gia Rai": 18, "Ba Na": 10, "Chăm": 1, "Hrê": 1},
              ("064", "052"), density=0.9),
    _Province("KHA", "tỉnh Khánh Hòa", 65, {"Kinh": 85, "Chăm": 7, "Ra Glai": 7, "Hoa": 1}, ("056", "058"),
              density=1.0),
    _Province("LDG", "tỉnh Lâm Đồng", 124, {"Kinh": 77, "Cơ Ho": 9, "Mnông": 4, "Chăm": 3, "Mạ": 2, "Chu Ru": 1,
              "Ê Đê": 1, "Tày": 1.5, "Nùng": 1.5}, ("068", "067", "060"), density=0.8),
    _Province("DLK", "tỉnh Đắk Lắk", 102, {"Kinh": 72, "Ê Đê": 18, "Mnông": 3, "Tày": 2.5, "Nùng": 2.5,
              "Gia Rai": 1, "Chăm": 1}, ("066", "054"), density=0.8),
    _Province("HCM", "Thành phố Hồ Chí Minh", 168, {"Kinh": 95.5, "Hoa": 3.5, "Khmer": 0.6, "Chăm": 0.4},
              ("079", "074", "077"), city=True, density=2.0),
    _Province("DNI", "tỉnh Đồng Nai", 95, {"Kinh": 90, "Xtiêng": 4, "Hoa": 3, "Khmer": 1.5, "Chơ Ro": 1,
              "Nùng": 0.5}, ("075", "070"), density=0.9),
    _Province("TNH", "tỉnh Tây Ninh", 96, {"Kinh": 98.5, "Khmer": 1, "Hoa": 0.5}, ("072", "080"), density=0.8),
    _Province("CTO", "thành phố Cần Thơ", 103, {"Kinh": 90, "Khmer": 8, "Hoa": 2}, ("092", "094", "093"),
              city=True, density=0.8),
    _Province("VLG", "tỉnh Vĩnh Long", 124, {"Kinh": 88, "Khmer": 11, "Hoa": 1}, ("086", "083", "084"),
              density=0.8),
    _Province("DTP", "tỉnh Đồng Tháp", 102, {"Kinh": 99.5, "Hoa": 0.3, "Khmer": 0.2}, ("087", "082"), density=0.8),
    _Province("CMU", "tỉnh Cà Mau", 64, {"Kinh": 93, "Khmer": 5, "Hoa": 2}, ("096", "095"), density=0.8),
    _Province("AGG", "tỉnh An Giang", 102, {"Kinh": 88, "Khmer": 10, "Hoa": 1.5, "Chăm": 0.5}, ("089", "091"),
              density=0.8),
)  # fmt: skip
assert len(PROVINCES) == 34

# The single province of the smaller scales: an invented name, a midland province's people.
_SINGLE = {
    "district": _Province("HS", "tỉnh Hòa Sơn", 6, _MIDLAND, ("025", "026", "017")),
    "province": _Province("SH", "tỉnh Sơn Hà", 60, _MIDLAND, ("025", "026", "017", "001")),
}
NATIONAL_ROOT = ("TW", "Đảng bộ toàn quốc (Ban Chấp hành Trung ương Đảng)")

_PLACE_FIRST = (
    "Tân", "Phú", "Hòa", "An", "Bình", "Thanh", "Đông", "Tây", "Nam", "Bắc", "Quang", "Minh", "Hưng", "Long",
    "Vĩnh", "Phước", "Thạnh", "Xuân", "Hồng", "Kim", "Ngọc", "Đức", "Hải", "Sơn", "Thuận", "Trung", "Yên", "Lộc",
    "Phong", "Cẩm", "Thái", "Hoàng", "Mỹ", "Quảng", "Thượng", "Định", "Lạc", "Việt", "Đại", "Gia",
)  # fmt: skip
_PLACE_SECOND = (
    "Lập", "Phú", "Hòa", "Bình", "An", "Thành", "Sơn", "Hưng", "Long", "Lợi", "Tiến", "Thịnh", "Lộc", "Mỹ", "Hiệp",
    "Phong", "Thuận", "Xuân", "Hải", "Dương", "Khánh", "Tân", "Yên", "Điền", "Phước", "Quý", "Hà", "Lâm", "Trung",
    "Nghĩa", "Đồng", "Cường", "Thủy", "Vinh", "Chủ", "Kiều", "Quang", "Trạch", "Hội", "Lĩnh",
)  # fmt: skip
_HAMLETS = (
    "Đông", "Đoài", "Thượng", "Hạ", "Trung", "Tân Lập", "Đồng Tâm", "Hòa Bình", "Quyết Tiến", "Thống Nhất",
    "Tiền Phong", "Đoàn Kết", "Tân Tiến", "Phú Lợi", "An Lạc", "Đồng Xuân", "Bãi Sậy", "Gò Mít", "Cầu Đá",
    "Đình Cả", "Chùa Thông", "Lương Điền", "Văn Phú", "Yên Thịnh", "Minh Khai", "Quang Trung", "Lê Lợi",
    "Bình Minh", "Ngọc Lâm", "Trại Mới", "Đầm Sen", "Đồng Chằm", "Khe Mạ", "Nà Chang", "Bản Pục", "Phiêng Luông",
)  # fmt: skip
_COMPANY_TRADES = (
    "May", "Xi măng", "Giấy", "Chè", "Gạch men", "Điện tử", "Dệt", "Cơ khí", "Thực phẩm", "Vận tải", "Xây dựng",
    "Thủy sản", "Chế biến gỗ", "Bao bì", "Dược phẩm", "Phân bón", "Thức ăn chăn nuôi", "Nhựa",
)  # fmt: skip
_COMPANY_BRANDS = (
    "Sông Hồng", "Hùng Vương", "Thành Công", "Phú Thịnh", "Việt Tiến", "Hoàng Long", "Đại Phát", "Tân Á", "Minh Anh",
    "Thiên Phú", "Hòa Phát", "An Phước", "Trường Sơn", "Bình Minh", "Sao Mai", "Đông Á", "Nam Việt", "Kim Long",
)  # fmt: skip
_STATE_COMPANIES = ("Thủy lợi", "Lâm nghiệp", "Cấp nước", "Môi trường đô thị", "Cao su", "Xổ số kiến thiết")

# Religion of those on the source lists, by ethnic group, in %; the rest follow none.
_RELIGION: dict[str, tuple[tuple[str, float], ...]] = {
    "Kinh": (("Công giáo", 0.9), ("Phật giáo", 0.7), ("Cao Đài", 0.1), ("Phật giáo Hòa Hảo", 0.1)),
    "Khmer": (("Phật giáo Nam tông", 20),),
    "Hoa": (("Phật giáo", 6),),
    "Mông": (("Tin lành", 8),),
    "Ê Đê": (("Tin lành", 10), ("Công giáo", 4)),
    "Gia Rai": (("Tin lành", 8), ("Công giáo", 5)),
    "Ba Na": (("Công giáo", 8),),
    "Chăm": (("Hồi giáo", 5), ("Bà-la-môn", 5)),
    "Cơ Ho": (("Tin lành", 6), ("Công giáo", 6)),
    "Mnông": (("Tin lành", 6),),
    "Dao": (("Tin lành", 1),),
}
_OTHER_RELIGION = (("Phật giáo", 0.5),)

# ---------------------------------------------------------------------------------------------
# Sectors: occupations of the people, sizes of the cells, admission rates

_G = OccupationGroup


@dataclass(frozen=True)
class _Job:
    title: str
    group: str
    women: float  # share of women
    lo: int  # age at the cell's vote, in years, mostly near lo
    hi: int


def _jobs(*rows: tuple[str, str, float, float, int, int]) -> tuple[tuple[_Job, ...], tuple[float, ...]]:
    jobs = tuple(_Job(t, g, women, lo, hi) for t, g, _w, women, lo, hi in rows)
    return jobs, tuple(accumulate(w for _t, _g, w, _women, _lo, _hi in rows))


_JOBS = {
    "rural": _jobs(
        ("Nông dân", _G.FARMER, 5, 0.45, 20, 45),
        ("Công nhân", _G.WORKER, 3, 0.55, 19, 35),
        ("Lao động tự do", _G.OTHER, 1.5, 0.35, 20, 42),
        ("Sinh viên", _G.STUDENT, 1, 0.55, 18, 22),
        ("Chủ hộ kinh doanh", _G.BUSINESS_OWNER, 0.8, 0.45, 26, 45),
        ("Dân quân thường trực", _G.OTHER, 0.8, 0.05, 19, 27),
        ("Quân nhân xuất ngũ", _G.OTHER, 1.2, 0.0, 21, 27),
        ("Trưởng thôn", _G.OTHER, 0.3, 0.2, 30, 50),
        ("Nhân viên y tế thôn", _G.OTHER, 0.3, 0.8, 24, 40),
        ("Giáo viên mầm non", _G.PUBLIC_EMPLOYEE, 0.5, 1.0, 22, 35),
    ),
    "urban": _jobs(
        ("Công nhân", _G.WORKER, 3, 0.5, 19, 38),
        ("Nhân viên văn phòng", _G.BUSINESS_EMPLOYEE, 2.5, 0.6, 22, 38),
        ("Sinh viên", _G.STUDENT, 1.5, 0.55, 18, 22),
        ("Chủ doanh nghiệp tư nhân", _G.BUSINESS_OWNER, 0.6, 0.3, 28, 48),
        ("Chủ hộ kinh doanh", _G.BUSINESS_OWNER, 1, 0.5, 25, 45),
        ("Tiểu thương", _G.OTHER, 1, 0.6, 24, 45),
        ("Lao động tự do", _G.OTHER, 1.2, 0.3, 20, 42),
        ("Tổ trưởng tổ dân phố", _G.OTHER, 0.3, 0.4, 32, 55),
        ("Dân quân tự vệ", _G.OTHER, 0.5, 0.05, 19, 27),
        ("Quân nhân xuất ngũ", _G.OTHER, 0.6, 0.0, 21, 27),
    ),
    Sector.STATE_AGENCY: _jobs(
        ("Công chức", _G.CIVIL_SERVANT, 5, 0.5, 24, 40),
        ("Cán bộ đoàn thể", _G.CIVIL_SERVANT, 1.5, 0.55, 23, 35),
        ("Nhân viên hợp đồng", _G.OTHER, 1, 0.5, 22, 35),
    ),
    Sector.PUBLIC_SERVICE: _jobs(
        ("Bác sĩ", _G.PUBLIC_EMPLOYEE, 2, 0.5, 25, 40),
        ("Điều dưỡng", _G.PUBLIC_EMPLOYEE, 3, 0.75, 22, 38),
        ("Viên chức", _G.PUBLIC_EMPLOYEE, 2, 0.6, 24, 40),
        ("Dược sĩ", _G.PUBLIC_EMPLOYEE, 0.5, 0.7, 24, 38),
    ),
    Sector.SCHOOL: _jobs(
        ("Giáo viên", _G.PUBLIC_EMPLOYEE, 8, 0.78, 23, 40),
        ("Nhân viên trường học", _G.PUBLIC_EMPLOYEE, 1.5, 0.7, 23, 40),
    ),
    "high_school": _jobs(
        ("Giáo viên", _G.PUBLIC_EMPLOYEE, 8, 0.7, 23, 40),
        ("Học sinh lớp 12", _G.STUDENT, 1.5, 0.6, 18, 18),
    ),
    Sector.STATE_ENTERPRISE: _jobs(
        ("Kỹ sư", _G.BUSINESS_EMPLOYEE, 2, 0.25, 24, 38),
        ("Công nhân", _G.WORKER, 4, 0.3, 20, 40),
        ("Nhân viên", _G.BUSINESS_EMPLOYEE, 2, 0.5, 23, 40),
    ),
    Sector.PRIVATE_ENTERPRISE: _jobs(
        ("Công nhân", _G.WORKER, 5, 0.55, 19, 38),
        ("Nhân viên văn phòng", _G.BUSINESS_EMPLOYEE, 2, 0.6, 22, 38),
        ("Quản lý", _G.BUSINESS_EMPLOYEE, 1, 0.35, 27, 45),
        ("Kỹ sư", _G.BUSINESS_EMPLOYEE, 1, 0.25, 24, 38),
    ),
    Sector.ARMY: _jobs(
        ("Dân quân thường trực", _G.OTHER, 2, 0.05, 19, 26),
        ("Quân nhân", _G.ARMED_FORCES, 2, 0.03, 19, 24),
        ("Cán bộ Ban Chỉ huy quân sự", _G.ARMED_FORCES, 1, 0.08, 24, 38),
    ),
    Sector.POLICE: _jobs(
        ("Chiến sĩ công an", _G.ARMED_FORCES, 3, 0.1, 20, 26),
        ("Cán bộ công an", _G.ARMED_FORCES, 2, 0.2, 23, 35),
    ),
}

# (members of a cell before scaling: low, high; admissions relative to the mean rate)
_SECTOR_SIZE: dict[str, tuple[tuple[int, int], float]] = {
    Sector.RESIDENTIAL: ((15, 60), 0.7),
    Sector.STATE_AGENCY: ((8, 25), 1.0),
    Sector.PUBLIC_SERVICE: ((6, 25), 1.2),
    Sector.SCHOOL: ((6, 30), 1.3),
    Sector.STATE_ENTERPRISE: ((10, 40), 1.1),
    Sector.PRIVATE_ENTERPRISE: ((3, 20), 1.7),
    Sector.ARMY: ((6, 20), 2.6),
    Sector.POLICE: ((8, 30), 2.0),
}

# Ceremonies by month (more before 3/2, 19/5, 2/9 and 7/11), and admissions by year relative to the plan
# (fewer in the COVID years, more at the end of the term).
_MONTHS = tuple(accumulate((6, 9, 10, 8, 10, 8, 7, 8, 10, 8, 9, 7)))
_TREND_BY_AGE = {6: 0.95, 5: 0.92, 4: 1.0, 3: 1.02, 2: 1.03, 1: 1.06, 0: 0.98, -1: 1.0}  # years before this one
_LOSS = (0.004, 0.010)  # members who die, leave or are removed a year
_DROP = 0.08  # planned candidacies that leave before the ceremony
_DROP_AFTER = tuple(accumulate((35, 30, 20, 10, 5)))  # ... after the source list, course, dossier, vote, decision
_STRUCK_OFF = 0.008  # of the admitted, struck off during probation

# (code, details) of the reasons for leaving, by the stage the candidacy ends in.
_REMOVAL_REASONS: dict[str, tuple[tuple[str, str], ...]] = {
    Stage.REMOVED: (
        (RemovalReason.OTHER, "Đi làm ăn xa, không còn đủ điều kiện theo dõi"),
        (RemovalReason.OTHER, "Không còn đủ tiêu chuẩn"),
        (RemovalReason.WITHDREW, ""),
        (RemovalReason.OTHER, "Đi lao động ở nước ngoài"),
        (RemovalReason.OTHER, "Vi phạm chính sách dân số"),
    ),
    Stage.TRANSFERRED: (
        (RemovalReason.MOVED_AWAY, "Chuyển công tác"),
        (RemovalReason.MOVED_AWAY, "Chuyển nơi cư trú"),
        (RemovalReason.MOVED_AWAY, "Đi học xa"),
    ),
    Stage.NOT_ADMITTED: (
        (RemovalReason.NOT_ADMITTED, "Cấp ủy cấp trên không đồng ý kết nạp"),
        (RemovalReason.NOT_ADMITTED, "Thẩm tra lý lịch chưa làm rõ"),
        (RemovalReason.NOT_ADMITTED, "Vi phạm tư cách trước lễ kết nạp"),
    ),
    Stage.STRUCK_OFF: (
        (RemovalReason.STRUCK_OFF, "Không đủ tư cách đảng viên khi hết thời gian dự bị"),
        (RemovalReason.STRUCK_OFF, "Vi phạm tư cách đảng viên trong thời gian dự bị"),
        (RemovalReason.STRUCK_OFF, "Không hoàn thành nhiệm vụ trong thời gian dự bị"),
    ),
}


# ---------------------------------------------------------------------------------------------
# Small tools


class _Random(random.Random):
    """random.Random with cheaper randint and choice (a few times faster; millions of calls at national scale)."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: SupportsLenAndGetItem[_T]) -> _T:
        return seq[int(self.random() * len(seq))]


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth); the means here are small."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# ---------------------------------------------------------------------------------------------
# The tree


class _Org:
    """An organization before it is written: its id and path are assigned here, not by the database."""

    __slots__ = ("children", "code", "counts", "depth", "id", "kind", "name", "path", "sector", "targets")

    def __init__(self, pk: int, path: str, code: str, name: str, kind: str, sector: str = "") -> None:
        self.id, self.path, self.code, self.name, self.kind, self.sector = pk, path, code, name, kind, sector
        self.depth = len(path) // Organization.steplen
        self.children: list[_Org] = []
        self.counts: list[int] = []  # members on 31 December, from the year before the first
        self.targets: dict[int, int] = {}  # year → the quota's number (a rate resolved)

    def child(self, pk: int, code: str, name: str, kind: str, sector: str = "") -> _Org:
        path = Organization._get_path(self.path, self.depth + 1, len(self.children) + 1)
        org = _Org(pk, path, code, name, kind, sector)
        self.children.append(org)
        return org

    def walk(self) -> list[_Org]:
        out, stack = [], [self]
        while stack:
            org = stack.pop()
            out.append(org)
            stack.extend(reversed(org.children))
        return out


@dataclass
class _Commune:
    org: _Org
    place: str  # "xã Tân Lập"
    ward: bool
    ethnic: tuple[tuple[str, ...], tuple[float, ...]]
    births: tuple[str, ...]
    perf: float
    decisions: dict[int, int] = field(default_factory=dict)  # running decision numbers by year
    certificates: dict[int, int] = field(default_factory=dict)
    home: str = ""  # "xã Tân Lập, tỉnh Phú Thọ": where its people live (population.place_of)
    homes: Sequence[str] = ()  # the province's communes and wards so written, where a person may come from


@dataclass
class _Cell:
    org: _Org
    commune: _Commune
    committee: int  # members of the grassroots committee that reviews; 0 for a grassroots cell
    jobs: tuple[tuple[_Job, ...], tuple[float, ...]]
    rate: float  # expected admissions per member and year
    perf: float
    loss: float
    sizes: list[int] = field(default_factory=list)  # members on 31 December, from the year before the first
    resolutions: dict[int, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# The generator


@dataclass
class Summary:
    scale: str
    seed: int
    root_code: str
    root_name: str
    first_year: int
    last_full_year: int
    organizations: int = 0
    provinces: int = 0
    communes: int = 0
    grassroots: int = 0
    cells: int = 0
    members: int = 0  # on 31 December of the last full year
    candidates: int = 0
    admitted: int = 0  # from the first year to today
    quotas: int = 0
    membership_counts: int = 0
    replaced: bool = False
    seconds: float = 0.0


class DatasetRefused(Exception):
    """The database holds data that generate_dataset must not touch."""


def generated_roots() -> tuple[list[Organization], dict[str, Any] | None]:
    """The root organizations, and the details of the generated dataset if every root belongs to one."""
    roots = list(Organization.objects.filter(depth=1))
    marks = {
        e.organization_id: e.details
        for e in OrganizationEvent.objects.filter(organization__depth=1, details__generated_by=GENERATOR)
    }
    if roots and all(r.pk in marks for r in roots):
        return roots, marks[roots[0].pk]
    return roots, None


def _dependants(model: type[models.Model], out: list[type[models.Model]]) -> list[type[models.Model]]:
    # Hidden relations too (related_name="+": the tallies, the imports' scope).
    for rel in model._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        related = rel.related_model
        if isinstance(related, type) and related not in out:
            out.append(related)
            _dependants(related, out)
    return out


def _delete_everything() -> None:
    """Delete every organization and every row that depends on one (the caller checked they are all generated)."""
    tables = [m._meta.db_table for m in reversed(_dependants(Organization, [Organization]))]
    quoted = [connection.ops.quote_name(t) for t in tables]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows written earlier in the same transaction leave deferred constraint checks pending, which
            # TRUNCATE refuses; checking them now clears the queue.
            connection.check_constraints()
            cursor.execute(f"TRUNCATE {', '.join(quoted)}")
        else:
            for table in quoted:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (names from the models)


class _Generator:
    """One run: the provinces one after another, each written before the next is planned."""

    def __init__(self, scale: Scale, seed: int, today: datetime.date, progress: Callable[[str], None]) -> None:
        self.scale, self.seed, self.today, self.progress = scale, seed, today, progress
        self.rng = _Random(seed)
        # The particulars of issue 17 from a stream of their own: adding them changed no other value.
        self.rng_particulars = _Random(seed + 17)
        self.first_year = today.year - TERM_YEARS
        self.years = list(range(self.first_year, today.year + 1))  # quota years
        self.count_years = list(range(self.first_year - 1, today.year))  # membership counts
        self.book = RuleBook.load()
        start = datetime.date(self.first_year - 4, 1, 1)  # the earliest source lists of the first year
        self.wd = IndexedCalendar.load_range(start, datetime.date(today.year + 4, 12, 31))
        self.t = today.toordinal()
        self.recent = self.t - 3 * 365  # listed in the last three years: records kept for the documents
        rule_sets = self.book.rule_sets
        self.decision_k = min(r.decision_working_days for r in rule_sets) - 2
        self.ceremony_k = min(r.ceremony_working_days for r in rule_sets) - 2
        self.rec_vote_k = min(r.recognition_vote_working_days for r in rule_sets) - 2
        self.rec_k = min(r.recognition_decision_working_days for r in rule_sets) - 2
        self.history_days = min(r.personal_history_valid_months for r in rule_sets) * 28
        self.votes = [(r.vote_numerator, r.vote_denominator) for r in rule_sets]
        self.months = {
            y: [(datetime.date(y, m, 1).toordinal(), calendar.monthrange(y, m)[1]) for m in range(1, 13)]
            for y in range(self.first_year, today.year + 3)
        }
        self.fold: dict[str, str] = {}
        self.sort_keys: dict[str, str] = {}  # full name -> its sort key (names repeat)
        self.ids: dict[str, int] = {}
        self.next_id = (Organization.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        self.orgs = Table(Organization, with_id=True, batch=BATCH)
        self.candidates = Table(Candidate, batch=BATCH)
        self.counts = Table(MembershipCount, batch=BATCH)
        self.quotas = Table(Quota, batch=BATCH)
        self._candidate_columns()
        self.summary = Summary(scale.key, seed, "", "", first_year=self.first_year, last_full_year=today.year - 1)

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    # -- the tree ---------------------------------------------------------------------------------

    def _place_names(self, n: int) -> list[str]:
        rng = self.rng
        pairs = [(a, b) for a in _PLACE_FIRST for b in _PLACE_SECOND if a != b]
        rng.shuffle(pairs)
        return [f"{a} {b}" for a, b in pairs[: min(n, len(pairs))]] + [
            f"{a} {b} {i}" for i, (a, b) in enumerate(pairs[: max(0, n - len(pairs))], start=2)
        ]

    def _commune_units(self, commune: _Commune, n: int) -> list[tuple[str, str, str, list[str], str]]:
        """The grassroots organizations of a commune with about n cells: (kind, sector, name, cells, jobs)."""
        rng, place = self.rng, commune.place
        short = place.split(" ", 1)[1]
        units: list[tuple[str, str, str, list[str], str]] = []
        agency = ["Chi bộ Văn phòng Đảng ủy", "Chi bộ Ủy ban nhân dân", "Chi bộ Mặt trận Tổ quốc và các đoàn thể"]
        if rng.random() < 0.6:
            agency.append("Chi bộ Trung tâm Phục vụ hành chính công")
        units.append(
            (Kind.BASE_COMMITTEE, Sector.STATE_AGENCY, f"Đảng bộ Cơ quan Đảng – Chính quyền {place}", agency, "")
        )
        if commune.ward and rng.random() < 0.5:
            police = ["Chi bộ Đội Cảnh sát khu vực", "Chi bộ Đội An ninh", "Chi bộ Tổng hợp"]
            units.append((Kind.BASE_COMMITTEE, Sector.POLICE, f"Đảng bộ Công an {place}", police, ""))
        else:
            units.append((Kind.BASE_BRANCH, Sector.POLICE, f"Chi bộ Công an {place}", [], ""))
        units.append((Kind.BASE_BRANCH, Sector.ARMY, f"Chi bộ Quân sự {place}", [], ""))
        units.append((Kind.BASE_BRANCH, Sector.PUBLIC_SERVICE, f"Chi bộ Trạm Y tế {place}", [], ""))
        for school in ("Mầm non", "Tiểu học", "Trung học cơ sở"):
            units.append((Kind.BASE_BRANCH, Sector.SCHOOL, f"Chi bộ Trường {school} {short}", [], ""))
        if rng.random() < 0.5:
            cells = ["Chi bộ Tổ Khoa học tự nhiên", "Chi bộ Tổ Khoa học xã hội", "Chi bộ Hành chính – Văn phòng"]
            name = f"Đảng bộ Trường Trung học phổ thông {rng.choice(_PLACE_FIRST)} {rng.choice(_PLACE_SECOND)}"
            units.append((Kind.BASE_COMMITTEE, Sector.SCHOOL, name, cells, "high_school"))
        if rng.random() < 0.12:
            company = f"Công ty TNHH Một thành viên {rng.choice(_STATE_COMPANIES)} {short}"
            cells = [f"Chi bộ Xí nghiệp {i}" for i in range(1, rng.randint(2, 4) + 1)] + ["Chi bộ Văn phòng"]
            units.append((Kind.BASE_COMMITTEE, Sector.STATE_ENTERPRISE, f"Đảng bộ {company}", cells, ""))
        firms = _poisson(rng, n * (0.07 if commune.ward else 0.03))
        for _firm in range(firms):
            company = f"{rng.choice(_COMPANY_TRADES)} {rng.choice(_COMPANY_BRANDS)}"
            if rng.random() < 0.7:
                kind = rng.choice(("TNHH", "Cổ phần"))
                units.append((Kind.BASE_BRANCH, Sector.PRIVATE_ENTERPRISE, f"Chi bộ Công ty {kind} {company}", [], ""))
            else:
                cells = [f"Chi bộ Phân xưởng {i}" for i in range(1, rng.randint(1, 4) + 1)]
                cells += rng.sample(["Chi bộ Văn phòng", "Chi bộ Kinh doanh", "Chi bộ Kho vận"], 1)
                name = f"Đảng bộ Công ty Cổ phần {company}"
                units.append((Kind.BASE_COMMITTEE, Sector.PRIVATE_ENTERPRISE, name, cells, ""))
        used = sum(len(u[3]) or 1 for u in units)
        left = max(n - used, 3)
        hamlets = list(_HAMLETS)
        rng.shuffle(hamlets)
        number = 0
        while left > 0:
            if commune.ward:
                number += 1
                if rng.random() < 0.75 and left >= 3:
                    k = min(left, rng.randint(3, 8))
                    cells = [f"Chi bộ Tổ dân phố {number}.{i}" for i in range(1, k + 1)]
                    units.append((Kind.BASE_COMMITTEE, Sector.RESIDENTIAL, f"Đảng bộ Khu phố {number}", cells, ""))
                    left -= k
                else:
                    units.append((Kind.BASE_BRANCH, Sector.RESIDENTIAL, f"Chi bộ Tổ dân phố {number}", [], ""))
                    left -= 1
            else:
                if hamlets and rng.random() < 0.6:
                    name = hamlets.pop()
                else:
                    number += 1
                    name = str(number)
                if rng.random() < 0.4 and left >= 2:
                    k = min(left, rng.randint(2, 5))
                    cells = [f"Chi bộ Xóm {i}" for i in range(1, k + 1)]
                    units.append((Kind.BASE_COMMITTEE, Sector.RESIDENTIAL, f"Đảng bộ Thôn {name}", cells, ""))
                    left -= k
                else:
                    units.append((Kind.BASE_BRANCH, Sector.RESIDENTIAL, f"Chi bộ Thôn {name}", [], ""))
                    left -= 1
        return units

    def _build_province(self, province: _Province, root: _Org | None, cells_total: int, communes: int) -> _Org:
        """The province's tree (ids and paths assigned), and its cells with their sizes still unscaled."""
        rng = self.rng
        name = f"Đảng bộ {province.name}"
        if root is None:
            porg = _Org(self._id(), Organization._get_path("", 1, self._root_position()), province.code, name,
                        Kind.PROVINCE)  # fmt: skip
        else:
            porg = root.child(self._id(), province.code, name, Kind.PROVINCE)
        ethnic_groups = list(province.ethnic)
        wards = 0.55 if province.city else 0.15
        is_ward = [rng.random() < wards for _i in range(communes)]
        # Wards are larger; cells are split among the communes in whole numbers that add up.
        sizes = _apportion(cells_total, [rng.lognormvariate(0, 0.4) * (1.2 if w else 1.0) for w in is_ward])
        places = self._place_names(communes)
        homes = [
            population.place_of(f"{'phường' if ward else 'xã'} {places[i]}", province.name)
            for i, ward in enumerate(is_ward)
        ]
        self._cells: list[_Cell] = []
        province_perf = rng.uniform(0.94, 1.06)
        for i, ward in enumerate(is_ward):
            place = f"{'phường' if ward else 'xã'} {places[i]}"
            corg = porg.child(self._id(), f"{province.code}.{i + 1:03d}", f"Đảng bộ {place}", Kind.COMMUNE)
            # Minorities live more in rural communes, and some communes are mostly theirs.
            spread = rng.lognormvariate(-0.3, 0.8) * (0.4 if ward else 1.1)
            shares = {g: s * (1 if g == "Kinh" else spread) for g, s in province.ethnic.items()}
            commune = _Commune(
                org=corg,
                place=place,
                ward=ward,
                ethnic=_weights({g: shares[g] for g in ethnic_groups}),
                births=province.births,
                perf=province_perf * rng.uniform(0.86, 1.14),
                home=homes[i],
                homes=homes,
            )
            units = self._commune_units(commune, max(12, sizes[i]))
            for b, (kind, sector, bname, cells, jobs) in enumerate(units, start=1):
                borg = corg.child(self._id(), f"{corg.code}.{b:02d}", bname, kind, sector)
                if kind == Kind.BASE_BRANCH:
                    self._cells.append(self._cell(borg, commune, 0, jobs))
                    continue
                committee = rng.choice((5, 7, 7, 9, 9, 11, 13))
                for c, cname in enumerate(cells, start=1):
                    cell = borg.child(self._id(), f"{borg.code}.{c:02d}", cname, Kind.BRANCH, sector)
                    self._cells.append(self._cell(cell, commune, committee, jobs))
        return porg

    def _root_position(self) -> int:
        last = Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
        return (Organization._str2int(last) if last else 0) + 1

    def _cell(self, org: _Org, commune: _Commune, committee: int, jobs: str) -> _Cell:
        rng = self.rng
        (lo, hi), rate = _SECTOR_SIZE[org.sector]
        key = jobs or (("urban" if commune.ward else "rural") if org.sector == Sector.RESIDENTIAL else org.sector)
        cell = _Cell(
            org=org,
            commune=commune,
            committee=committee,
            jobs=_JOBS[key],
            rate=rate,
            perf=commune.perf * rng.uniform(0.9, 1.1),
            loss=rng.uniform(*_LOSS),
        )
        cell.sizes = [rng.randint(lo, hi)]
        return cell

    def _scale_cells(self, members: float) -> None:
        """Scale the cells' first counts to `members` in all, and their rates to the scale's mean rate."""
        cells = self._cells
        raw = sum(c.sizes[0] for c in cells)
        for c in cells:
            c.sizes[0] = max(3, round(c.sizes[0] * members / raw))
        weighted = sum(c.rate * c.sizes[0] for c in cells) / sum(c.sizes[0] for c in cells)
        for c in cells:
            c.rate *= self.scale.admission_rate / weighted

    # -- people -----------------------------------------------------------------------------------

    def _candidate_columns(self) -> None:
        at = self.candidates.at
        self.c_names = [
            "organization_id",
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "religion",
            "national_id",
            "youth_union",
            "trade_union",
            "occupation",
            "occupation_group",
            "education",
            "search_key",
            "sort_name",
            "stage",
            "stage_date",
            "source_date",
            "awareness_cert_date",
            "awareness_cert_no",
            "application_date",
            "personal_history_date",
            "verification_date",
            "residence_comment_date",
            "mass_org_comment_date",
            "branch_vote_date",
            "branch_vote_members",
            "branch_votes_for",
            "branch_resolution_no",
            "committee_review_date",
            "committee_members",
            "committee_votes_for",
            "committee_resolution_no",
            "decision_no",
            "decision_date",
            "admission_date",
            "probation_end",
            "new_member_course_date",
            "recognition_vote_date",
            "recognition_vote_members",
            "recognition_votes_for",
            "recognition_date",
            "recognition_decision_no",
            "official_date",
            "removal_date",
            "removal_reason",
            "removal_note",
            "removal_decision_no",
            "cert_expires",
            "due_date",
            "home_town",
            "residence",
            "phone",
            "professional_level",
            "political_theory",
        ]
        self.c_at = {name: at[name] for name in self.c_names}

    def _sort_key(self, full_name: str) -> str:
        key = self.sort_keys.get(full_name)
        if key is None:
            key = self.sort_keys[full_name] = name_sort_key(full_name)
        return key

    def _name(self, gender: str, ethnicity: str) -> tuple[str, str]:
        """(full name, folded full name)"""
        parts = population.name_parts(self.rng, gender, ethnicity)
        fold_cache = self.fold
        folded = []
        for part in parts:
            f = fold_cache.get(part)
            if f is None:
                f = fold_cache[part] = fold(part)
            folded.append(f)
        return " ".join(parts), " ".join(folded)

    def _national_id(self, births: tuple[str, ...], birth: datetime.date, gender: str) -> str:
        """Province of birth, century and sex, year of birth, then six digits unique within that prefix."""
        digit = (0 if birth.year < 2000 else 2) + (1 if gender == Gender.FEMALE else 0)
        province = births[0] if len(births) == 1 or self.rng.random() < 0.75 else self.rng.choice(births)
        prefix = f"{province}{digit}{birth.year % 100:02d}"
        k = self.ids.get(prefix, 0)
        self.ids[prefix] = k + 1
        # A bijection of 0..999,999 (the multiplier is prime to 10), offset by the seed.
        return f"{prefix}{(k * 737_531 + self.seed) % 1_000_000:06d}"

    def _votes(self, members: int) -> tuple[int, int]:
        needed = max(-(-members * num // den) for num, den in self.votes)
        absent = min(self.rng.choice((0, 0, 0, 1, 1, 2, 3)), members - needed)
        return members, members - absent

    def _people(self, cell: _Cell) -> None:
        """Plan the candidacies of a cell year by year and count its members each 31 December."""
        rng = self.rng
        this_year = self.today.year
        for year in range(self.first_year, this_year + 3):  # people listed today for the next two years
            before = cell.sizes[min(year - self.first_year, len(cell.sizes) - 1)]
            trend = _TREND_BY_AGE.get(this_year - year, 1.0)
            lam = cell.rate * cell.perf * trend * before / (1 - _DROP)
            admitted = 0
            for _plan in range(_poisson(rng, lam)):
                admitted += self._candidacy(cell, year)
            if year < this_year:
                lost = _poisson(rng, before * cell.loss)
                cell.sizes.append(max(3, before + admitted - lost))

    def _candidacy(self, cell: _Cell, year: int) -> int:
        """One candidacy with its ceremony planned in `year`; 1 if the person was admitted that year."""
        rng, wd, t = self.rng, self.wd, self.t
        first, length = self.months[year][bisect_right(_MONTHS, rng.random() * _MONTHS[-1])]
        i_c = wd.index(first + int(rng.random() * length))
        i_d = i_c - rng.randint(2, self.ceremony_k)
        k = rng.randint(12, self.decision_k)
        i_v = i_d - k
        days = wd.ordinals
        ceremony, decision, vote = days[i_c], days[i_d], days[i_v]
        review = days[i_v + rng.randint(4, max(4, min(20, k - 3)))] if cell.committee else 0
        history = vote - rng.randint(45, min(300, self.history_days))
        application = history - rng.randint(3, 25)
        cert = days[wd.index(application - rng.randint(15, 200))]
        source = cert - rng.randint(20, 540)  # some wait long on the source list
        if source > t:
            return 0  # not on any list yet
        acts = [
            (source, Stage.SOURCE),
            (cert, Stage.AWARENESS),
            (application, Stage.DOSSIER),
            (vote, Stage.BRANCH_VOTED),
        ]
        if review:
            acts.append((review, Stage.COMMITTEE_REVIEWED))
        acts += [(decision, Stage.DECIDED), (ceremony, Stage.PROBATION)]
        date = wd.date
        probation_end = add_months(date(ceremony), self.book.at(date(ceremony)).probation_months)
        p_end = probation_end.toordinal()
        rec_vote = wd.add_ordinal(p_end, rng.randint(1, self.rec_vote_k))
        recognition = days[wd.index(rec_vote) + rng.randint(3, self.rec_k)]
        acts.append((recognition, Stage.OFFICIAL))

        cutoff, last = t, len(acts) - 1
        ended: str = ""
        r = rng.random()
        if r < _DROP:
            j = _pick(rng, (0, 1, 2, 3, len(acts) - 3), _DROP_AFTER)
            gap = acts[j + 1][0] - acts[j][0]
            leave = acts[j][0] + (rng.randint(1, gap - 1) if gap > 1 else 0)
            if leave <= t:
                cutoff, last = leave, j
                before_vote = Stage.TRANSFERRED if rng.random() < 0.2 else Stage.REMOVED
                ended = before_vote if j <= 2 else Stage.NOT_ADMITTED
        elif r < _DROP + _STRUCK_OFF * (1 - _DROP):
            if rng.random() < 0.6:
                leave = wd.add_ordinal(p_end, rng.randint(3, self.rec_vote_k))
            else:
                leave = ceremony + rng.randint(60, 330)
            if leave <= t:
                cutoff, last, ended = leave, len(acts) - 2, Stage.STRUCK_OFF
        reached = [a for a in acts[: last + 1] if a[0] <= cutoff]
        stage_day, stage = reached[-1][0], str(reached[-1][1])
        if ended:
            stage, stage_day = ended, cutoff

        at, row = self.c_at, self.candidates.blank()
        commune = cell.commune
        job = _pick(rng, *cell.jobs)
        gender = Gender.FEMALE if rng.random() < job.women else Gender.MALE
        ethnicity = _pick(rng, *commune.ethnic)
        age_years = job.lo + (job.hi - job.lo) * rng.random() ** 2
        months = max(18 * 12 + 1, int(age_years * 12))
        birth = add_months(date(vote), -months) - datetime.timedelta(days=rng.randint(0, 27))
        full_name, folded = self._name(gender, ethnicity)
        national_id = self._national_id(commune.births, birth, gender)
        religion = NO_RELIGION
        for name, share in _RELIGION.get(ethnicity, _OTHER_RELIGION):
            if rng.random() * 100 < share:
                religion = name
                break
        youth = months < 30 * 12 and rng.random() < (0.95 if job.group == _G.ARMED_FORCES else 0.85)
        if job.group in (_G.FARMER, _G.WORKER, _G.OTHER) and rng.random() < (0.2 if ethnicity == "Kinh" else 0.35):
            education = "9/12"
        else:
            education = "12/12"
        row[at["organization_id"]] = cell.org.id
        row[at["full_name"]] = full_name
        row[at["birth_date"]] = birth
        row[at["gender"]] = gender
        row[at["ethnicity"]] = ethnicity
        row[at["religion"]] = religion
        row[at["national_id"]] = national_id
        row[at["youth_union"]] = youth
        row[at["trade_union"]] = job.group in (_G.CIVIL_SERVANT, _G.PUBLIC_EMPLOYEE, _G.BUSINESS_EMPLOYEE, _G.WORKER)
        row[at["occupation"]] = job.title
        row[at["occupation_group"]] = job.group
        row[at["education"]] = education
        row[at["search_key"]] = f"{folded} {national_id}"[:250]
        row[at["sort_name"]] = self._sort_key(full_name)
        row[at["stage"]] = stage
        row[at["stage_date"]] = date(stage_day)
        row[at["source_date"]] = date(source)
        n = len(reached)
        if n > 1:
            cert_date = date(cert)
            row[at["awareness_cert_date"]] = cert_date
            issued = commune.certificates.get(cert_date.year, rng.randint(10, 60)) + rng.randint(1, 3)
            commune.certificates[cert_date.year] = issued
            row[at["awareness_cert_no"]] = f"{issued}/GCN-TTCT"
            row[at["cert_expires"]] = add_months(cert_date, self.book.at(cert_date).awareness_cert_valid_months)
        if n > 2:
            row[at["application_date"]] = date(application)
            gap = vote - history
            docs = (
                ("personal_history_date", history),
                ("verification_date", days[wd.index(history + rng.randint(20, gap - 3))]),
                ("residence_comment_date", history + rng.randint(7, gap - 1)),
                ("mass_org_comment_date", history + rng.randint(7, gap - 1)),
            )
            for name, day in docs:
                if day <= cutoff:
                    row[at[name]] = date(day)
        members = max(3, cell.sizes[-1] - rng.randint(0, 3))
        if n > 3:
            year_of = date(vote).year
            m, votes_for = self._votes(members)
            row[at["branch_vote_date"]] = date(vote)
            row[at["branch_vote_members"]] = m
            row[at["branch_votes_for"]] = votes_for
            number = cell.resolutions.get(year_of, 0) + rng.randint(1, 3)
            cell.resolutions[year_of] = number
            row[at["branch_resolution_no"]] = f"{number:02d}-NQ/CB"
        if review and n > 4:
            m, votes_for = self._votes(cell.committee)
            row[at["committee_review_date"]] = date(review)
            row[at["committee_members"]] = m
            row[at["committee_votes_for"]] = votes_for
            row[at["committee_resolution_no"]] = f"{rng.randint(5, 60):02d}-NQ/ĐU"
        decided = n > (5 if review else 4)
        if decided:
            row[at["decision_date"]] = date(decision)
            row[at["decision_no"]] = self._decision_no(commune, date(decision))
        admitted = decided and reached[-1][1] in (Stage.PROBATION, Stage.OFFICIAL)
        if admitted:
            row[at["admission_date"]] = date(ceremony)
            row[at["probation_end"]] = probation_end
            course = days[wd.index(ceremony + rng.randint(40, 250))]
            if course <= cutoff:
                row[at["new_member_course_date"]] = date(course)
        recognized = reached[-1][1] == Stage.OFFICIAL
        if admitted and not ended and rec_vote <= cutoff:
            m, votes_for = self._votes(members + rng.randint(0, 1))
            row[at["recognition_vote_date"]] = date(rec_vote)
            row[at["recognition_vote_members"]] = m
            row[at["recognition_votes_for"]] = votes_for
        if recognized:
            row[at["recognition_date"]] = date(recognition)
            row[at["recognition_decision_no"]] = self._decision_no(commune, date(recognition))
            row[at["official_date"]] = probation_end
        if ended:
            row[at["removal_date"]] = date(cutoff)
            row[at["removal_reason"]], row[at["removal_note"]] = rng.choice(_REMOVAL_REASONS[ended])
            if ended == Stage.STRUCK_OFF:  # decided by the competent committee (issue 15)
                row[at["removal_decision_no"]] = self._decision_no(commune, date(cutoff))
        due = self._due(stage, vote, decision, p_end, rec_vote if rec_vote <= cutoff else 0)
        if due is not None:
            row[at["due_date"]] = due
        (
            row[at["home_town"]], row[at["residence"]], row[at["phone"]], row[at["professional_level"]],
            row[at["political_theory"]],
        ) = population.particulars(
            self.rng_particulars, home=commune.home, homes=commune.homes, group=job.group, recent=source > self.recent
        )  # fmt: skip
        self.candidates.add(row)
        self.summary.candidates += 1
        if admitted:
            self.summary.admitted += 1
        return int(admitted and date(ceremony).year == year)

    def _decision_no(self, commune: _Commune, day: datetime.date) -> str:
        number = commune.decisions.get(day.year, self.rng.randint(20, 120)) + self.rng.randint(1, 4)
        commune.decisions[day.year] = number
        if day >= REFORM_DAY:
            return f"{number}-QĐ/ĐU"
        return f"{number}-QĐ/{'QU' if commune.ward else 'HU'}"

    def _due(self, stage: str, vote: int, decision: int, p_end: int, rec_vote: int) -> datetime.date | None:
        """The next deadline, as recruitment.rules computes it for the stage."""
        wd, book = self.wd, self.book
        date = wd.date
        if stage in (Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED):
            return date(wd.add_ordinal(vote, book.at(date(vote)).decision_working_days))
        if stage == Stage.DECIDED:
            return date(wd.add_ordinal(decision, book.at(date(decision)).ceremony_working_days))
        if stage == Stage.PROBATION:
            if rec_vote:
                return date(wd.add_ordinal(rec_vote, book.at(date(rec_vote)).recognition_decision_working_days))
            return date(wd.add_ordinal(p_end, book.at(date(p_end)).recognition_vote_working_days))
        return None

    # -- counts and quotas ------------------------------------------------------------------------

    def _count(self, org: _Org, cells: dict[int, _Cell]) -> list[int]:
        """Members of org's subtree on each 31 December (leaves: the cells' own counts)."""
        if not org.children:
            org.counts = cells[org.id].sizes[: len(self.count_years)]
        else:
            per_child = [self._count(c, cells) for c in org.children]
            org.counts = [sum(col) for col in zip(*per_child, strict=True)]
        return org.counts

    def _expected(self, org: _Org, cells: dict[int, _Cell]) -> list[float]:
        """Admissions expected in each quota year, from the members at its start and the planned rate."""
        if not org.children:
            cell = cells[org.id]
            return [cell.rate * org.counts[min(i, len(org.counts) - 1)] for i in range(len(self.years))]
        per_child = [self._expected(c, cells) for c in org.children]
        return [sum(col) for col in zip(*per_child, strict=True)]

    def _quotas(self, org: _Org, cells: dict[int, _Cell], *, term: bool) -> None:
        """Quotas bottom-up: grassroots organizations from their expected admissions; each level above
        from its children's sum, a fifth of the time set higher than that sum."""
        rng = self.rng
        if org.kind in (Kind.BASE_COMMITTEE, Kind.BASE_BRANCH):
            expected = self._expected(org, cells)
            for i, year in enumerate(self.years):
                target = math.floor(expected[i] * rng.uniform(0.95, 1.06) + rng.random())
                if target <= 0:
                    continue
                members = org.counts[min(i, len(org.counts) - 1)]
                if rng.random() < 0.1 and members:
                    # Some set a rate of their members instead: the same number, as a share.
                    rate = Decimal(min(max(100 * target / members, 0.01), 100)).quantize(Decimal("0.01"))
                    org.targets[year] = rate_target(rate, members)
                    self._quota(org, year, year, rate=rate)
                else:
                    org.targets[year] = target
                    self._quota(org, year, year, target=target)
            return
        for child in org.children:
            self._quotas(child, cells, term=term)
        for year in self.years:
            below = sum(c.targets.get(year, 0) for c in org.children)
            factor = rng.uniform(1.03, 1.12) if rng.random() < 0.2 else rng.uniform(0.95, 1.0)
            target = round(below * factor)
            if target <= 0:
                continue
            org.targets[year] = target
            self._quota(org, year, year, target=target)
            women = round(target * rng.uniform(0.38, 0.45))
            self._quota(org, year, year, QuotaCategory.WOMEN, target=women)
            self._quota(org, year, year, QuotaCategory.YOUTH_UNION, target=round(target * rng.uniform(0.6, 0.68)))
        if term:
            # The congress resolution's round number for the term (the years before this one).
            years = self.years[:-1]
            total = sum(org.targets.get(y, 0) for y in years) * rng.uniform(0.97, 1.04)
            step = 50 if org.kind == Kind.PROVINCE else 10
            if total >= step:
                self._quota(org, years[0], years[-1], target=round(total / step) * step)

    def _quota(
        self,
        org: _Org,
        first: int,
        last: int,
        category: str = "",
        *,
        target: int | None = None,
        rate: Decimal | None = None,
    ) -> None:
        table = self.quotas
        at, row = table.at, table.blank()
        row[at["organization_id"]] = org.id
        row[at["first_year"]] = first
        row[at["last_year"]] = last
        row[at["category"]] = category
        row[at["target"]] = target
        row[at["rate"]] = str(rate) if rate is not None else None
        table.add(row)

    def _write_orgs(self, org: _Org, *, subtree: bool = True) -> None:
        orgs, counts = self.orgs, self.counts
        for o in org.walk() if subtree else [org]:
            at, row = orgs.at, orgs.blank()
            row[at["id"]] = o.id
            row[at["path"]] = o.path
            row[at["depth"]] = o.depth
            row[at["numchild"]] = len(o.children)
            row[at["code"]] = o.code
            row[at["name"]] = o.name
            row[at["search_key"]] = fold(f"{o.code} {o.name}")
            row[at["kind"]] = o.kind
            row[at["sector"]] = o.sector
            orgs.add(row)
            for year, members in zip(self.count_years, o.counts, strict=True):
                c_at, c_row = counts.at, counts.blank()
                c_row[c_at["organization_id"]] = o.id
                c_row[c_at["year"]] = year
                c_row[c_at["members"]] = members
                counts.add(c_row)
            s = self.summary
            s.organizations += 1
            s.provinces += o.kind == Kind.PROVINCE
            s.communes += o.kind == Kind.COMMUNE
            s.grassroots += o.kind in (Kind.BASE_COMMITTEE, Kind.BASE_BRANCH)
            s.cells += o.kind in (Kind.BRANCH, Kind.BASE_BRANCH)

    # -- the whole ------------------------------------------------------------------------------

    def run(self) -> Summary:
        scale = self.scale
        years = len(self.count_years) - 1
        start_members = scale.members / (1 + scale.admission_rate - sum(_LOSS) / 2) ** years
        if scale.provinces:
            code, name = NATIONAL_ROOT
            root = _Org(self._id(), Organization._get_path("", 1, self._root_position()), code, name, Kind.PROVINCE)
            provinces = list(PROVINCES)
            weights = [p.communes * p.density for p in provinces]
            communes = _apportion(scale.communes, [p.communes for p in provinces])
        else:
            root = None
            provinces = [_SINGLE[scale.key]]
            weights, communes = [1.0], [scale.communes]
        cells_by_province = _apportion(scale.cells, weights)
        top: _Org | None = root
        for done, (province, n_cells, n_communes) in enumerate(
            zip(provinces, cells_by_province, communes, strict=True), start=1
        ):
            started = time.perf_counter()
            before = self.summary.candidates
            porg = self._build_province(province, root, n_cells, n_communes)
            top = top or porg
            self._scale_cells(start_members * n_cells / scale.cells)
            for cell in self._cells:
                self._people(cell)
            cells = {c.org.id: c for c in self._cells}
            self._count(porg, cells)
            self._quotas(porg, cells, term=True)
            self._write_orgs(porg)
            self.candidates.flush()
            del self._cells
            porg.children = []  # the province is written; the root needs only its figures
            if scale.provinces:
                self.progress(
                    gettext("%(done)d/%(total)d %(name)s: %(people)s candidacies (%(seconds)s s)")
                    % {
                        "done": done,
                        "total": len(provinces),
                        "name": porg.name,
                        "people": num(self.summary.candidates - before),
                        "seconds": number_format(time.perf_counter() - started, decimal_pos=1),
                    }
                )
        if root is not None:
            root.counts = [sum(col) for col in zip(*(p.counts for p in root.children), strict=True)]
            self._root_quotas(root)
            self._write_orgs(root, subtree=False)
        assert top is not None
        for table in (self.orgs, self.candidates, self.counts, self.quotas):
            table.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Organization]):
                cursor.execute(sql)
        OrganizationEvent.objects.create(
            organization_id=top.id,
            action=EventAction.CREATED,
            effective_date=self.today,
            details={"generated_by": GENERATOR, "scale": scale.key, "seed": self.seed},
            note=f"Dữ liệu mô phỏng ({GENERATOR} --scale {scale.key} --seed {self.seed})",
        )
        s = self.summary
        s.root_code, s.root_name = top.code, top.name
        s.members = top.counts[-1]
        s.quotas, s.membership_counts = self.quotas.count, self.counts.count
        return s

    def _root_quotas(self, root: _Org) -> None:
        rng = self.rng
        for year in self.years:
            below = sum(c.targets.get(year, 0) for c in root.children)
            target = round(below * (rng.uniform(1.03, 1.08) if rng.random() < 0.2 else rng.uniform(0.97, 1.0)))
            root.targets[year] = target
            self._quota(root, year, year, target=target)
            self._quota(root, year, year, QuotaCategory.WOMEN, target=round(target * 0.42))
            self._quota(root, year, year, QuotaCategory.YOUTH_UNION, target=round(target * 0.64))
        years = self.years[:-1]
        total = sum(root.targets[y] for y in years)
        self._quota(root, years[0], years[-1], target=round(total / 1000) * 1000)


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """total split in proportion to weights, in whole numbers that add up (largest remainders)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    out = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: out[i] - shares[i])[: total - sum(out)]:
        out[i] += 1
    return out


def dataset_generate(
    *,
    scale: str,
    seed: int = 1,
    replace: bool = False,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Fill the database with a generated dataset of that scale; refuse (DatasetRefused) if it holds other data.

    With `replace`, an earlier generated dataset (and only that) is deleted first. All or nothing: one
    transaction. Raises RuleSet.DoesNotExist when no rule set is defined.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        roots, mark = generated_roots()
        if roots and mark is None:
            raise DatasetRefused(
                gettext(
                    "The database already holds organizations that generate_dataset did not create. It fills only "
                    "an empty database, or with --replace one that holds nothing but an earlier generated dataset. "
                    "Nothing was changed."
                )
            )
        if roots and not replace:
            assert mark is not None
            key = mark.get("scale", "")
            raise DatasetRefused(
                gettext(
                    "The database already holds a generated dataset (%(scale)s, seed %(seed)s). Run again with "
                    "--replace to replace it. Nothing was changed."
                )
                % {"scale": SCALES[key].label if key in SCALES else key, "seed": mark.get("seed")}
            )
        if roots:
            _delete_everything()
        generator = _Generator(SCALES[scale], seed, today, progress or (lambda _line: None))
        summary = generator.run()
        summary.replaced = bool(roots)
        tally.rebuild()  # the rows went in by COPY, which keeps no tallies (the services and the import do)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner sees the new rows (autovacuum would take its time).
        analyze(Organization, Candidate, MembershipCount, Quota, Tally)
    summary.seconds = time.perf_counter() - started
    return summary
