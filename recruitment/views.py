from __future__ import annotations

import datetime
import secrets
import string
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations import access as org_access
from organizations import selectors as org_selectors
from organizations.notation import short_date
from organizations.selectors import trail_in_scope
from organizations.text import fold
from organizations.web import acting_user, add_errors
from recruitment import access, audit, corrections, exports, past, records, rules, selectors, services, transfer_views
from recruitment.filters import CandidateFilter, with_stage_order
from recruitment.forms import (
    CandidateForm,
    DeleteIntroducerForm,
    IntroducerForm,
    NewCandidateForm,
    StepForm,
    WarningResolveForm,
)
from recruitment.models import DOSSIER_STAGES, ENDED_STAGES, PIPELINE, AccessKind, Candidate, Introducer, Stage

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 200_000
DEADLINE_ROWS = 20
ORG_MATCHES = 20  # a unit's name typed in the list's filter: how many units answering to it are read


def _filtered(request: HttpRequest) -> CandidateFilter:
    qs = with_stage_order(access.visible_candidates(request.user)).select_related("organization")
    return CandidateFilter(_search_params(request), queryset=qs.order_by("sort_name", "pk"), request=request)


# A search by citizen ID never lands in a URL (nor so in an access log): the list's filter form is
# posted, and a number searched for is kept in the session, the URL naming it by an opaque token
# (?s=…) that the pages, the sorting and the export carry. A search by name stays in the URL (?q=…),
# bookmarkable like every other filter.
SEARCH_TOKEN = "s"  # noqa: S105 (the name of a query parameter)
SEARCH_SESSION_KEY = "candidate_searches"
SEARCHES_KEPT = 20


def _is_number(term: str) -> bool:
    """Whether a search carries digits of a citizen ID (alone or beside a name): kept out of the URL."""
    return bool(access.split_search(term)[1])


def _search_params(request: HttpRequest) -> QueryDict:
    """The list's filters: the query string, with the number its search token stands for."""
    params = request.GET.copy()
    token = params.get(SEARCH_TOKEN)
    if token is not None:
        del params[SEARCH_TOKEN]
        term = request.session.get(SEARCH_SESSION_KEY, {}).get(token)
        if term is not None:
            params["q"] = term
    return params


def _new_token() -> str:
    """An opaque search token of letters only (52^12, about 2^68): a run of digits in a URL, even a random one,
    would read as part of a number (and the URLs are checked for none)."""
    return "".join(secrets.choice(string.ascii_letters) for _ in range(12))


def _search_url(request: HttpRequest, params: QueryDict) -> str:
    """The list's URL for these filters, a number searched for replaced by a token kept in the session."""
    params = params.copy()
    term = params.get("q", "")
    if _is_number(term):
        del params["q"]
        searches = dict(request.session.get(SEARCH_SESSION_KEY, {}))
        token = next((t for t, kept in searches.items() if kept == term), None) or _new_token()
        searches.pop(token, None)
        searches[token] = term  # the newest last: the oldest are forgotten first
        request.session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
        params[SEARCH_TOKEN] = token
    query = params.urlencode()
    return reverse("recruitment:list") + (f"?{query}" if query else "")


def _stale_message(request: HttpRequest, candidate: Candidate, exc: services.StaleCandidate) -> str:
    """Whose save came first: the person's latest change in their history was this user's own (another tab,
    another window) or someone else's."""
    latest = candidate.history.order_by("-history_date", "-history_id").only("history_user_id").first()
    if latest is not None and latest.history_user_id == request.user.pk:
        return _("This record was changed since you opened it (in another tab or window, perhaps). Nothing was saved.")
    return str(exc)


def _stale(request: HttpRequest, candidate: Candidate, exc: services.StaleCandidate) -> HttpResponse:
    messages.error(request, _stale_message(request, candidate, exc))
    return redirect("recruitment:detail", pk=candidate.pk)


def _shown(obj: Any, name: str) -> str:
    """A recorded value as the refused form's note writes it."""
    value = getattr(obj, name)
    if value is None or value == "":
        return _("empty")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return short_date(value)
    display = getattr(obj, f"get_{name}_display", None)
    return str(display() if display else value)


def _keep_stale_form(
    request: HttpRequest, form: Any, candidate: Candidate, exc: services.StaleCandidate, *,
    recorded: Any, names: dict[str, str] | None = None, note_empty: bool = True,
) -> None:  # fmt: skip
    """A save refused because the record changed since the form was read: the form keeps what the user typed,
    each field whose value on record now differs says what it is, and the form carries the version read now, so
    that saving again, once checked, records what the form then holds. `recorded`: the object the form's fields
    are compared with (None: none, the form adds something new); `names`: the form's fields and its attributes
    where they differ; `note_empty`: whether a field empty on record is noted (not on a step's new data)."""
    candidate.refresh_from_db()  # the service wrote the refused values on it
    form.add_error(None, _stale_message(request, candidate, exc))
    form.add_error(
        None,
        _(
            "What you typed is kept below; where the record now holds something else, it is written under the "
            "field. Check, then save again to record what the form holds."
        ),
    )
    names = names or {}
    for field_name, value in form.cleaned_data.items() if recorded is not None else ():
        attr = names.get(field_name, field_name)
        if field_name == "version" or not hasattr(recorded, attr) or field_name not in form.fields:
            continue
        now = getattr(recorded, attr)
        if now == value or (now in (None, "") and (value in (None, "") or not note_empty)):
            continue
        note = _("On record now: %(value)s") % {"value": _shown(recorded, attr)}
        bound = form[field_name]  # the bound field copied the help text when the form was cleaned
        bound.help_text = f"{bound.help_text} {note}" if bound.help_text else note
    data = form.data.copy()
    data["version"] = str(candidate.version)
    form.data = data


def _version(form: Any) -> int:
    return int(form.cleaned_data["version"])


def _unit_typed(request: HttpRequest, params: QueryDict) -> None:
    """The organization filter's box as sent: a unit's name typed without choosing from the picker's list (no
    script, or Enter pressed) is the unit it names, when one unit in the scope answers to it; the unit chosen
    before (the hidden `org`) stands only while the box still holds its name; an emptied box filters by none."""
    if "unit" not in request.POST:
        return  # no box sent: the unit as chosen
    typed = request.POST["unit"].strip()
    code = params.get("org")
    if not typed:
        params.pop("org", None)
        return
    if code:
        current = org_access.visible_organizations(request.user).filter(code=code).only("code", "name").first()
        if current is not None and (fold(current.name) == fold(typed) or current.code == typed):
            return
        params.pop("org", None)  # another name typed over the unit chosen before
    found = org_selectors.search(request.user, typed, include_inactive=True, limit=ORG_MATCHES)
    exact = [org for org in found if fold(org.name) == fold(typed) or org.code == typed]
    chosen = exact if len(exact) == 1 else found
    if len(chosen) == 1:
        params["org"] = chosen[0].code
    elif chosen:
        message = _("Several organizations answer to “%(name)s”: choose one from the list under the box.")
        messages.info(request, message % {"name": typed})
    else:
        messages.info(request, _("No organization in your scope answers to “%(name)s”.") % {"name": typed})


@login_required
@require_http_methods(["GET", "POST"])
def candidate_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # The filter form: its filled fields become the list's URL (a number searched for, a token).
        names = set(CandidateFilter.base_filters)
        params = QueryDict(mutable=True)
        for name, values in request.POST.lists():
            if name in names:
                params.setlist(name, [v for v in values if v.strip()])
        _unit_typed(request, params)
        return redirect(_search_url(request, params))
    if _is_number(request.GET.get("q", "")):
        return redirect(_search_url(request, request.GET))  # an old link or a typed URL: out of the links
    token = request.GET.get(SEARCH_TOKEN)
    if token is not None and token not in request.session.get(SEARCH_SESSION_KEY, {}):
        messages.info(request, _("That search has expired: search again."))
        params = request.GET.copy()
        del params[SEARCH_TOKEN]
        return redirect(_search_url(request, params))
    filterset = _filtered(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "today": timezone.localdate(),
        "can_add": access.can_add_people(request.user),  # from the grants read already: no query
    }
    return render(request, "recruitment/list.html", ctx)


@login_required
@require_GET
def candidate_export(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    rows = filterset.qs
    count = rows.count()
    if count > EXPORT_LIMIT:
        messages.error(request, _("Too many rows to export at once: narrow the list down first."))
        return redirect(f"{reverse('recruitment:list')}?{request.GET.urlencode()}")
    name = f"quan-chung-{timezone.localdate():%Y%m%d}.xlsx"
    data = exports.people_workbook(
        rows, national_id=access.national_id_expression(request.user), phone=access.phone_expression(request.user)
    )
    code = (getattr(filterset.form, "cleaned_data", {}).get("org") or "").strip()
    org = org_access.visible_organizations(request.user).filter(code=code).first() if code else None
    audit.record_export(
        request.user, AccessKind.EXPORT, organization=org, filters=_filters_text(_search_params(request)), rows=count
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _filters_text(params: QueryDict) -> str:
    """The filters of a list as the access log shows them: stage=open; org=C1. A number searched for is
    masked like a viewer's citizen ID: the log is read by administrators who may not see it whole."""

    def shown(key: str, value: str) -> str:
        if key != "q" or not _is_number(value):
            return value
        words, digits = access.split_search(value)
        return " ".join(filter(None, (words, access.masked_national_id(digits))))

    return "; ".join(f"{key}={shown(key, value)}" for key, values in params.lists() for value in values if value)


def _tell_earlier(request: HttpRequest, candidate: Candidate) -> None:
    """A new candidacy linked to an earlier record of the same citizen ID: say so, within the scope in full."""
    previous = candidate.previous
    if previous is None:
        return
    if not org_access.can_read(request.user, previous.organization):
        messages.info(
            request,
            _(
                "This citizen ID has an earlier record in another unit, outside your scope; it is linked to this "
                "candidacy. For its details, ask the level above your unit, which can see both."
            ),
        )
        return
    message = _("This citizen ID has an earlier record in %(org)s (%(stage)s); it is linked to this candidacy.") % {
        "org": previous.organization.name,
        "stage": previous.get_stage_display(),
    }
    if candidate.readmission:
        message += " " + _("The records show an earlier admission: this is a readmission.")
    messages.info(request, message)


@login_required
@require_http_methods(["GET", "POST"])
def candidate_create(request: HttpRequest, code: str) -> HttpResponse:
    org = org_access.get_organization_for_user(request.user, code, write=True)
    form = NewCandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            candidate = services.candidate_create(organization=org, acting_user=acting_user(request), **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is on the source list.") % {"name": candidate.full_name})
            _tell_earlier(request, candidate)
            return redirect("recruitment:detail", pk=candidate.pk)
    ctx = {"form": form, "org": org, "title": _("New candidate in %(name)s") % {"name": org.name}}
    return render(request, "recruitment/form.html", ctx)


@login_required
@require_GET
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk)
    audit.record_person_view(request.user, candidate)
    can_write = org_access.can_write(request.user, candidate.organization)
    introducers = list(candidate.introducers.all())
    not_on_record = records.missing(candidate, introducers=len(introducers))
    ctx = {
        "c": candidate,
        "trail": trail_in_scope(request.user, candidate.organization),
        "timeline": _timeline(candidate),
        "introducers": introducers,
        "not_on_record": not_on_record,
        "warnings": list(candidate.warnings.select_related("resolved_by")),
        # The web's transfer is recruitment.transfers' (its own page), not the leaving step of the source list.
        "steps": [s for s in services.available_steps(candidate) if s.name != "transfer"] if can_write else [],
        "can_write": can_write,
        "can_edit_introducers": can_write
        and (candidate.stage in DOSSIER_STAGES or services.introducers_may_be_added(candidate)),
        "resolve_form": WarningResolveForm(),
        "today": timezone.localdate(),
        "ended_stages": ENDED_STAGES,
        **_earlier_records(request, candidate),
        **transfer_views.detail_context(request.user, candidate, can_write=can_write),
    }
    return render(request, "recruitment/detail.html", ctx)


def _earlier_records(request: HttpRequest, candidate: Candidate) -> dict[str, Any]:
    """The person's earlier records (the linked chain, one query): those within the user's scope in full, of
    the others only that they exist and whom to ask (services.outside_scope_message)."""
    records = past.earlier_records(candidate)
    shown = [r for r in records if org_access.can_read(request.user, r.organization)]
    party_past = past.party_past(records, visible=lambda r: org_access.can_read(request.user, r.organization))
    return {
        "earlier": shown,
        "earlier_outside": services.outside_scope_message() if len(shown) < len(records) else "",
        # The day the person left, where the records say it and the user may see them all.
        "left_on_record": party_past.left_on if party_past.visible else None,
    }


def _timeline(candidate: Candidate) -> list[dict[str, Any]]:
    """The recorded steps (stage events), with the acts the record dates but no step recorded, as an
    import leaves them (it records one step: to the stage the dates imply), in the order of their dates."""
    events = list(candidate.events.select_related("acting_user").prefetch_related(corrections.TRAIL))
    trails = corrections.trails(events)  # each entry's corrections, and whether it was undone
    reached = {e.to_stage for e in events if not e.stayed and trails[e.pk].undone is None}
    entries = [{"date": e.act_date, "event": e, "trail": trails[e.pk]} for e in events]
    entries += [
        {"date": day, "stage": Stage(stage).label}
        for day, stage in rules.recorded_acts(candidate)
        if stage not in reached
    ]
    return sorted(entries, key=lambda entry: (entry["date"], "event" in entry))


@login_required
@require_http_methods(["GET", "POST"])
def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    form = CandidateForm(request.POST or None, instance=candidate, initial={"version": candidate.version})
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
        version = form.cleaned_data["version"] or 0
        try:
            services.candidate_update(candidate=candidate, version=version, acting_user=acting_user(request), **data)
        except services.StaleCandidate as exc:
            _keep_stale_form(request, form, candidate, exc, recorded=candidate)
        except ValidationError as exc:
            candidate.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("recruitment:detail", pk=candidate.pk)
    ctx = {"form": form, "c": candidate, "title": _("Edit %(name)s") % {"name": candidate.full_name}}
    return render(request, "recruitment/form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def candidate_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    if step not in services.STEPS:
        raise Http404
    if services.STEPS[step] not in services.available_steps(candidate):
        messages.error(request, _("This step is not possible at the person's current stage."))
        return redirect("recruitment:detail", pk=candidate.pk)
    if step == "transfer":  # replaced on the web by the transfer of party activity (recruitment.transfers)
        return redirect("recruitment:transfer_send", pk=candidate.pk)
    spec = services.STEPS[step]
    # What the step sets that is on record already (the day the cell received the decision) is offered as it is.
    recorded = {name: value for name in spec.fields if (value := getattr(candidate, name)) not in (None, "", False)}
    backfill = tuple(records.missing_fields(candidate)) if spec.to in PIPELINE else ()
    form = StepForm(
        request.POST or None, step=step, stage=candidate.stage, candidate=candidate, backfill=backfill,
        initial={**recorded, "version": candidate.version},
    )  # fmt: skip
    fixes: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            event = services.candidate_advance(
                candidate=candidate, step=step, version=_version(form), acting_user=acting_user(request),
                **form.service_kwargs(),
            )  # fmt: skip
        except services.StaleCandidate as exc:
            # The service set the new stage on the candidate before it refused: read again.
            names = {"act_date": spec.date_field, "document_no": spec.number_field or "document_no"}
            _keep_stale_form(request, form, candidate, exc, recorded=candidate, names=names, note_empty=False)
        except ValidationError as exc:
            candidate.refresh_from_db()
            errors = _step_errors(exc, form.step)
            add_errors(form, errors)
            fixes = _fixes(candidate, errors, form)
        else:
            messages.success(request, _step_message(event))
            return redirect("recruitment:detail", pk=candidate.pk)
    danger = form.step.to in ENDED_STAGES
    ctx = {"form": form, "c": candidate, "title": form.step.label, "step": form.step, "danger": danger}
    return render(request, "recruitment/form.html", {**ctx, "fixes": fixes})


def _step_errors(exc: ValidationError, step: services.Step) -> ValidationError:
    """The rules name the model's fields; the step form calls the step's date and number act_date and document_no."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {step.date_field: "act_date", step.number_field: "document_no"}
    errors: dict[str, list[ValidationError]] = {}
    for field, field_errors in exc.error_dict.items():
        errors.setdefault(names.get(field, field), []).extend(field_errors)
    return ValidationError(errors)


def _fixes(candidate: Candidate, exc: ValidationError, form: Any) -> list[dict[str, str]]:
    """Where what a refused step found missing or wrong is put right, when it is not on the step's form: the
    introducers on their form, the person's particulars and dossier on the edit page (at the field)."""
    if not hasattr(exc, "error_dict"):
        return []
    fixes: list[dict[str, str]] = []
    edit = reverse("recruitment:edit", args=[candidate.pk])
    for field in exc.error_dict:
        if field in form.fields:
            continue
        if field == "introducers":
            if services.introducers_may_be_added(candidate):
                url = reverse("recruitment:introducer_add", args=[candidate.pk])
                fixes.append({"url": url, "label": _("Add an introducer")})
            fixes.append({"url": reverse("recruitment:detail", args=[candidate.pk]) + "#introducers",
                          "label": _("Check the introducers on the person's page")})  # fmt: skip
        elif field in services.EDITABLE_FIELDS:
            label = capfirst(getattr(Candidate._meta.get_field(field), "verbose_name", field))
            fixes.append({"url": f"{edit}#id_{field}", "label": _("Edit: %(field)s") % {"field": label}})
    return list({f["url"]: f for f in fixes}.values())  # each place once


def _step_message(event: Any) -> str:
    if event.stayed:
        return _("Recorded. The vote did not reach the threshold: the person stays at this stage.")
    return _("Recorded: %(stage)s.") % {"stage": event.get_to_stage_display()}


@login_required
@require_http_methods(["GET", "POST"])
def introducer_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    form = IntroducerForm(request.POST or None, initial={"version": candidate.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.introducer_add(candidate=candidate, version=version, acting_user=acting_user(request), **data)
        except services.StaleCandidate as exc:
            _keep_stale_form(request, form, candidate, exc, recorded=None)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Introducer added."))
            return redirect("recruitment:detail", pk=candidate.pk)
    ctx = {"form": form, "c": candidate, "title": _("Add an introducer")}
    return render(request, "recruitment/form.html", ctx)


def _introducer(candidate: Candidate, pk: int) -> Introducer:
    """An introducer of a candidate the caller reached through access.get_candidate_for_user."""
    introducer = candidate.introducers.filter(pk=pk).first()
    if introducer is None:
        raise Http404
    introducer.candidate = candidate  # the services claim the version on the object the view holds
    return introducer


def _introducers_fixed(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    """A form the service would refuse is not shown: back to the person's page, saying why."""
    messages.error(request, services.introducers_fixed_message())
    return redirect("recruitment:detail", pk=candidate.pk)


@login_required
@require_http_methods(["GET", "POST"])
def introducer_edit(request: HttpRequest, pk: int, introducer_pk: int) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    introducer = _introducer(candidate, introducer_pk)
    if request.method == "GET" and not services.introducers_may_be_added(candidate):
        return _introducers_fixed(request, candidate)
    recorded = {name: getattr(introducer, name) for name in services.INTRODUCER_FIELDS}
    form = IntroducerForm(request.POST or None, initial={**recorded, "version": candidate.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.introducer_update(introducer=introducer, version=version, acting_user=acting_user(request), **data)
        except services.StaleCandidate as exc:
            if not Introducer.objects.filter(pk=introducer.pk).exists():
                return _stale(request, candidate, exc)  # removed meanwhile: nothing left to edit
            introducer.refresh_from_db()
            _keep_stale_form(request, form, candidate, exc, recorded=introducer)
        except ValidationError as exc:
            introducer.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(request, _("Introducer saved."))
            return redirect("recruitment:detail", pk=candidate.pk)
    ctx = {"form": form, "c": candidate, "title": _("Edit an introducer")}
    return render(request, "recruitment/form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def introducer_delete(request: HttpRequest, pk: int, introducer_pk: int) -> HttpResponse:
    """GET asks first (what is removed, and a button); the removal is the POST."""
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    introducer = _introducer(candidate, introducer_pk)
    if request.method == "GET":
        if not services.introducers_may_be_added(candidate):
            return _introducers_fixed(request, candidate)
        ctx = {"c": candidate, "i": introducer, "title": _("Remove an introducer")}
        return render(request, "recruitment/introducer_delete.html", ctx)
    form = DeleteIntroducerForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    try:
        services.introducer_remove(introducer=introducer, version=_version(form), acting_user=acting_user(request))
    except services.StaleCandidate as exc:
        return _stale(request, candidate, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Introducer removed."))
    return redirect("recruitment:detail", pk=candidate.pk)


@login_required
@require_POST
def warning_resolve(request: HttpRequest, pk: int, warning_pk: int) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    warning = access.get_warning_for_user(request.user, candidate, warning_pk)
    form = WarningResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write how the warning was handled."))
        return redirect("recruitment:detail", pk=candidate.pk)
    try:
        services.warning_resolve(warning=warning, acting_user=acting_user(request), **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The warning is marked as handled."))
    return redirect("recruitment:detail", pk=candidate.pk)


@login_required
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = selectors.deadline_counts(request.user, today)
    sections = [
        (spec, counts[spec.key], selectors.deadline_rows(request.user, spec.key, today, limit=DEADLINE_ROWS))
        for spec in selectors.DEADLINES
    ]
    # The navigation's count follows from these: passing it spares the context processor a query.
    nav_due = counts["overdue"] + counts["warnings"]
    ctx = {"sections": sections, "today": today, "limit": DEADLINE_ROWS, "nav_due": nav_due}
    return render(request, "recruitment/deadlines.html", ctx)


AUDIT_PAGE_SIZE = 50


def _access_log(request: HttpRequest) -> audit.AccessFilter:
    if not audit.can_read_log(request.user):
        raise PermissionDenied(_("The personal data access log is read by administrators."))
    qs = audit.visible_accesses(request.user).select_related("organization", "candidate")
    return audit.AccessFilter(request.GET, queryset=qs)


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    filterset = _access_log(request)
    page = Paginator(filterset.qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "recruitment/access_log.html", {"filter": filterset, "page": page, "query": query.urlencode()}
    )


@login_required
@require_GET
def access_log_export(request: HttpRequest, fmt: str) -> HttpResponse:
    filterset = _access_log(request)
    rows = filterset.qs
    count = rows.count()
    if count > EXPORT_LIMIT:
        messages.error(request, _("Too many rows to export at once: narrow the list down first."))
        return redirect(f"{reverse('recruitment:access_log')}?{request.GET.urlencode()}")
    name = f"truy-cap-du-lieu-ca-nhan-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        data, content_type = audit.log_csv(rows), "text/csv; charset=utf-8"
    else:
        data, content_type = audit.log_workbook(rows), XLSX
    audit.record_export(  # after the file is written: it lists the accesses before its own
        request.user, AccessKind.AUDIT_EXPORT, organization=None, filters=_filters_text(request.GET), rows=count
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
