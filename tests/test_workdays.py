from __future__ import annotations

import datetime
from pathlib import Path

from django.test import SimpleTestCase, TestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment.models import CalendarDay
from recruitment.workdays import IndexedCalendar, WorkCalendar, add_working_days, working_days_between

D = datetime.date


class TetTestCase(TestCase):
    def test_tet_2024_is_skipped(self) -> None:
        # Giáp Thìn: off from Thu 8/2 (29 Tết) to Wed 14/2/2024; work resumes Thu 15/2.
        self.assertEqual(add_working_days(D(2024, 2, 7), 1), D(2024, 2, 15))
        self.assertEqual(working_days_between(D(2024, 2, 7), D(2024, 2, 15)), 1)

    def test_tet_2025_is_skipped(self) -> None:
        # Ất Tỵ: off from Sat 25/1 to Sun 2/2/2025; work resumes Mon 3/2.
        self.assertEqual(add_working_days(D(2025, 1, 24), 1), D(2025, 2, 3))
        self.assertEqual(working_days_between(D(2025, 1, 24), D(2025, 2, 3)), 1)

    def test_a_thirty_working_day_deadline_across_tet_2025(self) -> None:
        # 16/1 + 30 working days: 6 in January before Tết, then 24 from 3/2 on.
        self.assertEqual(add_working_days(D(2025, 1, 16), 30), D(2025, 3, 6))

    def test_the_swapped_saturday_of_april_2025_is_a_working_day(self) -> None:
        # Sat 26/4/2025 was worked so that Fri 2/5 could be taken off.
        calendar = WorkCalendar({})
        self.assertTrue(calendar.is_working_day(D(2025, 4, 26)))
        self.assertFalse(calendar.is_working_day(D(2025, 5, 2)))
        self.assertEqual(add_working_days(D(2025, 4, 25), 1), D(2025, 4, 26))

    def test_national_day_2025_takes_two_days(self) -> None:
        self.assertEqual(add_working_days(D(2025, 8, 29), 1), D(2025, 9, 3))

    def test_weekends_are_not_working_days(self) -> None:
        self.assertEqual(add_working_days(D(2025, 3, 7), 1), D(2025, 3, 10))  # Fri -> Mon

    def test_zero_days_is_the_start_itself(self) -> None:
        self.assertEqual(add_working_days(D(2025, 3, 7), 0), D(2025, 3, 7))

    def test_counting_backwards_is_zero(self) -> None:
        self.assertEqual(working_days_between(D(2025, 3, 10), D(2025, 3, 7)), 0)


class CalendarDayTestCase(TestCase):
    def test_an_extra_day_off_is_skipped(self) -> None:
        CalendarDay.objects.create(date=D(2025, 3, 10), is_working_day=False, reason="Nghỉ bù bầu cử")
        self.assertEqual(add_working_days(D(2025, 3, 7), 1), D(2025, 3, 11))

    def test_a_make_up_saturday_counts(self) -> None:
        CalendarDay.objects.create(date=D(2025, 3, 8), is_working_day=True, reason="Làm bù")
        self.assertEqual(add_working_days(D(2025, 3, 7), 1), D(2025, 3, 8))

    def test_the_exceptions_are_read_in_one_query(self) -> None:
        CalendarDay.objects.create(date=D(2025, 3, 10), is_working_day=False, reason="Nghỉ")
        with self.assertNumQueries(1):
            add_working_days(D(2025, 1, 2), 60)


# The one indexed calendar (recruitment.workdays.IndexedCalendar), used by the import's checks and by both
# data generators, against the per-day one built from the same holidays and exceptions.

RANGE = (D(2022, 1, 1), D(2026, 12, 31))
days_around = st.dates(D(2021, 6, 1), D(2027, 6, 30))
exception_sets = st.dictionaries(st.dates(D(2021, 6, 1), D(2027, 6, 30)), st.booleans(), max_size=12)


class IndexedCalendarTestCase(SimpleTestCase):
    @settings(max_examples=60, deadline=None, database=None)
    @given(exception_sets, st.lists(st.tuples(days_around, st.integers(0, 90), days_around), min_size=1, max_size=8))
    def test_it_agrees_with_the_per_day_calendar(
        self, exceptions: dict[datetime.date, bool], cases: list[tuple[datetime.date, int, datetime.date]]
    ) -> None:
        slow = WorkCalendar(dict(exceptions))
        fast = IndexedCalendar(dict(exceptions), *RANGE)
        for start, n, other in cases:
            self.assertEqual(fast.is_working_day(start), slow.is_working_day(start), start)
            self.assertEqual(fast.add(start, n), slow.add(start, n), (start, n))
            self.assertEqual(fast.add(start, n), slow.add(start, n), (start, n))  # the memo too
            self.assertEqual(fast.count(start, other), slow.count(start, other), (start, other))
            first = start
            while not slow.is_working_day(first):
                first += datetime.timedelta(days=1)
            self.assertEqual(fast.on_or_after(start), first, start)
            if RANGE[0] <= start and n and slow.add(start, n) <= RANGE[1]:
                ordinal = fast.add_ordinal(start.toordinal(), n)
                self.assertEqual(fast.date(ordinal), slow.add(start, n), (start, n))
                self.assertEqual(fast.ordinals[fast.index(start.toordinal())], first.toordinal(), start)

    def test_its_days_are_the_working_days_of_the_range(self) -> None:
        exceptions = {D(2024, 4, 27): True, D(2024, 5, 3): False}
        slow = WorkCalendar(exceptions)
        fast = IndexedCalendar(exceptions, *RANGE)
        every = [RANGE[0] + datetime.timedelta(days=i) for i in range((RANGE[1] - RANGE[0]).days + 1)]
        self.assertEqual(fast.days, [d for d in every if slow.is_working_day(d)])
        self.assertIn(D(2024, 4, 27), fast.days)  # a Saturday declared a working day
        self.assertNotIn(D(2024, 5, 3), fast.days)


class OneFastCalendarTestCase(SimpleTestCase):
    def test_the_import_and_both_generators_use_it(self) -> None:
        from devdata import dataset, people
        from imports import checks

        self.assertIs(checks.IndexedCalendar, IndexedCalendar)
        self.assertIs(people.IndexedCalendar, IndexedCalendar)
        self.assertIs(dataset.IndexedCalendar, IndexedCalendar)
        for module in (checks, people, dataset):
            source = Path(module.__file__ or "").read_text(encoding="utf-8")
            self.assertNotIn("is_working_day(", source, module.__name__)  # no calendar of their own
