from __future__ import annotations

import tablib
from django.contrib.auth.models import User
from django.utils import timezone

from organizations.admin import OrganizationResource
from organizations.models import Organization
from tests.base import BaseTestCase


class AdminTestCase(BaseTestCase):
    def test_a_superuser_opens_the_organization_list(self) -> None:
        self.client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
        r = self.client.get("/admin/organizations/organization/")
        self.assertContains(r, "C1.B1")

    def test_a_scoped_admin_has_no_django_admin(self) -> None:
        self.client.force_login(self.alice)
        self.assertRedirects(
            self.client.get("/admin/organizations/organization/"),
            "/admin/login/?next=/admin/organizations/organization/",
        )


class OrganizationResourceTestCase(BaseTestCase):
    def dataset(self, *rows: tuple[str, ...]) -> tablib.Dataset:
        headers = ("code", "name", "parent_code", "kind", "sector", "is_active", "valid_from", "valid_to")
        return tablib.Dataset(*rows, headers=headers)

    def test_export_includes_the_parent_code(self) -> None:
        data = OrganizationResource().export()
        rows = {row[0]: row for row in data}
        self.assertEqual(rows["C1.B1.01"][2], "C1.B1")
        self.assertEqual(rows["P"][2], "")

    def test_export_takes_a_fixed_number_of_queries(self) -> None:
        # the rows (read twice: for parent paths, then by the exporter) and the parent codes
        with self.assertNumQueries(3):
            OrganizationResource().export()

    def test_import_creates_units_in_the_tree(self) -> None:
        result = OrganizationResource().import_data(
            self.dataset(
                ("C1.B3", "Chi bộ Thôn Nam", "C1", "base_branch", "residential", "1", "", ""),
                ("C1.B3.01", "Tổ đảng 1", "C1.B3", "branch", "", "1", "", ""),
            ),
            dry_run=False,
        )
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertTrue(Organization.objects.get(code="C1.B3.01").is_within(self.org("C1.B3")))
        self.assertEqual(self.org("C1.B3").search_key, "c1.b3 chi bo thon nam")

    def test_import_moves_a_unit_to_its_new_parent(self) -> None:
        row = ("C1.B2", "Chi bộ Công ty Cổ phần Sông Lô", "C2", "base_branch", "private_enterprise", "1", "", "")
        result = OrganizationResource().import_data(self.dataset(row), dry_run=False)
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertTrue(self.org("C1.B2").is_within(self.org("C2")))

    def test_import_reports_an_unknown_parent_and_saves_nothing(self) -> None:
        result = OrganizationResource().import_data(
            self.dataset(
                ("C1.B3", "Chi bộ Thôn Nam", "C1", "base_branch", "", "1", "", ""),
                ("C1.B4", "Chi bộ Thôn Bắc", "NOPE", "base_branch", "", "1", "", ""),
            ),
            dry_run=False,
        )
        self.assertTrue(result.has_validation_errors())
        self.assertFalse(Organization.objects.filter(code__in=["C1.B3", "C1.B4"]).exists())


class ImportRunAdminTestCase(BaseTestCase):
    def test_the_runs_list_gives_the_counts_in_vietnamese_notation(self) -> None:
        from imports.models import ImportRun

        ImportRun.objects.create(
            created_by=self.alice,
            filename="chi-bo.xlsx",
            sha256="0" * 64,
            size=1,
            status=ImportRun.Status.DONE,
            applied_at=timezone.now(),
            summary=[{"sheet": "people", "created": 48000, "updated": 2000, "unchanged": 1500}],
        )
        self.client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
        r = self.client.get("/admin/imports/importrun/", HTTP_ACCEPT_LANGUAGE="vi")
        self.assertContains(r, "thêm mới 48.000, cập nhật 2.000, không đổi 1.500, lỗi 0")
