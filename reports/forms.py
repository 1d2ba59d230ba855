from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.forms import DateInput
from organizations.models import Congress
from organizations.notation import short_date


@dataclass(frozen=True)
class Period:
    """A calendar year, or a congress term: from 1 January of its first year to 31 December of its last
    until reports.terms.resolve() gives it an organization's real first and last day (CONTRACT §4)."""

    first_year: int
    last_year: int
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    opened_by: Congress | None = None  # the recorded congress the first day comes from
    closed_by: Congress | None = None  # the next term's, the day after the last day

    @property
    def start(self) -> datetime.date:
        return self.first_day or datetime.date(self.first_year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return self.last_day or datetime.date(self.last_year, 12, 31)

    @property
    def resolved(self) -> bool:
        return self.first_day is not None

    @property
    def is_term(self) -> bool:
        return self.first_year != self.last_year

    def __str__(self) -> str:
        return f"{self.first_year}-{self.last_year}" if self.is_term else str(self.first_year)


TERM_RE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")


def parse_term(value: str) -> Period:
    match = TERM_RE.match(value)
    if not match:
        raise forms.ValidationError(_("Write a term as two years, for example 2025-2030."))
    first, last = int(match[1]), int(match[2])
    if not 1930 <= first < last <= 2100:
        raise forms.ValidationError(_("A term runs from an earlier year to a later one, for example 2025-2030."))
    return Period(first, last)


class PeriodForm(forms.Form):
    """The period selector shared by the dashboard and the report: ?year=YYYY or ?term=YYYY-YYYY."""

    org = forms.CharField(required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("Year"), min_value=1930, max_value=2100, required=False)
    term = forms.CharField(label=_("Term"), required=False, max_length=9)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())

    def clean_term(self) -> Period | None:
        value = self.cleaned_data.get("term")
        return parse_term(value) if value else None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("year") and data.get("term"):
            raise forms.ValidationError(_("Choose either a year or a term, not both."))
        as_of = data.get("as_of")
        if as_of and not self.errors:
            start = self.period().start
            if as_of < start:
                self.add_error(
                    "as_of",
                    _("%(date)s is before the period, which begins on %(start)s: choose a date within it.")
                    % {"date": short_date(as_of), "start": short_date(start)},
                )
        return data

    def period(self) -> Period:
        if self.cleaned_data.get("term"):
            return self.cleaned_data["term"]
        year = self.cleaned_data.get("year") or self.initial.get("year") or timezone.localdate().year
        return Period(year, year)
