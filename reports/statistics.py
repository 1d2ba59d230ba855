"""The statistics of admissions for a period, as Biểu 2-BTCTW and 4-BTCTW lay them out (FORMS.md §3).

The people counted are those the dashboard counts as admitted: recruitment.selectors.CREDITED with
the ceremony in the period, in the organization's subtree on the tree of the period's last day, or
of its own last day for a unit that ended in the period (`span`: reports.attainment's choice of day,
and reports.attainment.candidates_of, the same Subtree), so the total equals the dashboard's admitted
figure for the same days. Everything is counted by the database: one aggregate query for the fixed
rows and three grouped queries (education, ethnic group, religion), for the period and for the same
period of the year before.

A row the app holds no data for (the form's occupations it cannot tell apart, family-planning
violations, marriage to a foreigner, academic titles) carries None: the workbook writes "no data"
in its figure cells, never 0. Answers that may be blank (ethnic group, religion, occupation,
education, professional level) have a "not stated" row of their own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, FloatField, Q, Value
from django.db.models.functions import Floor
from django.utils import timezone

from organizations.history import Subtree
from organizations.models import Kind, Organization
from recruitment.ethnicities import ETHNIC_GROUPS, KINH
from recruitment.models import OccupationGroup, ProfessionalLevel
from recruitment.particulars import NO_RELIGION
from recruitment.rules import education_grade
from recruitment.selectors import AGE_AT_ADMISSION_KEY, CATEGORIES, CREDITED
from reports.attainment import _span, candidates_of, percent
from reports.forms import Period
from reports.periods import ReportPeriod

KEY = AGE_AT_ADMISSION_KEY  # yyyymmdd(ceremony) - yyyymmdd(birth): whole years are key // 10000
ONE_DECIMAL = Decimal("0.1")

# Where a row comes from: the 2021 form as transcribed, the 2012 form (Nữ, Tôn giáo), or ours (a row
# that says what the app can tell where the form's rows are finer than its data).
FORM, FORM_2012, OURS = "", "2012", "ours"


AGE = Floor(KEY / Value(10000.0, output_field=FloatField()))  # whole years at the ceremony


GRASSROOTS = (Kind.BASE_COMMITTEE, Kind.BASE_BRANCH)
STEP = Organization.steplen
OG = OccupationGroup
PL = ProfessionalLevel


@dataclass(frozen=True)
class RowSpec:
    """A row of Biểu 2-BTCTW: its number, label (the form's words), indent, and how it is counted: a Q over
    the admitted (None: no data), or a named special ("age_avg", "edu:<level>")."""

    number: str
    label: str
    indent: int = 0
    q: Q | None = None
    special: str = ""
    source: str = FORM


# The form's own words are data, in Vietnamese as the form prints them (FORMS.md §3).
FORM_2_ROWS: tuple[RowSpec, ...] = (
    RowSpec("I", "TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP", 0, Q()),
    RowSpec("", "Trong đó: Nữ", 1, CATEGORIES["women"][1], source=FORM_2012),
    RowSpec("", "Dân tộc thiểu số", 1, CATEGORIES["ethnic_minority"][1]),
    RowSpec("", "(chưa khai dân tộc)", 2, Q(ethnicity=""), source=OURS),
    RowSpec("", "Người có đạo (theo tôn giáo)", 1, CATEGORIES["religious"][1], source=FORM_2012),
    RowSpec("", "(chưa khai tôn giáo)", 2, Q(religion=""), source=OURS),
    RowSpec("", "Đoàn viên Đoàn TNCS Hồ Chí Minh", 1, CATEGORIES["youth_union"][1]),
    RowSpec("", "Chủ doanh nghiệp tư nhân", 1, Q(occupation_group=OG.BUSINESS_OWNER)),
    RowSpec("", "Quần chúng vi phạm chính sách KHHGĐ", 1),
    RowSpec("", "Có quan hệ hôn nhân với người nước ngoài", 1),
    RowSpec("", "Kết nạp lại", 1, Q(readmission=True)),
    RowSpec("II", "CHIA RA", 0),
    RowSpec("1", "Nghề nghiệp", 0),
    RowSpec("", "CBCC cơ quan Nhà nước từ cấp huyện trở lên", 1),
    RowSpec("", "CBCC cơ quan Đảng, MTTQ, đoàn thể CT-XH từ cấp huyện trở lên", 1),
    RowSpec("", "CBCC, người hoạt động không chuyên trách ở xã, phường, thị trấn", 1),
    RowSpec("", "Người hoạt động không chuyên trách thôn, tổ dân phố, bản (ấp, khóm)", 1),
    RowSpec("", "(cán bộ, công chức: bốn dòng trên cộng lại)", 2, Q(occupation_group=OG.CIVIL_SERVANT), source=OURS),
    RowSpec("", "Viên chức sự nghiệp công lập", 1, Q(occupation_group=OG.PUBLIC_EMPLOYEE)),
    RowSpec("", "Người lao động sự nghiệp ngoài công lập", 1),
    RowSpec(
        "",
        "Lãnh đạo, quản lý và lao động trong doanh nghiệp",
        1,
        Q(occupation_group__in=[OG.BUSINESS_OWNER, OG.BUSINESS_EMPLOYEE, OG.WORKER]),
    ),
    RowSpec("", "+ Lãnh đạo, quản lý", 2),
    RowSpec("", "+ Nhân viên, gián tiếp sản xuất", 2),
    RowSpec("", "+ Công nhân, lao động trực tiếp", 2, Q(occupation_group=OG.WORKER)),
    RowSpec(
        "",
        "(chủ doanh nghiệp và nhân viên doanh nghiệp: hai dòng trên cộng lại)",
        3,
        Q(occupation_group__in=[OG.BUSINESS_OWNER, OG.BUSINESS_EMPLOYEE]),
        source=OURS,
    ),
    RowSpec("", "Nông, lâm, ngư nghiệp", 1, Q(occupation_group=OG.FARMER)),
    RowSpec("", "Sỹ quan, chiến sỹ quân đội và công an", 1, Q(occupation_group=OG.ARMED_FORCES)),
    RowSpec("", "Sinh viên", 1),
    RowSpec("", "Học sinh", 1),
    RowSpec("", "(học sinh, sinh viên: hai dòng trên cộng lại)", 2, Q(occupation_group=OG.STUDENT), source=OURS),
    RowSpec("", "Khác (lao động hợp đồng, tự do…)", 1, Q(occupation_group=OG.OTHER)),
    RowSpec("", "(chưa khai nghề nghiệp)", 1, Q(occupation_group=""), source=OURS),
    RowSpec("2", "Tuổi đời", 0),
    RowSpec("", "Từ 18 đến 30 tuổi", 1, special="age:0-30"),
    RowSpec("", "Từ 31 đến 35 tuổi", 1, special="age:31-35"),
    RowSpec("", "Từ 36 đến 40 tuổi", 1, special="age:36-40"),
    RowSpec("", "Từ 41 đến 45 tuổi", 1, special="age:41-45"),
    RowSpec("", "Từ 46 đến 50 tuổi", 1, special="age:46-50"),
    RowSpec("", "Từ 51 đến 55 tuổi", 1, special="age:51-55"),
    RowSpec("", "Từ 56 đến 60 tuổi", 1, special="age:56-60"),
    RowSpec("", "Trên 60 tuổi", 1, special="age:61-999"),
    RowSpec("", "Tuổi bình quân", 1, special="age_avg"),
    RowSpec("3", "Giáo dục phổ thông", 0),
    RowSpec("", "Biết đọc, biết viết chữ quốc ngữ", 1, special="edu:literate"),
    RowSpec("", "Tiểu học", 1, special="edu:primary"),
    RowSpec("", "Trung học cơ sở", 1, special="edu:lower"),
    RowSpec("", "Trung học phổ thông", 1, special="edu:upper"),
    RowSpec("", "(chưa khai trình độ giáo dục phổ thông)", 1, special="edu:unknown", source=OURS),
    RowSpec("4", "Chuyên môn, nghiệp vụ", 0),
    RowSpec("", "(không có chuyên môn, nghiệp vụ)", 1, Q(professional_level=PL.NONE), source=OURS),
    RowSpec("", "Công nhân kỹ thuật, nhân viên nghiệp vụ, sơ cấp", 1, Q(professional_level=PL.ELEMENTARY)),
    RowSpec("", "Trung cấp", 1, Q(professional_level=PL.INTERMEDIATE)),
    RowSpec("", "Cao đẳng", 1, Q(professional_level=PL.COLLEGE)),
    RowSpec("", "Đại học", 1, Q(professional_level=PL.UNIVERSITY)),
    RowSpec("", "Thạc sỹ", 1, Q(professional_level=PL.MASTER)),
    RowSpec("", "Tiến sỹ", 1, Q(professional_level=PL.DOCTOR)),
    RowSpec("", "(chưa khai chuyên môn, nghiệp vụ)", 1, Q(professional_level=""), source=OURS),
    RowSpec("5", "Chức danh khoa học", 0),
    RowSpec("", "Phó Giáo sư", 1),
    RowSpec("", "Giáo sư", 1),
    # Grassroots organizations at the end of the period (its last day's tree, those in being then); whether one
    # had no candidate left ("không còn quần chúng") on a past day is not recorded: no data.
    RowSpec("III", "SỐ TỔ CHỨC CƠ SỞ ĐẢNG CUỐI KỲ", 0),
    RowSpec("", "Đảng bộ cơ sở", 1, special="units:base_committee"),
    RowSpec("", "Trong đó: có kết nạp đảng viên", 2, special="admitting:base_committee"),
    RowSpec("", "Không còn quần chúng", 2),
    RowSpec("", "Chi bộ cơ sở", 1, special="units:base_branch"),
    RowSpec("", "Trong đó: có kết nạp đảng viên", 2, special="admitting:base_branch"),
    RowSpec("", "Không còn quần chúng", 2),
)
_COUNTED = {i: spec.q for i, spec in enumerate(FORM_2_ROWS) if spec.q is not None}
_HEADINGS = {"II", "1", "2", "3", "4", "5", "III"}  # rows that only head their part: no figures


def education_level(text: str) -> str:
    """The general-education row of a grade text ("9/12" → lower secondary); "unknown" when not stated.
    Grades 1–4: reads and writes; 5–8: primary completed; 9–11: lower secondary; 12 (or 10/10): upper."""
    if not text.strip():
        return "unknown"
    grade = education_grade(text)
    if grade is None:
        return "unknown"
    if text.strip().endswith("/10"):  # the old ten-grade system: 10/10 completed upper secondary
        grade = {10: 12, 9: 11, 7: 9, 8: 10}.get(grade, grade)
    if grade >= 12:
        return "upper"
    if grade >= 9:
        return "lower"
    if grade >= 5:
        return "primary"
    return "literate"


@dataclass
class Counts:
    """What one period's admitted add up to."""

    total: int = 0
    rows: dict[int, int] = field(default_factory=dict)  # FORM_2_ROWS index → count
    age_sum: int = 0
    ages: dict[int, int] = field(default_factory=dict)  # whole years at the ceremony → count
    education: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ethnicity: dict[str, tuple[int, int]] = field(default_factory=dict)  # name ("" not stated) → (all, women)
    religion: dict[str, tuple[int, int]] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)  # "units:<kind>" / "admitting:<kind>" → count

    @property
    def average_age(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.age_sum) / self.total).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def span(
    org: Organization, start: datetime.date, end: datetime.date, today: datetime.date
) -> tuple[datetime.date, datetime.date, Subtree]:
    """The last day counted, the day of the tree, and org's subtree on it: the dashboard's own choice
    (reports.attainment), so a unit that ended in the period is counted to its last day, on its tree as
    it stood then, and anything else on the tree of `end` (or today, if earlier)."""
    return _span(org, Period(start.year, end.year, first_day=start, last_day=end), None, today)


def admitted_queryset(org: Organization, start: datetime.date, end: datetime.date, today: datetime.date) -> Any:
    """The people admitted in start..end credited to org's subtree, on the tree of the last day counted
    (`span`): the dashboard's definition (reports.attainment)."""
    cutoff, _day, sub = span(org, start, end, today)
    return _admitted(sub, start, cutoff)


def _admitted(sub: Subtree, start: datetime.date, cutoff: datetime.date) -> Any:
    return candidates_of(sub).filter(CREDITED, admission_date__gte=start, admission_date__lte=cutoff)


def count(org: Organization, start: datetime.date, end: datetime.date, *, today: datetime.date) -> Counts:
    cutoff, _day, sub = span(org, start, end, today)  # the tree read once for the counts and part III
    qs = _admitted(sub, start, cutoff).order_by()
    women = Count("id", filter=CATEGORIES["women"][1])
    aggregates: dict[str, Any] = {f"r{i}": Count("id", filter=q) if q else Count("id") for i, q in _COUNTED.items()}
    row = qs.aggregate(total=Count("id"), **aggregates)
    out = Counts(total=row["total"], rows={i: row[f"r{i}"] for i in _COUNTED})
    # The ages in one grouped query (the age computed once a person, not once a band; a few dozen rows).
    for years, n in qs.annotate(age=AGE).values_list("age").annotate(n=Count("id")).values_list("age", "n"):
        out.ages[int(years)] = out.ages.get(int(years), 0) + n
    out.age_sum = sum(years * n for years, n in out.ages.items())
    for text, n in qs.values_list("education").annotate(n=Count("id")):
        out.education[education_level(text)] += n
    for name, n, w in qs.values_list("ethnicity").annotate(n=Count("id"), w=women):
        out.ethnicity[name] = (n, w)
    religions: dict[str, list[int]] = {}
    for name, n, w in qs.values_list("religion").annotate(n=Count("id"), w=women):
        acc = religions.setdefault(name.strip(), [0, 0])
        acc[0] += n
        acc[1] += w
    out.religion = {name: (n, w) for name, (n, w) in religions.items()}
    out.units = _grassroots(sub, start, cutoff)
    return out


def _grassroots(sub: Subtree, start: datetime.date, cutoff: datetime.date) -> dict[str, int]:
    """The grassroots organizations of the subtree (on its tree's day, `span`) in being on the last day
    counted (the period's end; an ended org's last day), by kind, and those with an admission credited to them
    (anywhere in their subtree) in the period. Two queries: the units, and the distinct cells with an
    admission (a few thousand paths in a province, matched to their unit by prefix; a correlated EXISTS
    per unit scanned the people once per unit: 75 s for a province on SQLite)."""
    orgs = Organization.objects.filter(sub.q(), kind__in=GRASSROOTS)
    if sub.changed:
        orgs = orgs.annotate(bucket=sub.bucket("path")).filter(bucket__isnull=False)
    units = dict(
        orgs.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=cutoff), Q(valid_to__isnull=True) | Q(valid_to__gte=cutoff)
        )
        .order_by()
        .values_list("path", "kind")
    )
    cells = _admitted(sub, start, cutoff).order_by().values_list("organization__path", flat=True).distinct()
    admitting = {cell[:k] for cell in cells for k in range(STEP, len(cell) + 1, STEP) if cell[:k] in units}
    out = {f"{prefix}:{kind}": 0 for kind in GRASSROOTS for prefix in ("units", "admitting")}
    for path, kind in units.items():
        out[f"units:{kind}"] += 1
        out[f"admitting:{kind}"] += path in admitting
    return out


def ratio(now: int | Decimal | None, before: int | Decimal | None) -> Decimal | None:
    """The form's column 4: this period × 100 / the same period of the year before (None when that is 0)."""
    if now is None or before is None or not before:
        return None
    return (Decimal(now) * 100 / Decimal(before)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def change(now: int | Decimal | None, before: int | Decimal | None) -> Decimal | None:
    """The change from the year before in %: ratio - 100 (None when the year before had none)."""
    r = ratio(now, before)
    return None if r is None else r - 100


@dataclass(frozen=True)
class Line:
    """One row of a table: None in a figure is "no data" (a heading row has has_figures False)."""

    number: str
    label: str
    indent: int
    now: int | Decimal | None
    before: int | Decimal | None
    source: str = FORM
    has_figures: bool = True
    women: int | None = None
    share: Decimal | None = None

    @property
    def no_data(self) -> bool:
        return self.has_figures and self.now is None

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.now, self.before)


def _value(i: int, spec: RowSpec, c: Counts) -> int | Decimal | None:
    if spec.special == "age_avg":
        return c.average_age
    if spec.special.startswith("age:"):
        first, last = map(int, spec.special[4:].split("-"))
        return sum(n for years, n in c.ages.items() if first <= years <= last)
    if spec.special.startswith(("units:", "admitting:")):
        return c.units.get(spec.special, 0)
    if spec.special.startswith("edu:"):
        return c.education.get(spec.special[4:], 0)
    if i in c.rows:
        return c.rows[i]
    return None


@dataclass
class Statistics:
    org: Organization
    period: ReportPeriod
    now: Counts
    before: Counts

    @property
    def total(self) -> int:
        return self.now.total

    def form2(self) -> list[Line]:
        out = []
        for i, spec in enumerate(FORM_2_ROWS):
            heading = spec.number in _HEADINGS
            now = None if heading else _value(i, spec, self.now)
            before = None if heading else _value(i, spec, self.before)
            out.append(Line(spec.number, spec.label, spec.indent, now, before, spec.source, has_figures=not heading))
        return out

    def form4(self) -> list[Line]:
        """By ethnic group (the 54 in their order, those with anyone in either period), then by religion; the
        not stated apart; each with the women among them and its share of all admitted."""
        total = self.now.total

        def line(number: str, label: str, key: str, of: str) -> Line:
            now = getattr(self.now, of).get(key, (0, 0))
            before = getattr(self.before, of).get(key, (0, 0))
            return Line(number, label, 1, now[0], before[0], women=now[1], share=percent(now[0], total))

        lines = [Line("I", "DÂN TỘC", 0, None, None, has_figures=False)]
        present = set(self.now.ethnicity) | set(self.before.ethnicity)
        groups = [g for g in ETHNIC_GROUPS if g in present]
        for n, name in enumerate(groups, 1):
            lines.append(line(str(n), name, name, "ethnicity"))
        if "" in present:
            lines.append(line("", "(chưa khai dân tộc)", "", "ethnicity"))
        lines.append(Line("II", "TÔN GIÁO", 0, None, None, has_figures=False))
        names = set(self.now.religion) | set(self.before.religion)
        named = sorted(n for n in names if n and n != NO_RELIGION)
        for n, name in enumerate(named, 1):
            lines.append(line(str(n), name, name, "religion"))
        lines.append(line("", "Không theo tôn giáo", NO_RELIGION, "religion"))
        if "" in names:
            lines.append(line("", "(chưa khai tôn giáo)", "", "religion"))
        return lines

    @property
    def minority_total(self) -> int:
        return sum(n for name, (n, _w) in self.now.ethnicity.items() if name and name != KINH)


def statistics(org: Organization, period: ReportPeriod, *, today: datetime.date | None = None) -> Statistics:
    today = today or timezone.localdate()
    now = count(org, period.start, period.end, today=today)
    before = count(org, period.previous_start, period.previous_end, today=today)
    return Statistics(org, period, now, before)
