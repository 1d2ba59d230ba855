from __future__ import annotations

import time_machine
from django.contrib.auth.models import User

from tests.base import BaseTestCase


class HomeTestCase(BaseTestCase):
    def test_it_requires_login(self) -> None:
        self.assertRedirects(self.client.get("/"), "/accounts/login/?next=/")

    @time_machine.travel("2026-03-15 09:00 +0700")
    def test_it_shows_the_users_own_organization_for_the_current_year(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/")
        self.assertEqual(r.context["org"].code, "C1")
        self.assertEqual(str(r.context["period"]), "2026")
        self.assertContains(r, "Đảng bộ Trường THCS Dân Chủ")

    def test_it_shows_an_organization_in_scope(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/", {"org": "C1.B1", "year": "2024"})
        self.assertEqual((r.context["org"].code, str(r.context["period"])), ("C1.B1", "2024"))

    def test_it_accepts_a_term(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/", {"org": "C1", "term": "2020-2025"})
        period = r.context["period"]
        self.assertEqual((period.start.isoformat(), period.end.isoformat()), ("2020-01-01", "2025-12-31"))

    def test_it_explains_a_bad_term(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/", {"org": "C1", "term": "2025-2020"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors["term"])

    def test_it_returns_404_for_an_organization_outside_the_scope(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get("/", {"org": "C1", "year": "2025"}).status_code, 404)

    def test_a_user_without_an_organization_is_told_what_to_do(self) -> None:
        User.objects.create_user("lost", password="x")
        self.client.force_login(User.objects.get(username="lost"))
        r = self.client.get("/")
        self.assertEqual(r.status_code, 403)
        self.assertTemplateUsed(r, "reports/no_scope.html")

    def test_it_rejects_post(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post("/").status_code, 405)

    def test_it_uses_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        # session, user, grants, moves after the day, children, the grouped figures (months
        # included), quotas, membership counts and, none being entered, those of the units below;
        # idle units (count and list in one), the forecast of the open year (issue 18: the unit's past at each
        # stage, one grouped query), and the deadline counts of the navigation.
        # test_view_dashboard checks the count at 10 and at 1,000 units.
        with self.assertNumQueries(12):
            self.client.get("/")


class FaviconTestCase(BaseTestCase):
    def test_pages_name_the_icon_and_favicon_ico_leads_to_it(self) -> None:
        from django.contrib.staticfiles import finders

        self.assertIsNotNone(finders.find("favicon.svg"))
        self.assertContains(self.client.get("/accounts/login/"), 'rel="icon"')
        r = self.client.get("/favicon.ico")
        self.assertEqual(r.status_code, 301)
        self.assertTrue(r["Location"].endswith(".svg"), r["Location"])
