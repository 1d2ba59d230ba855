"""Django admin, for superusers only; scoped admins work in the app's own pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import CharWidget
from simple_history.admin import SimpleHistoryAdmin

from organizations import services
from organizations.models import Congress, Membership, Organization, OrganizationEvent
from organizations.text import nfc

# Where a unit sits and whether it still exists: changed on the tree pages only.
TREE_FIELDS = ("is_active", "valid_to", "successor", "path", "depth", "numchild")


class OrganizationResource(resources.ModelResource):
    """Organizations by code, with their parent's code.

    The import changes the tree only through organizations.services, as the tree pages do, dated the
    day of the import and attributed to the superuser importing: a new code is created
    (organization_create), a changed name, kind, sector or start date is an update
    (organization_update), a changed parent_code a move (organization_move), each with its event and
    the tallies kept. What the services refuse is the row's error, and so is a change of is_active or
    valid_to (units are dissolved and merged on the tree pages); one error keeps the whole file out.
    """

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

    def after_init_instance(self, instance: Organization, new: bool, row: Any, **kwargs: Any) -> None:
        # The parent as it stands, so that an unchanged row is skipped and a changed parent is seen.
        stored = ""
        if not new and instance.depth > 1:
            parent = Organization.objects.filter(path=instance.parent_path).values_list("code", flat=True).first()
            stored = parent or ""
        instance.parent_code = stored  # type: ignore[attr-defined]
        # A new unit starts active with no end.
        instance._stored_end = (True, None) if new else (instance.is_active, instance.valid_to)  # type: ignore[attr-defined]

    def import_instance(self, instance: Organization, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        instance.parent_code = (instance.parent_code or "").strip()  # type: ignore[attr-defined]
        if instance.is_active is None:  # blank: not given, so as it stands
            instance.is_active = instance._stored_end[0]  # type: ignore[attr-defined]
        instance.refresh_search_key()

    def validate_instance(
        self, instance: Organization, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        code = getattr(instance, "parent_code", "")
        if code and not Organization.objects.filter(code=code).exists():
            errors["parent_code"] = [_("No organization with code %(code)s.") % {"code": code}]
        if (instance.is_active, instance.valid_to) != instance._stored_end:  # type: ignore[attr-defined]
            errors["is_active"] = [
                _(
                    "A unit is dissolved or merged on its page in the tree (Dissolve or merge), not by an import: keep "
                    "is_active and valid_to as they are (1 and blank for a new unit)."
                )
            ]
        try:
            # path and depth are given by the tree when the row is saved.
            instance.full_clean(exclude=["path", "depth", "numchild", *errors], validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: Organization, is_create: bool, row: Any, **kwargs: Any) -> None:
        """Through the services, in the import's transaction (rolled back after a dry run or any error)."""
        user = kwargs.get("user")
        acting_user = user if user is not None and user.is_authenticated else None
        code = getattr(instance, "parent_code", "")
        parent = Organization.objects.get(code=code) if code else None
        if is_create:
            org = _row_errors(
                "parent_code",
                lambda: services.organization_create(
                    parent=parent,
                    code=instance.code,
                    name=instance.name,
                    kind=instance.kind,
                    sector=instance.sector,
                    valid_from=instance.valid_from,
                    acting_user=acting_user,
                ),
            )
        else:
            org = Organization.objects.get(pk=instance.pk)
            _row_errors(
                "name",
                lambda: services.organization_update(
                    org=org,
                    name=instance.name,
                    kind=instance.kind,
                    sector=instance.sector,
                    valid_from=instance.valid_from,
                    acting_user=acting_user,
                ),
            )
            current = Organization.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
            if parent is None and current is not None:
                raise ValidationError(
                    {"parent_code": [_("Give the code of the unit above: a unit cannot be moved to the top.")]}
                )
            if parent is not None and (current is None or parent.pk != current.pk):
                org = _row_errors(
                    "parent_code",
                    lambda: services.organization_move(
                        org=org,
                        new_parent=parent,
                        effective_date=timezone.localdate(),
                        note=str(_("Moved by an import in the Django admin.")),
                        acting_user=acting_user,
                    ),
                )
        org.refresh_from_db()
        for name in ("id", "path", "depth", "numchild", "search_key"):
            setattr(instance, name, getattr(org, name))
        instance._state.adding = False


def _row_errors(field: str, write: Callable[[], Organization]) -> Organization:
    """The service's refusal as the row's error, under its field (messages without one under `field`)."""
    try:
        return write()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({field: exc.messages}) from exc


class OrganizationAdminForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ("name", "kind", "sector", "valid_from")


@admin.register(Organization)
class OrganizationAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Superusers read the tree and import or export it here; every change goes through the services.

    The form saves name, kind, sector and start through organization_update; the place in the tree
    and the end (is_active, valid_to, successor) are read-only: units are added, moved, dissolved
    and merged on the tree pages (or by the import above). Units are never deleted: they are
    dissolved, and reports on earlier years still find them.
    """

    form = OrganizationAdminForm
    resource_classes = [OrganizationResource]
    list_display = ("code", "name", "kind", "sector", "is_active", "valid_from", "valid_to", "depth")
    list_filter = ("kind", "sector", "is_active")
    search_fields = ("code", "name", "search_key")
    fields = ("code", "name", "kind", "sector", "valid_from", *TREE_FIELDS)
    readonly_fields = ("code", *TREE_FIELDS)
    ordering = ("path",)
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # on the tree pages, or by the import, through organization_create

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # dissolved on the tree pages, never deleted

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        if not change:
            raise PermissionDenied
        stored = Organization.objects.get(pk=obj.pk)
        services.organization_update(
            org=stored,
            name=obj.name,
            kind=obj.kind,
            sector=obj.sector,
            valid_from=obj.valid_from,
            acting_user=request.user,  # type: ignore[arg-type]
        )

    def delete_model(self, request: HttpRequest, obj: Organization) -> None:
        raise PermissionDenied

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        raise PermissionDenied


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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by organizations.services with the change it records

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an audit row is never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CongressAdminForm(forms.ModelForm):
    class Meta:
        model = Congress
        fields = ("organization", "first_year", "last_year", "held_on", "document", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            # The service's own check, shown on the form (the instance gets the values after clean()).
            values = {f: data.get(f, getattr(self.instance, f, None)) for f in ("first_year", "last_year", "held_on")}
            org = data.get("organization") or self.instance.organization
            services.congress_check_order(Congress(pk=self.instance.pk, organization=org, **values))
        return data


@admin.register(Congress)
class CongressAdmin(SimpleHistoryAdmin):
    """Recorded congresses, saved through organizations.services like the congress page."""

    form = CongressAdminForm
    list_display = ("organization", "first_year", "last_year", "held_on", "document")
    list_filter = ("first_year",)
    search_fields = ("organization__code", "organization__name", "document")
    raw_id_fields = ("organization",)
    ordering = ("organization__path", "first_year")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A congress belongs to one organization and term; another term is another congress.
        return ("organization", "first_year", "last_year") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Congress, form: Any, change: bool) -> None:
        saved = services.congress_record(
            org=obj.organization,
            first_year=obj.first_year,
            last_year=obj.last_year,
            held_on=obj.held_on,
            document=obj.document,
            note=obj.note,
            acting_user=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Congress) -> None:
        services.congress_remove(congress=obj, acting_user=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for congress in queryset:
            services.congress_remove(congress=congress, acting_user=request.user)  # type: ignore[arg-type]
