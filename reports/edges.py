"""The days of a period the monthly tallies cannot give: a term that starts on its congress day
(15/10/2025) or a count stopped on a day (--as-of) covers part of its first and last month.

reports.attainment reads the whole months inside the period from the tallies and adds what this scan
counts on the remaining days, by the same buckets and the same definitions (reports.tally.COUNTED),
so its figures are those of the candidate scan over the whole period (tests/test_terms.py compares
them). One query, over a month or two of dates at most.
"""

from __future__ import annotations

import datetime
import functools
import operator
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, When
from django.db.models.functions import ExtractMonth, ExtractYear

from reports import tally

ONE_DAY = datetime.timedelta(days=1)

Found = dict[str, tuple[list[int], dict[int, int]]]


def whole_months(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the whole months inside start..end; the first after the last when
    there are none (then the tallies give only the pipeline)."""
    first = start if start.day == 1 else (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    after = end + ONE_DAY
    last = end if after.day == 1 else end.replace(day=1) - ONE_DAY
    return first, last


def is_whole(start: datetime.date, end: datetime.date) -> bool:
    return whole_months(start, end) == (start, end)


def _outside(field: str, start: datetime.date, end: datetime.date, first: datetime.date, last: datetime.date) -> Q:
    """field within start..end and outside the whole months first..last."""
    if first > last:
        return Q(**{f"{field}__gte": start, f"{field}__lte": end})
    parts = []
    if start < first:
        parts.append(Q(**{f"{field}__gte": start, f"{field}__lte": first - ONE_DAY}))
    if last < end:
        parts.append(Q(**{f"{field}__gte": last + ONE_DAY, f"{field}__lte": end}))
    return functools.reduce(operator.or_, parts)


def scan(qs: Any, start: datetime.date, end: datetime.date) -> Found:
    """The dated measures of the days of start..end outside its whole months, by bucket, with the
    admissions by month: the shape of reports.tally.read() (the pipeline left at zero)."""
    first, last = whole_months(start, end)
    if (first, last) == (start, end):
        return {}
    dates = {date for date, _q in tally.COUNTED.values() if date is not None}
    within = {date: _outside(date, start, end, first, last) for date in dates}
    counts = {}
    for name in tally.DATED:
        date, condition = tally.COUNTED[name]
        assert date is not None
        counts[name] = Count("id", filter=within[date] & condition if condition is not None else within[date])
    anyday = functools.reduce(operator.or_, within.values())
    month = Case(
        When(within["admission_date"], then=ExtractYear("admission_date") * 100 + ExtractMonth("admission_date")),
        default=None,
        output_field=IntegerField(),
    )
    rows = qs.filter(anyday).annotate(edge_month=month).order_by().values("bucket", "edge_month").annotate(**counts)
    out: Found = {}
    for row in rows:
        vector, by_month = out.setdefault(row["bucket"], ([0] * len(tally.MEASURES), {}))
        for i, name in enumerate(tally.MEASURES):
            if name in counts:
                vector[i] += row[name]
        if row["edge_month"] is not None and row["admitted"]:
            key = int(row["edge_month"])
            by_month[key] = by_month.get(key, 0) + row["admitted"]
    return out


def add(sums: dict[str, dict[str, int]], by_month: dict[int, int], edges: Found) -> None:
    """Add the edges' figures to those read from the tallies (in place)."""
    for bucket, (vector, months) in edges.items():
        row = sums.setdefault(bucket, dict.fromkeys(tally.MEASURES, 0))
        for name, value in zip(tally.MEASURES, vector, strict=True):
            row[name] += value
        for month, n in months.items():
            by_month[month] = by_month.get(month, 0) + n
