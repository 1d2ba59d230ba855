"""Working days in Vietnam: deadlines of the admission rules are counted in them.

Weekends, public holidays (lunar Tết included) and the government's usual swaps come from the
`holidays` library; CalendarDay rows override it for single dates.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

from recruitment.models import CalendarDay

# Longest run of days off in a year (Tết, with its weekends) is well under this.
_SLACK_DAYS = 30


@lru_cache(maxsize=64)
def _public(year: int) -> holidays.HolidayBase:
    # A pure function of the year, so caching it holds no application state.
    return holidays.country_holidays("VN", years=year)


def _library_says_working(day: datetime.date) -> bool:
    return bool(_public(day.year).is_working_day(day))


class WorkCalendar:
    """Working-day arithmetic over a date range, with the declared exceptions read in one query."""

    def __init__(self, exceptions: dict[datetime.date, bool]) -> None:
        self.exceptions = exceptions

    @classmethod
    def between(cls, start: datetime.date, end: datetime.date) -> WorkCalendar:
        rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
        return cls(dict(rows))

    @classmethod
    def load(cls) -> WorkCalendar:
        """All declared exceptions (a few a year), for computations over many records at once."""
        return cls(dict(CalendarDay.objects.values_list("date", "is_working_day")))

    @classmethod
    def for_deadline(cls, start: datetime.date, working_days: int) -> WorkCalendar:
        return cls.between(start, start + datetime.timedelta(days=2 * working_days + _SLACK_DAYS))

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return _library_says_working(day)

    def add(self, start: datetime.date, working_days: int) -> datetime.date:
        """The day on which `working_days` working days after `start` have passed (start excluded).

        "Within 30 working days of the decision" ends on add(decision_date, 30).
        """
        if working_days < 0:
            raise ValueError("working_days must be zero or more")
        day, left = start, working_days
        while left:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def count(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after start, up to and including end (0 when end is not after start)."""
        day, n = start, 0
        while day < end:
            day += datetime.timedelta(days=1)
            n += self.is_working_day(day)
        return n


def add_working_days(start: datetime.date, working_days: int) -> datetime.date:
    return WorkCalendar.for_deadline(start, working_days).add(start, working_days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkCalendar.between(start, end).count(start, end)
