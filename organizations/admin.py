"""Django admin, for superusers only; scoped admins work in the app's own pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import CharWidget
from simple_history.admin import SimpleHistoryAdmin

from organizations.models import Membership, Organization, OrganizationEvent
from organizations.text import nfc


class OrganizationResource(resources.ModelResource):
    """Organizations by code, with their parent's code; new rows are placed in the tree."""

    parent_code = fields.Field(attribute="parent_code", column_name="parent_code", widget=CharWidget())

    class Meta:
        model = Organization
        import_id_fields = ("code",)
        fields = ("code", "name", "parent_code", "kind", "sector", "is_active", "valid_from", "valid_to")
        export_order = fields
        skip_unchanged = True
        use_transactions = True

    def import_data(self, *args: Any, **kwargs: Any) -> Any:
        # All or nothing: one bad row keeps every other row of the file out too.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(*args, **kwargs)

    def export(self, queryset: Any = None, **kwargs: Any) -> Any:
        # One query for all parent codes instead of one per exported row.
        queryset = self.get_queryset() if queryset is None else queryset
        parent_paths = sorted({org.parent_path for org in queryset if org.depth > 1})
        self._parent_codes: dict[str, str] = {}
        for i in range(0, len(parent_paths), 5000):
            chunk = parent_paths[i : i + 5000]
            self._parent_codes.update(Organization.objects.filter(path__in=chunk).values_list("path", "code"))
        return super().export(queryset=queryset, **kwargs)

    def dehydrate_parent_code(self, org: Organization) -> str:
        if org.depth <= 1:
            return ""
        return self._parent_codes.get(org.parent_path, "")

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        for key in ("code", "name", "parent_code"):
            if row.get(key) is not None:
                row[key] = nfc(str(row[key]))
        row["sector"] = row.get("sector") or ""

    def import_instance(self, instance: Organization, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        instance.parent_code = (row.get("parent_code") or "").strip()  # type: ignore[attr-defined]
        instance.refresh_search_key()

    def validate_instance(
        self, instance: Organization, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        code = getattr(instance, "parent_code", "")
        if code and not Organization.objects.filter(code=code).exists():
            errors["parent_code"] = [_("No organization with code %(code)s.") % {"code": code}]
        try:
            # path and depth are given by the tree when the row is saved.
            instance.full_clean(exclude=["path", "depth", "numchild", *errors], validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance: Organization, is_create: bool) -> None:
        parent_code = getattr(instance, "parent_code", "")
        parent = Organization.objects.filter(code=parent_code).first() if parent_code else None
        if is_create:
            if parent is None:
                Organization.objects.add_root(instance=instance)
            else:
                Organization.objects.add_child(parent, instance=instance)
            return
        instance.save()
        current = instance.parent_path if instance.depth > 1 else None
        if parent is not None and parent.path != current:
            Organization.objects.move(instance, parent, "last-child")


@admin.register(Organization)
class OrganizationAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [OrganizationResource]
    list_display = ("code", "name", "kind", "sector", "is_active", "valid_from", "valid_to", "depth")
    list_filter = ("kind", "sector", "is_active")
    search_fields = ("code", "name", "search_key")
    readonly_fields = ("path", "depth", "numchild")
    ordering = ("path",)
    raw_id_fields = ("successor",)
    list_per_page = 100

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organization__code", "organization__name")
    raw_id_fields = ("user", "organization")


@admin.register(OrganizationEvent)
class OrganizationEventAdmin(admin.ModelAdmin):
    list_display = ("organization", "action", "effective_date", "acting_user", "created_at")
    list_filter = ("action",)
    search_fields = ("organization__code", "organization__name")
    raw_id_fields = ("organization", "from_parent", "to_parent", "acting_user")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an audit row is never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
