"""Demo people for the demo province: about 1,500 candidacies over the last six years.

Each candidacy is planned forward from the day a chi bộ put the person on its source list, with
the intervals a real commune shows (course, application weeks later, dossier, votes, decision,
ceremony, twelve months of probation, recognition), then cut at `today`: people listed long ago
are full members, recent ones are somewhere in the pipeline. A few are planned to miss a deadline
(overdue cases and late acts with open warnings), to fail votes, or to leave the pipeline.

Everything comes from a fixed random seed and `today`, so the same day gives the same people.
The rows are written with bulk_create (history rows included), which takes a few seconds.
"""

from __future__ import annotations

import datetime
import random
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from devdata import population
from devdata.tree import REFORM_DAY, ROOT_CODE
from organizations.models import CELL_KINDS, Kind, Organization, Sector
from recruitment import rules
from recruitment.models import (
    Candidate,
    CandidateWarning,
    Gender,
    Introducer,
    IntroducerKind,
    OccupationGroup,
    RemovalReason,
    Stage,
    StageEvent,
    WarningCode,
)
from recruitment.particulars import NO_RELIGION
from recruitment.rules import add_months, months_between
from recruitment.services import STEPS
from recruitment.workdays import IndexedCalendar

SEED = 19300203  # the Party's founding day
PEOPLE = 1500
CHANGE_REASON = "Dữ liệu mẫu (seed_demo)"
DAY = datetime.timedelta(days=1)

# ---------------------------------------------------------------------------------------------
# Names, ethnic groups, religions

# Phú Thọ is a midland province: mostly Kinh, with Mường and smaller groups in the hill communes.
_ETHNICITY: dict[str, dict[str, float]] = {
    "rural": {"Kinh": 80, "Mường": 11, "Dao": 2.5, "Sán Chay": 2, "Tày": 1.5, "Thái": 1, "Mông": 1, "Nùng": 0.5},
    "urban": {"Kinh": 94, "Mường": 4, "Tày": 1, "Dao": 0.5, "Thái": 0.5},
}
_RELIGION: dict[str, dict[str, float]] = {
    "Kinh": {NO_RELIGION: 95.5, "Công giáo": 2.5, "Phật giáo": 2},
    "Mông": {NO_RELIGION: 75, "Tin lành": 25},
}
_DEFAULT_RELIGION: dict[str, float] = {NO_RELIGION: 99, "Phật giáo": 1}
# Citizen IDs start with the province of birth: Phú Thọ (025); since 7/2025 the province also takes in
# Vĩnh Phúc (026) and Hòa Bình (017); a few were born in Hà Nội (001).
_BIRTH_PROVINCES: dict[str, float] = {"025": 92, "026": 4, "017": 3, "001": 1}

# ---------------------------------------------------------------------------------------------
# Occupations, by the kind of unit the cell is in

_G = OccupationGroup


@dataclass(frozen=True)
class _Job:
    title: str
    group: OccupationGroup
    weight: float
    women: float  # share of women
    ages: tuple[int, int]  # age at the cell's vote, in years


def _jobs(*rows: tuple[str, OccupationGroup, float, float, int, int]) -> list[_Job]:
    return [_Job(title, group, weight, women, (lo, hi)) for title, group, weight, women, lo, hi in rows]


_FARMING_JOBS = _jobs(
    ("Nông dân", _G.FARMER, 6, 0.3, 20, 45),
    ("Chủ trang trại chăn nuôi", _G.FARMER, 0.6, 0.25, 27, 45),
    ("Công nhân khu công nghiệp", _G.WORKER, 3, 0.4, 19, 35),
    ("Lao động tự do", _G.OTHER, 1.5, 0.2, 20, 42),
    ("Sinh viên", _G.STUDENT, 1, 0.5, 19, 22),
    ("Chủ hộ kinh doanh", _G.BUSINESS_OWNER, 1, 0.45, 26, 45),
    ("Dân quân thường trực", _G.OTHER, 0.7, 0.05, 19, 27),
    ("Quân nhân xuất ngũ", _G.OTHER, 1, 0.0, 21, 27),
    ("Trưởng thôn", _G.OTHER, 0.3, 0.2, 30, 45),
    ("Giáo viên mầm non", _G.PUBLIC_EMPLOYEE, 0.6, 1.0, 22, 35),
    ("Nhân viên y tế thôn", _G.OTHER, 0.3, 0.7, 25, 40),
)
_URBAN_JOBS = _jobs(
    ("Công nhân", _G.WORKER, 3, 0.35, 19, 38),
    ("Nhân viên văn phòng", _G.BUSINESS_EMPLOYEE, 2.5, 0.5, 22, 38),
    ("Sinh viên", _G.STUDENT, 1.5, 0.55, 19, 22),
    ("Chủ doanh nghiệp tư nhân", _G.BUSINESS_OWNER, 0.8, 0.3, 28, 45),
    ("Chủ hộ kinh doanh", _G.BUSINESS_OWNER, 1.2, 0.45, 25, 45),
    ("Tiểu thương", _G.OTHER, 1, 0.5, 24, 45),
    ("Lao động tự do", _G.OTHER, 1.5, 0.3, 20, 42),
    ("Tổ trưởng tổ dân phố", _G.OTHER, 0.3, 0.3, 32, 45),
    ("Dân quân tự vệ", _G.OTHER, 0.5, 0.05, 19, 27),
    ("Bác sĩ", _G.PUBLIC_EMPLOYEE, 0.5, 0.5, 26, 40),
)
_AGENCY_JOBS = _jobs(
    ("Công chức Văn phòng – Thống kê", _G.CIVIL_SERVANT, 2, 0.5, 24, 40),
    ("Công chức Địa chính – Xây dựng", _G.CIVIL_SERVANT, 2, 0.25, 24, 40),
    ("Công chức Tư pháp – Hộ tịch", _G.CIVIL_SERVANT, 1.5, 0.55, 24, 40),
    ("Công chức Tài chính – Kế toán", _G.CIVIL_SERVANT, 1.5, 0.6, 24, 40),
    ("Công chức Văn hóa – Xã hội", _G.CIVIL_SERVANT, 1.5, 0.5, 24, 40),
    ("Chuyên viên Văn phòng Đảng ủy", _G.CIVIL_SERVANT, 1, 0.5, 24, 38),
    ("Cán bộ Đoàn Thanh niên", _G.CIVIL_SERVANT, 1, 0.4, 22, 30),
    ("Cán bộ Hội Liên hiệp Phụ nữ", _G.CIVIL_SERVANT, 0.8, 1.0, 24, 40),
    ("Viên chức Trung tâm Phục vụ hành chính công", _G.PUBLIC_EMPLOYEE, 1.5, 0.5, 23, 38),
    ("Nhân viên hợp đồng", _G.OTHER, 0.7, 0.5, 20, 35),
)
_SCIENCE_TEACHERS = _jobs(
    *((f"Giáo viên {s}", _G.PUBLIC_EMPLOYEE, 1.0, 0.6, 23, 40) for s in ("Toán", "Vật lý", "Hóa học", "Sinh học")),
    ("Giáo viên Tin học", _G.PUBLIC_EMPLOYEE, 0.6, 0.5, 23, 38),
    ("Giáo viên Công nghệ", _G.PUBLIC_EMPLOYEE, 0.4, 0.6, 23, 40),
)
_ARTS_TEACHERS = _jobs(
    *((f"Giáo viên {s}", _G.PUBLIC_EMPLOYEE, 1.0, 0.7, 23, 40) for s in ("Ngữ văn", "Lịch sử", "Địa lý", "Tiếng Anh")),
    ("Giáo viên Giáo dục công dân", _G.PUBLIC_EMPLOYEE, 0.5, 0.8, 23, 40),
    ("Giáo viên Giáo dục thể chất", _G.PUBLIC_EMPLOYEE, 0.6, 0.3, 23, 38),
    ("Giáo viên Âm nhạc", _G.PUBLIC_EMPLOYEE, 0.4, 0.7, 23, 38),
)
_SCHOOL_STAFF = _jobs(
    ("Kế toán", _G.PUBLIC_EMPLOYEE, 1, 0.8, 24, 40),
    ("Văn thư", _G.PUBLIC_EMPLOYEE, 1, 0.8, 23, 40),
    ("Nhân viên thư viện", _G.PUBLIC_EMPLOYEE, 0.7, 0.85, 23, 40),
    ("Nhân viên thiết bị thí nghiệm", _G.PUBLIC_EMPLOYEE, 0.6, 0.6, 23, 40),
    ("Nhân viên y tế học đường", _G.PUBLIC_EMPLOYEE, 0.5, 0.8, 23, 40),
)
_POLICE_JOBS = _jobs(
    ("Cảnh sát khu vực", _G.ARMED_FORCES, 2, 0.1, 21, 35),
    ("Cán bộ an ninh", _G.ARMED_FORCES, 1.5, 0.15, 21, 35),
    ("Cán bộ tổng hợp", _G.ARMED_FORCES, 1, 0.35, 22, 35),
    ("Chiến sĩ Công an xã", _G.ARMED_FORCES, 2, 0.1, 20, 30),
)
_FACTORY_JOBS = _jobs(
    ("Công nhân may", _G.WORKER, 5, 0.7, 19, 40),
    ("Công nhân cắt", _G.WORKER, 1, 0.35, 19, 40),
    ("Công nhân là hơi", _G.WORKER, 0.7, 0.5, 19, 40),
    ("Tổ trưởng chuyền may", _G.WORKER, 1, 0.6, 25, 42),
    ("Công nhân kỹ thuật", _G.WORKER, 0.8, 0.2, 21, 40),
)
_OFFICE_JOBS = _jobs(
    ("Nhân viên kế toán", _G.BUSINESS_EMPLOYEE, 1, 0.7, 22, 40),
    ("Nhân viên nhân sự", _G.BUSINESS_EMPLOYEE, 1, 0.6, 22, 40),
    ("Nhân viên kinh doanh", _G.BUSINESS_EMPLOYEE, 1, 0.4, 22, 38),
    ("Nhân viên xuất nhập khẩu", _G.BUSINESS_EMPLOYEE, 0.8, 0.6, 22, 38),
)
_DEPOT_JOBS = _jobs(
    ("Nhân viên kho", _G.BUSINESS_EMPLOYEE, 1.5, 0.35, 21, 40),
    ("Lái xe", _G.WORKER, 1, 0.0, 23, 42),
    ("Công nhân bốc xếp", _G.WORKER, 1, 0.1, 19, 38),
)
_OTHER_JOBS = _jobs(
    ("Công nhân", _G.WORKER, 2, 0.45, 19, 40),
    ("Nhân viên", _G.BUSINESS_EMPLOYEE, 2, 0.5, 22, 40),
    ("Lao động tự do", _G.OTHER, 1, 0.35, 20, 42),
)

# A cell's name says more than its sector: the science teachers' cell, the company's office.
_JOBS_BY_CELL_NAME = (
    ("Khoa học tự nhiên", _SCIENCE_TEACHERS),
    ("Khoa học xã hội", _ARTS_TEACHERS),
    ("Hành chính", _SCHOOL_STAFF),
    ("Văn phòng Công ty", _OFFICE_JOBS),
    ("Kho vận", _DEPOT_JOBS),
)
_JOBS_BY_SECTOR = {
    Sector.STATE_AGENCY: _AGENCY_JOBS,
    Sector.PUBLIC_SERVICE: _AGENCY_JOBS,
    Sector.SCHOOL: _SCIENCE_TEACHERS + _ARTS_TEACHERS,
    Sector.POLICE: _POLICE_JOBS,
    Sector.ARMY: _POLICE_JOBS,
    Sector.PRIVATE_ENTERPRISE: _FACTORY_JOBS,
    Sector.STATE_ENTERPRISE: _FACTORY_JOBS,
}
# How many candidates a cell has, relative to others: residential areas are the largest source.
_SECTOR_WEIGHT = {
    Sector.RESIDENTIAL: 1.5,
    Sector.PRIVATE_ENTERPRISE: 1.2,
    Sector.STATE_ENTERPRISE: 1.2,
    Sector.POLICE: 0.8,
    Sector.ARMY: 0.8,
    Sector.SCHOOL: 0.7,
    Sector.STATE_AGENCY: 0.6,
    Sector.PUBLIC_SERVICE: 0.6,
}
# Official members of a cell (the denominator of its votes).
_CELL_MEMBERS = {Sector.RESIDENTIAL: (28, 70), Sector.STATE_AGENCY: (8, 20), Sector.SCHOOL: (12, 26)}

# Before 1/7/2025 the standing committee of the district (huyện ủy, thành ủy) decided admissions;
# since then the commune's own committee does (Quy định 298-QĐ/TW).
_OLD_SUPERIOR = {
    "PT.DCH": ("Hạ Hòa", "HU"),
    "PT.VTR": ("Việt Trì", "TU"),
    "PT.NTR": ("Việt Trì", "TU"),
    "PT.TBA": ("Thanh Ba", "HU"),
    "PT.LTH": ("Lâm Thao", "HU"),
    "PT.PNG": ("Lâm Thao", "HU"),
}

# (code, details) of the reasons for leaving, by the step that records it.
_REMOVAL_REASONS: dict[str, list[tuple[str, str]]] = {
    "remove": [
        (RemovalReason.OTHER, "Đi lao động ở nước ngoài"),
        (RemovalReason.OTHER, "Chuyển nơi cư trú ra ngoài địa bàn"),
        (RemovalReason.WITHDREW, "Tự nguyện xin rút khỏi danh sách"),
        (RemovalReason.OTHER, "Chưa tiến bộ sau thời gian bồi dưỡng, chi bộ đưa ra khỏi danh sách"),
        (RemovalReason.OTHER, "Vi phạm chính sách dân số"),
        (RemovalReason.OTHER, "Kết quả thẩm tra lý lịch chưa đạt tiêu chuẩn chính trị"),
    ],
    "transfer": [
        (RemovalReason.MOVED_AWAY, "Chuyển công tác đến đơn vị khác ngoài tỉnh"),
        (RemovalReason.MOVED_AWAY, "Chuyển công tác, đơn vị mới tiếp tục bồi dưỡng"),
        (RemovalReason.MOVED_AWAY, "Trúng tuyển nghĩa vụ quân sự, nhập ngũ"),
    ],
    "reject": [
        (RemovalReason.NOT_ADMITTED, "Cấp ủy cấp trên không đồng ý kết nạp: cần thẩm tra bổ sung lý lịch"),
        (RemovalReason.NOT_ADMITTED, "Cấp ủy cấp trên không đồng ý kết nạp: chưa đủ tiêu chuẩn"),
        (RemovalReason.WITHDREW, "Quần chúng xin rút hồ sơ trước khi có quyết định"),
    ],
    "strike_off": [
        (RemovalReason.STRUCK_OFF, "Không đủ tư cách đảng viên sau thời gian dự bị"),
        (RemovalReason.STRUCK_OFF, "Không hoàn thành nhiệm vụ đảng viên dự bị"),
        (RemovalReason.STRUCK_OFF, "Vi phạm tư cách đảng viên trong thời gian dự bị"),
    ],
}

_RESOLUTIONS = {
    WarningCode.DECISION_LATE: "Cấp ủy cấp trên đã kiểm điểm, rút kinh nghiệm việc chậm ra quyết định kết nạp.",
    WarningCode.CEREMONY_LATE: "Chi bộ đã báo cáo lý do chậm tổ chức lễ kết nạp với cấp ủy cấp trên.",
    WarningCode.RECOGNITION_VOTE_LATE: "Chi bộ đã kiểm điểm, rút kinh nghiệm việc chậm xét công nhận chính thức.",
    WarningCode.RECOGNITION_LATE: "Đã báo cáo lý do chậm ra quyết định công nhận với cấp ủy cấp trên.",
    WarningCode.VOTES_FAILED: "Đã báo cáo cấp ủy cấp trên xem xét.",
}

# ---------------------------------------------------------------------------------------------
# Plans


@dataclass
class _Cell:
    org: Organization
    base: Organization | None  # the grassroots committee; None for a chi bộ cơ sở
    commune: Organization
    rural: bool
    jobs: list[_Job]
    weight: float
    members: int
    committee: int
    union_name: str


@dataclass
class _Act:
    """One act of a plan: the step, its day, the candidate fields it sets, and the kind of number it carries."""

    step: str  # a key of STEPS, or "source" / "fail_vote"
    day: datetime.date
    fields: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    number: str = ""  # the kind of document number, filled in later in date order
    number_field: str = ""

    def __post_init__(self) -> None:
        # The date a step records and its document's field are the step's own (recruitment.services.STEPS).
        spec = STEPS.get(self.step)
        date_field = spec.date_field if spec else rules.STAGE_DATE_FIELD[Stage.SOURCE] if self.step == "source" else ""
        if date_field:
            self.fields = {date_field: self.day, **self.fields}
        if spec and self.number and not self.number_field:
            self.number_field = spec.number_field

    document_no: str = ""


@dataclass
class _Plan:
    cell: _Cell
    acts: list[_Act]
    docs: dict[str, datetime.date]  # the dossier documents, dated after the application
    vote_day: datetime.date  # the day the cell first votes (or would vote): ages and introductions count to it
    introducers: list[dict[str, Any]] = field(default_factory=list)
    person: dict[str, Any] = field(default_factory=dict)
    extra_warnings: list[rules.Problem] = field(default_factory=list)

    def kept(self, step: str) -> _Act | None:
        return next((a for a in reversed(self.acts) if a.step == step), None)

    def day(self, step: str) -> datetime.date:
        act = self.kept(step)
        assert act is not None, step
        return act.day


def _stage_after(step: str, current: str) -> str:
    if step == "source":
        return Stage.SOURCE
    if step in ("fail_vote", "fail_recognition"):
        return current
    return STEPS[step].to


class _Numbers:
    """Document numbers, running per issuing body and year, handed out in date order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.last: dict[tuple[str, int], int] = {}

    def next(self, key: str, year: int, start: tuple[int, int], step: tuple[int, int]) -> int:
        n = self.last.get((key, year))
        n = self.rng.randint(*start) if n is None else n + self.rng.randint(*step)
        self.last[(key, year)] = n
        return n


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True)
class _Case:
    """Special people: how many, listed how long ago, where their record stops, and what it must show today."""

    count: int
    months_ago: tuple[int, int]
    accept: Callable[[Candidate, datetime.date], bool]
    after: str | None = None  # the last step recorded; None: as far as today allows
    fails: int = 0
    quirk: str = ""
    with_base: bool = False  # in a cell under a grassroots committee


def _within(day: datetime.date | None, start: datetime.date, end: datetime.date) -> bool:
    return day is not None and start <= day <= end


def _overdue(c: Candidate, today: datetime.date) -> bool:
    return c.due_date is not None and c.due_date < today


def _decision_overdue(c: Candidate, t: datetime.date) -> bool:
    return _overdue(c, t) and _within(c.branch_vote_date, t - 200 * DAY, t)


def _cert_expiring(c: Candidate, t: datetime.date) -> bool:
    return _within(c.cert_expires, t + DAY, t + 60 * DAY)


_CASES = (
    # Decided; the 30 working days for the ceremony are over.
    _Case(
        3,
        (22, 6),
        lambda c, t: c.stage == Stage.DECIDED and _overdue(c, t) and _within(c.decision_date, t - 150 * DAY, t),
        after="decision",
    ),
    # Probation ended more than 30 working days ago and the cell has not considered recognition.
    _Case(
        4,
        (30, 14),
        lambda c, t: c.stage == Stage.PROBATION and _overdue(c, t) and _within(c.probation_end, t - 200 * DAY, t),
        after="ceremony",
    ),
    # Voted, no decision within 60 working days: one waits for the committee's review, one for the decision.
    _Case(1, (18, 5), _decision_overdue, after="branch_vote", with_base=True),
    _Case(1, (18, 5), _decision_overdue, after="committee_review", with_base=True),
    # Probation ends within the next 30 days.
    _Case(4, (26, 12), lambda c, t: c.stage == Stage.PROBATION and _within(c.probation_end, t + DAY, t + 30 * DAY)),
    # The awareness certificate expires within 60 days and the cell has not voted yet.
    _Case(2, (64, 58), lambda c, t: c.stage == Stage.AWARENESS and _cert_expiring(c, t), after="awareness"),
    _Case(
        2, (64, 58), lambda c, t: c.stage == Stage.DOSSIER and _cert_expiring(c, t), after="dossier", quirk="resumed"
    ),
    # The certificate has expired: the person must take the course again.
    _Case(
        2,
        (70, 62),
        lambda c, t: c.stage == Stage.AWARENESS and _within(c.cert_expires, t - 200 * DAY, t - DAY),
        after="awareness",
    ),
    # Voted down twice and still preparing; voted down twice, then admitted; voted down three times.
    _Case(1, (20, 8), lambda c, t: c.failed_votes == 2, after="fail_vote", fails=2),
    _Case(1, (60, 30), lambda c, t: c.failed_votes == 2 and c.stage == Stage.OFFICIAL, fails=2),
    _Case(1, (16, 6), lambda c, t: c.failed_votes == 3, after="fail_vote", fails=3),
    # A probationer the cell voted on three times without two thirds for recognition: reported upward.
    _Case(
        1,
        (22, 17),
        lambda c, t: c.failed_probation_votes == 3,
        after="fail_recognition",
        quirk="recognition_votes_failed",
    ),
    # Late acts of the last months, whose warnings are still open.
    _Case(3, (20, 4), lambda c, t: _within(c.decision_date, t - 240 * DAY, t), quirk="decision_late"),
    _Case(2, (20, 4), lambda c, t: _within(c.admission_date, t - 240 * DAY, t), quirk="ceremony_late"),
    _Case(2, (36, 16), lambda c, t: _within(c.recognition_date, t - 240 * DAY, t), quirk="recognition_vote_late"),
    _Case(1, (36, 16), lambda c, t: _within(c.recognition_date, t - 240 * DAY, t), quirk="recognition_late"),
)


class _Demo:
    def __init__(self, root: Organization, today: datetime.date) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (demo data, reproducible on purpose)
        self.today = today
        # Six full years of admissions before this one: people were listed from spring seven years back.
        self.start = datetime.date(today.year - 7, 3, 1)
        base_ctx = rules.Context.load(today)
        self.days = IndexedCalendar(base_ctx.calendar.exceptions, self.start - 60 * DAY, today + 5 * 366 * DAY)
        self.ctx = rules.Context(base_ctx.book, self.days, today)
        self.book = base_ctx.book
        self.cells = self._cells(root)
        self.courses: dict[str, list[datetime.date]] = {}
        self.ids: set[str] = set()

    # -- the tree ---------------------------------------------------------------------------------

    def _cells(self, root: Organization) -> list[_Cell]:
        rng = self.rng
        orgs = list(Organization.objects.descendant_of(root))
        by_path = {o.path: o for o in orgs}
        committees: dict[int, int] = {}
        cells = []
        for org in orgs:
            if org.kind not in CELL_KINDS or not org.is_active:
                continue
            above = [by_path[p] for p in Organization.ancestor_paths(org.path) if p in by_path]
            commune = next((o for o in reversed(above) if o.kind == Kind.COMMUNE), above[-1] if above else org)
            base = None
            if org.kind == Kind.BRANCH:
                base = next((o for o in reversed(above) if o.kind == Kind.BASE_COMMITTEE), above[-1] if above else None)
            sector = org.sector or (base.sector if base else "") or Sector.OTHER
            rural = "phường" not in commune.name.lower()
            jobs = next((jobs for key, jobs in _JOBS_BY_CELL_NAME if key in org.name), None)
            if jobs is None:
                if sector == Sector.RESIDENTIAL:
                    jobs = _FARMING_JOBS if rural else _URBAN_JOBS
                else:
                    jobs = _JOBS_BY_SECTOR.get(Sector(sector), _OTHER_JOBS)
            lo, hi = _CELL_MEMBERS.get(Sector(sector), (9, 28))
            unit = base or org
            if unit.pk not in committees:
                committees[unit.pk] = rng.choice((7, 9, 9, 11, 11, 13, 15))
            # Residential areas and the commune's offices belong to the commune's Youth Union.
            if sector in (Sector.RESIDENTIAL, Sector.STATE_AGENCY):
                union = "Ban Chấp hành Đoàn " + commune.name.removeprefix("Đảng bộ ")
            else:
                union = "Ban Chấp hành Đoàn cơ sở " + unit.name.removeprefix("Đảng bộ ").removeprefix("Chi bộ ")
            cells.append(
                _Cell(
                    org=org,
                    base=base,
                    commune=commune,
                    rural=rural,
                    jobs=jobs,
                    weight=_SECTOR_WEIGHT.get(Sector(sector), 0.8) * rng.uniform(0.6, 1.4),
                    members=rng.randint(lo, hi),
                    committee=committees[unit.pk],
                    union_name=union,
                )
            )
        return cells

    def _cell(self, source: datetime.date, *, with_base: bool = False) -> _Cell:
        cells = [
            c
            for c in self.cells
            if (c.org.valid_from is None or c.org.valid_from <= source) and (c.base is not None or not with_base)
        ]
        return self.rng.choices(cells, weights=[c.weight for c in cells])[0]

    # -- one candidacy, planned forward -----------------------------------------------------------

    def _course_after(self, cell: _Cell, day: datetime.date) -> datetime.date:
        """The end of the next awareness course the commune holds (four or five a year)."""
        code = cell.commune.code
        if code not in self.courses:
            courses = []
            for year in range(self.start.year, self.today.year + 5):
                for month in (3, 5, 8, 10, 12):
                    if self.rng.random() < 0.85:
                        courses.append(self.days.on_or_after(datetime.date(year, month, self.rng.randint(5, 24))))
            self.courses[code] = courses
        courses = self.courses[code]
        i = bisect_left(courses, day + 20 * DAY)
        while self.rng.random() < 0.3:  # not sent to the first course after being listed
            i += 1
        return courses[i]

    def _votes(self, members: int, day: datetime.date, *, passed: bool) -> tuple[int, int]:
        rule_set = self.book.at(day)
        needed = -(-members * rule_set.vote_numerator // rule_set.vote_denominator)
        if not passed:
            return members, self.rng.randint(max(members // 3, 1), needed - 1)
        absent = min(self.rng.choices((0, 1, 2, 3, 4), weights=(40, 25, 15, 10, 10))[0], members - needed)
        return members, members - absent

    def _plan(self, cell: _Cell, source: datetime.date, *, fails: int = 0, quirk: str = "") -> _Plan:
        """The whole way to full membership; outcomes and `today` cut it later."""
        rng, days, book = self.rng, self.days, self.book
        acts = [_Act("source", source)]
        cert = self._course_after(cell, source)
        acts.append(_Act("awareness", cert, number="cert"))
        application = cert + rng.randint(14, 60) * DAY
        if quirk == "resumed":  # back from military service or work away: the dossier started only lately
            application = max(application, self.today - rng.randint(15, 80) * DAY)
        acts.append(_Act("dossier", application))
        history = application + rng.randint(3, 21) * DAY
        docs = {
            "personal_history_date": history,
            "residence_comment_date": history + rng.randint(10, 45) * DAY,
            "mass_org_comment_date": history + rng.randint(10, 45) * DAY,
            "verification_date": days.on_or_after(history + rng.randint(30, 100) * DAY),
        }
        vote = first_vote = max(docs.values()) + rng.randint(3, 25) * DAY
        members = max(cell.members + rng.randint(-2, 2), 3)
        for _ in range(fails):
            m, votes_for = self._votes(members, vote, passed=False)
            acts.append(
                _Act(
                    "fail_vote",
                    vote,
                    details={"branch_vote_members": m, "branch_votes_for": votes_for, "passed": False},
                    number="branch",
                )
            )
            vote += rng.randint(28, 60) * DAY
        m, votes_for = self._votes(members, vote, passed=True)
        acts.append(
            _Act(
                "branch_vote",
                vote,
                {"branch_vote_members": m, "branch_votes_for": votes_for},
                details={"branch_vote_members": m, "branch_votes_for": votes_for, "passed": True},
                number="branch",
            )
        )
        last = vote
        if cell.base is not None:
            review = days.on_or_after(vote + rng.randint(7, 28) * DAY)
            cm, cv = self._votes(cell.committee, review, passed=True)
            acts.append(
                _Act(
                    "committee_review",
                    review,
                    {"committee_members": cm, "committee_votes_for": cv},
                    details={"committee_members": cm, "committee_votes_for": cv},
                    number="committee",
                )
            )
            last = review
        rs = book.at(vote)
        limit, extended = rs.decision_working_days, quirk == "decision_extended"
        if quirk == "decision_late":
            k = limit + rng.randint(2, 20)
        elif extended:
            k = limit + rng.randint(3, rs.decision_extension_working_days - 3)
        else:
            k = rng.randint(max(days.count(vote, last) + 3, 8), limit - 3)
        decision = days.add(vote, k)
        acts.append(
            _Act(
                "decision",
                decision,
                {"decision_extended": extended},
                details={"decision_extended": True} if extended else {},
                number="decision",
            )
        )
        limit = book.at(decision).ceremony_working_days
        late = quirk in ("ceremony_late", "ceremony_consent")
        ceremony = days.add(decision, limit + rng.randint(3, 25) if late else rng.randint(2, limit - 2))
        acts.append(_Act("ceremony", ceremony))
        if quirk == "ceremony_consent":
            acts[-1].number, acts[-1].number_field = "consent", "late_ceremony_consent_no"
        end = add_months(ceremony, book.at(ceremony).probation_months)
        course = days.on_or_after(ceremony + rng.randint(45, 240) * DAY)
        limit = book.at(end).recognition_vote_working_days
        k = limit + rng.randint(2, 20) if quirk == "recognition_vote_late" else rng.randint(1, limit - 2)
        recognition_vote = days.add(end, k)
        limit = book.at(recognition_vote).recognition_decision_working_days
        k = limit + rng.randint(2, 15) if quirk == "recognition_late" else rng.randint(3, limit - 2)
        recognition = days.add(recognition_vote, k)
        if quirk == "recognition_votes_failed":
            # The cell voted three times on recognising the probationer, each short of two thirds: a case for the
            # superior committee (Quy định 29 §4.2c). Cut after the last (_Case after="fail_recognition").
            day = days.add(end, rng.randint(1, 10))
            for _ in range(3):
                fm, fv = self._votes(members + rng.randint(0, 1), day, passed=False)
                acts.append(
                    _Act(
                        "fail_recognition",
                        day,
                        details={"recognition_vote_date": day.isoformat(), "recognition_vote_members": fm,
                                 "recognition_votes_for": fv, "passed": False},
                    )
                )  # fmt: skip
                day = days.add(day, rng.randint(15, 25))
        rm, rv = self._votes(members + rng.randint(0, 1), recognition_vote, passed=True)
        details = {
            "new_member_course_date": course.isoformat(),
            "recognition_vote_date": recognition_vote.isoformat(),
            "recognition_vote_members": rm,
            "recognition_votes_for": rv,
        }
        acts.append(
            _Act(
                "recognition",
                recognition,
                {
                    "new_member_course_date": course,
                    "recognition_vote_date": recognition_vote,
                    "recognition_vote_members": rm,
                    "recognition_votes_for": rv,
                },
                details=details,
                number="decision",
            )
        )
        return _Plan(cell=cell, acts=acts, docs=docs, vote_day=first_vote)

    def _cut(
        self,
        plan: _Plan,
        after: str | None = None,
        leave: tuple[str, datetime.date] | None = None,
        reason: tuple[str, str] | None = None,
    ) -> _Plan:
        """Keep the acts up to the last `after` step, add the leaving act, then drop what lies after today."""
        acts = plan.acts
        if after is not None:
            last = max(i for i, a in enumerate(acts) if a.step == after)
            acts = acts[: last + 1]
        if leave is not None:
            step, day = leave
            code, note = reason or self.rng.choice(_REMOVAL_REASONS[step])
            number = {"reject": "notice", "strike_off": "decision"}.get(step, "")
            acts = [
                *acts,
                _Act(
                    step,
                    day,
                    {"removal_reason": code, "removal_note": note},
                    details={"removal_reason": code, "removal_note": note},
                    number=number,
                ),
            ]
        kept = []
        for act in acts:
            if act.day > self.today:
                break
            kept.append(act)
        plan.acts = kept
        application = plan.kept("dossier")
        ended = kept[-1].day if kept[-1].step in ("remove", "reject", "strike_off", "transfer") else self.today
        plan.docs = {k: v for k, v in plan.docs.items() if application and v <= min(ended, self.today)}
        return plan

    def _outcome(self, plan: _Plan) -> _Plan:
        """Most people go all the way; some leave the list, are not admitted, or are struck off."""
        rng, days = self.rng, self.days
        r = rng.random()
        source = plan.acts[0].day
        cert = plan.acts[1].day
        if r < 0.035:
            return self._cut(plan, "source", ("remove", source + rng.randint(60, 540) * DAY))
        if r < 0.06:
            return self._cut(plan, "awareness", ("remove", cert + rng.randint(30, 400) * DAY))
        if r < 0.075:
            after = rng.choice(("source", "awareness"))
            return self._cut(plan, after, ("transfer", plan.day(after) + rng.randint(30, 400) * DAY))
        if r < 0.09:
            application = plan.day("dossier")
            return self._cut(plan, "dossier", ("remove", application + rng.randint(40, 150) * DAY))
        if r < 0.1:
            after = "committee_review" if plan.cell.base else "branch_vote"
            return self._cut(plan, after, ("reject", days.add(plan.day(after), rng.randint(10, 35))))
        if r < 0.107:
            ceremony = plan.day("ceremony")
            if rng.random() < 0.7:
                end = add_months(ceremony, self.book.at(ceremony).probation_months)
                day = days.add(end, rng.randint(3, 25))
            else:
                day = ceremony + rng.randint(90, 300) * DAY
            return self._cut(plan, "ceremony", ("strike_off", day))
        # A probationer who moves transfers their party activity: not a removal (models.REMOVAL_OUTCOMES).
        return self._cut(plan)

    # -- the person -------------------------------------------------------------------------------

    def _national_id(self, birth: datetime.date, gender: str) -> str:
        province = _pick(self.rng, _BIRTH_PROVINCES)
        century = 0 if birth.year < 2000 else 2
        digit = century + (1 if gender == Gender.FEMALE else 0)
        while True:
            number = f"{province}{digit}{birth.year % 100:02d}{self.rng.randint(0, 999_999):06d}"
            if number not in self.ids:
                self.ids.add(number)
                return number

    def _name(self, gender: str, ethnicity: str) -> str:
        return population.full_name(self.rng, gender, ethnicity)

    def _person(self, plan: _Plan) -> dict[str, Any]:
        rng, cell = self.rng, plan.cell
        job = rng.choices(cell.jobs, weights=[j.weight for j in cell.jobs])[0]
        gender = Gender.FEMALE if rng.random() < job.women else Gender.MALE
        ethnicity = _pick(rng, _ETHNICITY["rural" if cell.rural else "urban"])
        lo, hi = job.ages
        months = lo * 12 + int((hi - lo) * 12 * rng.random() ** 2)
        months = min(max(months, 12 * 18 + 1), 12 * 45 - 8)  # a few failed votes may come before the last
        birth = add_months(plan.vote_day, -months) - rng.randint(0, 27) * DAY
        age = months_between(birth, plan.vote_day)
        youth = age < 30 * 12 and rng.random() < (0.97 if job.group == _G.ARMED_FORCES else 0.93)
        if job.group in (_G.FARMER, _G.WORKER, _G.OTHER):
            education = "9/12" if rng.random() < (0.35 if ethnicity != "Kinh" else 0.2) else "12/12"
        else:
            education = "12/12"
        return {
            "full_name": self._name(gender, ethnicity),
            "birth_date": birth,
            "gender": gender,
            "ethnicity": ethnicity,
            "religion": _pick(rng, _RELIGION.get(ethnicity, _DEFAULT_RELIGION)),
            "national_id": self._national_id(birth, gender),
            "youth_union": youth,
            "trade_union": job.group in (_G.CIVIL_SERVANT, _G.PUBLIC_EMPLOYEE, _G.BUSINESS_EMPLOYEE, _G.WORKER),
            "occupation": job.title,
            "occupation_group": job.group,
            "education": education,
        }

    def _introducers(self, plan: _Plan) -> list[dict[str, Any]]:
        """Two official members, or the Youth Union (or trade union) resolution and one member."""
        rng, person, vote = self.rng, plan.person, plan.vote_day
        application = plan.kept("dossier")
        if application is None:
            return []
        intros: list[dict[str, Any]] = []
        union_kind = ""
        if person["youth_union"]:
            union_kind = IntroducerKind.YOUTH_UNION
        elif person["trade_union"] and plan.cell.org.sector == Sector.PRIVATE_ENTERPRISE and rng.random() < 0.25:
            union_kind = IntroducerKind.TRADE_UNION
        if union_kind:
            day = max(vote - rng.randint(5, 30) * DAY, application.day)
            if union_kind == IntroducerKind.YOUTH_UNION:
                name, ref = plan.cell.union_name, f"{rng.randint(1, 40):02d}-NQ/ĐTN"
            else:
                company = (plan.cell.base or plan.cell.org).name.removeprefix("Đảng bộ ").removeprefix("Chi bộ ")
                name, ref = f"Ban Chấp hành Công đoàn cơ sở {company}", f"{rng.randint(1, 30):02d}-NQ/CĐCS"
            intros.append({"kind": union_kind, "name": name, "reference": ref, "introduced_on": day})
        months = self.book.at(vote).introducer_known_months
        for i in range(1 if union_kind else 2):
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            day = max(vote - rng.randint(5, 40) * DAY, application.day)
            replacement = i == 1 and rng.random() < 0.02
            known = add_months(vote, -rng.randint(months + 1, 120))
            known = max(known, add_months(person["birth_date"], 15 * 12))
            intros.append(
                {
                    "kind": IntroducerKind.MEMBER,
                    "official_member_here": True,
                    "name": self._name(gender, "Kinh"),
                    "reference": f"{rng.randint(1, 99):02d}.{rng.randint(0, 999_999):06d}",
                    "known_since": None if replacement else known,
                    "introduced_on": day,
                    "is_replacement": replacement,
                }
            )
        # Introductions not yet written (the vote is still ahead) are left out.
        ended = plan.acts[-1].day if plan.acts[-1].step in ("remove", "transfer") else self.today
        return [i for i in intros if i["introduced_on"] <= min(ended, self.today)]

    # -- everyone ---------------------------------------------------------------------------------

    def _source_day(self, lo: datetime.date, hi: datetime.date) -> datetime.date:
        return lo + self.rng.randint(0, max((hi - lo).days, 0)) * DAY

    def _finish(self, plan: _Plan, person: dict[str, Any] | None = None) -> _Plan:
        plan.person = person or self._person(plan)
        plan.introducers = self._introducers(plan)
        return plan

    def _preview(self, plan: _Plan) -> Candidate:
        """An unsaved candidate with the plan's dates and the derived fields, for choosing special cases."""
        c = self._candidate(plan, {"birth_date": plan.vote_day - 25 * 366 * DAY, "national_id": "0" * 12})
        rules.derive(c, self.ctx)
        return c

    def _special(self, case: _Case) -> _Plan | None:
        """A planned case that shows what `case` asks for (an overdue deadline, say), found by trying source days."""
        lo, hi = (add_months(self.today, -m) for m in case.months_ago)
        for _ in range(400):
            source = self._source_day(lo, hi)
            cell = self._cell(source, with_base=case.with_base)
            plan = self._cut(self._plan(cell, source, fails=case.fails, quirk=case.quirk), case.after)
            if case.accept(self._preview(plan), self.today):
                return self._finish(plan)
        return None

    def plans(self) -> list[_Plan]:
        t, rng = self.today, self.rng
        plans = []
        for case in _CASES:
            for _ in range(case.count):
                plan = self._special(case)
                if plan is not None:
                    plans.append(plan)
        # Three admission votes short of two thirds are counted, not reported upward: that rule concerns the votes
        # on a probationer (Quy định 29 §4.2c; issue 15).
        for plan in plans:
            fails = [a.day for a in plan.acts if a.step == "fail_recognition"]
            if fails and len(fails) >= self.book.at(fails[-1]).max_failed_votes:
                plan.extra_warnings.append(
                    rules.Problem("recognition_votes_for", "", warning=WarningCode.VOTES_FAILED, act_date=fails[-1])
                )
        # People removed from the list years ago and listed again later: a new candidacy, the same person.
        for _ in range(2):
            source = self._source_day(datetime.date(t.year - 7, 6, 1), datetime.date(t.year - 6, 6, 1))
            cell = self._cell(source)
            first = self._plan(cell, source)
            left = first.acts[1].day + rng.randint(30, 200) * DAY
            first = self._finish(
                self._cut(first, "awareness", ("remove", left), (RemovalReason.OTHER, "Đi lao động ở nước ngoài"))
            )
            again = left + rng.randint(18, 30) * 30 * DAY
            second = self._cut(self._plan(cell, again))
            person = {**first.person}
            if months_between(person["birth_date"], second.vote_day) >= 45 * 12:
                continue
            plans += [first, self._finish(second, person)]
        quirks = {
            "decision_late": 0.006, "decision_extended": 0.005, "ceremony_late": 0.004, "ceremony_consent": 0.005,
            "recognition_vote_late": 0.004, "recognition_late": 0.003,
        }  # fmt: skip
        end = t - 3 * DAY
        while len(plans) < PEOPLE:
            source = self._source_day(self.start, end)
            r, quirk = rng.random(), ""
            for name, p in quirks.items():
                if r < p:
                    quirk = name
                    break
                r -= p
            plan = self._outcome(self._plan(self._cell(source), source, quirk=quirk))
            plans.append(self._finish(plan))
        return plans

    # -- rows -------------------------------------------------------------------------------------

    def number(self, plans: list[_Plan]) -> None:
        """Give every document its number, running per issuing body and year in the order of the acts."""
        numbers = _Numbers(self.rng)
        acts = sorted((a.day, i, j) for i, p in enumerate(plans) for j, a in enumerate(p.acts) if a.number)
        for day, i, j in acts:
            plan, act = plans[i], plans[i].acts[j]
            cell, year = plan.cell, day.year
            commune = cell.commune.code
            if day < REFORM_DAY:
                district, suffix = _OLD_SUPERIOR.get(commune, (commune, "HU"))
            else:
                district, suffix = commune, "ĐU"
            if act.number == "cert":
                n = numbers.next(f"cert:{district}", year, (20, 120), (1, 3))
                act.document_no = f"{n}/GCN-TTCT"
            elif act.number == "branch":
                n = numbers.next(f"cell:{cell.org.code}", year, (1, 6), (1, 3))
                act.document_no = f"{n:02d}-NQ/CB"
            elif act.number == "committee":
                base = cell.base.code if cell.base else cell.org.code
                n = numbers.next(f"base:{base}", year, (5, 30), (1, 4))
                act.document_no = f"{n:02d}-NQ/ĐU"
            elif act.number == "decision":
                n = numbers.next(f"decision:{district}", year, (40, 200), (1, 6))
                act.document_no = f"{n}-QĐ/{suffix}"
            elif act.number == "notice":
                n = numbers.next(f"notice:{district}", year, (10, 80), (1, 5))
                act.document_no = f"{n}-TB/{suffix}"
            elif act.number == "consent":
                n = numbers.next(f"letter:{district}", year, (100, 400), (1, 9))
                act.document_no = f"{n}-CV/{suffix}"
            if act.number_field:
                act.fields[act.number_field] = act.document_no
            if act.step == "ceremony":  # the consent is a detail of the ceremony, not its document
                act.details[act.number_field] = act.document_no
                act.document_no = ""

    def _candidate(self, plan: _Plan, overrides: dict[str, Any] | None = None) -> Candidate:
        values: dict[str, Any] = {**plan.person, **(overrides or {})}
        stage, stage_date, failed, failed_probation = "", plan.acts[0].day, 0, 0
        for act in plan.acts:
            values.update(act.fields)
            new = _stage_after(act.step, stage)
            if new != stage:
                stage, stage_date = new, act.day
            failed += act.step == "fail_vote"
            failed_probation += act.step == "fail_recognition"
        values.update(plan.docs)
        return Candidate(
            organization=plan.cell.org, stage=stage, stage_date=stage_date, failed_votes=failed,
            failed_probation_votes=failed_probation, **values,
        )  # fmt: skip

    def rows(self, plans: list[_Plan]) -> list[tuple[Candidate, _Plan, list[rules.Problem]]]:
        out = []
        for plan in plans:
            c = self._candidate(plan)
            rules.derive(c, self.ctx)
            problems = rules.check_record(c, self.ctx)
            errors = [p for p in problems if p.is_error]
            if errors:  # a bug in the plans above, never the data's fault
                raise AssertionError(f"demo candidate {c.full_name}: {[(p.field, p.message) for p in errors]}")
            out.append((c, plan, problems + plan.extra_warnings))
        return out


def _particulars(
    root: Organization, rows: list[tuple[Candidate, _Plan, list[rules.Problem]]], today: datetime.date
) -> None:
    """Home town, residence, phone and the two levels (issue 17) for part of the people, from a random stream of
    their own (SEED + 17): the people, their dates and so every figure of the demo stay as they were."""
    rng = random.Random(SEED + 17)  # noqa: S311 (demo data, reproducible on purpose)
    province = root.name.removeprefix("Đảng bộ ")
    homes = sorted(
        {population.place_of(plan.cell.commune.name.removeprefix("Đảng bộ "), province) for _c, plan, _p in rows}
    )
    recent = today - 3 * 365 * DAY  # listed in the last three years: records kept for the documents
    for c, plan, _problems in rows:
        home = population.place_of(plan.cell.commune.name.removeprefix("Đảng bộ "), province)
        (c.home_town, c.residence, c.phone, c.professional_level, c.political_theory) = population.particulars(
            rng, home=home, homes=homes, group=c.occupation_group,
            recent=c.source_date is not None and c.source_date >= recent,
        )  # fmt: skip


def _warning(candidate: Candidate, problem: rules.Problem, today: datetime.date) -> CandidateWarning:
    assert problem.warning is not None
    warning = CandidateWarning(
        candidate=candidate, code=problem.warning, due_date=problem.due_date, act_date=problem.act_date
    )
    # Late acts of past years were handled long ago; this year's are still waiting for someone.
    if problem.act_date and problem.act_date < today - 365 * DAY:
        handled = datetime.datetime.combine(problem.act_date + 10 * DAY, datetime.time(9, 0))
        warning.resolved_at = timezone.make_aware(handled)
        warning.resolution = _RESOLUTIONS[problem.warning]
    return warning


def _free_national_ids(demo: _Demo, rows: list[tuple[Candidate, _Plan, list[rules.Problem]]]) -> None:
    """Demo citizen IDs are random: give a new one to any that an open candidacy elsewhere already holds."""
    open_ids = {c.national_id for c, _, _ in rows if c.is_open}
    taken: set[str] = set()
    ids = sorted(open_ids)
    for i in range(0, len(ids), 500):
        taken |= set(
            Candidate.objects.open().filter(national_id__in=ids[i : i + 500]).values_list("national_id", flat=True)
        )
    by_id: dict[str, list[Candidate]] = {}
    for c, _, _ in rows:
        by_id.setdefault(c.national_id, []).append(c)
    for old in sorted(taken):
        new = demo._national_id(by_id[old][0].birth_date, by_id[old][0].gender)
        for c in by_id[old]:
            c.national_id = new
            c.refresh_search_key()


@transaction.atomic
def seed_people(*, today: datetime.date | None = None) -> int:
    """Create the demo candidates in the cells of the demo province; 0 (and nothing done) if any are there."""
    today = today or timezone.localdate()
    root = Organization.objects.filter(code=ROOT_CODE).first()
    if root is None or Candidate.objects.in_subtree(root).exists():
        return 0
    demo = _Demo(root, today)
    if not demo.cells:
        return 0
    plans = demo.plans()
    demo.number(plans)
    rows = demo.rows(plans)
    _free_national_ids(demo, rows)
    _particulars(root, rows, today)
    candidates = bulk_create_with_history(
        [c for c, _, _ in rows], Candidate, batch_size=500, default_change_reason=CHANGE_REASON
    )
    events, introducers, warnings = [], [], []
    for candidate, (_, plan, problems) in zip(candidates, rows, strict=True):
        stage = ""
        for act in plan.acts:
            new = _stage_after(act.step, stage)
            events.append(
                StageEvent(
                    candidate=candidate,
                    from_stage=stage,
                    to_stage=new,
                    act_date=act.day,
                    document_no=act.document_no,
                    details=act.details,
                )
            )
            stage = new
        introducers += [Introducer(candidate=candidate, **fields) for fields in plan.introducers]
        warnings += [_warning(candidate, p, today) for p in problems if p.warning is not None]
    StageEvent.objects.bulk_create(events, batch_size=1000)
    bulk_create_with_history(introducers, Introducer, batch_size=1000, default_change_reason=CHANGE_REASON)
    CandidateWarning.objects.bulk_create(warnings, batch_size=1000)
    return len(candidates)
