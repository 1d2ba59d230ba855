"""The committees' registers of people for a unit and a period (issue 17 point 2), as rows for the
workbook and the printable page.

- 18-KNĐ, Sổ theo dõi đảng viên dự bị (FORMS.md §1, M): the probationary members of the unit's
  subtree whose probation overlaps the period, in the order of their ceremony (transferred-in
  members included, their ceremony being in another unit). Of its columns only 1, 2, 4, 9 and 10 are
  known from the sources; the others here are ours (marked "*" in the header). Column 4, số lý lịch,
  is not held by the app: it stays blank for the committee to fill in.
- Danh sách trích ngang (FORMS.md §4, L: no official template): the people on the unit's lists during
  the period who were not yet admitted when it began, in the suggested columns. The app keeps no
  "assigned helper": the column shows the members who introduced the person.

Blank answers stay blank (not stated), never a default. The rows are read in two queries (the
people, their introducers) whatever their number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone, translation

from organizations.models import Organization
from organizations.notation import short_date
from recruitment.models import Candidate, Gender, Introducer, IntroducerKind, RemovalReason, Stage
from reports.attainment import candidates_of
from reports.periods import ReportPeriod
from reports.statistics import span


@dataclass(frozen=True)
class Register:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[list[str]]


PROBATION_HEADERS = (
    "STT",
    "Họ và tên",
    "Ngày sinh*",
    "Số lý lịch",
    "Quê quán*",
    "Chi bộ*",
    "Quyết định kết nạp (số, ngày)*",
    "Hết thời gian dự bị*",
    "Ngày chi bộ tổ chức lễ kết nạp",
    "Kết nạp lại, bị xóa tên, từ trần; ngày được công nhận đảng viên chính thức",
)

LIST_HEADERS = (
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Nam/Nữ",
    "Dân tộc",
    "Tôn giáo",
    "Quê quán",
    "Nơi cư trú",
    "Giáo dục phổ thông",
    "Chuyên môn, nghiệp vụ",
    "Lý luận chính trị",
    "Nghề nghiệp, chức vụ, đơn vị",
    "Đoàn viên / Công đoàn viên",
    "Ngày cấp GCN nhận thức về Đảng",
    "Đảng viên giới thiệu",
    "Ngày chi bộ xét (NQ số)",
    "Ghi chú",
)


def _d(day: datetime.date | None) -> str:
    return short_date(day) if day else ""


def _people(org: Organization, period: ReportPeriod) -> tuple[datetime.date, Any]:
    """The last day counted and the people of org's subtree on the tree of that day, as the statistics and
    the dashboard take them (reports.statistics.span: an ended unit to its last day, on its tree then)."""
    cutoff, _day, sub = span(org, period.start, period.end, timezone.localdate())
    return cutoff, candidates_of(sub)


def _once(people: list[Candidate], end: datetime.date) -> list[Candidate]:
    """A person transferred within the subtree listed once, by the record that held them on `end`, the last
    day counted: a record left by a transfer ("Chuyển sinh hoạt đi") registered by then gives way to its
    continuation (the record whose `previous` it is); one registered after the period keeps its row, and the
    continuation, not yet the person's then, is left out. A person transferred in from outside the subtree
    keeps their one record."""
    on_list = {c.pk for c in people}
    moved = {
        c.pk for c in people if c.stage == Stage.TRANSFERRED and c.removal_date is not None and c.removal_date <= end
    }
    drop: set[int] = set()
    for c in people:
        if c.previous_id is not None and c.previous_id in on_list:
            drop.add(c.previous_id if c.previous_id in moved else c.pk)
    return [c for c in people if c.pk not in drop]


def probation_people(org: Organization, period: ReportPeriod) -> list[Candidate]:
    """18-KNĐ: column 1 includes the members transferred in (FORMS.md §1); a member transferred between two
    cells of the subtree is one member of the committee's register, listed once, by the receiving record
    (its ceremony carried, its recognition recorded there), not once more as "Chuyển đi" (`_once`)."""
    end, people = _people(org, period)
    q = Q(admission_date__isnull=False, admission_date__lte=end)
    q &= Q(probation_end__gte=period.start) | Q(stage=Stage.PROBATION)
    qs = people.filter(q).select_related("organization").order_by("admission_date", "sort_name", "pk")
    return _once(list(qs), end)


def _outcome(c: Candidate) -> str:
    parts = []
    if c.readmission:
        parts.append("Kết nạp lại")
    if c.admission_carried:
        parts.append("Chuyển đến")
    if c.stage == Stage.STRUCK_OFF:
        if c.removal_reason == RemovalReason.DIED:
            parts.append(f"Từ trần ngày {_d(c.removal_date)}")
        else:
            decision = f" (QĐ số {c.removal_decision_no})" if c.removal_decision_no else ""
            parts.append(f"Bị xóa tên ngày {_d(c.removal_date)}{decision}")
    elif c.stage == Stage.TRANSFERRED:
        parts.append(f"Chuyển đi ngày {_d(c.removal_date)}")
    if c.official_date:
        decision = f" (QĐ số {c.recognition_decision_no}, ngày {_d(c.recognition_date)})" if c.recognition_date else ""
        parts.append(f"Công nhận chính thức từ ngày {_d(c.official_date)}{decision}")
    return "; ".join(parts)


def probation_register(org: Organization, period: ReportPeriod) -> Register:
    with translation.override("vi"):  # a Vietnamese register whatever the user's language
        return _probation_register(org, period)


def _probation_register(org: Organization, period: ReportPeriod) -> Register:
    rows = []
    for n, c in enumerate(probation_people(org, period), 1):
        decision = ", ".join(filter(None, [c.decision_no, _d(c.decision_date)]))
        rows.append(
            [
                str(n),
                c.full_name,
                _d(c.birth_date),
                "",
                c.home_town,
                c.organization.name,
                decision,
                _d(c.probation_end),
                _d(c.admission_date),
                _outcome(c),
            ]
        )
    return Register("so-dang-vien-du-bi", "SỔ THEO DÕI ĐẢNG VIÊN DỰ BỊ", PROBATION_HEADERS, rows)


def list_people(org: Organization, period: ReportPeriod) -> list[Candidate]:
    """A person transferred between two cells of the subtree is listed once (`_once`)."""
    end, people = _people(org, period)
    q = Q(source_date__isnull=True) | Q(source_date__lte=end)
    q &= Q(admission_date__isnull=True) | Q(admission_date__gte=period.start)
    q &= Q(removal_date__isnull=True) | Q(removal_date__gte=period.start)
    members = Prefetch(
        "introducers", queryset=Introducer.objects.filter(kind=IntroducerKind.MEMBER).order_by("pk"), to_attr="members"
    )
    qs = people.filter(q).select_related("organization").prefetch_related(members)
    return _once(list(qs.order_by("organization__path", "sort_name", "pk")), end)


def _unions(c: Candidate) -> str:
    return " / ".join(filter(None, ["Đoàn viên" if c.youth_union else "", "Công đoàn viên" if c.trade_union else ""]))


def summary_list(org: Organization, period: ReportPeriod) -> Register:
    # The choices' labels (professional level, political theory, stage) in Vietnamese whatever the user's
    # language, for the workbook and the print view alike.
    with translation.override("vi"):
        return _summary_list(org, period)


def _summary_list(org: Organization, period: ReportPeriod) -> Register:
    rows = []
    for n, c in enumerate(list_people(org, period), 1):
        vote = _d(c.branch_vote_date) + (f" (NQ số {c.branch_resolution_no})" if c.branch_resolution_no else "")
        work = ", ".join(filter(None, [c.occupation, c.organization.name]))
        rows.append(
            [
                str(n),
                c.full_name,
                _d(c.birth_date),
                "Nữ" if c.gender == Gender.FEMALE else "Nam",
                c.ethnicity,
                c.religion,
                c.home_town,
                c.residence,
                c.education,
                c.get_professional_level_display() if c.professional_level else "",
                c.get_political_theory_display() if c.political_theory else "",
                work,
                _unions(c),
                _d(c.awareness_cert_date),
                ", ".join(i.name for i in c.members),  # type: ignore[attr-defined]
                vote,
                str(c.get_stage_display()),
            ]
        )
    return Register("danh-sach-trich-ngang", "DANH SÁCH TRÍCH NGANG QUẦN CHÚNG ƯU TÚ", LIST_HEADERS, rows)


REGISTERS = {"probation": probation_register, "summary": summary_list}
