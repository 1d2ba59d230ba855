"""The congress page beside the quotas (/quotas/CODE/congresses/), and the term's days on the dashboard,
the quota page and in the Django admin."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations import services
from organizations.models import Congress, Membership, Organization, Role
from recruitment.models import Stage
from reports.models import Quota
from tests.base import BaseTestCase
from tests.people import make_candidate
from tests.test_attainment import admit
from tests.test_exports_attainment import sheet_list
from tests.trees import bulk_tree

D = datetime.date


def url(code: str) -> str:
    return f"/quotas/{code}/congresses/"


class CongressPageTestCase(BaseTestCase):
    def post(self, user: User, code: str, **data: str) -> object:
        self.client.force_login(user)
        body = {"term": "2025-2030", "held_on": "15/10/2025", "document": "", "note": "", **data}
        return self.client.post(url(code), body)

    def test_an_admin_records_a_congress_and_the_term_starts_on_its_day(self) -> None:
        r = self.post(self.alice, "C1", held_on="20/08/2025", document="01-NQ/ĐH")
        self.assertRedirects(r, url("C1"), fetch_redirect_response=False)  # type: ignore[arg-type]
        congress = Congress.objects.get(organization=self.orgs["C1"])
        self.assertEqual(
            (congress.term, congress.held_on, congress.document), ("2025-2030", D(2025, 8, 20), "01-NQ/ĐH")
        )
        self.assertEqual(congress.history.latest().history_user, self.alice)
        page = self.client.get(url("C1.B1")).content.decode()
        self.assertIn("20/08/2025", page)  # inherited by the unit below, with where it comes from
        self.assertIn(self.orgs["C1"].name, page)

    def test_the_units_own_admin_records_it_too(self) -> None:
        self.post(self.erin, "C1")
        self.assertTrue(Congress.objects.filter(organization=self.orgs["C1"]).exists())

    def test_the_page_is_in_vietnamese(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(url("C1")).content.decode()
        self.assertIn("Đại hội và nhiệm kỳ", page)
        self.assertIn("Ghi nhận đại hội", page)

    def test_a_viewer_reads_it_without_a_form_and_may_not_write(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(url("C1"))
        self.assertEqual(r.status_code, 200)
        self.assertNotIn('name="held_on"', r.content.decode())
        self.assertEqual(self.post(self.bob, "C1").status_code, 403)  # type: ignore[attr-defined]
        self.assertEqual(self.post(self.dave, "C1").status_code, 403)  # type: ignore[attr-defined]
        self.assertFalse(Congress.objects.exists())

    def test_an_outsider_gets_404(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(url("C1")).status_code, 404)
        self.assertEqual(self.post(self.charlie, "C1").status_code, 404)  # type: ignore[attr-defined]
        self.assertEqual(self.client.get(url("NOPE")).status_code, 404)
        self.assertFalse(Congress.objects.exists())

    def test_it_rejects_other_methods(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.put(url("C1")).status_code, 405)

    def test_a_wrong_term_or_day_is_shown_on_its_box(self) -> None:
        r = self.post(self.alice, "C1", term="2030-2025")
        self.assertEqual(r.status_code, 200)  # type: ignore[attr-defined]
        self.assertContains(r, "2025-2030")  # type: ignore[arg-type]
        r = self.post(self.alice, "C1", held_on="01/01/2029")
        self.assertContains(r, "has-error")  # type: ignore[arg-type]
        self.assertFalse(Congress.objects.exists())

    def test_congresses_out_of_their_terms_order_are_refused_on_the_form(self) -> None:
        self.post(self.alice, "C1", term="2025-2030", held_on="02/03/2025")
        r = self.post(self.alice, "C1", term="2024-2025", held_on="05/03/2025")
        self.assertContains(r, "02/03/2025")  # type: ignore[arg-type]
        self.assertEqual(Congress.objects.count(), 1)

    def test_removing_a_congress(self) -> None:
        congress = services.congress_record(
            org=self.orgs["C1"], first_year=2025, last_year=2030, held_on=D(2025, 8, 20)
        )
        remove = f"{url('C1')}{congress.pk}/remove/"
        for user, status in [(self.charlie, 404), (self.bob, 403), (self.dave, 403)]:
            self.client.force_login(user)
            self.assertEqual(self.client.post(remove).status_code, status, user.username)
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(remove).status_code, 405)
        self.assertEqual(Congress.objects.count(), 1)
        self.assertRedirects(self.client.post(remove), url("C1"), fetch_redirect_response=False)
        self.assertFalse(Congress.objects.exists())

    def test_a_congress_of_another_organization_is_not_removed_through_this_one(self) -> None:
        c2 = self.orgs["C2"]
        congress = services.congress_record(org=c2, first_year=2025, last_year=2030, held_on=D(2025, 8, 20))
        self.client.force_login(self.erin)
        self.assertEqual(self.client.post(f"{url('C1')}{congress.pk}/remove/").status_code, 404)
        self.assertTrue(Congress.objects.exists())


class TermDaysOnPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        Quota.objects.create(organization=self.orgs["P"], first_year=2025, last_year=2030, target=4)
        admit(self.orgs["C1.B1.01"], 2, D(2025, 10, 14))
        admit(self.orgs["C1.B1.01"], 3, D(2025, 10, 15))
        self.client.force_login(self.alice)

    def test_the_dashboard_counts_and_shows_the_terms_days(self) -> None:
        r = self.client.get("/", {"org": "P", "term": "2025-2030"})
        page = r.content.decode()
        self.assertEqual(r.context["att"].total.admitted, 3)
        self.assertIn('id="term-days"', page)
        self.assertIn("15/10/2025", page)
        self.assertIn("31/12/2030", page)
        self.assertIn(self.orgs["P"].name, page)
        before = self.client.get("/", {"org": "P", "term": "2020-2025"})
        self.assertEqual(before.context["att"].total.admitted, 2)
        self.assertIn("14/10/2025", before.content.decode())

    def test_a_commune_user_reads_the_provinces_congress_day_without_its_name(self) -> None:
        # The province's congress opens C1's term, but the province is outside Dave's scope (commune C1): the
        # pages and the xlsx give its day as that of "a level above", never its name (README, "Security").
        self.client.force_login(self.dave)
        pages = [
            self.client.get("/", {"org": "C1", "term": "2025-2030"}).content.decode(),
            self.client.get("/quotas/C1/", {"term": "2025-2030"}).content.decode(),
            self.client.get("/quotas/C1/congresses/").content.decode(),
        ]
        xlsx = self.client.get(reverse("report-xlsx"), {"org": "C1", "term": "2025-2030"})
        pages.append(sheet_list(xlsx.content)[0].value("A4"))
        for page in pages:
            self.assertIn("15/10/2025", page)
            self.assertIn("đại hội của cấp trên", page)
            self.assertNotIn(self.orgs["P"].name, page)

    def test_the_dashboard_of_a_year_shows_no_term_days(self) -> None:
        r = self.client.get("/", {"org": "P", "year": "2025"})
        self.assertEqual(r.context["att"].total.admitted, 5)
        self.assertNotIn('id="term-days"', r.content.decode())

    def test_the_quota_page_shows_the_terms_days(self) -> None:
        page = self.client.get("/quotas/C1/", {"term": "2025-2030"}).content.decode()
        self.assertIn("15/10/2025", page)
        self.assertIn(url("C1"), page)

    def test_the_xlsx_export_of_the_dashboard_has_them_and_the_csv_keeps_its_columns(self) -> None:
        r = self.client.get(reverse("report-csv"), {"org": "P", "term": "2025-2030"})
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("15/10/2025", r.content.decode("utf-8-sig"))
        r = self.client.get(reverse("report-xlsx"), {"org": "P", "term": "2025-2030"})
        self.assertIn("15/10/2025", sheet_list(r.content)[0].value("A4"))


class TermDashboardQueryCountTestCase(BaseTestCase):
    def count(self, code: str, **query: str) -> int:
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as ctx:
            r = self.client.get("/", {"org": code, **query})
        self.assertEqual(r.status_code, 200)
        return len(ctx.captured_queries)

    def test_a_term_with_a_congress_costs_a_few_queries_more_than_a_year_whatever_the_tree(self) -> None:
        small = bulk_tree(root_code="S", communes=3, bases_per_commune=2)
        big = bulk_tree(root_code="B", communes=40, bases_per_commune=24)
        for root in (small, big):
            cells = Organization.objects.filter(path__startswith=root.path, depth=3).order_by("path")
            for cell in cells[:3]:
                admit(cell, 1, D(2025, 10, 20))
                make_candidate(cell, Stage.DOSSIER)
            services.congress_record(org=root, first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
            Membership.objects.create(user=self.alice, organization=root, role=Role.VIEWER)
        year = self.count("B", year="2026")
        term = self.count("B", term="2025-2030")
        self.assertEqual(term, self.count("S", term="2025-2030"))
        # The congresses of the chain and the scan of the partial first month (the quotas' terms are
        # read only when the term has no congress).
        self.assertEqual(term, year + 2)


class CongressAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.root = User.objects.create_superuser("root", "root@example.org", "x")

    def test_a_superuser_records_a_congress_through_the_service(self) -> None:
        self.client.force_login(self.root)
        data = {
            "organization": self.orgs["C1"].pk,
            "first_year": 2025,
            "last_year": 2030,
            "held_on": "2025-08-20",
            "document": "",
            "note": "",
        }
        r = self.client.post("/admin/organizations/congress/add/", data)
        self.assertEqual(r.status_code, 302)
        congress = Congress.objects.get()
        self.assertEqual(congress.history.latest().history_user, self.root)
        # Out of the terms' order: refused on the form, with the congress in the way named.
        data.update(first_year=2024, last_year=2025, held_on="2025-09-01")
        r = self.client.post("/admin/organizations/congress/add/", data)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "20/08/2025")
        self.assertEqual(Congress.objects.count(), 1)
        r = self.client.post(f"/admin/organizations/congress/{congress.pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Congress.objects.exists())

    def test_a_scoped_admin_has_no_congress_admin(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get("/admin/organizations/congress/")
        self.assertEqual(r.status_code, 302)
