"""Django admin of the import runs: read only, for superusers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.models import ImportRun
from organizations.notation import num


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The record of every workbook import: read only (each history row it wrote says `import:<id>`)."""

    list_display = ("pk", "created_at", "created_by", "filename", "short_hash", "size", "counts", "duration_ms",
                    "status", "dry_run")  # fmt: skip
    list_filter = ("status", "dry_run")
    search_fields = ("filename", "sha256", "created_by__username")
    list_select_related = ("created_by", "scope")
    date_hierarchy = "created_at"
    fields = ("created_at", "created_by", "scope", "filename", "sha256", "size", "dry_run", "status", "counts",
              "error_count", "message", "validated_at", "confirmed_by", "applied_at", "duration_ms",
              "file_deleted_at")  # fmt: skip
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> Any:
        # The stored file and the plan can be megabytes each: a list does not need them.
        return super().get_queryset(request).defer("content", "plan")

    @admin.display(description=gettext_lazy("SHA-256"))
    def short_hash(self, obj: ImportRun) -> str:
        return obj.sha256[:12]

    @admin.display(description=gettext_lazy("rows"))
    def counts(self, obj: ImportRun) -> str:
        totals = {key: num(sum(int(s.get(key, 0)) for s in obj.summary)) for key in ("created", "updated", "unchanged")}
        return _("created %(created)s, updated %(updated)s, unchanged %(unchanged)s, errors %(errors)s") % {
            **totals,
            "errors": num(obj.error_count),
        }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
