from __future__ import annotations

import datetime

from django.test import TestCase

from recruitment.models import CalendarDay
from recruitment.workdays import WorkCalendar, add_working_days, working_days_between

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
