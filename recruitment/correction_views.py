"""The pages that correct a recorded step or undo the last one (recruitment.corrections)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organizations.web import acting_user, add_errors
from recruitment import access, corrections, services
from recruitment.forms import CorrectionForm, UndoForm
from recruitment.models import Candidate, CorrectionKind, StageEvent


def _event_for(request: HttpRequest, pk: int, event_pk: int) -> tuple[Candidate, StageEvent]:
    """The candidate through the one gate (404 outside the scope, 403 for a viewer), then one of its events."""
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    event = StageEvent.objects.filter(pk=event_pk, candidate=candidate).select_related("acting_user").first()
    if event is None:
        raise Http404
    event.candidate = candidate
    return candidate, event


def _form_errors(exc: ValidationError, spec: services.Step) -> ValidationError:
    """The services name the model's fields; the form calls the step's date and number act_date and document_no."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {spec.date_field: "act_date", spec.number_field: "document_no"}
    errors: dict[str, list[ValidationError]] = {}
    for name, field_errors in exc.error_dict.items():
        errors.setdefault(names.get(name, name), []).extend(field_errors)
    return ValidationError(errors)


def _initial(event: StageEvent, spec: services.Step, candidate: Candidate) -> dict[str, Any]:
    values = corrections.recorded_values(event, spec, candidate)
    initial = {"version": candidate.version, "act_date": values.pop(spec.date_field)}
    if spec.number_field:
        initial["document_no"] = values.pop(spec.number_field)
    return {**initial, **values}


@login_required
@require_http_methods(["GET", "POST"])
def step_correct(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    candidate, event = _event_for(request, pk, event_pk)
    spec = corrections.event_step(event)
    if spec is None or event.corrections.filter(kind=CorrectionKind.UNDO).exists():
        messages.error(request, _("This entry cannot be corrected here."))
        return redirect("recruitment:detail", pk=candidate.pk)
    initial = _initial(event, spec, candidate)
    form = CorrectionForm(request.POST or None, step=spec, stage=event.from_stage, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.step_correct(
                event=event, version=int(form.cleaned_data["version"]), acting_user=acting_user(request),
                **form.service_kwargs(),
            )  # fmt: skip
        except services.StaleCandidate as exc:
            candidate.refresh_from_db()
            form.add_error(None, str(exc))
        except ValidationError as exc:
            candidate.refresh_from_db()
            add_errors(form, _form_errors(exc, spec))
        else:
            messages.success(request, _("Corrected. The timeline shows what changed and why."))
            return redirect("recruitment:detail", pk=candidate.pk)
    title = _("Correct: %(step)s") % {"step": spec.label}
    ctx = {"form": form, "c": candidate, "event": event, "title": title, "undo": False}
    return render(request, "recruitment/correction_form.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def step_undo(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    candidate, event = _event_for(request, pk, event_pk)
    spec = corrections.event_step(event)
    refusal = corrections.undo_refusal(event)
    if spec is None or refusal:
        messages.error(request, refusal or str(corrections.NOT_A_STEP))
        return redirect("recruitment:detail", pk=candidate.pk)
    form = UndoForm(request.POST or None, initial={"version": candidate.version})
    if request.method == "POST" and form.is_valid():
        try:
            corrections.step_undo(
                event=event, version=int(form.cleaned_data["version"]), acting_user=acting_user(request),
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except services.StaleCandidate as exc:
            candidate.refresh_from_db()
            form.add_error(None, str(exc))
        except ValidationError as exc:
            candidate.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(request, _("The step was undone: %(stage)s.") % {"stage": candidate.get_stage_display()})
            return redirect("recruitment:detail", pk=candidate.pk)
    title = _("Undo: %(step)s") % {"step": spec.label}
    ctx = {"form": form, "c": candidate, "event": event, "title": title, "undo": True}
    return render(request, "recruitment/correction_form.html", ctx)
