"""The quota pages: an organization's quota and its direct children's, and their membership counts.

Anyone in scope reads them; an admin of the organization edits the page in one form, posted at
once and saved in one transaction: its children's quotas and everyone's membership counts. The
organization's own quota is given by the level above (organizations.access.can_set_own_quota), so
its row is a form only for an admin of its parent (of a top-level one, a superuser); a post that
carries that row's boxes from anyone else is refused. A box the post does not carry changes
nothing. Each page reads a fixed number of queries whatever the number of children.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from organizations import access, selectors
from organizations.history import Moves
from organizations.models import Organization
from organizations.web import acting_user
from reports import terms
from reports.attainment import _members, existed
from reports.forms import Period, PeriodForm
from reports.models import MembershipCount, Quota
from reports.quota_forms import SUB_CATEGORIES, MembersRowForm, QuotaRowForm, YearForm
from reports.services import QuotaChange, memberships_save, quotas_save


@dataclass
class QuotaRow:
    """One organization on the quota page: its members at the start of the period and its quotas."""

    org: Organization
    members: int | None  # on 31 December of the year before the period
    quotas: dict[str, Quota] = field(default_factory=dict)  # by category
    form: QuotaRowForm | None = None

    @property
    def quota(self) -> Quota | None:
        return self.quotas.get("")

    @property
    def target(self) -> int | None:
        """The number asked for: the target, or what the rate comes to on the members."""
        quota = self.quota
        return quota.resolve(self.members) if quota else None

    def subs(self) -> list[dict[str, Any]]:
        out = []
        for category in SUB_CATEGORIES:
            quota = self.quotas.get(category.value)
            out.append(
                {
                    "label": category.label,
                    "quota": quota,
                    "target": quota.resolve(self.members) if quota else None,
                    "field": self.form[f"sub_{category.value}"] if self.form else None,
                }
            )
        return out

    def set_subs(self) -> list[dict[str, Any]]:
        return [s for s in self.subs() if s["quota"]]

    def initial(self) -> dict[str, object]:
        quota = self.quota
        data: dict[str, object] = {"target": quota.target if quota else None, "rate": quota.rate if quota else None}
        for category in SUB_CATEGORIES:
            sub = self.quotas.get(category.value)
            data[f"sub_{category.value}"] = sub.target if sub else None  # a rate sub-target keeps an empty box
        return data


@dataclass
class MembersRow:
    org: Organization
    members: int | None  # on 31 December of the page's year
    before: int | None  # a year earlier
    form: MembersRowForm | None = None


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    year = timezone.localdate().year
    form = PeriodForm(request.GET or None, initial={"year": year})
    if form.is_bound and form.is_valid():
        return form, form.period()
    return form, Period(year, year)


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
        return form, form.cleaned_data["year"]
    return form, timezone.localdate().year - 1  # the last 31 December that has passed


def _period_query(period: Period) -> str:
    return urlencode({"term": str(period)} if period.is_term else {"year": period.first_year})


def _quota_rows(org: Organization, period: Period) -> list[QuotaRow]:
    """The organization and its direct children, with their quotas and members at the start of the
    period: the active children, and ended ones that existed in the period or hold a quota for it.

    Three to five queries: the children (and their child counts), the quotas, and the members
    (their own counts, then the sum of the children's for an organization with none).
    """
    kids = selectors.children_of([org], include_inactive=True)[org.path]
    quotas: dict[int, dict[str, Quota]] = {}
    rows = Quota.objects.filter(organization__in=[org, *kids], first_year=period.first_year, last_year=period.last_year)
    for quota in rows:
        quotas.setdefault(quota.organization_id, {})[quota.category] = quota
    kids = [k for k in kids if k.is_active or k.pk in quotas or existed(k, period.start, period.end)]
    year = period.first_year - 1
    members = _members([org, *kids], year, Moves.load(datetime.date(year, 12, 31)))
    return [QuotaRow(o, members.get(o.pk), quotas.get(o.pk, {})) for o in [org, *kids]]


def _member_rows(org: Organization, year: int) -> list[MembersRow]:
    """The organization and its direct children with their counts of the year and the year before."""
    kids = selectors.children_of([org], include_inactive=True)[org.path]
    counts = {
        (org_id, y): n
        for org_id, y, n in MembershipCount.objects.filter(
            organization__in=[org, *kids], year__in=[year - 1, year]
        ).values_list("organization_id", "year", "members")
    }
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    kids = [k for k in kids if k.is_active or (k.pk, year) in counts or existed(k, start, end)]
    return [MembersRow(o, counts.get((o.pk, year)), counts.get((o.pk, year - 1))) for o in [org, *kids]]


def _error_list(forms_by_name: list[tuple[str, forms.Form | None]]) -> list[tuple[str, str, str, str]]:
    """(row, box, message, box id) of every error, for the summary above the table."""
    out = []
    for name, form in forms_by_name:
        if form is None:
            continue
        for bound in form:
            out += [(name, str(bound.label), str(error), bound.auto_id) for error in bound.errors]
    return out


def _quota_changes(rows: list[QuotaRow]) -> list[QuotaChange]:
    """Only what the user changed, so a sub-target given as a rate elsewhere stays unless its box is filled."""
    out = []
    for row in rows:
        if row.form is None:  # shown, not offered: the organization's own quota, set by the level above
            continue
        data, changed = row.form.cleaned_data, set(row.form.changed_data)
        if changed & {"target", "rate"}:
            out.append(QuotaChange(row.org, "", data["target"], data["rate"], row.quota.note if row.quota else ""))
        for category in SUB_CATEGORIES:
            name = f"sub_{category.value}"
            if name in changed:
                sub = row.quotas.get(category.value)
                out.append(QuotaChange(row.org, category.value, data[name], None, sub.note if sub else ""))
    return out


def _quota_field(key: str) -> str:
    # "<category>:<model field>" from the service → the box on the row's form.
    category, model_field = key.rsplit(":", 1)
    if category:
        return f"sub_{category}"
    return "rate" if model_field == "rate" else "target"


def _add_errors(by_code: dict[str, forms.Form], exc: ValidationError, field_for: Callable[[str], str]) -> None:
    # The services name each error "<code>:…"; put it next to the box on that organization's row.
    for key, errors in exc.message_dict.items():
        code, rest = key.split(":", 1)
        for error in errors:
            by_code[code].add_error(field_for(rest), error)


def _bind_quota_forms(rows: list[QuotaRow], data: Any, period: Period, *, own: bool) -> None:
    """Forms for the children's rows, and for the organization's own when the user sets it (`own`)."""
    for row in rows[0 if own else 1 :]:
        row.form = QuotaRowForm(
            data, initial=row.initial(), prefix=row.org.code, is_term=period.is_term, row_name=row.org.name
        )


def _bind_members_forms(rows: list[MembersRow], data: Any) -> None:
    for row in rows:
        row.form = MembersRowForm(data, initial={"members": row.members}, prefix=row.org.code, row_name=row.org.name)


def _quota_context(request: HttpRequest, org: Organization, period: Period, rows: list[QuotaRow]) -> dict[str, Any]:
    own, children = rows[0], rows[1:]
    children_sum = sum(row.target or 0 for row in children)
    return {
        "org": org,
        "period": period,
        "query": _period_query(period),
        "rows": rows,
        "own": own,
        "children": children,
        "children_sum": children_sum,
        # How far the children's targets fall short of the organization's own (0 if they do not).
        "short": max((own.target or 0) - children_sum, 0) if children else 0,
        "errors": _error_list([(r.org.name, r.form) for r in rows]),
        "members_year": period.first_year - 1,
        "trail": selectors.trail_in_scope(request.user, org),
    }


def _members_context(request: HttpRequest, org: Organization, year: int, rows: list[MembersRow]) -> dict[str, Any]:
    own, children = rows[0], rows[1:]
    return {
        "org": org,
        "year": year,
        "rows": rows,
        "own": own,
        "children": children,
        "children_sum": sum(r.members or 0 for r in children),
        "children_missing": sum(r.members is None for r in children),
        "errors": _error_list([(r.org.name, r.form) for r in rows]),
        "trail": selectors.trail_in_scope(request.user, org),
    }


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """The quotas of an organization and of its direct children for ?year= or ?term=."""
    org = access.get_organization_for_user(request.user, code, manage=request.method == "POST")
    period_form, period = _period(request)
    period = terms.resolve(org, period)  # a term's real first and last day, shown above the table
    rows = _quota_rows(org, period)
    can_edit = access.can_manage(request.user, org)
    # The organization's own quota is given by the level above (the root's by a system administrator).
    own_editable = can_edit and access.can_set_own_quota(request.user, org)
    if request.method == "POST" and not own_editable and _posts_row(request.POST, org):
        raise PermissionDenied(_own_quota_message())
    if can_edit:
        _bind_quota_forms(rows, request.POST if request.method == "POST" else None, period, own=own_editable)
    if request.method == "POST" and period_form.errors:
        messages.error(request, _("Choose a valid year or term before saving."))
    elif request.method == "POST" and all(row.form.is_valid() for row in rows if row.form):
        try:
            n = quotas_save(parent=org, period=period, rows=_quota_changes(rows), acting_user=acting_user(request))
        except ValidationError as exc:
            _add_errors({r.org.code: r.form for r in rows if r.form}, exc, _quota_field)
        else:
            messages.success(request, ngettext("%(n)d quota changed.", "%(n)d quotas changed.", n) % {"n": n})
            return redirect(f"{reverse('quotas:detail', args=[org.code])}?{_period_query(period)}")
    ctx = {
        **_quota_context(request, org, period, rows),
        "form": period_form,
        "can_edit": any(row.form for row in rows),  # a cell's admin has no box on its own page
        "own_note": _own_quota_message() if can_edit and not own_editable else "",
        "term_lines": terms.describe(period, can_name=partial(access.can_read, request.user)),
    }
    return render(request, "reports/quotas.html", ctx)


def _posts_row(data: Any, org: Organization) -> bool:
    """Whether the post carries a box of org's row (the row's form prefix is its code)."""
    probe = QuotaRowForm(prefix=org.code)
    return any(probe.add_prefix(name) in data for name in probe.fields)


def _own_quota_message() -> str:
    return _(
        "The quota of the organization itself is given by the level above: an administrator of the "
        "organization directly above sets it (of a top-level organization, a system administrator)."
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, code: str) -> HttpResponse:
    """The party members on 31 December of ?year= of an organization and of its direct children."""
    org = access.get_organization_for_user(request.user, code, manage=request.method == "POST")
    year_form, year = _year(request)
    rows = _member_rows(org, year)
    can_edit = access.can_manage(request.user, org)
    if can_edit:
        _bind_members_forms(rows, request.POST if request.method == "POST" else None)
    if request.method == "POST" and year_form.errors:
        messages.error(request, _("Choose a valid year before saving."))
    elif request.method == "POST" and all(row.form and row.form.is_valid() for row in rows):
        changes = [(r.org, r.form.cleaned_data["members"]) for r in rows if r.form and r.form.has_changed()]
        try:
            n = memberships_save(parent=org, year=year, rows=changes, acting_user=acting_user(request))
        except ValidationError as exc:
            _add_errors({r.org.code: r.form for r in rows if r.form}, exc, lambda _key: "members")
        else:
            messages.success(request, ngettext("%(n)d count changed.", "%(n)d counts changed.", n) % {"n": n})
            return redirect(f"{reverse('quotas:members', args=[org.code])}?{urlencode({'year': year})}")
    ctx = {**_members_context(request, org, year, rows), "form": year_form, "can_edit": can_edit}
    return render(request, "reports/quota_members.html", ctx)
