"""The Django admin, for superusers only: every page, every registered model, every import and export.

Scoped administrators work on the app's own pages, where organizations.access keeps them inside their
subtree; the Django admin sees everything, so nothing in it may depend on model permissions, which a
staff account can be given by mistake (django-import-export even allows import and export to anyone
when its permission codes are unset). `SuperuserAdminSite` is `admin.site` (config.apps), so models
registered by third-party apps are covered too.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from import_export.formats import base_formats

from config import admin_exports


def is_superuser(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.is_superuser)


class SuperuserOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Mixed in front of every ModelAdmin the site registers: a non-superuser may do nothing, whatever
    permissions they hold; for a superuser the admin class decides as before."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and super().has_delete_permission(request, obj)

    # django-import-export's (ImportMixin, ExportMixin): only on the admins that have them.
    def get_export_formats(self) -> list[type]:
        """CSV and TSV whose text cells are neutralized as every export of the app (config.admin_exports)."""
        return [admin_exports.CSV, admin_exports.TSV]

    def get_import_formats(self) -> list[type]:
        return [base_formats.CSV, base_formats.TSV, base_formats.JSON]

    def has_import_permission(self, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        parent = getattr(super(), "has_import_permission", None)
        return is_superuser(request) and (parent is None or bool(parent(request, *args, **kwargs)))

    def has_export_permission(self, request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        parent = getattr(super(), "has_export_permission", None)
        return is_superuser(request) and (parent is None or bool(parent(request, *args, **kwargs)))


class SuperuserAdminSite(admin.AdminSite):
    """admin.site: only an active superuser gets past the login page; every ModelAdmin registered on it
    gets SuperuserOnly in front, so its own permission checks say no to anyone else as well."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_superuser(request)

    def register(
        self, model_or_iterable: type[Model] | Any, admin_class: type[admin.ModelAdmin] | None = None, **options: Any
    ) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SuperuserOnly):
            admin_class = type(
                admin_class.__name__,
                (SuperuserOnly, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
