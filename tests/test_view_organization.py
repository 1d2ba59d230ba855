from __future__ import annotations

import datetime

from organizations.models import EventAction, Organization, OrganizationEvent
from tests.base import BaseTestCase

READ_PAGES = ["/org/{code}/", "/org/{code}/children/"]
WRITE_PAGES = ["/org/{code}/new/", "/org/{code}/edit/", "/org/{code}/move/", "/org/{code}/dissolve/"]
C1_CODES = ["C1", "C1.B1", "C1.B1.01", "C1.B1.02", "C1.B2"]


class ScopeOnEveryPageTestCase(BaseTestCase):
    def test_an_outsider_gets_404_on_every_page_of_another_commune(self) -> None:
        self.client.force_login(self.charlie)
        for code in C1_CODES:
            for page in READ_PAGES + WRITE_PAGES:
                url = page.format(code=code)
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    if page in WRITE_PAGES:
                        self.assertEqual(self.client.post(url, {"name": "x"}).status_code, 404)

    def test_a_viewer_gets_403_on_every_write(self) -> None:
        self.client.force_login(self.bob)
        for code in C1_CODES:
            for page in WRITE_PAGES:
                url = page.format(code=code)
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
                    self.assertEqual(self.client.post(url, {"name": "x"}).status_code, 403)
        self.assertEqual(Organization.objects.count(), len(self.orgs))
        # The page says why: the role, or who decides.
        self.assertContains(self.client.get("/org/C1.B1/move/"), "người quản trị của cấp trên", status_code=403)

    def test_staff_cannot_manage_the_tree(self) -> None:
        self.client.force_login(self.dave)
        for page in WRITE_PAGES:
            with self.subTest(page=page):
                self.assertEqual(self.client.post(page.format(code="C1.B1")).status_code, 403)

    def test_every_write_page_rejects_put(self) -> None:
        self.client.force_login(self.alice)
        for page in WRITE_PAGES:
            with self.subTest(page=page):
                self.assertEqual(self.client.put(page.format(code="C1.B1")).status_code, 405)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        for page in READ_PAGES + WRITE_PAGES:
            url = page.format(code="C1")
            with self.subTest(url=url):
                self.assertRedirects(
                    self.client.get(url), f"/accounts/login/?next={url}", fetch_redirect_response=False
                )


class DetailTestCase(BaseTestCase):
    def test_it_shows_the_organization_its_units_and_history(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/org/C1.B1/")
        self.assertContains(r, "Đảng bộ Trường THCS Dân Chủ")
        self.assertContains(r, "Chi bộ Tổ Khoa học tự nhiên")
        self.assertEqual(len(r.context["events"]), 3)  # created, and two cells created under it
        self.assertEqual([o.code for o in r.context["trail"]], ["C1"])  # P is outside Bob's scope

    def test_it_hides_management_actions_from_a_viewer(self) -> None:
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/org/C1.B1/"), "/org/C1.B1/edit/")

    def test_it_shows_management_actions_to_an_admin(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.get("/org/C1.B1/")
        self.assertContains(r, "/org/C1.B1/edit/")
        self.assertContains(r, "/org/C1.B1/move/")

    def test_an_admin_cannot_restructure_their_own_root_from_its_page(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.get("/org/C1/")
        self.assertContains(r, "/org/C1/edit/")
        self.assertNotContains(r, "/org/C1/move/")

    def test_it_points_from_a_merged_unit_to_its_successor(self) -> None:
        from organizations import services

        services.organization_dissolve(
            org=self.orgs["C1.B1"], effective_date=datetime.date(2025, 6, 30), successor=self.orgs["C1.B2"]
        )
        self.client.force_login(self.bob)
        r = self.client.get("/org/C1.B1/")
        self.assertContains(r, "/org/C1.B2/")
        self.assertContains(r, "30/06/2025")
        self.assertContains(self.client.get("/org/C1.B2/"), "Đảng bộ Trường THCS Dân Chủ")  # predecessor

    def test_predecessors_outside_the_scope_are_not_shown(self) -> None:
        from organizations import services

        services.organization_dissolve(
            org=self.orgs["C2.B1.01"], effective_date=datetime.date(2025, 6, 30), successor=self.orgs["C1.B2"]
        )
        self.client.force_login(self.bob)
        r = self.client.get("/org/C1.B2/")
        self.assertEqual(r.context["predecessors"], [])
        self.client.force_login(self.alice)
        self.assertEqual([o.code for o in self.client.get("/org/C1.B2/").context["predecessors"]], ["C2.B1.01"])

    def test_history_is_ordered_by_the_day_changes_took_effect(self) -> None:
        from organizations import services

        services.organization_move(
            org=self.orgs["C1.B1.02"], new_parent=self.orgs["C1.B2"], effective_date=datetime.date(2019, 1, 1)
        )
        self.client.force_login(self.bob)
        events = self.client.get("/org/C1.B1/").context["events"]
        days = [e.effective_date for e in events]
        self.assertEqual(days, sorted(days, reverse=True))
        self.assertEqual(events[-1].action, "moved")  # recorded last, but took effect first
        self.assertContains(self.client.get("/org/C1.B1/"), "01/01/2019")

    def test_it_uses_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        self.client.get("/org/P/")
        # session, user, org, grants, children, their child counts, predecessors, events,
        # and the deadline counts of the navigation (one aggregate)
        with self.assertNumQueries(9):
            self.client.get("/org/P/")


class CreateTestCase(BaseTestCase):
    url = "/org/C1/new/"
    data = {
        "code": "C1.B3",
        "name": "Chi bộ Thôn Đoài",
        "kind": "base_branch",
        "sector": "residential",
        "valid_from": "03/04/2025",
    }

    def test_it_shows_the_form(self) -> None:
        self.client.force_login(self.erin)
        self.assertContains(self.client.get(self.url), 'name="code"')

    def test_it_creates_a_unit(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post(self.url, self.data)
        self.assertRedirects(r, "/org/C1.B3/")
        org = self.org("C1.B3")
        self.assertEqual(org.valid_from, datetime.date(2025, 4, 3))  # dd/mm/yyyy
        self.assertTrue(org.is_within(self.orgs["C1"]))
        self.assertEqual(OrganizationEvent.objects.get(organization=org).acting_user, self.erin)

    def test_it_reports_a_duplicate_code_on_the_field(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post(self.url, {**self.data, "code": "C2"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors["code"])

    def test_it_reports_a_bad_code(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post(self.url, {**self.data, "code": "có dấu"})
        self.assertTrue(r.context["form"].errors["code"])
        self.assertFalse(Organization.objects.filter(name="Chi bộ Thôn Đoài").exists())


class EditTestCase(BaseTestCase):
    url = "/org/C1.B2/edit/"

    def test_it_renames_but_keeps_the_code(self) -> None:
        self.client.force_login(self.erin)
        data = {
            "code": "HACK",
            "name": "Chi bộ Công ty TNHH Sông Lô",
            "kind": "base_branch",
            "sector": "private_enterprise",
        }
        self.assertRedirects(self.client.post(self.url, data), "/org/C1.B2/")
        org = self.org("C1.B2")
        self.assertEqual((org.code, org.name), ("C1.B2", "Chi bộ Công ty TNHH Sông Lô"))
        self.assertTrue(OrganizationEvent.objects.filter(organization=org, action=EventAction.UPDATED).exists())

    def test_it_shows_errors(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post(self.url, {"name": "", "kind": "nonsense"})
        self.assertEqual(set(r.context["form"].errors), {"name", "kind"})


class MoveTestCase(BaseTestCase):
    url = "/org/C1.B1.01/move/"

    def test_it_moves_a_unit(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post(self.url, {"new_parent": "C1.B2", "effective_date": "01/07/2025", "note": "QĐ 12"})
        self.assertRedirects(r, "/org/C1.B1.01/")
        self.assertTrue(self.org("C1.B1.01").is_within(self.org("C1.B2")))
        event = OrganizationEvent.objects.get(action=EventAction.MOVED)
        self.assertEqual((event.effective_date, event.acting_user), (datetime.date(2025, 7, 1), self.erin))

    def test_it_refuses_a_target_outside_the_scope(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post(self.url, {"new_parent": "C2.B1", "effective_date": "01/07/2025"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors["new_parent"])
        self.assertTrue(self.org("C1.B1.01").is_within(self.orgs["C1.B1"]))

    def test_it_refuses_a_move_into_its_own_unit(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post("/org/C1/move/", {"new_parent": "C1.B1", "effective_date": "01/07/2025"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())


class DissolveTestCase(BaseTestCase):
    def test_it_dissolves_a_leaf(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post("/org/C1.B2/dissolve/", {"effective_date": "30/06/2025"})
        self.assertRedirects(r, "/org/C1.B2/")
        org = self.org("C1.B2")
        self.assertEqual((org.is_active, org.valid_to), (False, datetime.date(2025, 6, 30)))

    def test_it_merges_into_a_successor(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post("/org/C1.B1/dissolve/", {"effective_date": "30/06/2025", "successor": "C1.B2"})
        self.assertRedirects(r, "/org/C1.B1/")
        self.assertEqual(self.org("C1.B1").successor, self.orgs["C1.B2"])
        self.assertTrue(self.org("C1.B1.01").is_within(self.orgs["C1.B2"]))

    def test_it_explains_why_a_unit_with_active_units_cannot_be_dissolved(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post("/org/C1.B1/dissolve/", {"effective_date": "30/06/2025"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())
        self.assertTrue(self.org("C1.B1").is_active)

    def test_it_refuses_an_unknown_successor(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post("/org/C1.B2/dissolve/", {"effective_date": "30/06/2025", "successor": "NOPE"})
        self.assertTrue(r.context["form"].errors["successor"])
        self.assertTrue(self.org("C1.B2").is_active)
