"""The workbook import on the web, for admins: upload → preview → confirm, the work in the background.

An admin sees only the runs they started, and only while the run's scope is still within their
own: any other run does not exist for them (404). Staff and viewers may not import (403).
"""

from __future__ import annotations

import datetime
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import DateField, Field, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imports import failed, pipeline, reading, tasks, template
from imports.models import ImportRun
from organizations.access import AnyUser, grants, is_global
from organizations.models import Organization, Role
from organizations.notation import file_size, megabytes, num, short_date
from organizations.web import acting_user
from recruitment.models import Candidate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = (".xlsx", ".xls", ".csv")  # .xls: Excel 97-2003, still common in offices
ERRORS_PER_PAGE = 100
RECENT_RUNS = 20
# The columns a page needs; the stored file and the parsed plan stay in the database.
HEAVY_FIELDS = ("content", "plan")


def _import_scopes(user: AnyUser) -> list[Organization | None]:
    """Where the user may import: None for everywhere (superusers), else the tops of their admin subtrees."""
    if is_global(user):
        return [None]
    roots: list[Organization | None] = []
    for grant in grants(user):  # sorted by path: an ancestor comes before its descendants
        if grant.role != Role.ADMIN:
            continue
        if any(root is not None and grant.path.startswith(root.path) for root in roots):
            continue
        roots.append(grant.organization)
    return roots


def _covers(scopes: list[Organization | None], scope: Organization | None) -> bool:
    if None in scopes:
        return True
    return scope is not None and any(root is not None and scope.path.startswith(root.path) for root in scopes)


def _admin(request: HttpRequest) -> tuple[User, list[Organization | None]]:
    user = acting_user(request)
    scopes = _import_scopes(user)
    if not scopes:
        raise PermissionDenied(
            _("Importing workbooks is done by administrators: ask an administrator of your committee.")
        )
    return user, scopes


def _runs_for_user(user: User) -> QuerySet[ImportRun]:
    # The list shows no summary nor errors: each may hold hundreds of entries (the listed people, the errors).
    return ImportRun.objects.filter(created_by=user).defer(*HEAVY_FIELDS, "summary", "errors").select_related("scope")


def _get_run_for_user(request: HttpRequest, pk: int, *, with_file: bool = False) -> ImportRun:
    user, scopes = _admin(request)
    runs = ImportRun.objects.select_related("scope", "created_by", "confirmed_by")
    if not with_file:
        runs = runs.defer(*HEAVY_FIELDS)
    run = runs.filter(pk=pk).first()
    if run is None:
        raise Http404
    if run.created_by_id != user.pk and not is_global(user):
        raise Http404
    if not _covers(scopes, run.scope):
        raise Http404
    return run


def nav(request: HttpRequest) -> dict[str, Any]:
    """Context processor: whether the navigation shows the imports link (no query of its own)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_imports": SimpleLazyObject(lambda: bool(_import_scopes(user)))}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook"),
        error_messages={"required": gettext_lazy("Choose a file to import.")},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Import into"), required=False)

    def __init__(self, *args: Any, scopes: list[Organization | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = {str(s.pk) if s else "": s for s in scopes}
        choices = [(key, s.name if s else _("All organizations")) for key, s in self.scopes.items()]
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if len(choices) == 1:
            self.fields["scope"].widget = forms.HiddenInput()
            self.fields["scope"].initial = choices[0][0]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(_("Only Excel (.xlsx, .xls) and .csv files can be imported."))
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."))
        limit = reading.max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB): the limit is %(limit)s MB. Split it into several files.")
                % {"size": megabytes(upload.size), "limit": megabytes(limit)}
            )
        return upload

    def clean_scope(self) -> Organization | None:
        key = self.cleaned_data.get("scope") or ""
        if len(self.scopes) == 1:
            return next(iter(self.scopes.values()))
        if key not in self.scopes:
            raise forms.ValidationError(_("Choose where to import."))
        return self.scopes[key]


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    disposition = content_disposition_header(True, filename) or "attachment"
    return HttpResponse(data, content_type=XLSX, headers={"Content-Disposition": disposition})


def _progress_text(run: ImportRun) -> str:
    if run.status == ImportRun.Status.QUEUED:
        return _("Waiting for the background worker…")
    if run.status == ImportRun.Status.APPLYING:
        return _("Saving the rows…")
    if run.progress_total:
        return _("Checking the rows: %(done)s of %(total)s") % {
            "done": num(run.progress_done),
            "total": num(run.progress_total),
        }
    return _("Reading the file…")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user, scopes = _admin(request)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None, scopes=scopes)
    if posted and form.is_valid():
        file = form.cleaned_data["file"]
        run = tasks.import_start(
            data=file.read(), filename=PurePath(file.name).name, acting_user=user, scope=form.cleaned_data["scope"]
        )
        return redirect("imports:detail", pk=run.pk)
    ctx = {
        "form": form,
        "runs": list(_runs_for_user(user).order_by("-created_at", "-pk")[:RECENT_RUNS]),
        "max_mb": megabytes(reading.max_bytes()),
        "max_rows": reading.max_rows(),
    }
    return render(request, "imports/upload.html", ctx, status=400 if form.errors else 200)


def _shown(field: Any, value: Any) -> str:
    """A listed change's stored value (JSON) as the pages show it: labels for codes, dates dd/mm/yyyy."""
    if value is None or value == "":
        return "—"  # blank: unknown
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, int):
        return num(value)
    if field is not None and isinstance(field, DateField):
        return short_date(datetime.date.fromisoformat(value))
    return str(value)


def _listed_changes(summary: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The people the run adds or updates, as listed in its summary (the first checks.MAX_LISTED_CHANGES), each
    changed field with its label in the reader's language; and how many more it adds or updates, not listed."""
    listed: list[dict[str, Any]] = []
    more = 0
    for sheet in summary:
        changes = sheet.get("changes") or []
        more += max(0, int(sheet.get("created") or 0) + int(sheet.get("updated") or 0) - len(changes))
        for change in changes:
            fields = []
            for name, old, new in change["fields"]:
                if name == "organization":
                    fields.append((_("Party cell"), old or "—", new))
                    continue
                field = Candidate._meta.get_field(name)
                assert isinstance(field, Field)
                fields.append((capfirst(str(field.verbose_name)), _shown(field, old), _shown(field, new)))
            listed.append({**change, "fields": fields})
    return listed, more


def _totals(summary: list[dict[str, Any]]) -> dict[str, int]:
    keys = ("created", "updated", "unchanged", "errors")
    return {key: sum(int(sheet.get(key) or 0) for sheet in summary) for key in keys}


def _overdue_warning(summary: list[dict[str, Any]]) -> dict[str, int] | None:
    """When the run puts more people past their deadline than it takes off: the scope's overdue count now and after."""
    for sheet in summary:
        more = int(sheet.get("overdue_after") or 0) - int(sheet.get("overdue_before") or 0)
        if more > 0 and "overdue_now" in sheet:
            return {"more": more, "now": sheet["overdue_now"], "after": sheet["overdue_now"] + more}
    return None


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _get_run_for_user(request, pk)
    errors = Paginator(run.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    # Sheets named in the reader's language: as in the file in Vietnamese, by their English keys in English.
    summary = [{**sheet, "label": pipeline.sheet_label(sheet["name"], sheet.get("key"))} for sheet in run.summary or []]
    totals = _totals(summary)
    changed = bool(totals["created"] or totals["updated"])
    # A run that saved something is the latest import of its file; one that found nothing to change is not.
    previous = tasks.previous_import(run=run) if run.status != ImportRun.Status.DONE or not changed else None
    listed, more_listed = _listed_changes(summary)
    ctx = {
        "run": run,
        "listed": listed,
        "more_listed": more_listed,
        "running": run.status in tasks.RUNNING,
        "stale": tasks.is_stale(run),
        "previous": previous,
        # Another admin's run of the same scope is named, not linked: its page is not theirs to open.
        "previous_link": previous is not None
        and (previous.created_by_id == run.created_by_id or is_global(request.user)),
        "summary": summary,
        "totals": totals,
        "changed": changed,
        "overdue": _overdue_warning(summary),
        "errors": errors,
        "shown_errors": [pipeline.shown_issue(e) for e in errors.object_list],
        "more_errors": max(0, run.error_count - len(run.errors or [])),
        "can_confirm": tasks.has_changes(run) and not run.dry_run,
        "progress_text": _progress_text(run),
        "size": file_size(run.size),
        "duration": number_format(run.duration_ms / 1000, decimal_pos=1) if run.duration_ms else "",
    }
    return render(request, "imports/detail.html", ctx)


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _get_run_for_user(request, pk)
    stale = tasks.is_stale(run)
    data = {
        "status": run.status,
        "label": _("Stalled") if stale else run.get_status_display(),
        "done": run.progress_done,
        "total": run.progress_total,
        "running": run.status in tasks.RUNNING,
        "stale": stale,
        "text": _progress_text(run),
    }
    return JsonResponse(data, headers={"Cache-Control": "no-store"})


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    run = _get_run_for_user(request, pk)
    if tasks.import_confirm(run=run, acting_user=acting_user(request)):
        messages.success(request, _("Confirmed: the rows are being saved."))
    else:
        refused = _("This import cannot be confirmed: it has errors, it changes nothing, or it was confirmed already.")
        messages.error(request, refused)
    return redirect("imports:detail", pk=run.pk)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    run = _get_run_for_user(request, pk)
    if tasks.import_retry(run=run, acting_user=acting_user(request)):
        messages.success(request, _("The import was queued again."))
    else:
        messages.error(request, _("This import is not stalled: there is nothing to retry."))
    return redirect("imports:detail", pk=run.pk)


@login_required
@require_GET
def failed_rows(request: HttpRequest, pk: int) -> HttpResponse:
    run = _get_run_for_user(request, pk, with_file=True)
    if not run.error_count or run.file_deleted_at:
        raise Http404
    stem = PurePath(run.filename).stem or "import"
    return _xlsx(failed.failed_rows_workbook(run), f"{stem} - dòng lỗi.xlsx")


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    return _xlsx(template.template_workbook(), "mau-nhap-du-lieu.xlsx")
