"""Django admin for quotas and membership counts, for superusers; scoped admins use the quota pages.

Both import and export spreadsheets that name the organization by its code, with history kept
by django-simple-history. They write through the same checks as reports.services (quota_set,
membership_set): the model's full_clean, an unchanged row skipped (no history row); those services
carry no rule of their own beyond that, and nothing is derived from quotas or counts, so the
resources save the rows themselves. (The quota pages' one further rule, a page edits a unit and its
direct children, is about the page.)
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from organizations.models import Organization
from organizations.text import nfc
from reports.models import DocumentForm, MembershipCount, Quota


class OrganizationCodeWidget(ForeignKeyWidget):
    """The organization by its code; an unknown code is a validation error of the row, not a crash."""

    def __init__(self) -> None:
        super().__init__(Organization, field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        code = nfc(str(value)).strip() if value is not None else value
        try:
            return super().clean(code, row, **kwargs)
        except Organization.DoesNotExist:
            raise ValidationError({"organization": _("No organization with code %(code)s.") % {"code": code}}) from None


class _ByCodeResource(resources.ModelResource):
    organization = fields.Field(attribute="organization", column_name="code", widget=OrganizationCodeWidget())

    def get_queryset(self) -> Any:
        # One query for the rows and their organizations' codes.
        return super().get_queryset().select_related("organization")

    def import_data(self, *args: Any, **kwargs: Any) -> Any:
        # All or nothing: one bad row keeps every other row of the file out too.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(*args, **kwargs)


class QuotaResource(_ByCodeResource):
    """code, first_year, last_year, category, target, rate, note; a re-imported row replaces the quota."""

    class Meta:
        model = Quota
        import_id_fields = ("organization", "first_year", "last_year", "category")
        fields = ("organization", "first_year", "last_year", "category", "target", "rate", "note")
        export_order = fields
        skip_unchanged = True
        use_transactions = True
        clean_model_instances = True


class MembershipCountResource(_ByCodeResource):
    """code, year, members: as the membership sheet of the workbook."""

    class Meta:
        model = MembershipCount
        import_id_fields = ("organization", "year")
        fields = ("organization", "year", "members")
        export_order = fields
        skip_unchanged = True
        use_transactions = True
        clean_model_instances = True


@admin.register(Quota)
class QuotaAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [QuotaResource]
    list_display = ("organization", "first_year", "last_year", "category", "target", "rate", "updated_at")
    list_filter = ("first_year", "last_year", "category")
    search_fields = ("organization__code", "organization__name")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
    ordering = ("-first_year", "organization__path", "category")
    list_per_page = 100


@admin.register(MembershipCount)
class MembershipCountAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [MembershipCountResource]
    list_display = ("organization", "year", "members", "updated_at")
    list_filter = ("year",)
    search_fields = ("organization__code", "organization__name")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
    ordering = ("-year", "organization__path")
    list_per_page = 100


@admin.register(DocumentForm)
class DocumentFormAdmin(SimpleHistoryAdmin):
    """The forms of the Party's documents, as data: a renumbered form or a new signer is a new row from its day."""

    list_display = ("key", "valid_from", "form_number", "title", "summary", "issuer_level", "layout", "confidence")
    list_filter = ("key", "layout", "confidence", "issuer_level")
    search_fields = ("key", "form_number", "title", "summary")
    ordering = ("key", "-valid_from")
