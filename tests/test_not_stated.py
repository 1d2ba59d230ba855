"""Blank means unknown (issue 15, point 4): no pre-filled ethnic group, religion or education; the person's page
says "not stated"; the breakdowns count "not stated" apart, the shares being of the people whose answer is known;
the cell's vote asks for the education where the rule needs it, and a blank education never passes the rule."""

from __future__ import annotations

import datetime
import importlib
import io
import re
from typing import Any

import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from imports import pipeline
from recruitment import rules, services
from recruitment.models import Candidate, EducationExemption, Stage
from recruitment.particulars import NO_RELIGION, canonical_religion
from reports.attainment import attainment
from reports.forms import Period
from reports.models import Quota
from tests.base import BaseTestCase
from tests.people import TIMELINE, add_member_introducers, make_candidate
from tests.test_exports_attainment import sheet_list
from tests.test_view_candidate_list import read_sheet
from tests.test_workbook_pipeline import PEOPLE, book, person

NOW = "2026-11-15 09:00 +0700"
D = datetime.date


def admitted(cell: Any, day: datetime.date, **fields: Any) -> Candidate:
    """A probationary member admitted (ceremony) on `day`, every earlier act shifted to match."""
    shift = day - TIMELINE["admission_date"]
    timeline = {k: v + shift for k, v in TIMELINE.items()}
    return make_candidate(cell, Stage.PROBATION, timeline=timeline, today=D(2026, 11, 15), **fields)


def assert_tallies_agree() -> None:
    """`rebuild_tallies --check` exits 1 (CommandError) when a tally differs from the people."""
    call_command("rebuild_tallies", "--check", stdout=io.StringIO(), stderr=io.StringIO())


@time_machine.travel(NOW)
class PersonFormTestCase(BaseTestCase):
    url = "/org/C1.B1.01/candidates/new/"
    data = {
        "full_name": "Đinh Văn Mạnh",
        "birth_date": "02/09/2000",
        "gender": "male",
        "ethnicity": "",
        "religion": "",
        "national_id": "001200004321",
        "occupation": "",
        "occupation_group": "",
        "education": "",
        "education_exemption": "",
        "source_date": "10/11/2026",
    }

    def test_the_new_person_form_prefills_no_ethnic_group_religion_or_education(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.get(self.url)
        form = r.context["form"]
        self.assertEqual([form[name].value() for name in ("ethnicity", "religion", "education")], [None, None, None])
        self.assertNotContains(r, 'value="Kinh" ')  # the list offers it; the field holds nothing
        self.assertContains(r, '<option value="Kinh">')
        self.assertFalse(form.fields["ethnicity"].required)
        # None is an explicit choice, offered first in the religion's list.
        self.assertContains(r, '<datalist id="religions"><option value="Không">')

    def test_left_empty_the_answers_are_stored_as_not_stated_and_the_page_says_so(self) -> None:
        self.client.force_login(self.dave)
        r = self.client.post(self.url, self.data)
        c = Candidate.objects.get(national_id="001200004321")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        self.assertEqual((c.ethnicity, c.religion, c.education), ("", "", ""))
        with translation.override("vi"):
            page = self.client.get(f"/candidates/{c.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        dd = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)", page))
        self.assertEqual(
            (dd["Dân tộc"], dd["Tôn giáo"], dd["Trình độ giáo dục phổ thông"]), ("Chưa khai", "Chưa khai", "Chưa khai")
        )

    def test_none_is_an_answer_apart_from_not_stated(self) -> None:
        self.client.force_login(self.dave)
        self.client.post(self.url, {**self.data, "ethnicity": "tay", "religion": "không", "education": "9/12"})
        c = Candidate.objects.get(national_id="001200004321")
        self.assertEqual((c.ethnicity, c.religion, c.education), ("Tày", NO_RELIGION, "9/12"))
        page = self.client.get(f"/candidates/{c.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        dd = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)", page))
        self.assertEqual((dd["Dân tộc"], dd["Tôn giáo"]), ("Tày", "Không theo tôn giáo"))

    def test_an_edit_can_take_an_answer_back_to_not_stated(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, religion="Phật giáo")
        self.client.force_login(self.dave)
        data: dict[str, Any] = {"version": c.version}
        for name in services.EDITABLE_FIELDS:
            value = getattr(c, name)
            if isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif isinstance(value, datetime.date):
                data[name] = f"{value:%d/%m/%Y}"
            else:
                data[name] = "" if value is None else value
        r = self.client.post(f"/candidates/{c.pk}/edit/", {**data, "religion": "", "ethnicity": ""})
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual((c.ethnicity, c.religion), ("", ""))
        assert_tallies_agree()

    def test_a_viewer_cannot_create_and_an_outsider_gets_404(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url, self.data).status_code, 403)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertFalse(Candidate.objects.exists())

    def test_the_spellings_of_none_and_of_not_stated(self) -> None:
        for text in ("Không", "khong", " KHÔNG ", "Không theo tôn giáo", "none"):
            self.assertEqual(canonical_religion(text), NO_RELIGION, text)
        for text in ("", "  ", "Chưa khai", "chua khai"):
            self.assertEqual(canonical_religion(text), "", text)
        self.assertEqual(canonical_religion(" Phật  giáo "), "Phật giáo")


@time_machine.travel(NOW)
class BreakdownTestCase(BaseTestCase):
    """10 admitted in 2026 under C1: 3 of an ethnic minority, 5 Kinh, 2 not stated → 3 of 8 = 37,50%;
    1 religious, 6 of no religion, 3 not stated → 1 of 7 = 14,29%; 4 women of 10 = 40,00%."""

    def setUp(self) -> None:
        super().setUp()
        cell = self.org("C1.B1.01")
        ethnicities = ["Tày", "Mường", "Dao", *["Kinh"] * 5, "", ""]
        religions = ["Công giáo", *[NO_RELIGION] * 6, "", "", ""]
        genders = ["female"] * 4 + ["male"] * 6
        self.people = [
            admitted(cell, D(2026, 3, 1 + i), ethnicity=e, religion=r, gender=g)
            for i, (e, r, g) in enumerate(zip(ethnicities, religions, genders, strict=True))
        ]
        admitted(cell, D(2025, 6, 1), ethnicity="")  # another year: not counted
        Quota.objects.create(organization=self.org("C1"), first_year=2026, last_year=2026, category="ethnic_minority",
                             target=4)  # fmt: skip

    def rows(self, org: str = "C1") -> dict[str, dict[str, Any]]:
        att = attainment(self.org(org), Period(2026, 2026), today=D(2026, 11, 15))
        return {str(b["key"]): b for b in att.total.breakdown_rows()}

    def test_a_share_is_of_those_whose_answer_is_known_with_the_unknown_count_beside(self) -> None:
        for depth in (0, 3):  # from the people, and from the tallies
            with self.subTest(depth=depth), override_settings(TALLY_DEPTH=depth):
                rows = self.rows()
                minority, religious, women = rows["ethnic_minority"], rows["religious"], rows["women"]
                self.assertEqual((minority["admitted"], minority["known"], minority["not_stated"]), (3, 8, 2))
                self.assertEqual(str(minority["share"]), "37.50")
                self.assertEqual((religious["admitted"], religious["known"], religious["not_stated"]), (1, 7, 3))
                self.assertEqual(str(religious["share"]), "14.29")
                # Gender is always known: the women's share is of everyone admitted.
                self.assertEqual((women["admitted"], women["not_stated"], str(women["share"])), (4, None, "40.00"))
                # The sub-target counts the known minority people only: 3 of 4.
                self.assertEqual(str(minority["percent"]), "75.00")

    def test_the_dashboard_shows_the_share_of_the_known_and_the_not_stated_count(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/", {"org": "C1", "year": "2026"}, HTTP_ACCEPT_LANGUAGE="vi")
        table = r.content.decode().split('id="breakdown"')[1].split("</table>")[0]
        minority = table.split("Dân tộc thiểu số")[1].split("</tr>")[0]
        self.assertIn("37,50%", minority)
        self.assertIn("trên 8 người đã khai", minority)
        self.assertIn("2 chưa khai", minority)
        religious = table.split("Người theo tôn giáo")[1].split("</tr>")[0]
        self.assertIn("14,29%", religious)
        self.assertIn("3 chưa khai", religious)

    def test_the_not_stated_count_drills_down_to_its_people(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/", {"org": "C1", "year": "2026"})
        link = re.search(
            r'href="(/candidates/\?org=C1&amp;category=ethnicity_not_stated&amp;[^"]+)"', r.content.decode()
        )
        assert link is not None
        listing = self.client.get(link[1].replace("&amp;", "&"))
        self.assertEqual({c.pk for c in listing.context["page"]}, {p.pk for p in self.people[8:]})
        # Outside the scope the code is not found, and no one is listed.
        self.client.force_login(self.charlie)
        outside = self.client.get(link[1].replace("&amp;", "&"))
        # Issue 18 (point 10): a 404 now, like every page given a code outside the scope (it was a form error on
        # an empty list).
        self.assertEqual(outside.status_code, 404)
        for p in self.people:
            self.assertNotContains(outside, p.full_name, status_code=404)

    def test_the_minority_list_leaves_out_those_not_stated(self) -> None:
        self.client.force_login(self.bob)
        listing = self.client.get("/candidates/", {"org": "C1", "category": "ethnic_minority"})
        self.assertEqual({c.pk for c in listing.context["page"]}, {p.pk for p in self.people[:3]})

    def test_the_tallies_stay_exact_as_answers_are_given_and_taken_back(self) -> None:
        unknown = self.people[8]
        services.candidate_update(candidate=unknown, version=unknown.version, acting_user=self.dave, ethnicity="Thái")
        known = self.people[0]
        services.candidate_update(candidate=known, version=known.version, acting_user=self.dave, religion="")
        with override_settings(TALLY_DEPTH=3):
            rows = self.rows("P")
        self.assertEqual((rows["ethnic_minority"]["admitted"], rows["ethnic_minority"]["not_stated"]), (4, 1))
        self.assertEqual((rows["religious"]["admitted"], rows["religious"]["not_stated"]), (0, 4))
        assert_tallies_agree()
        with override_settings(TALLY_DEPTH=0):
            self.assertEqual(self.rows("P")["religious"]["not_stated"], 4)

    def test_the_xlsx_has_the_not_stated_counts_beside_their_breakdowns(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/report.xlsx", {"org": "C1", "year": "2026"})
        self.assertEqual(r.status_code, 200)
        sheet = sheet_list(r.content)[0]
        columns = [chr(c) for c in range(ord("A"), ord("T") + 1)]
        figures = {sheet.value(f"{col}6"): sheet.value(f"{col}7") for col in columns}
        self.assertEqual(figures["Dân tộc thiểu số"], 3)
        self.assertEqual(figures["Chưa khai dân tộc"], 2)
        self.assertEqual(figures["Chưa khai tôn giáo"], 3)


@time_machine.travel(NOW)
class VoteEducationTestCase(BaseTestCase):
    def dossier(self, **fields: Any) -> Candidate:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER, **fields)
        add_member_introducers(c)
        return c

    def step(self, c: Candidate, **data: Any) -> Any:
        vote = {"act_date": "05/07/2023", "document_no": "12-NQ/CB", "branch_vote_members": 9, "branch_votes_for": 8}
        return self.client.post(f"/candidates/{c.pk}/step/branch_vote/", {"version": c.version, **vote, **data})

    def test_the_vote_asks_for_the_education_only_where_it_is_not_stated(self) -> None:
        self.client.force_login(self.dave)
        blank = self.dossier(education="")
        form = self.client.get(f"/candidates/{blank.pk}/step/branch_vote/").context["form"]
        self.assertTrue(form.fields["education"].required)
        stated = self.dossier(education="12/12")
        self.assertNotIn(
            "education", self.client.get(f"/candidates/{stated.pk}/step/branch_vote/").context["form"].fields
        )
        # A village elder's literacy exemption needs no grade.
        elder = self.dossier(education="", education_exemption=EducationExemption.ELDER, provincial_consent_no="1-CV")
        self.assertNotIn(
            "education", self.client.get(f"/candidates/{elder.pk}/step/branch_vote/").context["form"].fields
        )

    def test_a_vote_without_the_education_is_refused_and_nothing_is_saved(self) -> None:
        c = self.dossier(education="")
        self.client.force_login(self.dave)
        r = self.step(c)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(list(r.context["form"].errors), ["education"])
        c.refresh_from_db()
        self.assertEqual((c.stage, c.branch_vote_date, c.events.count()), (Stage.DOSSIER, None, 0))

    def test_the_education_given_at_the_vote_is_recorded_and_checked_against_the_rule(self) -> None:
        c = self.dossier(education="")
        self.client.force_login(self.dave)
        r = self.step(c, education="7/12")  # below the lower-secondary grade 9
        self.assertEqual(list(r.context["form"].errors), ["education"])
        c.refresh_from_db()
        self.assertEqual((c.stage, c.education), (Stage.DOSSIER, ""))
        r = self.step(c, education="9/12")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual((c.stage, c.education, c.branch_vote_date), (Stage.BRANCH_VOTED, "9/12", D(2023, 7, 5)))
        self.assertEqual(c.events.get().details["education"], "9/12")

    def test_a_viewer_cannot_vote_and_an_outsider_gets_404(self) -> None:
        c = self.dossier(education="")
        self.client.force_login(self.bob)
        self.assertEqual(self.step(c, education="9/12").status_code, 403)
        self.client.force_login(self.charlie)
        self.assertEqual(self.step(c, education="9/12").status_code, 404)
        c.refresh_from_db()
        self.assertEqual((c.stage, c.education), (Stage.DOSSIER, ""))

    def test_the_service_refuses_a_blank_education_at_the_vote(self) -> None:
        c = self.dossier(education="")
        with self.assertRaises(ValidationError) as ctx:
            services.candidate_advance(
                candidate=c, step="branch_vote", version=c.version, acting_user=self.dave, act_date=D(2023, 7, 5),
                document_no="12-NQ/CB", branch_vote_members=9, branch_votes_for=8, education="",
            )  # fmt: skip
        self.assertIn("education", ctx.exception.message_dict)

    def test_a_blank_education_is_never_taken_as_passing_the_rule(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED, education="")
        self.assertTrue(rules.education_needed(c))
        vote_rules = rules.Context.load(D(2026, 11, 15)).book.at(D(2023, 7, 5))
        ready = rules.check_ready_for_vote(c, list(c.introducers.all()), D(2023, 7, 5), vote_rules)
        self.assertIn("education", {p.field for p in ready})
        c.education = "9/12"
        self.assertFalse(rules.education_needed(c))

    def test_the_literacy_exemption_still_needs_the_provincial_consent_when_no_grade_is_stated(self) -> None:
        c = make_candidate(
            self.orgs["C1.B1.01"], Stage.DECIDED, education="", education_exemption=EducationExemption.ELDER,
            provincial_consent_no="1-CV",
        )  # fmt: skip
        c.provincial_consent_no = ""
        problems = rules.check_record(c, rules.Context.load(D(2026, 11, 15)))
        self.assertIn("provincial_consent_no", {p.field for p in problems if p.is_error})


@time_machine.travel(NOW, tick=False)
class WorkbookTestCase(BaseTestCase):
    def run_import(self, rows: list[dict[str, Any]], **options: Any) -> Any:
        return pipeline.import_file(book({PEOPLE: rows}, **options), "nhap.xlsx", user=self.alice, dry_run=False)

    def test_an_empty_religion_cell_is_none_by_contract_and_chua_khai_is_not_stated(self) -> None:
        rows = [
            person(national_id="079000000101"),  # no religion written: none (CONTRACT §3)
            person(national_id="079000000102", religion="Không"),
            person(national_id="079000000103", religion="Chưa khai"),
            person(national_id="079000000104", religion="Phật giáo", education=None),
        ]
        run = self.run_import(rows)
        self.assertEqual(run.status, run.Status.DONE, run.errors)
        stored = dict(Candidate.objects.values_list("national_id", "religion"))
        self.assertEqual([stored[f"07900000010{i}"] for i in range(1, 5)], [NO_RELIGION, NO_RELIGION, "", "Phật giáo"])
        self.assertEqual(Candidate.objects.get(national_id="079000000104").education, "")  # not stated

    def test_without_the_religion_column_a_new_person_s_religion_is_not_stated(self) -> None:
        keys = ["full_name", "birth_date", "gender", "ethnicity", "national_id", "branch_code", "source_date"]
        run = self.run_import([person(national_id="079000000201")], columns={PEOPLE: keys})
        self.assertEqual(run.status, run.Status.DONE, run.errors)
        self.assertEqual(Candidate.objects.get(national_id="079000000201").religion, "")

    def test_the_candidate_list_export_comes_back_as_it_went_out(self) -> None:
        cell = self.orgs["C1.B1.01"]
        make_candidate(cell, Stage.SOURCE, national_id="079000000301", religion="")
        make_candidate(cell, Stage.SOURCE, national_id="079000000302", religion=NO_RELIGION)
        self.client.force_login(self.dave)
        data = self.client.get("/candidates/export.xlsx").content
        _name, rows = read_sheet(data)
        religion = {row[rows[0].index("Số CCCD")]: row[rows[0].index("Tôn giáo")] for row in rows[1:]}
        self.assertEqual(religion, {"079000000301": "Chưa khai", "079000000302": "Không"})
        run = pipeline.import_file(data, "danh-sach.xlsx", user=self.alice, dry_run=False)
        self.assertEqual(run.status, run.Status.DONE, run.errors)
        stored = dict(Candidate.objects.values_list("national_id", "religion"))
        self.assertEqual((stored["079000000301"], stored["079000000302"]), ("", NO_RELIGION))


class DataMigrationTestCase(BaseTestCase):
    def test_a_blank_religion_entered_under_empty_means_none_becomes_none(self) -> None:
        cell = self.orgs["C1.B1.01"]
        blank = make_candidate(cell, Stage.SOURCE, religion="")
        named = make_candidate(cell, Stage.SOURCE, religion="Cao Đài")
        migration = importlib.import_module("recruitment.migrations.0019_religion_blank_was_none")
        migration.blank_to_none(apps, None)
        blank.refresh_from_db()
        named.refresh_from_db()
        self.assertEqual((blank.religion, named.religion), (NO_RELIGION, "Cao Đài"))
        assert_tallies_agree()  # blank and none counted alike before: the tallies hold
