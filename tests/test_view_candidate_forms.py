"""Issue 18, point 8: the forms of a person. A save refused because the record changed keeps what the user typed
and says whose change came first; introducers are edited, and removed after a confirmation; a refused step links
to where it is put right; the person's summary shows the admission date."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from recruitment import services
from recruitment.models import Candidate, Introducer, IntroducerKind, Stage, StageEvent
from tests.base import BaseTestCase
from tests.people import add_member_introducers, make_candidate
from tests.test_view_candidate import NOW, _edit_data

VOTE = datetime.date(2023, 7, 6)  # not tests.people's vote: make_candidate gives it no introducers
SAME_USER = "This record was changed since you opened it (in another tab or window, perhaps). Nothing was saved."
SOMEONE_ELSE = "Someone else saved this person while you were editing. Nothing of yours was saved."


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


@time_machine.travel(NOW)
class StaleEditTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER, occupation="Giáo viên")
        self.url = f"/candidates/{self.c.pk}/edit/"

    def _other_tab(self, user: Any, **fields: Any) -> None:
        other = Candidate.objects.get(pk=self.c.pk)
        services.candidate_update(candidate=other, version=other.version, acting_user=user, **fields)

    def test_a_change_by_the_same_user_in_another_tab_is_named_so_and_the_input_is_kept(self) -> None:
        self.client.force_login(self.dave)
        read = self.client.get(self.url).context["form"]["version"].value()
        self._other_tab(self.dave, occupation="Bác sĩ")
        r = self.client.post(self.url, _edit_data(self.c, version=read, full_name="Lò Văn Sớm"))
        self.assertEqual(r.status_code, 200)
        errors = r.context["form"].non_field_errors()
        self.assertIn(vi(SAME_USER), errors)
        self.assertNotIn(vi(SOMEONE_ELSE), errors)
        # What the user typed is on the form, and the value on record now is said under its field.
        self.assertContains(r, 'value="Lò Văn Sớm"')
        self.assertContains(r, 'value="Giáo viên"')
        self.assertContains(r, escape(vi("On record now: %(value)s") % {"value": "Bác sĩ"}))
        self.c.refresh_from_db()
        self.assertEqual((self.c.full_name, self.c.occupation), ("Nguyễn Thị Lan", "Bác sĩ"))

    def test_a_change_by_someone_else_is_named_so(self) -> None:
        self.client.force_login(self.dave)
        read = self.client.get(self.url).context["form"]["version"].value()
        self._other_tab(self.erin, occupation="Bác sĩ")
        r = self.client.post(self.url, _edit_data(self.c, version=read, full_name="Lò Văn Sớm"))
        errors = r.context["form"].non_field_errors()
        self.assertIn(vi(SOMEONE_ELSE), errors)
        self.assertNotIn(vi(SAME_USER), errors)
        self.assertContains(r, 'value="Lò Văn Sớm"')

    def test_saving_the_kept_form_again_records_what_it_holds(self) -> None:
        self.client.force_login(self.dave)
        read = self.client.get(self.url).context["form"]["version"].value()
        self._other_tab(self.erin, occupation="Bác sĩ")
        r = self.client.post(self.url, _edit_data(self.c, version=read, full_name="Lò Văn Sớm"))
        form = r.context["form"]
        self.assertEqual(int(form["version"].value()), read + 1)  # the version read when refused
        data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
        data = {k: ("on" if v is True else v) for k, v in data.items()}
        data = {k: (f"{v:%d/%m/%Y}" if isinstance(v, datetime.date) else v) for k, v in data.items()}
        self.assertRedirects(self.client.post(self.url, data), f"/candidates/{self.c.pk}/")
        self.c.refresh_from_db()
        self.assertEqual((self.c.full_name, self.c.occupation), ("Lò Văn Sớm", "Giáo viên"))

    def test_a_step_over_the_same_users_save_keeps_the_input_and_says_so(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        url = f"/candidates/{c.pk}/step/awareness/"
        read = self.client.get(url).context["form"]["version"].value()
        other = Candidate.objects.get(pk=c.pk)
        services.candidate_update(candidate=other, version=other.version, acting_user=self.dave, occupation="Bác sĩ")
        r = self.client.post(url, {"version": read, "act_date": "15/03/2023", "document_no": "CN-77"})
        self.assertIn(vi(SAME_USER), r.context["form"].non_field_errors())
        self.assertContains(r, 'value="CN-77"')
        self.assertContains(r, 'value="15/03/2023"')
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.SOURCE)


@time_machine.travel(NOW)
class IntroducerEditTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        self.introducer = add_member_introducers(self.c)[0]
        self.url = f"/candidates/{self.c.pk}/introducers/{self.introducer.pk}/edit/"

    def _data(self, **overrides: Any) -> dict[str, Any]:
        i = self.introducer
        data: dict[str, Any] = {
            "version": Candidate.objects.get(pk=self.c.pk).version,
            "kind": i.kind,
            "name": i.name,
            "reference": i.reference,
            "known_since": f"{i.known_since:%d/%m/%Y}" if i.known_since else "",
            "introduced_on": f"{i.introduced_on:%d/%m/%Y}",
            "official_member_here": "on",
        }
        return {**data, **overrides}

    def test_the_form_is_filled_in_with_the_introducer(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["form"]["name"].value(), self.introducer.name)
        self.assertEqual(r.context["form"]["version"].value(), self.c.version)

    def test_it_saves_the_change_and_bumps_the_version(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, self._data(name="Trần Văn Sửa", reference="01.999999"))
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.introducer.refresh_from_db()
        self.assertEqual((self.introducer.name, self.introducer.reference), ("Trần Văn Sửa", "01.999999"))
        self.assertEqual(self.introducer.history.latest().history_user, self.dave)
        version = self.c.version
        self.c.refresh_from_db()
        self.assertEqual(self.c.version, version + 1)

    def test_it_checks_what_adding_checks(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, self._data(known_since=""))  # a member says since when
        self.assertEqual(list(r.context["form"].errors), ["known_since"])
        r = self.client.post(self.url, self._data(official_member_here=""))
        self.assertIn("official_member_here", r.context["form"].errors)
        r = self.client.post(self.url, self._data(known_since="01/07/2023"))  # known after the introduction
        self.assertTrue(r.context["form"].errors)
        before = self.introducer.known_since
        self.introducer.refresh_from_db()
        self.assertEqual(self.introducer.known_since, before)

    def test_the_service_refuses_an_introduction_dated_after_a_vote_on_record(self) -> None:
        # An imported vote (no step recorded it) whose introductions do not hold: they may be put right after it.
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED, timeline={"branch_vote_date": VOTE})
        introducer = Introducer.objects.create(
            candidate=c, kind=IntroducerKind.YOUTH_UNION, name="BCH Đoàn", introduced_on=datetime.date(2023, 6, 1)
        )
        self.assertTrue(services.introducers_may_be_added(c))
        with self.assertRaises(ValidationError) as caught:
            services.introducer_update(
                introducer=introducer, version=c.version, acting_user=self.dave, introduced_on=datetime.date(2023, 8, 1)
            )
        self.assertIn("introduced_on", caught.exception.message_dict)

    def test_introducers_are_not_edited_after_the_cell_voted(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED)
        # The vote recorded by its step, which checked the introductions: they stay as they were.
        StageEvent.objects.create(candidate=c, from_stage=Stage.DOSSIER, to_stage=Stage.BRANCH_VOTED, act_date=VOTE)
        introducer = c.introducers.first()
        assert introducer is not None
        self.client.force_login(self.dave)
        url = f"/candidates/{c.pk}/introducers/{introducer.pk}/edit/"
        r = self.client.post(url, {**self._data(name="Đổi Tên"), "version": c.version})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())
        introducer.refresh_from_db()
        self.assertNotEqual(introducer.name, "Đổi Tên")

    def test_the_edit_and_removal_pages_do_not_open_when_the_service_would_refuse(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED)
        # The vote recorded by its step, which checked the introductions: they stay as they were.
        StageEvent.objects.create(candidate=c, from_stage=Stage.DOSSIER, to_stage=Stage.BRANCH_VOTED, act_date=VOTE)
        self.assertFalse(services.introducers_may_be_added(c))
        introducer = c.introducers.first()
        assert introducer is not None
        self.client.force_login(self.dave)
        for suffix in ("edit/", "delete/"):
            with self.subTest(suffix=suffix):
                r = self.client.get(f"/candidates/{c.pk}/introducers/{introducer.pk}/{suffix}", follow=True)
                self.assertRedirects(r, f"/candidates/{c.pk}/")
                self.assertContains(r, escape(vi("Introducers cannot change after the party cell has voted.")))
        self.assertTrue(Introducer.objects.filter(pk=introducer.pk).exists())

    def test_an_introducer_of_another_candidate_is_not_found(self) -> None:
        other = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        self.client.force_login(self.dave)
        for suffix in ("edit/", "delete/"):
            url = f"/candidates/{other.pk}/introducers/{self.introducer.pk}/{suffix}"
            self.assertEqual(self.client.get(url).status_code, 404)

    def test_outsiders_get_404_and_viewers_403(self) -> None:
        for user, status in ((self.charlie, 404), (self.bob, 403)):
            self.client.force_login(user)
            for url in (self.url, f"/candidates/{self.c.pk}/introducers/{self.introducer.pk}/delete/"):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, status)
                    self.assertEqual(self.client.post(url, self._data(name="Người Lạ")).status_code, status)
        self.introducer.refresh_from_db()
        self.assertNotEqual(self.introducer.name, "Người Lạ")
        self.assertTrue(Introducer.objects.filter(pk=self.introducer.pk).exists())

    def test_an_edit_over_a_stale_copy_keeps_the_input(self) -> None:
        self.client.force_login(self.dave)
        read = self.client.get(self.url).context["form"]["version"].value()
        other = Candidate.objects.get(pk=self.c.pk)
        services.candidate_update(candidate=other, version=other.version, acting_user=self.dave, occupation="Bác sĩ")
        r = self.client.post(self.url, {**self._data(name="Tên Mới"), "version": read})
        self.assertIn(vi(SAME_USER), r.context["form"].non_field_errors())
        self.assertContains(r, 'value="Tên Mới"')
        self.introducer.refresh_from_db()
        self.assertNotEqual(self.introducer.name, "Tên Mới")


@time_machine.travel(NOW)
class IntroducerRemovalTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        self.introducer = add_member_introducers(self.c)[0]
        self.url = f"/candidates/{self.c.pk}/introducers/{self.introducer.pk}/delete/"

    def test_the_person_page_asks_first_through_a_confirmation_page(self) -> None:
        self.client.force_login(self.dave)
        detail = self.client.get(f"/candidates/{self.c.pk}/")
        # No button that removes at once: a link to the confirmation page, and one to the edit page.
        self.assertContains(detail, f'href="{self.url}"')
        self.assertNotContains(detail, f'action="{self.url}"')
        self.assertContains(detail, f'href="/candidates/{self.c.pk}/introducers/{self.introducer.pk}/edit/"')
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, self.introducer.name)
        self.assertContains(r, f'action="{self.url}"')
        self.assertTrue(Introducer.objects.filter(pk=self.introducer.pk).exists())  # asking removes nothing

    def test_confirming_removes_it(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, {"version": self.c.version})
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        self.assertFalse(Introducer.objects.filter(pk=self.introducer.pk).exists())


@time_machine.travel(NOW)
class StepFixLinksTestCase(BaseTestCase):
    def test_a_vote_refused_for_want_of_introducers_links_to_adding_one(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)  # no introducers
        self.client.force_login(self.dave)
        data = {"version": c.version, "act_date": "05/07/2023", "document_no": "12-NQ/CB",
                "branch_vote_members": 9, "branch_votes_for": 9}  # fmt: skip
        r = self.client.post(f"/candidates/{c.pk}/step/branch_vote/", data)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())
        self.assertContains(r, f'href="/candidates/{c.pk}/introducers/add/"')
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.DOSSIER)

    def test_a_vote_refused_for_a_missing_dossier_date_links_to_the_edit_page_at_the_field(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER, residence_comment_date=None)
        add_member_introducers(c)
        self.client.force_login(self.dave)
        data = {"version": c.version, "act_date": "05/07/2023", "document_no": "12-NQ/CB",
                "branch_vote_members": 9, "branch_votes_for": 9}  # fmt: skip
        r = self.client.post(f"/candidates/{c.pk}/step/branch_vote/", data)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, f'href="/candidates/{c.pk}/edit/#id_residence_comment_date"')
        self.assertNotContains(r, f'href="/candidates/{c.pk}/introducers/add/"')

    def test_a_step_refused_for_its_own_field_needs_no_link(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        r = self.client.post(f"/candidates/{c.pk}/step/awareness/", {"version": c.version, "act_date": "01/01/2030",
                                                                     "document_no": "CN-1"})  # fmt: skip
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["fixes"], [])


@time_machine.travel(NOW)
class AdmissionDateTestCase(BaseTestCase):
    def test_the_summary_shows_the_admission_date_when_there_is_one(self) -> None:
        admitted = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)  # ceremony on 05/09/2023
        waiting = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        self.client.force_login(self.bob)
        r = self.client.get(f"/candidates/{admitted.pk}/")
        self.assertContains(r, '<dd id="admission-date">05/09/2023</dd>', html=True)
        self.assertContains(r, f"<dt>{vi('Admitted on')}</dt>", html=True)
        self.assertNotContains(self.client.get(f"/candidates/{waiting.pk}/"), 'id="admission-date"')
