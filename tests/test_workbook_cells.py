from __future__ import annotations

import datetime

from django.test import SimpleTestCase
from django.utils import translation

from imports.cells import CellError, to_bool, to_choice, to_date, to_int, to_period, to_text
from organizations.models import Sector
from recruitment.models import Gender

D = datetime.date


class ToDateTestCase(SimpleTestCase):
    def test_real_excel_dates_pass_through(self) -> None:
        self.assertEqual(to_date(D(2024, 2, 29)), D(2024, 2, 29))
        self.assertEqual(to_date(datetime.datetime(2024, 2, 29, 10, 30)), D(2024, 2, 29))

    def test_an_excel_day_number_is_a_date(self) -> None:
        self.assertEqual(to_date(45351.0), D(2024, 2, 29))
        self.assertEqual(to_date(45351), D(2024, 2, 29))

    def test_vietnamese_day_first_dates(self) -> None:
        self.assertEqual(to_date("05/03/2024"), D(2024, 3, 5))
        self.assertEqual(to_date("5/3/2024"), D(2024, 3, 5))
        self.assertEqual(to_date("05-03-2024"), D(2024, 3, 5))
        self.assertEqual(to_date("05.03.2024"), D(2024, 3, 5))
        self.assertEqual(to_date(" 31/12/2024 "), D(2024, 12, 31))

    def test_iso_dates(self) -> None:
        self.assertEqual(to_date("2024-03-05"), D(2024, 3, 5))
        self.assertEqual(to_date("2024-03-05 00:00:00"), D(2024, 3, 5))

    def test_empty_is_none(self) -> None:
        self.assertIsNone(to_date(None))
        self.assertIsNone(to_date(""))

    def test_an_impossible_date_says_the_expected_format(self) -> None:
        with translation.override("en"), self.assertRaisesMessage(CellError, "dd/mm/yyyy"):
            to_date("31/02/2024")

    def test_other_writings_are_refused_not_guessed(self) -> None:
        for text in ("05/03/24", "2024/13/01", "March 5, 2024", "05/03-2024", "45351", "ngày 5"):
            with self.subTest(text=text), self.assertRaises(CellError):
                to_date(text)

    def test_a_boolean_is_not_a_date(self) -> None:
        with self.assertRaises(CellError):
            to_date(True)


class ToBoolTestCase(SimpleTestCase):
    def test_yes(self) -> None:
        for value in ("Có", "có", "CO", "co", "x", "X", "1", 1, 1.0, True, "yes", "Yes"):
            with self.subTest(value=value):
                self.assertIs(to_bool(value), True)

    def test_no(self) -> None:
        for value in ("Không", "KHÔNG", "khong", "0", 0, 0.0, False, "no", "", None):
            with self.subTest(value=value):
                self.assertIs(to_bool(value), False)

    def test_anything_else_is_an_error(self) -> None:
        for value in ("có lẽ", "2", 2.0, "v"):
            with self.subTest(value=value), self.assertRaises(CellError):
                to_bool(value)


class ToIntTestCase(SimpleTestCase):
    def test_whole_numbers(self) -> None:
        self.assertEqual(to_int(12), 12)
        self.assertEqual(to_int(12.0), 12)
        self.assertEqual(to_int("12"), 12)
        self.assertEqual(to_int("12.0"), 12)

    def test_vietnamese_thousands(self) -> None:
        self.assertEqual(to_int("1.234"), 1234)
        self.assertEqual(to_int("1.234.567"), 1234567)
        self.assertEqual(to_int("1 234"), 1234)

    def test_fractions_are_refused(self) -> None:
        for value in (12.5, "12,5", "12.5", "1.23", "1,234", "abc", True):
            with self.subTest(value=value), self.assertRaises(CellError):
                to_int(value)

    def test_minimum(self) -> None:
        self.assertEqual(to_int(0, minimum=0), 0)
        with self.assertRaises(CellError):
            to_int(-1, minimum=0)

    def test_empty_is_none(self) -> None:
        self.assertIsNone(to_int(None))
        self.assertIsNone(to_int(""))


class ToTextTestCase(SimpleTestCase):
    def test_numbers_lose_their_point_zero(self) -> None:
        self.assertEqual(to_text(12345.0), "12345")
        self.assertEqual(to_text(12), "12")
        self.assertEqual(to_text(12.5), "12.5")
        self.assertEqual(to_text(None), "")
        self.assertEqual(to_text(D(2024, 3, 5)), "05/03/2024")

    def test_a_cccd_typed_as_a_number_gets_its_leading_zeros_back(self) -> None:
        self.assertEqual(to_text(12345678901.0, zero_pad=12), "012345678901")  # province 012
        self.assertEqual(to_text(1085123456.0, zero_pad=12), "001085123456")  # Hà Nội, 001
        self.assertEqual(to_text(12345678901.0), "12345678901")  # only when asked

    def test_text_and_short_numbers_are_not_padded(self) -> None:
        self.assertEqual(to_text("12345678901", zero_pad=12), "12345678901")  # typed as text: kept as typed
        self.assertEqual(to_text(123456789.0, zero_pad=12), "123456789")  # 9 digits: an old ID, not a CCCD


class ToChoiceTestCase(SimpleTestCase):
    def test_by_code_or_label_in_any_case_with_or_without_diacritics(self) -> None:
        for value in ("female", "Nữ", "nữ", "NU", "nu", " Nữ "):
            with self.subTest(value=value):
                self.assertEqual(to_choice(value.strip(), Gender.choices), "female")
        self.assertEqual(to_choice("Doanh nghiep ngoai nha nuoc", Sector.choices), "private_enterprise")
        self.assertEqual(to_choice("state_agency", Sector.choices), "state_agency")

    def test_vietnamese_labels_match_whatever_the_active_language(self) -> None:
        with translation.override("en"):
            self.assertEqual(to_choice("Nam", Gender.choices), "male")
            self.assertEqual(to_choice("Male", Gender.choices), "male")

    def test_an_unknown_value_lists_the_choices(self) -> None:
        with translation.override("en"), self.assertRaisesMessage(CellError, "Nam, Nữ"):
            to_choice("Khác", Gender.choices)

    def test_empty_is_empty(self) -> None:
        self.assertEqual(to_choice(None, Gender.choices), "")


class ToPeriodTestCase(SimpleTestCase):
    def test_a_year(self) -> None:
        self.assertEqual(to_period("2019"), (2019, 2019))
        self.assertEqual(to_period(2019.0), (2019, 2019))

    def test_a_term(self) -> None:
        for value in ("2020-2025", "2020 - 2025", "2020–2025", "2020—2025"):
            with self.subTest(value=value):
                self.assertEqual(to_period(value), (2020, 2025))

    def test_nonsense_is_refused(self) -> None:
        for value in ("2025-2020", "20-25", "năm 2020", "", None, "2020-2025-2030"):
            with self.subTest(value=value), self.assertRaises(CellError):
                to_period(value)
