"""Issue 18, points 1 and 10: adding a person from the people list (the cell chosen by name), the header's search
of people and units, and the list's organization filter chosen by name. All within the user's scope."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import translation
from django.utils.translation import gettext

from organizations import services as org_services
from organizations.models import Kind
from recruitment.models import Candidate, Stage
from recruitment.search_views import PICKER_LIMIT
from tests.base import BaseTestCase
from tests.people import make_candidate

NOW = "2026-11-20 09:00 +0700"


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


@time_machine.travel(NOW)
class AddButtonTestCase(BaseTestCase):
    def test_staff_and_admins_get_the_add_button_on_the_list(self) -> None:
        for user in (self.dave, self.erin, self.alice, self.charlie):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertContains(self.client.get("/candidates/"), 'href="/candidates/new/"')

    def test_a_viewer_gets_no_add_button_and_403_on_the_page(self) -> None:
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/candidates/"), 'href="/candidates/new/"')
        self.assertEqual(self.client.get("/candidates/new/").status_code, 403)
        self.assertEqual(self.client.get("/candidates/new/", {"unit": "khoa hoc"}).status_code, 403)
        self.assertEqual(self.client.get("/candidates/units/", {"unit": "khoa", "for": "create"}).status_code, 403)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        for url in ("/candidates/new/", "/candidates/units/", "/search/"):
            with self.subTest(url=url):
                self.assertRedirects(self.client.get(url), f"/accounts/login/?next={url}")

    def test_the_page_finds_the_cells_by_name_without_diacritics_and_links_to_their_form(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get("/candidates/new/", {"unit": "khoa hoc"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual([o.code for o in r.context["results"]], ["C1.B1.01", "C1.B1.02"])
        self.assertContains(r, 'href="/org/C1.B1.01/candidates/new/"')
        # A grassroots cell (chi bộ cơ sở) is a cell too; a committee (đảng bộ) is none.
        r = self.client.get("/candidates/new/", {"unit": "song lo"})
        self.assertEqual([o.code for o in r.context["results"]], ["C1.B2"])
        r = self.client.get("/candidates/new/", {"unit": "dan chu"})
        self.assertEqual(r.context["results"], [])

    def test_the_live_list_holds_the_same_cells(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get("/candidates/units/", {"unit": "khoa hoc", "for": "create"})
        self.assertTemplateUsed(r, "recruitment/unit_results.html")
        self.assertContains(r, 'href="/org/C1.B1.02/candidates/new/"')
        self.assertNotContains(r, "<html")

    def test_a_dissolved_cell_is_not_offered(self) -> None:
        org_services.organization_dissolve(org=self.org("C1.B1.02"), effective_date=datetime.date(2026, 1, 1))
        self.client.force_login(self.dave)
        r = self.client.get("/candidates/new/", {"unit": "khoa hoc"})
        self.assertEqual([o.code for o in r.context["results"]], ["C1.B1.01"])

    def test_cells_outside_the_scope_are_not_offered(self) -> None:
        self.client.force_login(self.charlie)
        r = self.client.get("/candidates/new/", {"unit": "khoa hoc"})
        self.assertEqual(r.context["results"], [])
        self.assertNotContains(r, "Khoa học tự nhiên")
        r = self.client.get("/candidates/new/", {"unit": "khu pho"})
        self.assertEqual([o.code for o in r.context["results"]], ["C2.B1.01"])

    def test_a_staff_member_of_one_cell_is_offered_that_cell_only(self) -> None:
        from organizations.models import Membership, Role

        Membership.objects.filter(user=self.dave).update(organization=self.orgs["C1.B1.01"], role=Role.STAFF)
        self.client.force_login(self.dave)
        r = self.client.get("/candidates/new/", {"unit": "chi bo"})
        self.assertEqual([o.code for o in r.context["results"]], ["C1.B1.01"])

    def test_a_picker_shows_a_limited_number_and_says_there_are_more(self) -> None:
        parent = self.org("C1.B1")
        for i in range(PICKER_LIMIT + 3):
            org_services.organization_create(
                parent=parent, code=f"C1.B1.T{i:02d}", name=f"Chi bộ Thôn {i}", kind=Kind.BRANCH, sector=""
            )
        self.client.force_login(self.dave)
        r = self.client.get("/candidates/units/", {"unit": "thon", "for": "create"})
        self.assertEqual(len(r.context["results"]), PICKER_LIMIT)
        self.assertTrue(r.context["more"])
        self.assertContains(r, vi("showing the first ones; narrow the search."))

    def test_the_picker_answers_get_only(self) -> None:
        self.client.force_login(self.dave)
        self.assertEqual(self.client.post("/candidates/units/").status_code, 405)
        self.assertEqual(self.client.post("/candidates/new/").status_code, 405)


@time_machine.travel(NOW)
class OrganizationFilterTestCase(BaseTestCase):
    def test_the_filter_names_the_chosen_unit_and_keeps_its_code_for_the_url(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER, full_name="Trần Thị Bích")
        self.client.force_login(self.bob)
        r = self.client.get("/candidates/", {"org": "C1.B1"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'value="Đảng bộ Trường THCS Dân Chủ"')
        self.assertContains(
            r, '<input type="hidden" name="org" id="id_org" value="C1.B1" data-picker-value>', html=True
        )
        self.assertContains(r, 'hx-get="/candidates/units/"')
        self.assertContains(r, "Trần Thị Bích")

    def test_the_picker_finds_units_of_any_kind_in_the_scope_by_name(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/candidates/units/", {"unit": "dan chu"})
        self.assertEqual([o.code for o in r.context["results"]], ["C1", "C1.B1"])
        self.assertContains(r, 'data-pick-code="C1.B1"')
        self.assertContains(r, 'data-pick-name="Đảng bộ Trường THCS Dân Chủ"')

    def test_the_picker_finds_nothing_outside_the_scope(self) -> None:
        self.client.force_login(self.charlie)
        r = self.client.get("/candidates/units/", {"unit": "dan chu"})
        self.assertEqual(r.context["results"], [])
        self.assertNotContains(r, "Dân Chủ")

    def test_an_empty_search_lists_nothing(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/candidates/units/", {"unit": "  "})
        self.assertEqual(r.context["results"], [])
        self.assertNotContains(r, "<li")

    def test_a_code_outside_the_scope_or_of_no_unit_is_not_found(self) -> None:
        self.client.force_login(self.bob)
        for code in ("C2", "C2.B1.01", "NOPE"):
            with self.subTest(code=code):
                self.assertEqual(self.client.get("/candidates/", {"org": code}).status_code, 404)


@time_machine.travel(NOW)
class HeaderSearchTestCase(BaseTestCase):
    lan: Candidate
    outsider: Candidate

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.lan = make_candidate(cls.orgs["C1.B1.01"], Stage.DOSSIER, full_name="Nguyễn Thị Lan",
                                 national_id="001098000111")  # fmt: skip
        cls.outsider = make_candidate(cls.orgs["C2.B1.01"], Stage.SOURCE, full_name="Nguyễn Thị Lanh",
                                      national_id="001098000222")  # fmt: skip

    def test_every_page_has_the_search_box_in_its_header(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/candidates/")
        self.assertContains(r, '<form method="post" action="/search/" class="headsearch" role="search">')

    def test_it_finds_people_by_name_without_diacritics_within_the_scope(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post("/search/", {"find": "nguyen thi lan"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["people"], [self.lan])
        self.assertContains(r, f'href="/candidates/{self.lan.pk}/"')
        self.assertNotContains(r, "Nguyễn Thị Lanh")
        self.assertContains(r, "<code>••••••••0111</code>", html=False)  # a viewer: the last four digits
        self.client.force_login(self.alice)
        self.assertEqual(
            set(self.client.post("/search/", {"find": "lan"}).context["people"]), {self.lan, self.outsider}
        )

    def test_a_name_search_is_bookmarkable(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/search/", {"find": "lan"}).context["people"], [self.lan])

    def test_a_citizen_id_is_searched_when_posted_never_from_the_address(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post("/search/", {"find": "001098000111"}).context["people"], [self.lan])
        self.assertEqual(self.client.post("/search/", {"find": "001098000222"}).context["people"], [])  # outside
        self.assertEqual(self.client.get("/search/", {"find": "001098000111"}).context["people"], [])

    def test_it_finds_units_by_name_or_code_within_the_scope(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post("/search/", {"find": "khoa hoc"})
        self.assertEqual([o.code for o in r.context["units"]], ["C1.B1.01", "C1.B1.02"])
        self.assertContains(r, 'href="/org/C1.B1.01/"')
        self.assertEqual([o.code for o in self.client.post("/search/", {"find": "C1.B2"}).context["units"]], ["C1.B2"])
        r = self.client.post("/search/", {"find": "khu pho"})
        self.assertEqual(r.context["units"], [])
        self.assertNotContains(r, "Khu phố 1")

    def test_an_outsider_finds_nothing_of_another_commune(self) -> None:
        self.client.force_login(self.charlie)
        r = self.client.post("/search/", {"find": "dan chu"})
        self.assertEqual((r.context["people"], r.context["units"]), ([], []))
        r = self.client.post("/search/", {"find": "nguyen thi lan"})
        self.assertEqual(r.context["people"], [self.outsider])

    def test_it_answers_get_and_post_only(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.put("/search/").status_code, 405)

    def test_it_takes_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.bob)
        self.client.post("/search/", {"find": "lan"})
        for i in range(10):
            make_candidate(self.orgs["C1.B1.02"], Stage.SOURCE, full_name=f"Lê Thị Lan {i}")
        # session, user, grants, the people with their cells, the units, the navigation's counts (the units'
        # trails are one query more when some are found, whatever their number)
        with self.assertNumQueries(6):
            r = self.client.post("/search/", {"find": "lan"})
        self.assertEqual(len(r.context["people"]), 11)


@time_machine.travel(NOW)
class OrganizationTypedTestCase(BaseTestCase):
    """The organization filter's box sent with a name typed and no unit chosen from its list (no script, or Enter)."""

    def test_a_name_that_one_unit_answers_to_filters_by_that_unit(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post("/candidates/", {"unit": "truong thcs", "org": ""})
        self.assertRedirects(r, "/candidates/?org=C1.B1")
        # The unit's whole name picks it out even when others hold it in theirs.
        r = self.client.post("/candidates/", {"unit": "Đảng bộ xã Dân Chủ", "org": ""})
        self.assertRedirects(r, "/candidates/?org=C1")

    def test_a_unit_chosen_wins_over_the_name_in_the_box(self) -> None:
        # Changed with the fix of the typed name: the unit chosen stands while the box holds its name (as the
        # picker leaves it) or its code; it used to win over any text, so another name typed went unheeded.
        self.client.force_login(self.bob)
        for typed in ("Chi bộ Công ty Cổ phần Sông Lô", "chi bo cong ty co phan song lo", "C1.B2"):
            with self.subTest(typed=typed):
                r = self.client.post("/candidates/", {"unit": typed, "org": "C1.B2"})
                self.assertRedirects(r, "/candidates/?org=C1.B2")

    def test_a_name_typed_over_the_unit_chosen_before_is_the_one_filtered_by(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post("/candidates/", {"unit": "truong thcs", "org": "C1.B2"})
        self.assertRedirects(r, "/candidates/?org=C1.B1")
        # A name several units answer to: the unit chosen before is dropped all the same, and the user told.
        r = self.client.post("/candidates/", {"unit": "khoa hoc", "org": "C1.B2"}, follow=True)
        self.assertRedirects(r, "/candidates/")
        self.assertContains(r, "Có nhiều tổ chức khớp với “khoa hoc”")

    def test_an_emptied_box_clears_the_filter(self) -> None:
        self.client.force_login(self.bob)
        for typed in ("", "   "):
            with self.subTest(typed=typed):
                r = self.client.post("/candidates/", {"unit": typed, "org": "C1.B2", "stage": Stage.DOSSIER})
                self.assertRedirects(r, f"/candidates/?stage={Stage.DOSSIER}")

    def test_a_code_outside_the_scope_with_its_name_typed_finds_nothing(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post("/candidates/", {"unit": "Đảng bộ phường Hòa Bình", "org": "C2"}, follow=True)
        self.assertRedirects(r, "/candidates/")
        self.assertContains(r, "Không có tổ chức nào trong phạm vi của bạn khớp với “Đảng bộ phường Hòa Bình”")

    def test_the_picker_and_a_typed_name_both_find_an_ended_unit(self) -> None:
        org_services.organization_dissolve(org=self.org("C1.B1.02"), effective_date=datetime.date(2026, 1, 1))
        self.client.force_login(self.bob)
        r = self.client.get("/candidates/units/", {"unit": "khoa hoc xa hoi"})
        self.assertEqual([o.code for o in r.context["results"]], ["C1.B1.02"])
        self.assertContains(r, 'class="inactive"')
        r = self.client.post("/candidates/", {"unit": "khoa hoc xa hoi", "org": ""})
        self.assertRedirects(r, "/candidates/?org=C1.B1.02")
        # The cell picker of "add a person" still offers open cells only.
        self.client.force_login(self.dave)
        r = self.client.get("/candidates/units/", {"unit": "khoa hoc", "for": "create"})
        self.assertEqual([o.code for o in r.context["results"]], ["C1.B1.01"])

    def test_a_name_that_several_or_no_units_answer_to_says_so(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.post("/candidates/", {"unit": "khoa hoc", "org": ""}, follow=True)
        self.assertRedirects(r, "/candidates/")
        self.assertContains(r, "Có nhiều tổ chức khớp với “khoa hoc”")
        self.client.force_login(self.charlie)  # outside the scope: as if there were none
        r = self.client.post("/candidates/", {"unit": "truong thcs", "org": ""}, follow=True)
        self.assertRedirects(r, "/candidates/")
        self.assertContains(r, "Không có tổ chức nào trong phạm vi của bạn khớp với “truong thcs”")
