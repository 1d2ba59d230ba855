"""The 'Registers and reports' page of an organization (issue 17 point 5) and its downloads.

Scope as everywhere: an organization outside the user's subtree is not found (404). Everyone in scope
downloads the report and the statistics (aggregates). The registers list people by name: they follow
the rule of the people list's export, which every role in scope may download today (viewers included,
their citizen IDs masked there; the registers hold no citizen ID), and each download or print view
writes a row in the personal-data access log, as the export does.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from organizations import access, selectors
from organizations.forms import DateInput
from organizations.models import Organization
from recruitment import audit
from recruitment.models import AccessKind
from reports import periodic_report, periods, registers, statistics, statistics_xlsx, terms
from reports.attainment import attainment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportPeriodForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Period"), max_length=12)
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False, widget=DateInput())

    def clean_period(self) -> periods.Spec:
        try:
            return periods.parse(self.cleaned_data["period"])
        except periods.PeriodError as error:
            raise forms.ValidationError(str(error)) from error


def _choices(org: Organization, today: datetime.date) -> list[tuple[str, str]]:
    """The periods the picker offers: this year's and last year's quarters, halves and years, and the org's terms."""
    out = []
    for year in (today.year, today.year - 1):
        out.append((str(year), _("Year %(year)d") % {"year": year}))
        out.append((f"{year}-H1", _("First half of %(year)d") % {"year": year}))
        out.append((f"{year}-H2", _("Second half of %(year)d") % {"year": year}))
        out += [(f"{year}-Q{q}", _("Quarter %(q)d of %(year)d") % {"q": q, "year": year}) for q in (1, 2, 3, 4)]
    for term in terms.terms_of(org):
        out.append((str(term), _("Term %(term)s to date") % {"term": term}))
    return out


def _resolved(request: HttpRequest, code: str) -> tuple[Organization, ReportPeriodForm, periods.ReportPeriod | None]:
    org = access.get_organization_for_user(request.user, code)
    today = timezone.localdate()
    data = request.GET if "period" in request.GET else {"period": str(today.year)}
    form = ReportPeriodForm(data)
    if not form.is_valid():
        return org, form, None
    period = periods.resolve(form.cleaned_data["period"], org, as_of=form.cleaned_data.get("as_of"), today=today)
    return org, form, period


def _query(form: ReportPeriodForm) -> str:
    keep = {k: form.data.get(k) for k in ("period", "as_of") if form.data.get(k)}
    return urlencode(keep)


def _period_or_404(request: HttpRequest, code: str) -> tuple[Organization, periods.ReportPeriod]:
    org, _form, period = _resolved(request, code)
    if period is None:
        raise Http404(_("Choose a valid period."))
    return org, period


def _compiler(request: HttpRequest) -> str:
    """The name under "NGƯỜI LẬP BIỂU": the user's full name; blank (to be written by hand) when only a
    username is known, which is not a person's name."""
    user: Any = request.user
    return str(user.get_full_name()).strip()


def _attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def page(request: HttpRequest, code: str) -> HttpResponse:
    org, form, period = _resolved(request, code)
    today = timezone.localdate()
    ctx: dict[str, Any] = {
        "org": org,
        "form": form,
        "period": period,
        "choices": _choices(org, today),
        "chosen": form.data.get("period", ""),
        "query": _query(form),
        "trail": selectors.trail_in_scope(request.user, org),
    }
    if period is not None:
        stats = statistics.statistics(org, period, today=today)
        ctx.update(
            stats=stats, form2=stats.form2(), dashboard_query=urlencode({"org": org.code, **period.dashboard_query})
        )
    return render(request, "reports/registers_reports.html", ctx)


@login_required
@require_GET
def statistics_download(request: HttpRequest, code: str) -> HttpResponse:
    org, period = _period_or_404(request, code)
    today = timezone.localdate()
    stats = statistics.statistics(org, period, today=today)
    data = statistics_xlsx.workbook(stats, compiler=_compiler(request), place=periodic_report.place(org), on=today)
    return _attachment(data, XLSX, f"bieu-2-4-btctw-{org.code}-{period.spec}.xlsx")


@login_required
@require_GET
def report_download(request: HttpRequest, code: str) -> HttpResponse:
    org, period = _period_or_404(request, code)
    today = timezone.localdate()
    stats = statistics.statistics(org, period, today=today)
    att = attainment(org, period.period, as_of=period.end, today=today)
    data = periodic_report.docx(stats, att, on=today)
    return _attachment(data, DOCX, f"bao-cao-ket-nap-{org.code}-{period.spec}.docx")


def _register(request: HttpRequest, code: str, kind: str, how: str) -> tuple[Organization, Any, Any]:
    if kind not in registers.REGISTERS:
        raise Http404
    org, period = _period_or_404(request, code)
    register = registers.REGISTERS[kind](org, period)
    filters = f"register={register.key}; period={period.spec}; {how}"
    audit.record_export(request.user, AccessKind.EXPORT, organization=org, filters=filters, rows=len(register.rows))
    return org, period, register


@login_required
@require_GET
def register_download(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    org, period, register = _register(request, code, kind, "xlsx")
    data = statistics_xlsx.register_workbook(register, org, period)
    return _attachment(data, XLSX, f"{register.key}-{org.code}-{period.spec}.xlsx")


@login_required
@require_GET
def register_print(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    org, period, register = _register(request, code, kind, "print")
    ctx = {"org": org, "period": period, "register": register, "today": timezone.localdate()}
    return render(request, "reports/register_print.html", ctx)
