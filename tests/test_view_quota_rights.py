"""Who gives a quota, and a quota page that never deletes what it was not sent.

A unit's own quota is given by the level above: an admin of its parent (the root's, a superuser).
An admin of C1 (Erin) gives C1's units theirs but not C1's own; Alice, admin of P, gives C1's.
A post that lacks a row's boxes changes nothing; only a box posted empty clears its quota or count.
"""

from __future__ import annotations

from decimal import Decimal

import time_machine
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from organizations.models import Role
from reports.forms import Period
from reports.models import MembershipCount, Quota
from reports.services import membership_set, quota_set
from tests.base import PASSWORD, BaseTestCase, make_user
from tests.test_view_quotas import MEMBERS_URL, NOW, URL, page_data
from tests.test_workbook_pipeline import QUOTAS, ImportTestCase, book

Y2026 = Period(2026, 2026)
ROOT_URL = "/quotas/P/?year=2026"
OWN_NOTE = (
    "The quota of the organization itself is given by the level above: an administrator of the "
    "organization directly above sets it (of a top-level organization, a system administrator)."
)


def quotas() -> dict[tuple[str, str], tuple[int | None, Decimal | None]]:
    return {(q.organization.code, q.category): (q.target, q.rate) for q in Quota.objects.select_related("organization")}


@time_machine.travel(NOW, tick=False)
class OwnQuotaTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        quota_set(org=self.orgs["C1"], period=Y2026, target=180)

    def test_a_commune_admin_sees_the_communes_own_quota_but_no_box_for_it(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.get(URL)
        self.assertNotContains(r, 'name="C1-target"')
        self.assertNotContains(r, 'name="C1-rate"')
        self.assertNotContains(r, 'name="C1-sub_women"')
        self.assertContains(r, 'name="C1.B1-target"')
        self.assertContains(r, 'name="C1.B2-sub_women"')
        self.assertContains(r, _(OWN_NOTE))
        self.assertIsNone(r.context["own"].form)
        self.assertEqual(r.context["own"].target, 180)  # shown, read-only

    def test_a_crafted_post_of_the_communes_own_quota_is_refused_and_saves_nothing(self) -> None:
        self.client.force_login(self.erin)
        data = page_data(self.client.get(URL), **{"C1.B1__target": 120})
        for key, value in (("C1-target", "999"), ("C1-target", ""), ("C1-rate", "5"), ("C1-sub_women", "3")):
            with self.subTest(key=key, value=value):
                r = self.client.post(URL, {**data, key: value})
                self.assertContains(r, _(OWN_NOTE), status_code=403)
        self.assertEqual(quotas(), {("C1", ""): (180, None)})

    def test_a_commune_admin_gives_the_communes_units_their_quotas(self) -> None:
        self.client.force_login(self.erin)
        data = page_data(self.client.get(URL), **{"C1.B1__target": 120, "C1.B2__sub_women": 7})
        self.assertRedirects(self.client.post(URL, data), URL)
        self.assertEqual(quotas(), {("C1", ""): (180, None), ("C1.B1", ""): (120, None), ("C1.B2", "women"): (7, None)})

    def test_the_province_admin_gives_the_commune_its_own_quota(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(URL)
        self.assertContains(r, 'name="C1-target"')
        self.assertNotContains(r, _(OWN_NOTE))
        self.assertRedirects(self.client.post(URL, page_data(r, C1__target=200, C1__sub_women=50)), URL)
        self.assertEqual(quotas(), {("C1", ""): (200, None), ("C1", "women"): (50, None)})
        self.assertEqual(Quota.history.latest().history_user, self.alice)

    def test_the_roots_own_quota_is_given_by_a_superuser_only(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(ROOT_URL)
        self.assertNotContains(r, 'name="P-target"')
        self.assertContains(r, 'name="C1-target"')
        crafted = page_data(r, **{"C1__target": 150})
        self.assertEqual(self.client.post(ROOT_URL, {**crafted, "P-target": "900"}).status_code, 403)
        self.assertEqual(quotas(), {("C1", ""): (180, None)})
        # Without the root's boxes, Alice gives the communes theirs.
        self.assertRedirects(self.client.post(ROOT_URL, crafted), ROOT_URL)
        self.assertEqual(quotas(), {("C1", ""): (150, None)})

        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.client.force_login(root)
        r = self.client.get(ROOT_URL)
        self.assertContains(r, 'name="P-target"')
        self.assertRedirects(self.client.post(ROOT_URL, page_data(r, P__target=900)), ROOT_URL)
        self.assertEqual(quotas(), {("P", ""): (900, None), ("C1", ""): (150, None)})

    def test_viewers_and_staff_still_get_403(self) -> None:
        for user in (self.bob, self.dave):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(URL, {"C1.B1-target": "5"}).status_code, 403)
        self.assertEqual(quotas(), {("C1", ""): (180, None)})


@time_machine.travel(NOW, tick=False)
class MissingFieldsTestCase(BaseTestCase):
    SEVEN = {
        ("C1", ""): (180, None),
        ("C1", "women"): (60, None),
        ("C1.B1", ""): (120, None),
        ("C1.B1", "youth_union"): (None, Decimal("1.00")),
        ("C1.B1", "young"): (30, None),
        ("C1.B2", ""): (None, Decimal("2.50")),
        ("C1.B2", "private_sector"): (9, None),
    }

    def setUp(self) -> None:
        super().setUp()
        for (code, category), (target, rate) in self.SEVEN.items():
            quota_set(org=self.orgs[code], period=Y2026, category=category, target=target, rate=rate)

    def test_a_post_without_the_rows_fields_deletes_nothing(self) -> None:
        for user in (self.alice, self.erin):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                r = self.client.post(URL, {}, follow=True)
                self.assertRedirects(r, URL)
                self.assertEqual(quotas(), self.SEVEN)
        self.assertEqual(Quota.history.count(), 7)  # the seven creations: nothing written since

    def test_a_post_with_one_box_changes_that_box_only(self) -> None:
        self.client.force_login(self.erin)
        self.assertRedirects(self.client.post(URL, {"C1.B1-target": "125"}), URL)
        self.assertEqual(quotas(), {**self.SEVEN, ("C1.B1", ""): (125, None)})

    def test_a_rate_kept_by_a_missing_target_box_is_still_one_or_the_other(self) -> None:
        # C1.B2 has a rate: posting only its target is "both" unless the rate box is posted empty.
        self.client.force_login(self.erin)
        r = self.client.post(URL, {"C1.B2-target": "4"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["rows"][2].form.errors["rate"])
        self.assertRedirects(self.client.post(URL, {"C1.B2-target": "4", "C1.B2-rate": ""}), URL)
        self.assertEqual(quotas()[("C1.B2", "")], (4, None))

    def test_a_box_posted_empty_still_clears_its_quota(self) -> None:
        self.client.force_login(self.erin)
        self.assertRedirects(self.client.post(URL, {"C1.B2-sub_private_sector": ""}), URL)
        expected = dict(self.SEVEN)
        del expected[("C1.B2", "private_sector")]
        self.assertEqual(quotas(), expected)


@time_machine.travel(NOW, tick=False)
class MissingCountsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for code, members in (("C1", 1600), ("C1.B1", 1200), ("C1.B2", 400)):
            membership_set(org=self.orgs[code], year=2025, members=members)

    def counts(self) -> dict[str, int]:
        return dict(MembershipCount.objects.filter(year=2025).values_list("organization__code", "members"))

    def test_a_post_without_the_rows_fields_deletes_no_count(self) -> None:
        self.client.force_login(self.erin)
        self.assertRedirects(self.client.post(MEMBERS_URL, {}), MEMBERS_URL)
        self.assertEqual(self.counts(), {"C1": 1600, "C1.B1": 1200, "C1.B2": 400})
        self.assertEqual(MembershipCount.history.count(), 3)

    def test_only_the_posted_boxes_change(self) -> None:
        self.client.force_login(self.erin)
        self.assertRedirects(self.client.post(MEMBERS_URL, {"C1.B1-members": "1250", "C1.B2-members": ""}), MEMBERS_URL)
        self.assertEqual(self.counts(), {"C1": 1600, "C1.B1": 1250})


class ImportedQuotaTestCase(ImportTestCase):
    """The workbook's quotas sheet keeps the same rule: a unit's own quota comes from the level above."""

    def test_a_commune_admin_cannot_import_the_communes_own_quota(self) -> None:
        rows = [{"code": "C1", "period": "2026", "target": 9}, {"code": "C1.B1", "period": "2026", "target": 5}]
        run = self.run_import(book({QUOTAS: rows}), user="erin")
        message = _(
            "The quota of %(code)s itself is given by the level above: ask an administrator of the "
            "organization directly above it (of a top-level organization, a system administrator)."
        ) % {"code": "C1"}
        self.assertEqual([(e[1], e[3]) for e in self.errors(run)], [(2, message)])
        self.assertFalse(Quota.objects.exists())
        self.assert_done(self.run_import(book({QUOTAS: rows[1:]}), user="erin"))
        self.assertEqual(quotas(), {("C1.B1", ""): (5, None)})

    def test_the_province_admin_imports_the_communes_and_only_a_superuser_the_roots(self) -> None:
        self.assert_done(self.run_import(book({QUOTAS: [{"code": "C1", "period": "2026", "target": 9}]})))
        root_row = [{"code": "P", "period": "2026", "target": 90}]
        self.assertEqual(len(self.errors(self.run_import(book({QUOTAS: root_row})))), 1)
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        self.assert_done(self.run_import(book({QUOTAS: root_row}), user=root))
        self.assertEqual(quotas(), {("C1", ""): (9, None), ("P", ""): (90, None)})


@time_machine.travel(NOW, tick=False)
class CellAdminTestCase(BaseTestCase):
    def test_an_admin_of_a_cell_alone_reads_its_quota_with_no_form(self) -> None:
        quota_set(org=self.orgs["C1.B2"], period=Y2026, target=6)
        self.client.force_login(make_user("frank", self.orgs["C1.B2"], Role.ADMIN))
        r = self.client.get("/quotas/C1.B2/?year=2026")
        self.assertNotContains(r, 'name="C1.B2-target"')
        self.assertNotContains(r, 'type="submit" class="button"')
        self.assertContains(r, _(OWN_NOTE))
        self.assertEqual(self.client.post("/quotas/C1.B2/?year=2026", {"C1.B2-target": ""}).status_code, 403)
        self.assertEqual(quotas(), {("C1.B2", ""): (6, None)})
