"""Reads of candidates: the categories of the reports, the deadline lists and their counts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.expressions import Combinable, ExpressionWrapper
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from organizations.access import AnyUser
from organizations.models import Sector
from recruitment.access import visible_candidates
from recruitment.ethnicities import KINH
from recruitment.models import (
    CLOSED_Q,
    Candidate,
    CandidateQuerySet,
    CandidateWarning,
    OccupationGroup,
    Stage,
    Transfer,
    TransferStatus,
)
from recruitment.particulars import NO_RELIGION
from recruitment.rules import STAGE_DATES


def ymd(field_name: str) -> Combinable:
    """A date as the number yyyymmdd, so whole years between two dates are a subtraction on any database."""
    return ExtractYear(field_name) * 10000 + ExtractMonth(field_name) * 100 + ExtractDay(field_name)


# Age at the ceremony in whole years is (yyyymmdd(admission) - yyyymmdd(birth)) // 10000, so 30 or
# under means a difference below 310000. One born on 29 February turns 31 on 1 March.
AGE_AT_ADMISSION_KEY = ExpressionWrapper(ymd("admission_date") - ymd("birth_date"), output_field=IntegerField())
YOUNG_Q = Q(LessThan(AGE_AT_ADMISSION_KEY, 310000))

# The breakdowns of DOMAIN §5 that a candidate's own fields answer. A blank answer is not stated: it
# counts in none of them, but apart, in NOT_STATED (so a share is of the people whose answer is known).
CATEGORIES: dict[str, tuple[Promise, Q]] = {
    "women": (_("Women"), Q(gender="female")),
    "ethnic_minority": (_("Ethnic minorities"), ~Q(ethnicity=KINH) & ~Q(ethnicity="")),
    "religious": (_("Religious followers"), ~Q(religion="") & ~Q(religion=NO_RELIGION)),
    "youth_union": (_("Youth Union members"), Q(youth_union=True)),
    "young": (_("Aged 30 or under at admission"), YOUNG_Q),
    "residential": (_("Residential areas"), Q(organization__sector=Sector.RESIDENTIAL)),
    "private_sector": (_("Private sector"), Q(organization__sector=Sector.PRIVATE_ENTERPRISE)),
    "students": (_("Pupils and students"), Q(occupation_group=OccupationGroup.STUDENT)),
}

# The people whose answer a breakdown needs is not stated: key → (the breakdown's key, label, condition).
# Gender is required, so the women's share is of everyone; these are the answers that may be blank.
NOT_STATED: dict[str, tuple[str, Promise, Q]] = {
    "ethnicity_not_stated": ("ethnic_minority", _("Ethnic group not stated"), Q(ethnicity="")),
    "religion_not_stated": ("religious", _("Religion not stated"), Q(religion="")),
}
NOT_STATED_OF = {of: key for key, (of, _label, _q) in NOT_STATED.items()}
# An admission credited to the record's unit: not one a transfer carried in (DOMAIN §9: "a later transfer
# moves the person, never the past admission"). Every count of admissions, and of their breakdowns, is
# of the people who meet it: reports.tally's COUNTED, the scan of reports.attainment, the list's filters.
CREDITED = Q(admission_carried=False)
# A recognition credited to the record's unit: made there, not carried in by a transfer after it.
RECOGNITION_CREDITED = Q(admission_carried=False) | Q(previous__recognition_date__isnull=True)


def stage_on(day: datetime.date) -> Case:
    """The stage a candidacy held on `day`, in the database (None: not on a list that day, or ended by then).

    Read from the record's dates, the act that opens each stage (recruitment.rules.STAGE_DATES, the one
    definition): the latest stage whose date is on or before the day. They are the facts the stage events
    carry, corrected and undone with them, and a workbook import brings all of them where its one event
    holds only the last stage. A record that ended (left the list, struck off, transferred out) holds
    nothing from its end on; a receiving cell's copy of a transferred record (its dates copied) holds
    nothing before the transfer was registered, the day its previous record ended, so the person counts
    once. A record whose stage's own date is not known counts at its stage from `stage_date`.
    """
    whens = [
        When(Q(removal_date__lte=day), then=Value(None)),
        # Looked up only for the few copies (a join of every row to its previous one cost a province 0.1 s).
        When(
            Q(previous_id__isnull=False)
            & Exists(Candidate.objects.filter(pk=OuterRef("previous_id"), removal_date__gt=day)),
            then=Value(None),
        ),
        When(Q(source_date__gt=day), then=Value(None)),
        *[When(Q(**{f"{field}__lte": day}), then=Value(str(stage))) for field, stage in reversed(STAGE_DATES)],
        When(Q(stage_date__lte=day, stage__in=[s for _f, s in STAGE_DATES]), then=F("stage")),
    ]
    return Case(*whens, default=Value(None), output_field=CharField())


PROBATION_ENDING_DAYS = 30
CERT_EXPIRING_DAYS = 60


@dataclass(frozen=True)
class Deadline:
    key: str
    label: Promise
    help: Promise
    order_by: str


DEADLINES = (
    Deadline(
        "ceremony_due",
        _("Ceremonies due"),
        _(
            "Admission decided; the ceremony is due within 30 working days of the day the cell received the "
            "decision (of the decision's date where that day is not on record)."
        ),
        "due_date",
    ),
    Deadline(
        "decision_overdue",
        _("Decisions overdue"),
        _("The cell voted more than 60 working days ago (90 if extended) and no decision is recorded."),
        "due_date",
    ),
    Deadline(
        "probation_ending",
        _("Probation ending within 30 days"),
        _("Prepare the recognition file: the cell considers it within 30 working days after probation ends."),
        "probation_end",
    ),
    Deadline(
        "recognition_overdue",
        _("Recognitions overdue"),
        _("Probation has ended and the recognition deadline has passed."),
        "due_date",
    ),
    Deadline(
        "cert_expiring",
        _("Certificates expiring"),
        _("The awareness course certificate expires within 60 days, or has expired, before the cell's vote."),
        "cert_expires",
    ),
    Deadline(
        "transfer_overdue",
        _("Transfers not registered in time"),
        _("Transferred more than 30 working days ago and the receiving cell has not registered the person yet."),
        "stage_date",
    ),
    Deadline(
        "warnings",
        _("Missed deadlines to handle"),
        _("An act was recorded late; record how it was handled."),
        "stage_date",
    ),
)
DEADLINE_KEYS = {d.key: d for d in DEADLINES}


def with_open_warning() -> Q:
    # IN (an uncorrelated subquery) rather than EXISTS: PostgreSQL costs a correlated EXISTS once per row, and at
    # 100,000 candidates that estimate turns on JIT compilation, 0.6 s more on every page (the navigation's counts).
    return Q(pk__in=CandidateWarning.objects.filter(resolved_at__isnull=True).values("candidate_id"))


def deadline_q(key: str, today: datetime.date) -> Q:
    if key == "ceremony_due":
        return Q(stage=Stage.DECIDED)
    if key == "decision_overdue":
        return Q(stage__in=[Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED], due_date__lt=today)
    if key == "probation_ending":
        end = today + datetime.timedelta(days=PROBATION_ENDING_DAYS)
        return Q(stage=Stage.PROBATION, probation_end__gte=today, probation_end__lte=end)
    if key == "recognition_overdue":
        return Q(stage=Stage.PROBATION, due_date__lt=today)
    if key == "cert_expiring":
        end = today + datetime.timedelta(days=CERT_EXPIRING_DAYS)
        return Q(stage__in=[Stage.AWARENESS, Stage.DOSSIER], cert_expires__lte=end)
    if key == "warnings":
        return with_open_warning()
    if key == "transfer_overdue":
        return transfer_overdue_q(today)
    raise KeyError(key)


def transfer_overdue_q(today: datetime.date) -> Q:
    """The senders' records whose permanent transfer is still waiting for the receiving cell after its deadline."""
    late = Transfer.objects.filter(status=TransferStatus.PENDING, due_date__lt=today)
    # Of records still open: one that ended at home meanwhile has no transfer left to register.
    return Q(pk__in=late.values("candidate_id")) & ~CLOSED_Q


# The stages that run against a working-day deadline (the one stored in due_date).
TIMED_STAGES = (Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED, Stage.DECIDED, Stage.PROBATION)


def overdue_q(today: datetime.date) -> Q:
    """Candidacies whose next working-day deadline has passed."""
    return Q(due_date__lt=today, stage__in=TIMED_STAGES)


# The stages any deadline list looks at: the WHERE clause that keeps full members and closed
# candidacies (most rows, after a few years) out of the counting.
_LISTED_STAGES = (*TIMED_STAGES, Stage.AWARENESS, Stage.DOSSIER)


def deadline_counts(user: AnyUser, today: datetime.date) -> dict[str, int]:
    """The number of candidates in each deadline list of the user's scope, in one query."""
    aggregates = {d.key: Count("pk", filter=deadline_q(d.key, today)) for d in DEADLINES}
    aggregates["overdue"] = Count("pk", filter=overdue_q(today))
    rows = visible_candidates(user).filter(
        Q(stage__in=_LISTED_STAGES) | with_open_warning() | transfer_overdue_q(today)
    )
    return rows.aggregate(**aggregates)


def nav_due_count(user: AnyUser, today: datetime.date) -> int:
    """Overdue candidates plus candidates with a missed deadline to handle, for the navigation.

    One query of two index-backed parts (the stage/deadline index and the open warnings), so
    every page pays for what is due, not for the size of the scope.
    """
    overdue = visible_candidates(user).filter(overdue_q(today)).order_by().values("pk")
    warned = visible_candidates(user).filter(with_open_warning()).order_by().values("pk")
    return overdue.union(warned, all=True).count()


def deadline_rows(user: AnyUser, key: str, today: datetime.date, *, limit: int) -> CandidateQuerySet:
    spec = DEADLINE_KEYS[key]
    qs = visible_candidates(user).filter(deadline_q(key, today)).select_related("organization")
    return qs.order_by(spec.order_by, "sort_name", "pk")[:limit]
