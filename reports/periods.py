"""The periods of the periodic reports (issue 17): a quarter, a half-year, a year, or a term to date.

`2026-Q3`, `2026-H1`, `2026`, `2025-2030`. Each resolves, for an organization, to its first and last
day counted (a term's days are those of reports.terms, CONTRACT §4, stopped at as_of or today), a
Vietnamese label, and "the same period of the year before" (cùng kỳ năm trước): the same days one
year earlier; for a term to date, the previous term over as many days from its first day.

A year or a term is counted over exactly the days the dashboard counts for ?year= / ?term= with the
same as_of, so the report's figures equal the dashboard's (tests/test_report_statistics.py).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.notation import short_date
from reports import terms
from reports.forms import Period

QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-\s*[Qq]([1-4])\s*$")
HALF_RE = re.compile(r"^\s*(\d{4})\s*-\s*[Hh]([12])\s*$")
YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
TERM_RE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")


class PeriodError(ValueError):
    """The text is not a period (the message says how to write one, in the active language)."""


@dataclass(frozen=True)
class Spec:
    """A period as written: its kind ("quarter", "half", "year", "term"), its year(s) and its part."""

    kind: str
    year: int
    last_year: int
    part: int = 0

    def __str__(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}-Q{self.part}"
        if self.kind == "half":
            return f"{self.year}-H{self.part}"
        if self.kind == "term":
            return f"{self.year}-{self.last_year}"
        return str(self.year)


def parse(text: str) -> Spec:
    """2026-Q3, 2026-H1, 2026 or 2025-2030; PeriodError otherwise."""
    if m := QUARTER_RE.match(text):
        spec = Spec("quarter", int(m[1]), int(m[1]), int(m[2]))
    elif m := HALF_RE.match(text):
        spec = Spec("half", int(m[1]), int(m[1]), int(m[2]))
    elif m := YEAR_RE.match(text):
        spec = Spec("year", int(m[1]), int(m[1]))
    elif m := TERM_RE.match(text):
        spec = Spec("term", int(m[1]), int(m[2]))
        if not spec.year < spec.last_year:
            raise PeriodError(_("A term runs from an earlier year to a later one, for example 2025-2030."))
    else:
        raise PeriodError(
            _("Write the period as a quarter (2026-Q3), a half-year (2026-H1), a year (2026) or a term (2025-2030).")
        )
    if not 1930 <= spec.year <= spec.last_year <= 2100:
        raise PeriodError(_("The period's years must lie between 1930 and 2100."))
    return spec


@dataclass(frozen=True)
class ReportPeriod:
    """A period resolved for one organization: the days counted, its label, and the same period a year before."""

    spec: Spec
    start: datetime.date
    end: datetime.date  # the last day counted: the period's last day, or as_of / today for a term to date
    period: Period  # as the dashboard and reports.attainment take it (a year or a term, resolved)
    previous_start: datetime.date
    previous_end: datetime.date

    @property
    def label(self) -> str:
        s = self.spec
        if s.kind == "quarter":
            return _("quarter %(q)s of %(year)d") % {"q": ("I", "II", "III", "IV")[s.part - 1], "year": s.year}
        if s.kind == "half":
            if s.part == 1:
                return _("the first half of %(year)d") % {"year": s.year}
            return _("the second half of %(year)d") % {"year": s.year}
        if s.kind == "term":
            return _("the term %(term)s, from %(start)s to %(end)s") % {
                "term": str(s),
                "start": short_date(self.start),
                "end": short_date(self.end),
            }
        return _("the year %(year)d") % {"year": s.year}

    @property
    def span_text(self) -> str:
        return f"{short_date(self.start)} – {short_date(self.end)}"

    @property
    def previous_text(self) -> str:
        return f"{short_date(self.previous_start)} – {short_date(self.previous_end)}"

    @property
    def dashboard_query(self) -> dict[str, str]:
        """The dashboard's query string for the same days (?year= or ?term=, &as_of=); a quarter or a
        half-year is the year's dashboard as of its last day."""
        query = {"term": str(self.spec)} if self.spec.kind == "term" else {"year": str(self.spec.year)}
        if self.end < self.period.end:
            query["as_of"] = self.end.isoformat()
        return query


def _year_before(day: datetime.date) -> datetime.date:
    last = calendar.monthrange(day.year - 1, day.month)[1]
    return day.replace(year=day.year - 1, day=min(day.day, last))


def resolve(
    spec: Spec, org: Organization, *, as_of: datetime.date | None = None, today: datetime.date | None = None
) -> ReportPeriod:
    """The days of spec for org, stopped at as_of when given (and, for a term, at today at the latest:
    a term "to date")."""
    from django.utils import timezone

    today = today or timezone.localdate()
    if spec.kind == "quarter":
        start = datetime.date(spec.year, 3 * spec.part - 2, 1)
        last_month = 3 * spec.part
        end = datetime.date(spec.year, last_month, calendar.monthrange(spec.year, last_month)[1])
    elif spec.kind == "half":
        start = datetime.date(spec.year, 1 if spec.part == 1 else 7, 1)
        end = datetime.date(spec.year, 6, 30) if spec.part == 1 else datetime.date(spec.year, 12, 31)
    elif spec.kind == "year":
        start, end = datetime.date(spec.year, 1, 1), datetime.date(spec.year, 12, 31)
    else:
        term = terms.resolve(org, Period(spec.year, spec.last_year))
        start = term.start
        end = min(term.end, as_of or today)
        end = max(end, start)
        length = end - start
        before = terms.resolve(org, Period(spec.year - (spec.last_year - spec.year), spec.year))
        previous_end = min(before.start + length, before.end)
        return ReportPeriod(spec, start, end, term, before.start, previous_end)
    if as_of is not None and start <= as_of < end:
        end = as_of
    year = Period(spec.year, spec.year)
    return ReportPeriod(spec, start, end, year, _year_before(start), _year_before(end))
