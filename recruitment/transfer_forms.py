"""Forms of the transfer pages: they validate and convert input; recruitment.transfers holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.forms import DateInput
from recruitment.models import TransferKind


class TransferForm(forms.Form):
    """The sending cell's record of a transfer: the receiving cell by its exact code, or a unit outside the system."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    kind = forms.ChoiceField(label=_("kind of transfer"), choices=TransferKind.choices, initial=TransferKind.PERMANENT)
    sent_on = forms.DateField(label=_("transferred on"), widget=DateInput())
    document_no = forms.CharField(label=_("transfer letter number"), max_length=50)
    to_code = forms.CharField(
        label=_("code of the receiving party cell"),
        max_length=40,
        required=False,
        help_text=_("The exact code, as the receiving unit gives it. Empty for a unit outside the system."),
    )
    destination = forms.CharField(
        label=_("destination outside the system"),
        max_length=255,
        required=False,
        help_text=_("Where the person goes, when the receiving unit is not in the system."),
    )
    until = forms.DateField(label=_("until (temporary transfer)"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("to_code") or "").strip() and not (data.get("destination") or "").strip():
            self.add_error("to_code", _("Give the receiving cell's code, or where the person goes."))
        return data


class RegisterForm(forms.Form):
    registered_on = forms.DateField(label=_("registered on"), widget=DateInput())
