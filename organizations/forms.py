from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Kind, Sector, code_validator


class DateInput(forms.DateInput):
    # A text field in dd/mm/yyyy: the native date picker follows the browser's locale,
    # which on many office PCs is English (mm/dd/yyyy).
    input_type = "text"

    def __init__(self) -> None:
        super().__init__(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "class": "date"})


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }


class OrganizationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, validators=[code_validator])
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False)
    valid_from = forms.DateField(label=_("Established on"), required=False, widget=DateInput())

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if editing:
            # The code is the key of every workbook the units send; it does not change.
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip()


class MoveForm(forms.Form):
    new_parent = forms.CharField(
        label=_("New parent organization (code)"),
        max_length=40,
        help_text=_("The code of the organization that the unit will be directly under."),
    )
    effective_date = forms.DateField(label=_("Effective from"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Decision or note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DissolveForm(forms.Form):
    effective_date = forms.DateField(label=_("Last day of activity"), widget=DateInput(), initial=timezone.localdate)
    successor = forms.CharField(
        label=_("Merged into (code)"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to dissolve. With a successor, its active units move there."),
    )
    note = forms.CharField(label=_("Decision or note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TreeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by code or name"), required=False, max_length=100)
    inactive = forms.BooleanField(label=_("Include dissolved units"), required=False)


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = "".join((self.cleaned_data.get("code") or "").split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits that the app shows now."))
        return code


class TwoFactorEnrolForm(TwoFactorCodeForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]
