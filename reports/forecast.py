"""The forecast of a period's admissions: the people in the pipeline today, each stage weighed by the unit's past.

A person at stage S today counts with the share of the people of the same subtree who reached S in the past
and were admitted (the ceremony) within D days of reaching it, D being the days left in the period. For a
period still to come, a case counts only if admitted within [start − today, end − today] days of reaching the
stage: an admission that would fall before the period starts belongs to an earlier one. The past
looked at is three years of people who reached S between `today - D - HISTORY_DAYS` and `today - D`: each
of them has had the whole D days, so none is counted as not admitted only for lack of time. The range is
the 95 % interval of each share (Wilson's, which stays within 0–100 % and widens when the cases are few),
the low ends added up for the low figure and the high ends for the high one, each rounded to the nearest
person, on top of those already admitted.

Where fewer than MIN_CASES people reached a stage in that time, its history is thin and the rule set's
deadlines stand in (recruitment.rules, `due_date`): a person holding a decision whose ceremony falls due
by the end of the period counts in both figures, one whose ceremony falls due later in the high one only;
a person voted by the cell, or reviewed by the committee, whose decision falls due by the end of the
period counts in the high figure (the ceremony may follow the decision at once); the earlier stages, with
the vote still to come and no deadline running, count in neither. For a period still to come, a deadline
counts only if it falls within the period (start <= due date <= end), and a decided person whose ceremony
falls due before it starts is left out of the high figure too (one with no due date stays in it).

It does not weigh how long a person has already been at their stage. One grouped query over the subtree's
people, whatever their number.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from recruitment.models import BEFORE_ADMISSION, Stage
from recruitment.rules import STAGE_DATE_FIELD

HISTORY_DAYS = 3 * 365
MIN_CASES = 20  # fewer people who reached a stage in HISTORY_DAYS: the history is thin, the rules stand in
Z = 1.96  # the 95 % interval
VOTED = (Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED)


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of the share k/n ((0, 1) without cases)."""
    if n <= 0:
        return 0.0, 1.0
    p, z2 = k / n, Z * Z
    den = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def _round(x: float) -> int:
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class StageOutlook:
    """One stage: its people today, the unit's past at that stage, and what they add to the forecast."""

    stage: str
    people: int  # at the stage today
    cases: int  # reached the stage in the history window
    admitted: int  # of those, admitted within the days left
    due_low: int = 0  # thin history: counted in the low figure by the rules' deadlines
    due_high: int = 0  # thin history: counted in the high figure by the rules' deadlines

    @property
    def label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def thin(self) -> bool:
        return self.cases < MIN_CASES

    @property
    def share(self) -> Decimal | None:
        if not self.cases:
            return None
        return (Decimal(self.admitted) * 100 / self.cases).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def low(self) -> float:
        return float(self.due_low) if self.thin else self.people * wilson(self.admitted, self.cases)[0]

    @property
    def high(self) -> float:
        return float(self.due_high) if self.thin else self.people * wilson(self.admitted, self.cases)[1]


@dataclass
class Forecast:
    admitted: int  # already admitted in the period
    days: int  # days left in the period, today not counted
    since: datetime.date  # the history window: people who reached a stage on these days
    until: datetime.date
    stages: list[StageOutlook] = field(default_factory=list)
    first: int = 0  # a period still to come: the days until it starts (an admission sooner falls before it)

    @property
    def low(self) -> int:
        return self.admitted + _round(sum(s.low for s in self.stages))

    @property
    def high(self) -> int:
        return self.admitted + _round(sum(s.high for s in self.stages))

    @property
    def in_pipeline(self) -> int:
        return sum(s.people for s in self.stages)

    @property
    def min_cases(self) -> int:
        return MIN_CASES


def _reached(stage: str, since: datetime.date, until: datetime.date) -> Q:
    name = STAGE_DATE_FIELD[stage]
    return Q(**{f"{name}__gte": since, f"{name}__lte": until})


def _in_time(stage: str, days: int, first: int = 0) -> Q:
    """Admitted within `days` days of reaching `stage`, and not before `first` days (a period still to come)."""
    q = Q(**{f"wait_{stage}__lte": datetime.timedelta(days=days)})
    if first > 0:
        q &= Q(**{f"wait_{stage}__gte": datetime.timedelta(days=first)})
    return q


def forecast(
    qs: Any, *, admitted: int, today: datetime.date, end: datetime.date, start: datetime.date | None = None
) -> Forecast:
    """The forecast for a period from `start` to `end`, from `qs` (the subtree's candidates, one query)."""
    days = max((end - today).days, 0)
    # A period still to come: an admission fewer than `first` days from today falls before it starts.
    first = (start - today).days if start is not None and start > today else 0
    until = today - datetime.timedelta(days=days)
    since = until - datetime.timedelta(days=HISTORY_DAYS)
    waits = {
        f"wait_{s}": ExpressionWrapper(F("admission_date") - F(STAGE_DATE_FIELD[s]), output_field=DurationField())
        for s in BEFORE_ADMISSION
    }
    counts: dict[str, Count] = {}
    wanted = Q(stage__in=BEFORE_ADMISSION)
    for s in BEFORE_ADMISSION:
        counts[f"now_{s}"] = Count("id", filter=Q(stage=s))
        counts[f"n_{s}"] = Count("id", filter=_reached(s, since, until))
        counts[f"k_{s}"] = Count("id", filter=_reached(s, since, until) & _in_time(s, days, first))
        wanted |= _reached(s, since, until)
    due = Q(due_date__lte=end)
    decided = Q(stage=Stage.DECIDED)
    if first:  # a period still to come: not a deadline that falls before it starts
        due &= Q(due_date__gte=start)
        decided &= Q(due_date__gte=start) | Q(due_date__isnull=True)
    for s in (Stage.DECIDED, *VOTED):
        counts[f"due_{s}"] = Count("id", filter=Q(stage=s) & due)
    counts["decided_later"] = Count("id", filter=decided)
    # A record that ended with a transfer goes on as the receiving cell's copy, with its dates: count that one.
    row = qs.filter(wanted).exclude(stage=Stage.TRANSFERRED).annotate(**waits).aggregate(**counts)
    out = Forecast(admitted=admitted, days=days, since=since, until=until, first=first)
    for s in BEFORE_ADMISSION:
        outlook = StageOutlook(s, row[f"now_{s}"], row[f"n_{s}"], row[f"k_{s}"])
        if s == Stage.DECIDED:
            outlook.due_low, outlook.due_high = row[f"due_{s}"], row["decided_later"]
        elif s in VOTED:
            outlook.due_high = row[f"due_{s}"]
        out.stages.append(outlook)
    return out
