"""The congress page, beside the quotas: the days an organization's congresses were held, which open
and close its terms (CONTRACT §4), and the terms as every report counts them.

Anyone in scope reads it; an administrator of the organization (or of a level above) records,
corrects and removes its congresses, through organizations.services.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from organizations import access, selectors, services
from organizations.forms import DateInput
from organizations.models import Congress, Organization
from organizations.notation import short_date
from organizations.web import acting_user, add_errors
from reports import terms
from reports.forms import Period, parse_term


class CongressForm(forms.Form):
    term = forms.CharField(
        label=gettext_lazy("Term"), max_length=9, widget=forms.TextInput(attrs={"placeholder": "2025-2030", "size": 9})
    )
    held_on = forms.DateField(label=gettext_lazy("Congress held on"), widget=DateInput())
    document = forms.CharField(label=gettext_lazy("Document (resolution, minutes)"), max_length=100, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_term(self) -> Period:
        return parse_term(self.cleaned_data["term"])


def _page(org: Organization) -> str:
    return reverse("quotas:congresses", args=[org.code])


def _context(request: HttpRequest, org: Organization, form: CongressForm | None) -> dict[str, Any]:
    return {
        "org": org,
        "form": form,
        "own": list(Congress.objects.filter(organization=org).order_by("first_year", "last_year")),
        "terms": [
            (period, terms.describe(period, can_name=partial(access.can_read, request.user)))
            for period in terms.terms_of(org)
        ],
        "trail": selectors.trail_in_scope(request.user, org),
    }


@login_required
@require_http_methods(["GET", "POST"])
def congresses(request: HttpRequest, code: str) -> HttpResponse:
    """The congresses of an organization and its terms; a post records (or corrects) one congress."""
    org = access.get_organization_for_user(request.user, code, manage=request.method == "POST")
    can_edit = access.can_manage(request.user, org)
    form = CongressForm(request.POST if request.method == "POST" else None) if can_edit else None
    if request.method == "POST" and form is not None and form.is_valid():
        term, data = form.cleaned_data["term"], form.cleaned_data
        try:
            congress = services.congress_record(
                org=org,
                first_year=term.first_year,
                last_year=term.last_year,
                held_on=data["held_on"],
                document=data["document"],
                note=data["note"],
                acting_user=acting_user(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The congress of the term %(term)s is recorded as held on %(date)s.")
                % {"term": congress.term, "date": short_date(congress.held_on)},
            )
            return redirect(_page(org))
    return render(request, "reports/congresses.html", _context(request, org, form))


@login_required
@require_POST
def congress_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    org = access.get_organization_for_user(request.user, code, manage=True)
    congress = get_object_or_404(Congress, pk=pk, organization=org)
    services.congress_remove(congress=congress, acting_user=acting_user(request))
    messages.success(request, _("The congress of the term %(term)s is removed.") % {"term": congress.term})
    return redirect(_page(org))
