"""The quota pages (/quotas/<code>/ and /quotas/<code>/members/) and the Django admin of quotas and counts."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import tablib
import time_machine
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizations import services as org_services
from organizations.models import Kind, Organization
from reports.admin import MembershipCountResource, QuotaResource
from reports.forms import Period
from reports.models import MembershipCount, Quota
from reports.services import membership_set, quota_set
from tests.base import BaseTestCase

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

NOW = "2026-11-20 09:00 +0700"
Y2026 = Period(2026, 2026)
URL = "/quotas/C1/?year=2026"
MEMBERS_URL = "/quotas/C1/members/?year=2025"


def page_data(response: TestResponse, **changes: Any) -> dict[str, str]:
    """The form as the page fills it in, then with the changes ("C1.B1-target": "20")."""
    data: dict[str, str] = {}
    for row in response.context["rows"]:
        for bound in row.form or ():
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
    data.update({key.replace("__", "-"): str(value) for key, value in changes.items()})
    return data


def short_warning(total: int, target: int, gap: int) -> str:
    message = _(
        "The targets of the units directly under add up to %(sum)s, less than the organization's own "
        "target (%(target)s): %(gap)s short."
    )
    return message % {"sum": total, "target": target, "gap": gap}


@time_machine.travel(NOW, tick=False)
class QuotaPageScopeTestCase(BaseTestCase):
    def test_it_requires_login(self) -> None:
        self.assertRedirects(self.client.get(URL), "/accounts/login/?next=/quotas/C1/%3Fyear%3D2026")

    def test_an_outsider_gets_404(self) -> None:
        self.client.force_login(self.charlie)
        for url in (URL, MEMBERS_URL, "/quotas/C1.B1/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, {"C1-target": "5"}).status_code, 404)
        self.assertFalse(Quota.objects.exists())

    def test_an_admin_of_one_commune_gets_404_on_another(self) -> None:
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get("/quotas/C2/").status_code, 404)
        self.assertEqual(self.client.post("/quotas/C2/?year=2026", {"C2-target": "5"}).status_code, 404)
        self.assertEqual(self.client.get("/quotas/C2/members/").status_code, 404)

    def test_a_viewer_reads_the_page_without_a_form(self) -> None:
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=123)
        self.client.force_login(self.bob)
        for url in (URL, MEMBERS_URL):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertEqual(r.status_code, 200)
                self.assertNotContains(r, 'method="post" action="?year')
                self.assertNotContains(r, 'name="C1.B1-')
        self.assertContains(self.client.get(URL), '<td class="num">123</td>')

    def test_a_viewer_and_staff_get_403_on_post(self) -> None:
        for user in (self.bob, self.dave):
            self.client.force_login(user)
            for url in (URL, MEMBERS_URL):
                with self.subTest(user=user.username, url=url):
                    data = {"C1.B1-target": "5", "C1.B1-members": "5"}
                    self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertFalse(Quota.objects.exists() or MembershipCount.objects.exists())

    def test_it_rejects_other_methods(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.put(URL).status_code, 405)
        self.assertEqual(self.client.delete(MEMBERS_URL).status_code, 405)


@time_machine.travel(NOW, tick=False)
class QuotaPageTestCase(BaseTestCase):
    def test_it_shows_the_organization_then_each_direct_child(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        self.assertEqual([row.org.code for row in r.context["rows"]], ["C1", "C1.B1", "C1.B2"])
        self.assertNotContains(r, "C1.B1.01")

    def test_it_defaults_to_the_current_year(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/quotas/C1/").context["period"], Y2026)

    def test_it_shows_the_members_on_31_december_of_the_year_before(self) -> None:
        membership_set(org=self.orgs["C1.B1"], year=2025, members=1234)
        membership_set(org=self.orgs["C1.B1"], year=2026, members=9999)
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        self.assertContains(r, "1.234")
        self.assertNotContains(r, "9.999")
        self.assertContains(r, "31/12/2025")

    def test_for_a_term_it_shows_the_members_before_its_first_year(self) -> None:
        membership_set(org=self.orgs["C1.B1"], year=2024, members=4321)
        quota_set(org=self.orgs["C1.B1"], period=Period(2025, 2030), target=600)
        self.client.force_login(self.bob)
        r = self.client.get("/quotas/C1/?term=2025-2030")
        self.assertContains(r, "4.321")
        self.assertEqual(r.context["rows"][1].target, 600)

    def test_it_shows_what_a_rate_comes_to(self) -> None:
        membership_set(org=self.orgs["C1.B2"], year=2025, members=101)
        quota_set(org=self.orgs["C1.B2"], period=Y2026, rate=Decimal("2.5"))
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        row = r.context["rows"][2]
        self.assertEqual(row.target, 3)  # 2.5 % of 101 is 2.525: at least 3 people
        self.assertContains(r, "2,50%")
        self.assertContains(r, "<strong>3</strong>")

    def test_a_rate_without_members_says_what_is_missing(self) -> None:
        quota_set(org=self.orgs["C1.B2"], period=Y2026, rate=Decimal("2.5"))
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        self.assertIsNone(r.context["rows"][2].target)
        self.assertContains(r, _("needs the party members on 31/12/%(year)s") % {"year": 2025})

    def test_it_warns_when_the_children_fall_short_of_the_parent(self) -> None:
        quota_set(org=self.orgs["C1"], period=Y2026, target=180)
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=120)
        quota_set(org=self.orgs["C1.B2"], period=Y2026, target=50)
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        self.assertEqual((r.context["children_sum"], r.context["short"]), (170, 10))
        self.assertContains(r, short_warning(170, 180, 10))

    def test_a_rate_counts_in_the_sum_by_what_it_comes_to(self) -> None:
        quota_set(org=self.orgs["C1"], period=Y2026, target=180)
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=120)
        membership_set(org=self.orgs["C1.B2"], year=2025, members=2000)
        quota_set(org=self.orgs["C1.B2"], period=Y2026, rate=Decimal("3"))  # 60 people
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        self.assertEqual((r.context["children_sum"], r.context["short"]), (180, 0))
        self.assertNotContains(r, short_warning(180, 180, 0)[:40])

    def test_it_shows_the_sub_targets(self) -> None:
        quota_set(org=self.orgs["C1.B1"], period=Y2026, category="women", target=17)
        quota_set(org=self.orgs["C1.B1"], period=Y2026, category="youth_union", target=29)
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        subs = {str(s["label"]): s["target"] for s in r.context["rows"][1].set_subs()}
        self.assertEqual(subs, {_("Women"): 17, _("Youth Union members"): 29})
        self.assertContains(r, f"{_('Women')} 17")

    def test_it_links_to_the_dashboard_and_the_members_page(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(URL)
        self.assertContains(r, 'href="/?org=C1&amp;year=2026"')
        self.assertContains(r, 'href="/quotas/C1/members/?year=2025"')
        self.assertContains(self.client.get("/quotas/C1/?term=2025-2030"), 'href="/?org=C1&amp;term=2025-2030"')

    def test_an_ended_unit_shows_only_for_periods_it_lived_in(self) -> None:
        import datetime

        org_services.organization_dissolve(org=self.orgs["C1.B2"], effective_date=datetime.date(2024, 6, 30))
        self.client.force_login(self.bob)
        self.assertIn("C1.B2", [row.org.code for row in self.client.get("/quotas/C1/?year=2024").context["rows"]])
        self.assertNotIn("C1.B2", [row.org.code for row in self.client.get(URL).context["rows"]])

    def test_it_reads_a_fixed_number_of_queries_whatever_the_number_of_children(self) -> None:
        self.client.force_login(self.alice)
        for n in (3, 60):
            parent = org_services.organization_create(
                parent=self.orgs["P"], code=f"X{n}", name=f"Đảng bộ xã {n}", kind=Kind.COMMUNE
            )
            quota_set(org=parent, period=Y2026, target=10 * n)
            for i in range(n):
                child = org_services.organization_create(
                    parent=parent, code=f"X{n}.{i:02d}", name=f"Chi bộ {i}", kind=Kind.BASE_BRANCH
                )
                membership_set(org=child, year=2025, members=20 + i)
                if i % 2:
                    quota_set(org=child, period=Y2026, rate=Decimal("5"))
                else:
                    quota_set(org=child, period=Y2026, target=i)
                quota_set(org=child, period=Y2026, category="women", target=1)
            # session, user, organization, grants, children, quotas, the recorded moves since the members' day
            # (organizations.history, one query), members (the children's counts, then the parent's as the sum of
            # its units' as it has none of its own), ancestors, navigation
            with self.assertNumQueries(11):
                r = self.client.get(f"/quotas/X{n}/?year=2026")
            self.assertEqual(len(r.context["children"]), n)
            self.assertEqual(r.context["rows"][0].members, sum(20 + i for i in range(n)))
            self.assertEqual(r.context["rows"][-1].target, {3: 2, 60: 4}[n])  # 2, or 5 % of 79 members


@time_machine.travel(NOW, tick=False)
class QuotaPageSaveTestCase(BaseTestCase):
    def test_an_admin_sees_one_form_for_every_row(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(URL)
        for code in ("C1", "C1.B1", "C1.B2"):
            self.assertContains(r, f'name="{code}-target"')
            self.assertContains(r, f'name="{code}-rate"')
            self.assertContains(r, f'name="{code}-sub_women"')

    def test_a_page_with_as_many_fields_as_150_communes_is_accepted(self) -> None:
        # About ten fields a unit: Django's default limit of 1,000 fields would answer 400.
        self.client.force_login(self.alice)
        data = page_data(self.client.get(URL), C1__target=180)
        data.update({f"X{i:04d}-target": "" for i in range(1500)})
        r = self.client.post(URL, data)
        self.assertRedirects(r, URL)
        self.assertEqual(Quota.objects.get(organization__code="C1", category="").target, 180)

    def test_an_admin_saves_the_whole_page_at_once(self) -> None:
        self.client.force_login(self.alice)  # an admin of the level above: C1's own quota is hers to give
        r = self.client.get(URL)
        data = page_data(r, C1__target=180, **{"C1.B1__target": 120, "C1.B2__rate": "2,5", "C1.B1__sub_women": 40})
        r = self.client.post(URL, data)
        self.assertRedirects(r, URL)
        quotas = {(q.organization.code, q.category): (q.target, q.rate) for q in Quota.objects.all()}
        self.assertEqual(
            quotas,
            {
                ("C1", ""): (180, None),
                ("C1.B1", ""): (120, None),
                ("C1.B2", ""): (None, Decimal("2.50")),
                ("C1.B1", "women"): (40, None),
            },
        )
        self.assertEqual(set(Quota.history.values_list("history_user", flat=True)), {self.alice.pk})
        self.assertContains(self.client.get(URL), 'name="C1.B2-rate" value="2,50"')

    def test_saving_an_unchanged_page_changes_nothing(self) -> None:
        quota_set(org=self.orgs["C1.B2"], period=Y2026, rate=Decimal("2.5"))
        before = Quota.objects.get().updated_at
        self.client.force_login(self.alice)
        r = self.client.post(URL, page_data(self.client.get(URL)), follow=True)
        self.assertContains(r, ngettext("%(n)d quota changed.", "%(n)d quotas changed.", 0) % {"n": 0})
        self.assertEqual(Quota.objects.get().updated_at, before)
        self.assertEqual(Quota.history.count(), 1)

    def test_it_accepts_a_rate_with_a_dot_and_thousands_with_dots(self) -> None:
        self.client.force_login(self.alice)
        data = page_data(self.client.get(URL), C1__target="1.250", **{"C1.B2__rate": "3.75%"})
        self.assertRedirects(self.client.post(URL, data), URL)
        self.assertEqual(Quota.objects.get(organization__code="C1").target, 1250)
        self.assertEqual(Quota.objects.get(organization__code="C1.B2").rate, Decimal("3.75"))

    def test_clearing_both_boxes_deletes_the_quota(self) -> None:
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=12)
        self.client.force_login(self.alice)
        data = page_data(self.client.get(URL), **{"C1.B1__target": ""})
        self.assertRedirects(self.client.post(URL, data), URL)
        self.assertFalse(Quota.objects.exists())

    def test_a_sub_target_given_as_a_rate_stays_while_its_box_is_left_empty(self) -> None:
        membership_set(org=self.orgs["C1.B1"], year=2025, members=300)
        quota_set(org=self.orgs["C1.B1"], period=Y2026, category="youth_union", rate=Decimal("1"))
        self.client.force_login(self.alice)
        data = page_data(self.client.get(URL), **{"C1.B1__target": 9})
        self.assertRedirects(self.client.post(URL, data), URL)
        self.assertEqual(Quota.objects.get(category="youth_union").rate, Decimal("1.00"))

    def test_a_rate_for_a_term_is_an_error_on_its_field_and_nothing_is_saved(self) -> None:
        url = "/quotas/C1/?term=2025-2030"
        self.client.force_login(self.alice)
        data = page_data(self.client.get(url), C1__target=900, **{"C1.B1__rate": "2"})
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 200)
        form = r.context["rows"][1].form
        self.assertEqual(form.errors["rate"], [_("A rate applies to a single year; give a term a number.")])
        self.assertContains(r, f"{self.orgs['C1.B1'].name} — {_('Rate (per cent of members)')}")
        self.assertFalse(Quota.objects.exists())

    def test_wrong_numbers_are_errors_next_to_their_boxes(self) -> None:
        self.client.force_login(self.alice)
        cases = {"C1.B1__target": "-3", "C1.B2__target": "mười", "C1__rate": "0", "C1.B1__sub_young": "1,5"}
        for key, value in cases.items():
            with self.subTest(key=key):
                r = self.client.post(URL, page_data(self.client.get(URL), **{key: value}))
                self.assertEqual(r.status_code, 200)
                code, name = key.split("__")
                row = next(row for row in r.context["rows"] if row.org.code == code)
                self.assertTrue(row.form.errors[name])
                self.assertContains(r, 'class="error" role="alert"')
        self.assertFalse(Quota.objects.exists())

    def test_both_a_target_and_a_rate_is_an_error(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.post(URL, page_data(self.client.get(URL), **{"C1.B1__target": 5, "C1.B1__rate": "2"}))
        self.assertTrue(r.context["rows"][1].form.errors["rate"])
        self.assertFalse(Quota.objects.exists())

    def test_an_admin_of_a_commune_edits_its_units(self) -> None:
        self.client.force_login(self.erin)
        url = "/quotas/C1.B1/?year=2026"
        data = page_data(self.client.get(url), **{"C1.B1.01__target": 4, "C1.B1.02__target": 3})
        self.assertRedirects(self.client.post(url, data), url)
        self.assertEqual(sorted(Quota.objects.values_list("target", flat=True)), [3, 4])

    def test_a_bad_period_saves_nothing(self) -> None:
        self.client.force_login(self.alice)
        data = page_data(self.client.get(URL), C1__target=5)
        r = self.client.post("/quotas/C1/?term=2030-2025", data)
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Quota.objects.exists())


@time_machine.travel(NOW, tick=False)
class MembersPageTestCase(BaseTestCase):
    def test_it_defaults_to_the_last_31_december(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/quotas/C1/members/").context["year"], 2025)

    def test_it_shows_the_counts_of_the_year_and_the_year_before(self) -> None:
        membership_set(org=self.orgs["C1.B1"], year=2025, members=1520)
        membership_set(org=self.orgs["C1.B1"], year=2024, members=1490)
        self.client.force_login(self.bob)
        r = self.client.get(MEMBERS_URL)
        self.assertContains(r, "1.520")
        self.assertContains(r, "1.490")
        self.assertEqual([row.org.code for row in r.context["rows"]], ["C1", "C1.B1", "C1.B2"])

    def test_an_admin_enters_the_counts_of_the_organization_and_its_units(self) -> None:
        self.client.force_login(self.erin)
        data = {"C1-members": "1.600", "C1.B1-members": "1200", "C1.B2-members": "400"}
        self.assertRedirects(self.client.post(MEMBERS_URL, data), MEMBERS_URL)
        counts = dict(MembershipCount.objects.filter(year=2025).values_list("organization__code", "members"))
        self.assertEqual(counts, {"C1": 1600, "C1.B1": 1200, "C1.B2": 400})
        self.assertEqual(MembershipCount.history.latest().history_user, self.erin)

    def test_it_warns_when_the_units_do_not_add_up(self) -> None:
        membership_set(org=self.orgs["C1"], year=2025, members=1600)
        membership_set(org=self.orgs["C1.B1"], year=2025, members=1200)
        membership_set(org=self.orgs["C1.B2"], year=2025, members=300)
        self.client.force_login(self.bob)
        r = self.client.get(MEMBERS_URL)
        message = _(
            "The units directly under add up to %(sum)s party members, but %(total)s are entered for the "
            "organization itself."
        ) % {"sum": "1.500", "total": "1.600"}
        self.assertContains(r, message)

    def test_a_negative_count_is_an_error_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.erin)
        r = self.client.post(MEMBERS_URL, {"C1-members": "10", "C1.B1-members": "-1", "C1.B2-members": ""})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["rows"][1].form.errors["members"])
        self.assertFalse(MembershipCount.objects.exists())

    def test_it_reads_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        # session, user, organization, grants, children, their child counts, counts, ancestors, navigation
        with self.assertNumQueries(9):
            r = self.client.get("/quotas/C1/members/?year=2025")
        self.assertEqual(len(r.context["rows"]), 3)


class QuotaAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=33)
        membership_set(org=self.orgs["C1.B1"], year=2025, members=321)
        self.root = User.objects.create_superuser("root", "root@example.org", "x")

    def test_a_superuser_opens_the_lists_and_the_export_and_import_pages(self) -> None:
        self.client.force_login(self.root)
        for model in ("quota", "membershipcount"):
            with self.subTest(model=model):
                self.assertContains(self.client.get(f"/admin/reports/{model}/"), "C1.B1")
                self.assertEqual(self.client.get(f"/admin/reports/{model}/export/").status_code, 200)
                self.assertEqual(self.client.get(f"/admin/reports/{model}/import/").status_code, 200)
        r = self.client.get("/admin/reports/quota/", {"q": "Trường THCS"})
        self.assertContains(r, "C1.B1")
        self.assertEqual(self.client.get("/admin/reports/quota/", {"first_year": "2026"}).status_code, 200)

    def test_a_scoped_admin_has_no_django_admin(self) -> None:
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/admin/reports/quota/"), "/admin/login/?next=/admin/reports/quota/")


class QuotaResourceTestCase(BaseTestCase):
    headers = ("code", "first_year", "last_year", "category", "target", "rate", "note")

    def test_export_names_the_organization_by_code_in_one_query(self) -> None:
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=33)
        quota_set(org=self.orgs["C1.B2"], period=Y2026, category="women", target=4)
        with self.assertNumQueries(1):
            data = QuotaResource().export()
        self.assertEqual(data.headers, list(self.headers))
        self.assertEqual(sorted(row[0] for row in data), ["C1.B1", "C1.B2"])

    def test_import_creates_and_replaces_by_code_period_and_category(self) -> None:
        quota_set(org=self.orgs["C1.B1"], period=Y2026, target=33)
        dataset = tablib.Dataset(
            ("C1.B1", 2026, 2026, "", 35, "", ""),
            ("C1.B2", 2026, 2026, "", "", "2.5", "NQ 05"),
            ("C1", 2025, 2030, "", 600, "", ""),
            headers=self.headers,
        )
        result = QuotaResource().import_data(dataset, dry_run=False)
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        self.assertEqual(Quota.objects.get(organization__code="C1.B1").target, 35)
        self.assertEqual(Quota.objects.get(organization__code="C1.B2").rate, Decimal("2.50"))
        self.assertEqual(Quota.objects.count(), 3)

    def test_import_of_an_unknown_code_or_a_rate_for_a_term_saves_nothing(self) -> None:
        dataset = tablib.Dataset(
            ("C1.B1", 2026, 2026, "", 35, "", ""),
            ("NOPE", 2026, 2026, "", 5, "", ""),
            ("C1", 2025, 2030, "", "", "2", ""),
            headers=self.headers,
        )
        result = QuotaResource().import_data(dataset, dry_run=False)
        self.assertTrue(result.has_validation_errors())
        self.assertEqual(len(result.invalid_rows), 2)
        self.assertFalse(Quota.objects.exists())

    def test_membership_counts_import_and_export_by_code(self) -> None:
        dataset = tablib.Dataset(("C1", 2025, 1600), ("C1.B1", 2025, 1200), headers=("code", "year", "members"))
        result = MembershipCountResource().import_data(dataset, dry_run=False)
        self.assertFalse(result.has_errors() or result.has_validation_errors())
        exported = MembershipCountResource().export()
        self.assertEqual(sorted(tuple(row) for row in exported), [("C1", "2025", "1600"), ("C1.B1", "2025", "1200")])
        self.assertEqual(Organization.objects.get(code="C1").membership_counts.get().members, 1600)
