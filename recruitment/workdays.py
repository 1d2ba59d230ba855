"""Working days in Vietnam: deadlines of the admission rules are counted in them.

Weekends, public holidays (lunar Tết included) and the government's usual swaps come from the
`holidays` library; CalendarDay rows override it for single dates.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
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


class IndexedCalendar(WorkCalendar):
    """The same working-day arithmetic as WorkCalendar, from a table of the days of a range, for many
    records at once (the import's checks, the generated data): the one fast calendar.

    WorkCalendar.add walks day by day (a 60-working-day deadline is ~85 lookups); checking or generating
    tens of thousands of people needs it in microseconds. The days of [start, end] are judged once, by
    WorkCalendar.is_working_day (the holidays and the CalendarDay exceptions), when first needed; add(),
    count() and on_or_after() are then a lookup or a binary search. Outside the range it walks as
    WorkCalendar does. Bulk users may work on date ordinals (`ordinals`, `index`, `add_ordinal`, `date`).
    """

    def __init__(self, exceptions: dict[datetime.date, bool], start: datetime.date, end: datetime.date) -> None:
        super().__init__(exceptions)
        self.start, self.end = start, end
        self.origin = start.toordinal()
        self._built = False
        self._memo: dict[tuple[datetime.date, int], datetime.date] = {}

    @classmethod
    def load_range(cls, start: datetime.date, end: datetime.date) -> IndexedCalendar:
        """All declared exceptions (one query), indexed over [start, end]."""
        return cls(dict(CalendarDay.objects.values_list("date", "is_working_day")), start, end)

    def _build(self) -> None:
        n = self.end.toordinal() - self.origin + 1
        self._dates = [self.start + datetime.timedelta(days=i) for i in range(n)]
        self._working = [WorkCalendar.is_working_day(self, day) for day in self._dates]
        self._ordinals = [self.origin + i for i, ok in enumerate(self._working) if ok]
        self._days = [self._dates[o - self.origin] for o in self._ordinals]
        # For each day of the range (and the day after it): the index of the first working day on or after it.
        first, j = [0] * (n + 1), len(self._ordinals)
        first[n] = j
        for i in range(n - 1, -1, -1):
            j -= self._working[i]
            first[i] = j
        self._first = first
        self._built = True

    @property
    def ordinals(self) -> list[int]:
        """The working days of the range, as date ordinals, in order."""
        if not self._built:
            self._build()
        return self._ordinals

    @property
    def days(self) -> list[datetime.date]:
        """The working days of the range, in order."""
        if not self._built:
            self._build()
        return self._days

    def date(self, ordinal: int) -> datetime.date:
        """The day of an ordinal within the range (a lookup)."""
        if not self._built:
            self._build()
        return self._dates[ordinal - self.origin]

    def index(self, ordinal: int) -> int:
        """The position in `ordinals` of the first working day on or after the day (within the range)."""
        if not self._built:
            self._build()
        return self._first[ordinal - self.origin]

    def add_ordinal(self, ordinal: int, working_days: int) -> int:
        """add() on ordinals, for working_days >= 1 and a result within the range (IndexError otherwise)."""
        return self.ordinals[self.index(ordinal + 1) + working_days - 1]

    def _within(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def is_working_day(self, day: datetime.date) -> bool:
        if not self._within(day):
            return super().is_working_day(day)
        if not self._built:
            self._build()
        return bool(self._working[day.toordinal() - self.origin])

    def add(self, start: datetime.date, working_days: int) -> datetime.date:
        key = (start, working_days)
        found = self._memo.get(key)
        if found is not None:
            return found
        if working_days <= 0 or not self.start <= start < self.end:
            found = super().add(start, working_days)
        else:
            i = self.index(start.toordinal() + 1) + working_days - 1
            found = self.days[i] if i < len(self.days) else super().add(start, working_days)
        self._memo[key] = found
        return found

    def count(self, start: datetime.date, end: datetime.date) -> int:
        if end <= start:
            return 0
        if not (self._within(start) and self._within(end)):
            return super().count(start, end)
        return bisect_right(self.days, end) - bisect_right(self.days, start)

    def on_or_after(self, day: datetime.date) -> datetime.date:
        """The first working day on or after the day."""
        if self._within(day):
            i = bisect_left(self.days, day)
            if i < len(self.days):
                return self.days[i]
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day


def add_working_days(start: datetime.date, working_days: int) -> datetime.date:
    return WorkCalendar.for_deadline(start, working_days).add(start, working_days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkCalendar.between(start, end).count(start, end)
