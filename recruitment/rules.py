"""The admission rules of DOMAIN §1–3, as one implementation for the web forms and the workbook import.

Every duration and threshold comes from the RuleSet in force on the day of the act. A Problem
without a warning code makes the record impossible and is refused; one with a warning code is a
missed deadline, stored as a CandidateWarning that stays visible until someone handles it.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import operator
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from organizations.notation import short_date
from recruitment.models import (
    ADMITTED_STAGES,
    DATE_ORDER,
    ENDED_STAGES,
    READMISSION_BARRED,
    Candidate,
    EducationExemption,
    Introducer,
    IntroducerKind,
    LeftPartyReason,
    RemovalReason,
    RuleSet,
    Stage,
    WarningCode,
)
from recruitment.past import NO_PAST, PartyPast, outside_records_message
from recruitment.workdays import WorkCalendar

DATE_FIELDS: tuple[str, ...] = (
    "birth_date",
    "source_date",
    "awareness_cert_date",
    "application_date",
    "personal_history_date",
    "verification_date",
    "residence_comment_date",
    "mass_org_comment_date",
    "provincial_consent_date",
    "left_party_date",
    "record_cleared_date",
    "branch_vote_date",
    "committee_review_date",
    "decision_date",
    "decision_received_date",
    "admission_date",
    "new_member_course_date",
    "recognition_vote_date",
    "recognition_date",
    "removal_date",
)

# A date field and the number field that must come with it.
NUMBERED = (
    ("decision_date", "decision_no"),
    ("recognition_date", "recognition_decision_no"),
    ("removal_date", "removal_reason"),
)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    warning: WarningCode | None = None
    due_date: datetime.date | None = None
    act_date: datetime.date | None = None

    def __post_init__(self) -> None:
        # Messages often open with a field's name, which Django keeps in lower case ("ngày chi bộ xét …").
        object.__setattr__(self, "message", capfirst(self.message))

    @property
    def is_error(self) -> bool:
        return self.warning is None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day (31/1 + 1 = 28/2)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Full months from start to end: the largest n with add_months(start, n) <= end (negative if end < start)."""
    n = (end.year - start.year) * 12 + end.month - start.month
    while n > 0 and add_months(start, n) > end:
        n -= 1
    while n <= 0 and add_months(start, n) > end:
        n -= 1
    return n


def _label(field: str) -> str:
    return str(getattr(Candidate._meta.get_field(field), "verbose_name", field))


def _years_months(months: int) -> str:
    return _("%(years)d years %(months)d months") % {"years": months // 12, "months": months % 12}


def education_grade(text: str) -> int | None:
    """The grade in '9/12', '12/12', '9' or 'lớp 9'; None when the text holds no grade."""
    match = re.search(r"(\d{1,2})\s*(?:/\s*(?:10|12))?\s*$", text.strip())
    return int(match.group(1)) if match else None


class RuleBook:
    """The rule sets, read once, answering which is in force on a given day."""

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        self.rule_sets = sorted(rule_sets, key=lambda r: r.effective_from)
        if not self.rule_sets:
            raise RuleSet.DoesNotExist(_("No rule set is defined. An administrator must add one."))
        self._starts = [r.effective_from for r in self.rule_sets]

    @classmethod
    def load(cls) -> RuleBook:
        return cls(RuleSet.objects.all())

    def at(self, day: datetime.date) -> RuleSet:
        """The rule set in force on day; acts older than every rule set are judged by the oldest."""
        i = bisect_right(self._starts, day) - 1
        return self.rule_sets[max(i, 0)]


@dataclass
class Context:
    book: RuleBook
    calendar: WorkCalendar
    today: datetime.date

    @classmethod
    def load(cls, today: datetime.date) -> Context:
        return cls(RuleBook.load(), WorkCalendar.load(), today)


# ---------------------------------------------------------------------------------------------
# Derived fields


# Deadlines are counted only from dates up to this many years after today. A date further ahead is a
# mistake (31/12/9999 for "not yet"), refused as in the future; counting from it would run off the
# calendar (the lunar holidays are known up to 2099, Python's dates end in 9999).
FAR_AHEAD_YEARS = 5


@functools.lru_cache(maxsize=16)
def _far_ahead(today: datetime.date) -> datetime.date:
    return today.replace(year=today.year + FAR_AHEAD_YEARS, day=min(today.day, 28))


_DATES_OF = operator.attrgetter(*DATE_FIELDS)


def _too_far_ahead(c: Candidate, today: datetime.date) -> bool:
    # Run for every person an import checks: the dates read at once, the empty ones dropped, in C.
    return max(filter(None, _DATES_OF(c)), default=today) > _far_ahead(today)


def derive(c: Candidate, ctx: Context) -> None:
    """Set the fields that follow from the dates: probation end, full-member date, expiry and next deadline."""
    if _too_far_ahead(c, ctx.today):
        c.probation_end = c.official_date = c.cert_expires = c.due_date = None
        c.refresh_search_key()
        return
    book, cal = ctx.book, ctx.calendar
    c.probation_end = (
        add_months(c.admission_date, book.at(c.admission_date).probation_months) if c.admission_date else None
    )
    c.official_date = c.probation_end if c.recognition_date else None
    c.cert_expires = (
        add_months(c.awareness_cert_date, book.at(c.awareness_cert_date).awareness_cert_valid_months)
        if c.awareness_cert_date
        else None
    )
    c.due_date = _due_date(c, book, cal)
    c.refresh_search_key()


def decision_due(c: Candidate, book: RuleBook, cal: WorkCalendar) -> datetime.date | None:
    if not c.branch_vote_date:
        return None
    rules = book.at(c.branch_vote_date)
    days = rules.decision_working_days + (rules.decision_extension_working_days if c.decision_extended else 0)
    return cal.add(c.branch_vote_date, days)


def ceremony_counted_from(c: Candidate) -> datetime.date | None:
    """The day the ceremony's working days count from: the day the chi bộ received the decision ("kể từ ngày
    nhận được quyết định", Quy định 29 and 232 §4.1); where that day is not on record, the decision's date."""
    return c.decision_received_date or c.decision_date


def ceremony_due(c: Candidate, book: RuleBook, cal: WorkCalendar) -> datetime.date | None:
    start = ceremony_counted_from(c)
    if not start:
        return None
    return cal.add(start, book.at(start).ceremony_working_days)


def recognition_vote_due(c: Candidate, book: RuleBook, cal: WorkCalendar) -> datetime.date | None:
    if not c.probation_end:
        return None
    return cal.add(c.probation_end, book.at(c.probation_end).recognition_vote_working_days)


def recognition_due(c: Candidate, book: RuleBook, cal: WorkCalendar) -> datetime.date | None:
    start = c.recognition_vote_date
    if not start:
        return None
    rules = book.at(start)
    days = rules.recognition_decision_working_days + (
        rules.recognition_extension_working_days if c.recognition_extended else 0
    )
    return cal.add(start, days)


def _due_date(c: Candidate, book: RuleBook, cal: WorkCalendar) -> datetime.date | None:
    if c.stage in (Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED):
        return decision_due(c, book, cal)
    if c.stage == Stage.DECIDED:
        return ceremony_due(c, book, cal)
    if c.stage == Stage.PROBATION:
        if c.recognition_vote_date:
            return recognition_due(c, book, cal)
        return recognition_vote_due(c, book, cal)
    return None


# The date of the act that opens each stage of the way to full membership, in order.
STAGE_DATES: tuple[tuple[str, str], ...] = (
    ("source_date", Stage.SOURCE),
    ("awareness_cert_date", Stage.AWARENESS),
    ("application_date", Stage.DOSSIER),
    ("branch_vote_date", Stage.BRANCH_VOTED),
    ("committee_review_date", Stage.COMMITTEE_REVIEWED),
    ("decision_date", Stage.DECIDED),
    ("admission_date", Stage.PROBATION),
    ("recognition_date", Stage.OFFICIAL),
)
# The date field of every stage, the one definition: the act since which the stage holds (for a person who
# left, the day they left). The steps (services.STEPS), the import and the generated data read it.
STAGE_DATE_FIELD: dict[str, str] = {
    **{stage: field for field, stage in STAGE_DATES},
    **dict.fromkeys(sorted(ENDED_STAGES), "removal_date"),
}
assert set(STAGE_DATE_FIELD) == set(Stage.values), "every stage has its date"


def recorded_acts(c: Candidate) -> list[tuple[datetime.date, str]]:
    """(date, stage) of each act the record dates, leaving the list included: what a timeline shows for
    a candidacy whose steps were not taken one by one in the app (an imported one)."""
    acts = [(day, stage) for field, stage in STAGE_DATES if (day := getattr(c, field))]
    if c.removal_date and c.stage in ENDED_STAGES:
        acts.append((c.removal_date, c.stage))
    return acts


def stage_from_dates(c: Candidate) -> str:
    """The stage a record implies from the latest act filled in (the workbook has no stage column)."""
    if c.removal_date:
        if c.recognition_date:
            return Stage.OFFICIAL
        if c.admission_date:
            return Stage.STRUCK_OFF
        if c.branch_vote_date or c.committee_review_date or c.decision_date:
            return Stage.NOT_ADMITTED
        return Stage.REMOVED
    for field, stage in reversed(STAGE_DATES[1:]):
        if getattr(c, field):
            return stage
    return Stage.SOURCE


# ---------------------------------------------------------------------------------------------
# Checks on a whole record (both the web forms and the import)


def check_record(c: Candidate, ctx: Context, past: PartyPast | None = None) -> list[Problem]:
    """What is wrong with the candidate's recorded dates and facts, after derive(). `past`: what the
    person's earlier records show (recruitment.past); None reads the readmission checkboxes alone."""
    problems: list[Problem] = []
    problems += _check_dates(c, ctx.today)
    problems += _check_numbers(c)
    problems += check_stage_acts(c)
    if c.admission_carried:  # a transfer's continuation: the admission was judged in the earlier unit
        past = NO_PAST
    problems += _check_party_past(c, past or NO_PAST)
    if _too_far_ahead(c, ctx.today):
        return problems  # the date in the future says what is wrong; nothing can be counted from it
    if c.branch_vote_date:
        problems += _check_eligibility(c, ctx.book.at(c.branch_vote_date), past or NO_PAST)
    problems += _check_votes(c, ctx.book)
    problems += _check_deadlines(c, ctx.book, ctx.calendar)
    return problems


def _check_dates(c: Candidate, today: datetime.date) -> list[Problem]:
    problems = []
    for field in DATE_FIELDS:
        value = getattr(c, field)
        if value and value > today:
            problems.append(Problem(field, _("The date %(date)s is in the future.") % {"date": short_date(value)}))
    for earlier, later, strict in DATE_ORDER:
        a, b = getattr(c, earlier), getattr(c, later)
        if a is None or b is None or (a < b if strict else a <= b):
            continue
        field = later if later != "probation_end" else earlier
        if earlier == "probation_end":
            message = _(
                "%(field)s (%(date)s) cannot be before the probation ends on %(end)s: 12 months from the ceremony."
            ) % {"field": _label(later), "date": short_date(b), "end": short_date(a)}
        else:
            message = _("%(field)s (%(date)s) cannot be earlier than %(other)s (%(other_date)s).") % {
                "field": _label(field),
                "date": short_date(getattr(c, field)),
                "other": _label(earlier if field == later else later),
                "other_date": short_date(a if field == later else b),
            }
        problems.append(Problem(field, message))
    return problems


# The act each stage cannot be without (the database's constraints ..._decided_has_decision,
# ..._admitted_has_ceremony, ..._official_is_recognized and ..._ended_has_date). The web's steps record
# each act on the way; an import derives the stage from the latest date filled in, and a row may skip one
# (a ceremony with a decision number but no decision date).
STAGE_ACTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("decision_date", frozenset({Stage.DECIDED, Stage.PROBATION, Stage.OFFICIAL})),
    ("admission_date", ADMITTED_STAGES),
    ("recognition_date", frozenset({Stage.OFFICIAL})),
    ("removal_date", ENDED_STAGES),
)


def check_stage_acts(c: Candidate) -> list[Problem]:
    """The acts the candidate's stage needs that the record lacks."""
    return [
        Problem(
            field,
            _("%(field)s is required for a person at the stage “%(stage)s”.")
            % {"field": _label(field), "stage": c.get_stage_display()},
        )
        for field, stages in STAGE_ACTS
        if c.stage in stages and getattr(c, field) is None
    ]


# A fact that only exists with another: the counts of a vote with its day, the receipt of a decision with it.
COMPANIONS: tuple[tuple[str, str], ...] = (
    ("branch_votes_for", "branch_vote_date"),
    ("branch_vote_members", "branch_vote_date"),
    ("decision_received_date", "decision_date"),
)


def _check_numbers(c: Candidate) -> list[Problem]:
    problems = [
        Problem(
            field,
            _("%(field)s is given without %(other)s.") % {"field": _label(field), "other": _label(other)},
        )
        for field, other in COMPANIONS
        if getattr(c, field) is not None and getattr(c, other) is None
    ]
    for date_field, number_field in NUMBERED:
        if getattr(c, date_field) and not getattr(c, number_field).strip():
            problems.append(
                Problem(
                    number_field,
                    _("%(field)s is required when %(date_field)s is given.")
                    % {"field": _label(number_field), "date_field": _label(date_field)},
                )
            )
    return problems


def _check_eligibility(c: Candidate, rules: RuleSet, past: PartyPast = NO_PAST) -> list[Problem]:
    """DOMAIN §1, judged on the day of the party cell's vote."""
    vote = c.branch_vote_date
    assert vote is not None
    problems = []
    age = months_between(c.birth_date, vote)
    if age < rules.min_age_months:
        problems.append(
            Problem(
                "birth_date",
                _("On the day of the cell's vote (%(date)s) the person was %(age)s old; the minimum is %(min)s.")
                % {"date": short_date(vote), "age": _years_months(age), "min": _years_months(rules.min_age_months)},
            )
        )
    # The provincial consent is needed before the decision (DOMAIN §1), not before the vote.
    over_age = "age" in consent_grounds(c, rules, vote)
    if over_age and _lacks_consent(c):
        problems.append(
            Problem(
                "provincial_consent_no",
                _(
                    "On the day of the cell's vote (%(date)s) the person was %(age)s old, over %(max)s: the written "
                    "consent of the provincial standing committee is required."
                )
                % {"date": short_date(vote), "age": _years_months(age), "max": _years_months(rules.max_age_months)},
            )
        )
    elif over_age and c.decision_date and not c.provincial_consent_date:
        # "The written consent ... before the decision": without its date, the order cannot be told.
        problems.append(
            Problem(
                "provincial_consent_date",
                _("Give the date of the provincial standing committee's consent: it must come before the decision."),
            )
        )
    if c.awareness_cert_date:
        expires = add_months(c.awareness_cert_date, rules.awareness_cert_valid_months)
        if vote > expires:
            problems.append(
                Problem(
                    "awareness_cert_date",
                    _(
                        "The awareness course certificate expired on %(date)s, before the cell's vote: "
                        "the person must take the course again."
                    )
                    % {"date": short_date(expires)},
                )
            )
    if c.personal_history_date:
        expires = add_months(c.personal_history_date, rules.personal_history_valid_months)
        if vote > expires:
            problems.append(
                Problem(
                    "personal_history_date",
                    _(
                        "The personal history is more than %(months)d months old at the cell's vote: "
                        "it must be made again."
                    )
                    % {"months": rules.personal_history_valid_months},
                )
            )
    problems += _check_education(c, rules)
    if c.readmission:
        problems += _check_readmission(c, rules, vote, past)
    return problems


def consent_grounds(c: Candidate, rules: RuleSet, on: datetime.date) -> set[str]:
    """Why the admission needs the written consent of the provincial standing committee (DOMAIN §1), judged on
    `on` (the cell's vote) with `rules` (the rule set in force that day): "age" (over the maximum age),
    "elder" (the literacy exemption), "readmission". Empty: it is not needed. The one test the rules and the
    dossier checklist both use."""
    grounds = set()
    if c.birth_date is not None and months_between(c.birth_date, on) > rules.max_age_months:
        grounds.add("age")
    if c.education_exemption == EducationExemption.ELDER:
        grounds.add("elder")
    if c.readmission:
        grounds.add("readmission")
    return grounds


def _lacks_consent(c: Candidate) -> bool:
    """The provincial standing committee's consent is missing at the admission decision."""
    return c.decision_date is not None and not c.provincial_consent_no.strip()


def education_needed(c: Candidate) -> bool:
    """The rule on education needs the grade completed and it is not stated: a blank never passes the rule.

    The web's vote step asks for it (check_ready_for_vote); a record that reached the vote without it (an
    import) is not checked against the rule until it is given. Only the literacy exemption (village elders)
    needs no grade."""
    return not c.education.strip() and c.education_exemption != EducationExemption.ELDER


def _check_education(c: Candidate, rules: RuleSet) -> list[Problem]:
    if c.education.strip() and education_grade(c.education) is None:
        return [Problem("education", _("Write the grade completed, for example 9/12 or 12/12."))]
    if c.education_exemption == EducationExemption.ELDER:
        if _lacks_consent(c):
            return [
                Problem(
                    "provincial_consent_no",
                    _("The literacy exemption needs the written consent of the provincial standing committee."),
                )
            ]
        return []
    grade = education_grade(c.education)
    if grade is None:
        return []  # not stated: not passed either (education_needed)
    minimum = (
        rules.exempt_area_min_education_grade
        if c.education_exemption == EducationExemption.AREA
        else rules.min_education_grade
    )
    if grade < minimum:
        return [
            Problem(
                "education",
                _("General education %(grade)s is below the required grade %(min)d.")
                % {"grade": c.education, "min": minimum},
            )
        ]
    return []


def _said(past: PartyPast, message: str) -> str:
    """A message about the earlier records: in full within the user's scope; outside it, only that they
    exist and whom to ask (no name, unit or date)."""
    return message if past.visible else outside_records_message()


def _check_party_past(c: Candidate, past: PartyPast) -> list[Problem]:
    """What the earlier records say against this record, at any stage (DOMAIN §9: "read from their earlier
    records in the system (same citizen ID), not only from a checkbox")."""
    if not past.records:
        return []
    problems = []
    if past.died:
        message = _(
            "An earlier record of this citizen ID says the person died: check the number, or correct that record."
        )
        problems.append(Problem("national_id", _said(past, message)))
    if past.admitted_on and not c.readmission:
        message = _(
            "The records show this person was admitted to the Party before (ceremony of %(date)s): this candidacy "
            "is a readmission, and its rules apply. Tick “readmission”."
        ) % {"date": short_date(past.admitted_on)}
        problems.append(Problem("readmission", _said(past, message)))
    if past.left_on and c.left_party_date and c.left_party_date != past.left_on:
        message = _("The records show the person left the Party on %(date)s: leave this empty or give that date.") % {
            "date": short_date(past.left_on)
        }
        problems.append(Problem("left_party_date", _said(past, message)))
    if not past.reason_agrees(c.left_party_reason):
        message = _("The records show the person left the Party as “%(how)s”, which this reason contradicts.") % {
            "how": RemovalReason(past.removal_reason).label
        }
        problems.append(Problem("left_party_reason", _said(past, message)))
    return problems


def _check_readmission(c: Candidate, rules: RuleSet, vote: datetime.date, past: PartyPast = NO_PAST) -> list[Problem]:
    """DOMAIN §1: "At least 36 months after leaving; 60 months after the criminal record is cleared for a
    less-serious crime. [...] allowed only once". The earlier records win over the checkboxes where they tell."""
    problems = []
    if past.readmitted_on:
        message = _(
            "The records show this person was already readmitted once (ceremony of %(date)s): a person can be "
            "readmitted only once."
        ) % {"date": short_date(past.readmitted_on)}
        problems.append(Problem("readmission", _said(past, message)))
    elif c.previously_readmitted:
        problems.append(Problem("readmission", _("A person can be readmitted only once.")))
    reason = c.left_party_reason
    if past.left_reason and reason != LeftPartyReason.HARDSHIP:
        reason = past.left_reason  # the records say it; only the hardship exception is told by hand
    if reason in READMISSION_BARRED and past.left_reason == reason:
        message = _(
            "The records show the person withdrew (%(date)s): leaving of one's own accord or on application bars "
            "readmission, unless they asked to leave for especially hard family circumstances (then give that as "
            "the reason for leaving the Party)."
        ) % {"date": short_date(past.left_on) if past.left_on else "—"}
        problems.append(Problem("left_party_reason", _said(past, message)))
    elif reason in READMISSION_BARRED:
        problems.append(
            Problem(
                "left_party_reason",
                _("A person who left the Party for this reason (%(reason)s) cannot be readmitted.")
                % {"reason": LeftPartyReason(reason).label},
            )
        )
    elif past.left_on and not reason:
        message = _(
            "The records show the person left the Party on %(date)s (%(how)s) but not why, which decides whether "
            "they can be readmitted: give the reason for leaving the Party."
        ) % {"date": short_date(past.left_on), "how": RemovalReason(past.removal_reason).label}
        problems.append(Problem("left_party_reason", _said(past, message)))
    left_on = past.left_on or c.left_party_date
    if not left_on:
        problems.append(Problem("left_party_date", _("Give the date the person left the Party.")))
    elif months_between(left_on, vote) < rules.readmission_wait_months:
        if past.left_on:
            message = _(
                "The records show the person left the Party on %(date)s: readmission needs at least %(months)d "
                "months since then, and the cell voted on %(vote)s."
            ) % {"date": short_date(left_on), "months": rules.readmission_wait_months, "vote": short_date(vote)}
            problems.append(Problem("left_party_date", _said(past, message)))
        else:
            problems.append(
                Problem(
                    "left_party_date",
                    _("Readmission needs at least %(months)d months since leaving the Party.")
                    % {"months": rules.readmission_wait_months},
                )
            )
    if reason == LeftPartyReason.LESS_SERIOUS_CRIME and (
        not c.record_cleared_date
        or months_between(c.record_cleared_date, vote) < rules.readmission_record_cleared_months
    ):
        problems.append(
            Problem(
                "record_cleared_date",
                _("Readmission needs at least %(months)d months since the criminal record was cleared.")
                % {"months": rules.readmission_record_cleared_months},
            )
        )
    if "readmission" in consent_grounds(c, rules, vote) and _lacks_consent(c):
        problems.append(
            Problem(
                "provincial_consent_no",
                _("Readmission needs the written consent of the provincial standing committee."),
            )
        )
    return problems


def _vote_problem(field: str, rules: RuleSet, votes_for: int | None, members: int | None) -> Problem | None:
    if votes_for is None or members is None or rules.vote_passes(votes_for, members):
        return None
    return Problem(
        field,
        _("%(for)d of %(members)d votes is less than %(num)d/%(den)d of the members.")
        % {"for": votes_for, "members": members, "num": rules.vote_numerator, "den": rules.vote_denominator},
    )


def _check_votes(c: Candidate, book: RuleBook) -> list[Problem]:
    """A vote recorded as the one the stage rests on reached the threshold (a vote short of it is recorded by the
    steps as an act that leaves the stage as it was, not on the record)."""
    checks = (
        ("branch_votes_for", c.branch_vote_date, c.branch_votes_for, c.branch_vote_members),
        ("committee_votes_for", c.committee_review_date, c.committee_votes_for, c.committee_members),
        ("recognition_votes_for", c.recognition_vote_date, c.recognition_votes_for, c.recognition_vote_members),
        # The chi bộ's vote proposing to strike a probationer off, judged on the day of the striking off.
        ("removal_votes_for", c.removal_date, c.removal_votes_for, c.removal_vote_members),
    )
    problems = []
    for field, day, votes_for, members in checks:
        if votes_for is not None and members is not None and votes_for > members:
            problems.append(Problem(field, _("More votes for than members.")))
            continue
        if day is None:
            continue
        problem = _vote_problem(field, book.at(day), votes_for, members)
        if problem:
            problems.append(problem)
    return problems


def _late(field: str, code: WarningCode, act: datetime.date | None, due: datetime.date | None) -> list[Problem]:
    if act is None or due is None or act <= due:
        return []
    message = _("%(field)s %(date)s is after the deadline of %(due)s.") % {
        "field": _label(field),
        "date": short_date(act),
        "due": short_date(due),
    }
    return [Problem(field, message, warning=code, due_date=due, act_date=act)]


def _check_deadlines(c: Candidate, book: RuleBook, cal: WorkCalendar) -> list[Problem]:
    problems = _late("decision_date", WarningCode.DECISION_LATE, c.decision_date, decision_due(c, book, cal))
    if not c.late_ceremony_consent_no.strip():
        problems += _late("admission_date", WarningCode.CEREMONY_LATE, c.admission_date, ceremony_due(c, book, cal))
    problems += _late(
        "recognition_vote_date",
        WarningCode.RECOGNITION_VOTE_LATE,
        c.recognition_vote_date,
        recognition_vote_due(c, book, cal),
    )
    problems += _late(
        "recognition_date", WarningCode.RECOGNITION_LATE, c.recognition_date, recognition_due(c, book, cal)
    )
    return problems


# ---------------------------------------------------------------------------------------------
# Checks that only the web pipeline can make: the dossier in full, before the cell votes


# The documents the dossier must hold before the cell votes (DOMAIN §2); recruitment.records reads them too.
VOTE_DOSSIER: tuple[str, ...] = (
    "awareness_cert_date",
    "application_date",
    "personal_history_date",
    "verification_date",
    "residence_comment_date",
)


def check_ready_for_vote(
    c: Candidate, introducers: Sequence[Introducer], vote: datetime.date, rules: RuleSet
) -> list[Problem]:
    """DOMAIN §2: the documents a cell must have before it votes."""
    problems = []
    for field in VOTE_DOSSIER:
        if not getattr(c, field):
            problems.append(
                Problem(field, _("%(field)s is missing: the dossier is incomplete.") % {"field": _label(field)})
            )
    if c.application_date and c.personal_history_date and c.personal_history_date < c.application_date:
        problems.append(
            Problem("personal_history_date", _("The personal history comes after the application, not before it."))
        )
    if c.personal_history_date and c.verification_date and c.verification_date < c.personal_history_date:
        problems.append(
            Problem(
                "verification_date",
                _("The background verification is concluded after the personal history is written."),
            )
        )
    if education_needed(c):
        problems.append(
            Problem(
                "education",
                _(
                    "The general education completed is not stated: give it (for example 9/12), the cell's vote "
                    "is checked against the rule on education."
                ),
            )
        )
    problems += check_introducers(c, introducers, vote, rules)
    return problems


def in_youth_age(c: Candidate, vote: datetime.date, rules: RuleSet) -> bool:
    """Of youth age on the day of the vote: not yet past the Youth Union's age (30 full years: until the day
    before the 31st birthday)."""
    return months_between(c.birth_date, vote) < (rules.youth_age_max_years + 1) * 12


def check_introducers(
    c: Candidate, introducers: Sequence[Introducer], vote: datetime.date, rules: RuleSet
) -> list[Problem]:
    members = [i for i in introducers if i.kind == IntroducerKind.MEMBER]
    unions = [i for i in introducers if i.kind != IntroducerKind.MEMBER]
    problems = []
    youth = in_youth_age(c, vote, rules)
    for union in unions:
        if union.kind == IntroducerKind.YOUTH_UNION and not c.youth_union:
            problems.append(
                Problem("introducers", _("A Youth Union resolution can introduce only a Youth Union member."))
            )
        elif union.kind == IntroducerKind.YOUTH_UNION and not youth:
            problems.append(
                Problem(
                    "introducers",
                    _("A Youth Union resolution introduces an applicant of youth age (up to %(years)d) only.")
                    % {"years": rules.youth_age_max_years},
                )
            )
        if union.kind == IntroducerKind.TRADE_UNION and not c.trade_union:
            problems.append(
                Problem("introducers", _("A trade union resolution can introduce only a trade union member."))
            )
    if youth and c.youth_union and not any(u.kind == IntroducerKind.YOUTH_UNION for u in unions):
        # Charter Điều 4: of youth age, a Youth Union member is introduced by the Union's grassroots committee's
        # resolution and one official member (their membership shows there is a Union to introduce them).
        problems.append(
            Problem(
                "introducers",
                _(
                    "An applicant of youth age who is a Youth Union member is introduced by the resolution of the "
                    "grassroots Youth Union committee and one official member."
                ),
            )
        )
    for member in members:
        if not member.official_member_here:
            problems.append(
                Problem(
                    "introducers",
                    _(
                        "%(name)s is not recorded as an official member of the same grassroots organization: only "
                        "such a member can introduce (remove the introducer and add them again, declaring it)."
                    )
                    % {"name": member.name},
                )
            )
    needed = rules.union_member_introducers if unions else rules.member_introducers
    if len(members) < needed:
        if unions:
            message = _("Beside the union resolution, %(n)d official member must introduce the applicant.")
        else:
            message = _(
                "%(n)d official members must introduce the applicant (or a Youth Union or trade union "
                "resolution and one member)."
            )
        problems.append(Problem("introducers", message % {"n": needed}))
    # A union resolution dated after the vote counts no more than a member's introduction would.
    for introducer in introducers:
        if introducer.introduced_on > vote:
            problems.append(
                Problem(
                    "introducers",
                    _("The introduction by %(name)s is dated after the vote.") % {"name": introducer.name},
                )
            )
    for member in members:
        if member.is_replacement or member.known_since is None:
            continue
        if months_between(member.known_since, vote) < rules.introducer_known_months:
            problems.append(
                Problem(
                    "introducers",
                    _("%(name)s has known the applicant since %(date)s, less than %(months)d months before the vote.")
                    % {
                        "name": member.name,
                        "date": short_date(member.known_since),
                        "months": rules.introducer_known_months,
                    },
                )
            )
    return problems
