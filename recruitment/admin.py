from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from organizations.notation import num
from recruitment.models import (
    CalendarDay,
    Candidate,
    CandidateWarning,
    Introducer,
    RuleSet,
    StageCorrection,
    StageEvent,
)
from recruitment.services import candidate_refresh_deadlines


class _RefreshesDeadlines(SimpleHistoryAdmin):
    """Stored deadlines follow the rule set and the calendar: recompute them after a change."""

    def _refresh(self, request: HttpRequest) -> None:
        changed = candidate_refresh_deadlines()
        message = _("Deadlines recomputed: %(n)s candidates changed.") % {"n": num(changed)}
        self.message_user(request, message, messages.INFO)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._refresh(request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        self._refresh(request)


@admin.register(CalendarDay)
class CalendarDayAdmin(_RefreshesDeadlines):
    list_display = ("date", "is_working_day", "reason", "legal_basis")
    list_filter = ("is_working_day",)
    search_fields = ("reason", "legal_basis")
    date_hierarchy = "date"


@admin.register(RuleSet)
class RuleSetAdmin(_RefreshesDeadlines):
    list_display = ("effective_from", "legal_basis", "min_age_months", "probation_months", "decision_working_days")
    search_fields = ("legal_basis",)


class IntroducerInline(admin.TabularInline):
    model = Introducer
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Candidate)
class CandidateAdmin(SimpleHistoryAdmin):
    """View only, for superusers. People change on the candidate pages, through recruitment.services: the
    rules, the steps of the stage, the stage events, the check against someone else's edit and the tallies
    go with every change there. A save here would go around all of them, and routing it through
    candidate_update would only offer the particulars, which the candidate page already edits."""

    list_display = ("full_name", "national_id", "organization", "stage", "stage_date", "due_date")
    list_filter = ("stage",)
    search_fields = ("full_name", "national_id", "organization__code")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
    inlines = [IntroducerInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method == "POST":  # simple-history saves what is posted to an earlier version's page
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raise PermissionDenied

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied


@admin.register(StageEvent)
class StageEventAdmin(admin.ModelAdmin):
    list_display = ("candidate", "from_stage", "to_stage", "act_date", "document_no", "acting_user", "recorded_at")
    list_filter = ("to_stage",)
    raw_id_fields = ("candidate",)
    list_select_related = ("candidate", "acting_user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by recruitment.services with the step it records

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the audit trail is not edited


@admin.register(StageCorrection)
class StageCorrectionAdmin(admin.ModelAdmin):
    list_display = ("event", "kind", "reason", "acting_user", "at")
    list_filter = ("kind",)
    raw_id_fields = ("event",)
    list_select_related = ("event", "acting_user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by recruitment.corrections with the step it corrects

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the audit trail is not edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CandidateWarning)
class CandidateWarningAdmin(admin.ModelAdmin):
    list_display = ("candidate", "code", "due_date", "act_date", "raised_at", "resolved_at")
    list_filter = ("code",)
    raw_id_fields = ("candidate",)
    list_select_related = ("candidate",)
