"""Forms of the quota pages: one small form per organization row, all posted together."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from reports.models import QuotaCategory

# The sub-targets a quota page edits, in the order of QuotaCategory.
SUB_CATEGORIES: list[QuotaCategory] = [c for c in QuotaCategory if c]

# 1.250 or 1 250: a whole number written with thousands grouped, as people type it.
GROUPED_RE = re.compile(r"^\d{1,3}([. ]\d{3})+$")


class WholeNumberField(forms.IntegerField):
    """A whole number ≥ 0 in a text box; accepts thousands grouped with dots or spaces."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "numeric", "size": "5", "autocomplete": "off"}
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10_000_000)
        kwargs.setdefault("required", False)
        super().__init__(widget=forms.TextInput(attrs=attrs), **kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip()
            if GROUPED_RE.match(value):
                value = value.replace(".", "").replace(" ", "")
        return super().to_python(value)


class RateField(forms.DecimalField):
    """A percentage such as 2,5 or 2.5 (a trailing % is allowed), between 0.01 and 100."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"inputmode": "decimal", "size": "5", "autocomplete": "off"}
        super().__init__(
            max_digits=5,
            decimal_places=2,
            required=False,
            localize=True,
            widget=forms.TextInput(attrs=attrs),
            validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
            **kwargs,
        )

    # The stubs derive DecimalField from IntegerField, hence the ignores.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip().replace(",", ".")
        return super().to_python(value)  # type: ignore[return-value]


def _name_boxes(form: forms.Form, row_name: str) -> None:
    # The boxes of a table row have no visible label of their own: name the row and the column.
    for form_field in form.fields.values():
        form_field.widget.attrs["aria-label"] = f"{row_name}: {form_field.label}"


def _keep_what_was_not_posted(form: forms.Form) -> None:
    """A box whose field the post does not carry keeps its value: missing is no change.

    Only a box posted empty clears what it holds (the page's way to delete a quota or a count); a
    post cut short, crafted or sent by another version of the page never deletes what it did not
    send. Called once the form has all its fields: each missing one is given its initial value, so
    it is neither changed nor cleaned as empty.
    """
    if not form.is_bound:
        return
    missing = [name for name in form.fields if form.add_prefix(name) not in form.data]
    if not missing:
        return
    data: Any = form.data  # a QueryDict from a request, a dict in tests: both copy mutable
    data = data.copy()
    for name in missing:
        value = form.get_initial_for_field(form.fields[name], name)
        data[form.add_prefix(name)] = "" if value is None else str(value)
    form.data = data


class QuotaRowForm(forms.Form):
    """The quotas of one organization for the period: the total as a number or a rate, and sub-targets."""

    target = WholeNumberField(label=_("Target"))
    rate = RateField(label=_("Rate (per cent of members)"))

    def __init__(self, *args: Any, is_term: bool = False, row_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_term = is_term
        self.row_name = row_name
        for category in SUB_CATEGORIES:
            self.fields[f"sub_{category.value}"] = WholeNumberField(label=category.label)
        _name_boxes(self, row_name)
        _keep_what_was_not_posted(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("rate") is not None:
            if self.is_term:
                self.add_error("rate", _("A rate applies to a single year; give a term a number."))
            elif data.get("target") is not None:
                self.add_error("rate", _("Give either a number of admissions or a rate, not both."))
        return data


class MembersRowForm(forms.Form):
    members = WholeNumberField(label=_("Party members on 31 December"))

    def __init__(self, *args: Any, row_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_name = row_name
        _name_boxes(self, row_name)
        _keep_what_was_not_posted(self)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1930, max_value=2100, required=False)
