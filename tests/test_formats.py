from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import formats, translation

from organizations.notation import num, percent


class DateForm(forms.Form):
    day = forms.DateField()


class VietnameseFormatsTestCase(SimpleTestCase):
    def setUp(self) -> None:
        translation.activate("vi")
        self.addCleanup(translation.deactivate)

    def test_thousands_are_grouped_with_a_dot(self) -> None:
        self.assertEqual(num(7894), "7.894")
        self.assertEqual(num(5600000), "5.600.000")

    def test_small_numbers_are_not_grouped(self) -> None:
        self.assertEqual(num(185), "185")

    def test_percent_uses_a_decimal_comma_and_rounds_half_up(self) -> None:
        self.assertEqual(percent(Decimal(185) / Decimal(180) * 100), "102,78%")
        self.assertEqual(percent(Decimal("0.125"), 2), "0,13%")  # half up, not half even
        self.assertEqual(percent(Decimal("1234.5")), "1.234,50%")

    def test_dates_print_day_first(self) -> None:
        out = Template('{{ d|date:"SHORT_DATE_FORMAT" }}').render(Context({"d": datetime.date(2023, 11, 16)}))
        self.assertEqual(out, "16/11/2023")

    def test_a_slashed_date_is_read_day_first(self) -> None:
        form = DateForm({"day": "03/04/2025"})
        self.assertTrue(form.is_valid())
        self.assertEqual(form.cleaned_data["day"], datetime.date(2025, 4, 3))

    def test_an_iso_date_is_accepted(self) -> None:
        form = DateForm({"day": "2025-04-03"})
        self.assertTrue(form.is_valid())
        self.assertEqual(form.cleaned_data["day"], datetime.date(2025, 4, 3))

    def test_an_impossible_day_is_refused(self) -> None:
        self.assertFalse(DateForm({"day": "31/02/2025"}).is_valid())

    def test_the_project_formats_override_djangos(self) -> None:
        self.assertEqual(formats.get_format("NUMBER_GROUPING"), 3)
        self.assertEqual(formats.get_format("DATE_INPUT_FORMATS")[0], "%d/%m/%Y")


class EnglishFormatsTestCase(SimpleTestCase):
    def test_english_keeps_its_own_notation(self) -> None:
        with translation.override("en"):
            self.assertEqual(num(7894), "7,894")
            self.assertEqual(percent(Decimal("102.775")), "102.78%")
