from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organizations import access, selectors, services
from organizations.forms import DissolveForm, MoveForm, OrganizationForm, TreeSearchForm
from organizations.models import CELL_KINDS, Organization
from organizations.web import acting_user, add_errors


def _target_for_user(request: HttpRequest, form: object, field: str) -> Organization | None:
    """The organization named in a form field, if the user manages it; else a field error."""
    code = form.cleaned_data.get(field)  # type: ignore[attr-defined]
    if not code:
        return None
    target = access.visible_organizations(request.user).filter(code=code.strip()).first()
    if target is None or not access.can_manage(request.user, target):
        form.add_error(field, _("No organization with code %(code)s in your scope.") % {"code": code})  # type: ignore[attr-defined]
        return None
    return target


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    form = TreeSearchForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q", "")
    include_inactive = form.cleaned_data.get("inactive", False)
    ctx: dict[str, object] = {"form": form, "q": q, "include_inactive": include_inactive}
    if q:
        ctx["results"] = selectors.search(request.user, q, include_inactive=include_inactive)
        ctx["limit"] = selectors.SEARCH_LIMIT
    else:
        roots = access.scope_roots(request.user)
        selectors.annotate_child_counts(roots, include_inactive=include_inactive)
        children = selectors.children_of(roots, include_inactive=include_inactive)
        ctx["roots"] = [(root, children[root.path]) for root in roots]
    return render(request, "organizations/tree.html", ctx)


@login_required
@require_GET
def children(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organization_for_user(request.user, code)
    include_inactive = request.GET.get("inactive") == "on"
    kids = selectors.children_of([org], include_inactive=include_inactive)[org.path]
    ctx = {"children": kids, "include_inactive": include_inactive}
    return render(request, "organizations/tree_children.html", ctx)


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organization_for_user(request.user, code)
    kids = selectors.children_of([org], include_inactive=True)[org.path]
    ctx = {
        "org": org,
        "trail": selectors.trail_in_scope(request.user, org),
        "children": kids,
        "active_children": sum(1 for k in kids if k.is_active),
        "predecessors": list(access.visible_organizations(request.user).filter(successor=org).order_by("code")),
        "events": selectors.recent_events(org),
        "can_manage": access.can_manage(request.user, org),
        "can_restructure": access.can_restructure(request.user, org) and org.is_active,
        "can_add_candidate": org.is_active and org.kind in CELL_KINDS and access.can_write(request.user, org),
    }
    return render(request, "organizations/detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, code: str) -> HttpResponse:
    parent = access.get_organization_for_user(request.user, code, manage=True)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(parent=parent, acting_user=acting_user(request), **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": org.name})
            return redirect("organizations:detail", code=org.code)
    ctx = {"form": form, "parent": parent, "title": _("New unit under %(name)s") % {"name": parent.name}}
    return render(request, "organizations/form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organization_for_user(request.user, code, manage=True)
    initial = {"code": org.code, "name": org.name, "kind": org.kind, "sector": org.sector, "valid_from": org.valid_from}
    form = OrganizationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "kind", "sector", "valid_from")}
        try:
            services.organization_update(org=org, acting_user=acting_user(request), **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("organizations:detail", code=org.code)
    ctx = {"form": form, "org": org, "title": _("Edit %(name)s") % {"name": org.name}}
    return render(request, "organizations/form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organization_for_user(request.user, code, restructure=True)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = _target_for_user(request, form, "new_parent")
        if target is not None:
            try:
                services.organization_move(
                    org=org,
                    new_parent=target,
                    effective_date=form.cleaned_data["effective_date"],
                    note=form.cleaned_data["note"],
                    acting_user=acting_user(request),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, _("Moved %(name)s under %(parent)s.") % {"name": org.name, "parent": target.name}
                )
                return redirect("organizations:detail", code=org.code)
    ctx = {"form": form, "org": org, "title": _("Move %(name)s") % {"name": org.name}}
    return render(request, "organizations/form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organization_for_user(request.user, code, restructure=True)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        successor = _target_for_user(request, form, "successor")
        if form.is_valid():  # _target_for_user may have added an error
            try:
                services.organization_dissolve(
                    org=org,
                    effective_date=form.cleaned_data["effective_date"],
                    successor=successor,
                    note=form.cleaned_data["note"],
                    acting_user=acting_user(request),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("%(name)s has been closed; its history is kept.") % {"name": org.name})
                return redirect("organizations:detail", code=org.code)
    ctx = {"form": form, "org": org, "title": _("Dissolve or merge %(name)s") % {"name": org.name}, "danger": True}
    return render(request, "organizations/form.html", ctx)
