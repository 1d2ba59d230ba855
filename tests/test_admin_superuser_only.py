"""The Django admin is for superusers only (issue 13 §2): a staff account holding every model permission
gets nothing from it, on every registered model (third-party ones too), its import and export included.

The admins and their URLs are enumerated from admin.site, so a model registered later is covered as well.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import RequestFactory, override_settings
from django.urls import URLPattern, reverse

from tests.base import BaseTestCase

PERMISSIONS = (
    "has_module_permission",
    "has_view_permission",
    "has_add_permission",
    "has_change_permission",
    "has_delete_permission",
    "has_import_permission",
    "has_export_permission",
)


def admin_urls() -> list[tuple[str, str]]:
    """(name, URL) of every named view of every registered ModelAdmin, any object id given as 1."""
    urls = []
    for model_admin in admin.site._registry.values():
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            regex = pattern.pattern.regex
            if regex.groupindex:
                url = reverse(f"admin:{pattern.name}", kwargs=dict.fromkeys(regex.groupindex, "1"))
            else:  # simple_history's re_path has positional groups
                url = reverse(f"admin:{pattern.name}", args=["1"] * regex.groups)
            urls.append((pattern.name, url))
    return urls


class SuperuserOnlyAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.staff = User.objects.create_user("staffer", "staffer@example.org", "x", is_staff=True)
        self.staff.user_permissions.set(Permission.objects.all())
        self.root = User.objects.create_superuser("root", "root@example.org", "x")

    def assert_refused(self, response: Any, url: str) -> None:
        if response.status_code == 302:
            self.assertTrue(response["Location"].startswith("/admin/login/"), (url, response["Location"]))
        else:
            self.assertEqual(response.status_code, 403, url)
        self.assertNotIn("Content-Disposition", response, url)

    def test_the_staff_account_holds_every_permission(self) -> None:
        # So that what follows is refused for not being a superuser, not for a missing permission.
        staff = User.objects.get(pk=self.staff.pk)
        for model in admin.site._registry:
            opts = model._meta
            for action in ("view", "add", "change", "delete"):
                self.assertTrue(staff.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"), (model, action))

    def test_every_registered_model_is_covered(self) -> None:
        labels = {model._meta.label for model in admin.site._registry}
        # Ours, and the third-party registrations that appear in the admin.
        for label in ("organizations.Organization", "reports.Quota", "recruitment.Candidate", "imports.ImportRun",
                      "auth.User", "axes.AccessAttempt"):  # fmt: skip
            self.assertIn(label, labels)
        names = {name for name, _url in admin_urls()}
        for name in ("organizations_organization_export", "organizations_organization_import",
                     "reports_quota_export", "reports_membershipcount_import"):  # fmt: skip
            self.assertIn(name, names)

    def test_a_staff_account_gets_no_admin_page(self) -> None:
        self.client.force_login(self.staff)
        pages = [("index", "/admin/"), *(("app", f"/admin/{label}/") for label in self.app_labels())]
        for name, url in [*pages, *admin_urls()]:
            with self.subTest(name=name):
                self.assert_refused(self.client.get(url), url)

    def test_a_staff_account_posting_to_the_admin_changes_and_exports_nothing(self) -> None:
        self.client.force_login(self.staff)
        before = self.snapshot()
        for name, url in admin_urls():
            with self.subTest(name=name):
                response = self.client.post(url, {"format": "0", "post": "yes", "action": "export_admin_action"})
                self.assert_refused(response, url)
        self.assertEqual(self.snapshot(), before)

    def test_every_admin_says_no_to_a_staff_account(self) -> None:
        staff, root = RequestFactory().get("/admin/"), RequestFactory().get("/admin/")
        staff.user, root.user = self.staff, self.root
        self.assertFalse(admin.site.has_permission(staff))
        self.assertTrue(admin.site.has_permission(root))
        for model, model_admin in admin.site._registry.items():
            for method in PERMISSIONS:
                if not hasattr(model_admin, method):
                    continue
                with self.subTest(model=model._meta.label, method=method):
                    self.assertFalse(getattr(model_admin, method)(staff))
            self.assertTrue(model_admin.has_module_permission(root), model)
            self.assertTrue(model_admin.has_view_permission(root), model)

    @override_settings(IMPORT_EXPORT_IMPORT_PERMISSION_CODE=None, IMPORT_EXPORT_EXPORT_PERMISSION_CODE=None)
    def test_even_without_the_permission_codes_a_staff_account_cannot_export(self) -> None:
        # django-import-export allows import and export to anyone when the codes are unset.
        request = RequestFactory().get("/admin/")
        request.user = self.staff
        for model_admin in admin.site._registry.values():
            for method in ("has_import_permission", "has_export_permission"):
                if hasattr(model_admin, method):
                    self.assertFalse(getattr(model_admin, method)(request), (model_admin, method))

    def test_the_permission_codes_are_set(self) -> None:
        from django.conf import settings

        self.assertEqual(settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE, "change")
        self.assertEqual(settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE, "view")

    def test_a_superuser_still_opens_every_list_and_the_import_and_export_pages(self) -> None:
        self.client.force_login(self.root)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        for name, url in admin_urls():
            if not name.endswith(("_changelist", "_export", "_import")) or name.endswith("_process_import"):
                continue
            with self.subTest(name=name):
                self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_a_superuser_exports_the_organizations(self) -> None:
        # What the staff account was refused is a real export when a superuser asks.
        self.client.force_login(self.root)
        url = reverse("admin:organizations_organization_export")
        form = self.client.get(url).context["form"]
        data = {"format": "0", **{name: "on" for name in form.fields if name.startswith("organizationresource_")}}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn(b"C1.B1.01", response.content)
        self.client.force_login(self.staff)
        self.assert_refused(self.client.post(url, data), url)

    @staticmethod
    def app_labels() -> set[str]:
        return {model._meta.app_label for model in admin.site._registry}

    @staticmethod
    def snapshot() -> list[Any]:
        return [
            sorted(model._default_manager.values_list("pk", flat=True))
            for model in admin.site._registry
            if model._meta.label != "auth.User"
        ]


class AdminExportsCannotAttackTestCase(BaseTestCase):
    """The Django admin's exports neutralize formula-like text as the app's own exports do (found by a review:
    django-import-export wrote a unit named =HYPERLINK(…) into its csv as it is)."""

    NAMES = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+2")

    def test_formula_like_names_come_out_as_text_and_figures_as_figures(self) -> None:
        import csv
        import io

        from organizations.models import Organization
        from reports.models import Quota

        for i, name in enumerate(self.NAMES):
            Organization.objects.filter(code=f"C1.B1.0{i + 1}" if i < 2 else ("C1.B2" if i == 2 else "C2.B1")).update(
                name=name
            )
        Quota.objects.create(organization=self.orgs["C1"], first_year=2026, last_year=2026, target=12)
        root = User.objects.create_superuser("root", "root@example.org", "x")
        self.client.force_login(root)
        for url_name, prefix in (
            ("admin:organizations_organization_export", "organizationresource_"),
            ("admin:reports_quota_export", "quotaresource_"),
        ):
            url = reverse(url_name)
            form = self.client.get(url).context["form"]
            formats = [label for _value, label in form.fields["format"].choices]
            self.assertEqual(formats, ["---", "csv", "tsv"])
            data = {"format": "0", **{name: "on" for name in form.fields if name.startswith(prefix)}}
            response = self.client.post(url, data)
            self.assertEqual(response.status_code, 200, url)
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
            cells = [cell for row in rows[1:] for cell in row]
            self.assertFalse([c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], cells)
            if url_name.endswith("organization_export"):
                for name in self.NAMES:
                    self.assertIn("'" + name, cells)
            else:
                self.assertIn("12", cells)  # a figure stays a figure
