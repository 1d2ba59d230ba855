"""The demo province: a provincial party organization after the 2025 reform.

Six communes and wards directly under the province, each with five grassroots organizations
of mixed sectors and about twenty cells. Two communes were formed on 1/7/2025 from a dissolved
district, whose units were moved into them: the history shows how restructuring is kept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from organizations import services
from organizations.models import Kind, Organization, Role, Sector

ROOT_CODE = "PT"
REFORM_DAY = datetime.date(2025, 7, 1)
DISTRICT_UNITS_SINCE = datetime.date(2010, 1, 1)
DEMO_PASSWORD = "PhuTho@2025"  # noqa: S105 (printed demo password, by design)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    org_code: str
    role: Role
    description: str


ACCOUNTS = [
    DemoAccount("quantri", ROOT_CODE, Role.ADMIN, "quản trị Tỉnh ủy (admin of the province)"),
    DemoAccount("canbo", "PT.DCH", Role.STAFF, "cán bộ Ban Xây dựng Đảng xã Dân Chủ (staff of a commune)"),
    DemoAccount("lanhdao", "PT.DCH", Role.VIEWER, "lãnh đạo xã Dân Chủ, chỉ xem (viewer of a commune)"),
    DemoAccount("vietri", "PT.VTR", Role.ADMIN, "quản trị phường Việt Trì (admin of a ward)"),
]

# code, name, is_ward, formed from the old district
COMMUNES = [
    ("PT.DCH", "Đảng bộ xã Dân Chủ", False, False),
    ("PT.VTR", "Đảng bộ phường Việt Trì", True, False),
    ("PT.NTR", "Đảng bộ phường Nông Trang", True, False),
    ("PT.TBA", "Đảng bộ xã Thanh Ba", False, False),
    ("PT.LTH", "Đảng bộ xã Lâm Thao", False, True),
    ("PT.PNG", "Đảng bộ xã Phùng Nguyên", False, True),
]

# suffix, name pattern, kind, sector, cells under it
BASES = [
    (
        "CQ",
        "Đảng bộ Cơ quan Đảng – Chính quyền {place}",
        Kind.BASE_COMMITTEE,
        Sector.STATE_AGENCY,
        [
            "Chi bộ Văn phòng Đảng ủy",
            "Chi bộ Ủy ban nhân dân",
            "Chi bộ Mặt trận Tổ quốc và các đoàn thể",
            "Chi bộ Trung tâm Phục vụ hành chính công",
        ],
    ),
    (
        "KDC",
        "Đảng bộ {area} {place}",
        Kind.BASE_COMMITTEE,
        Sector.RESIDENTIAL,
        [
            "Chi bộ {unit} 1",
            "Chi bộ {unit} 2",
            "Chi bộ {unit} 3",
            "Chi bộ {unit} 4",
            "Chi bộ {unit} 5",
            "Chi bộ {unit} 6",
        ],
    ),
    (
        "TH",
        "Đảng bộ Trường THCS {place}",
        Kind.BASE_COMMITTEE,
        Sector.SCHOOL,
        ["Chi bộ Tổ Khoa học tự nhiên", "Chi bộ Tổ Khoa học xã hội", "Chi bộ Hành chính – Văn phòng"],
    ),
    (
        "CA",
        "Đảng bộ Công an {place}",
        Kind.BASE_COMMITTEE,
        Sector.POLICE,
        ["Chi bộ Đội Cảnh sát khu vực", "Chi bộ Đội An ninh", "Chi bộ Tổng hợp"],
    ),
    (
        "DN",
        "Đảng bộ Công ty Cổ phần May {short}",
        Kind.BASE_COMMITTEE,
        Sector.PRIVATE_ENTERPRISE,
        ["Chi bộ Phân xưởng 1", "Chi bộ Phân xưởng 2", "Chi bộ Văn phòng Công ty", "Chi bộ Kho vận"],
    ),
    # A cell that is itself the grassroots organization: no committee reviews between vote and decision.
    ("MN", "Chi bộ Trường Mầm non {short}", Kind.BASE_BRANCH, Sector.SCHOOL, []),
]


def _place(name: str) -> tuple[str, str]:
    # "Đảng bộ xã Dân Chủ" -> ("xã Dân Chủ", "Dân Chủ")
    place = name.removeprefix("Đảng bộ ").strip()
    short = place.split(" ", 1)[1]
    return place, short


def _add(
    parent: Organization | None,
    code: str,
    name: str,
    kind: str,
    sector: str = "",
    valid_from: datetime.date | None = None,
) -> Organization:
    return services.organization_create(
        parent=parent, code=code, name=name, kind=kind, sector=sector, valid_from=valid_from
    )


def _add_bases(
    parent: Organization, commune_code: str, commune_name: str, is_ward: bool, since: datetime.date
) -> list[Organization]:
    place, short = _place(commune_name)
    area, unit = ("Khu phố", "Khu phố") if is_ward else ("các thôn", "Thôn")
    bases = []
    for suffix, pattern, kind, sector, cells in BASES:
        base = _add(
            parent, f"{commune_code}.{suffix}", pattern.format(place=place, short=short, area=area), kind, sector
        )
        for i, cell in enumerate(cells, start=1):
            _add(base, f"{base.code}.{i:02d}", cell.format(unit=unit), Kind.BRANCH, sector)
        bases.append(base)
    return bases


@transaction.atomic
def seed_tree() -> bool:
    """Create the demo tree; False (and nothing done) if it is already there."""
    if Organization.objects.filter(code=ROOT_CODE).exists():
        return False
    root = _add(None, ROOT_CODE, "Đảng bộ tỉnh Phú Thọ", Kind.PROVINCE, valid_from=REFORM_DAY)
    district = _add(root, "PT.H-LT", "Đảng bộ huyện Lâm Thao", Kind.DISTRICT, valid_from=datetime.date(1968, 1, 1))
    for code, name, is_ward, from_district in COMMUNES:
        commune = _add(root, code, name, Kind.COMMUNE, valid_from=REFORM_DAY)
        if not from_district:
            _add_bases(commune, code, name, is_ward, REFORM_DAY)
            continue
        # Before the reform these units sat under the district; on 1/7/2025 they moved.
        for base in _add_bases(district, code, name, is_ward, DISTRICT_UNITS_SINCE):
            services.organization_move(
                org=base,
                new_parent=commune,
                effective_date=REFORM_DAY,
                note="Quy định 298-QĐ/TW: chuyển về đảng bộ xã khi kết thúc cấp huyện",
            )
    services.organization_dissolve(
        org=district,
        effective_date=REFORM_DAY - datetime.timedelta(days=1),
        note="Kết thúc hoạt động cấp huyện từ 01/7/2025",
    )
    # A unit with a sub-committee, to show the deeper levels of a large enterprise.
    big = Organization.objects.get(code="PT.VTR.DN")
    sub = _add(
        big, "PT.VTR.DN.BP", "Đảng bộ bộ phận Nhà máy số 2", Kind.SUB_COMMITTEE, Sector.PRIVATE_ENTERPRISE, REFORM_DAY
    )
    for i in range(1, 4):
        _add(sub, f"{sub.code}.{i:02d}", f"Chi bộ Tổ sản xuất {i}", Kind.BRANCH, Sector.PRIVATE_ENTERPRISE, REFORM_DAY)
    return True


@transaction.atomic
def seed_accounts() -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts if missing; an existing account's password is left alone."""
    User = get_user_model()
    done = []
    for account in ACCOUNTS:
        exists = User.objects.filter(username=account.username).exists()
        org = Organization.objects.get(code=account.org_code)
        _, created = services.user_grant_role(
            username=account.username,
            org=org,
            role=account.role,
            password=None if exists else DEMO_PASSWORD,
        )
        done.append((account, created))
    return done
