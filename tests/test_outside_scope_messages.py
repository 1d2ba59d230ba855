"""Nothing outside the user's scope in any message (issue 13 §1).

A check that finds a record outside the user's scope says that it exists elsewhere and whom to ask, never
its name, cell or stage: typing a citizen ID into one's own cell's forms, or a code into a workbook, must
not turn it into a person or a unit of another ward. The same checks within the scope still name what
they found. Dave is staff of C1, Erin its admin; C2 (Charlie's ward) is outside both their scopes.
"""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.utils import translation
from django.utils.translation import gettext

from imports import pipeline
from imports.models import ImportRun
from organizations.models import Kind
from organizations.services import organization_create, organization_dissolve
from recruitment import services
from recruitment.models import Candidate, Stage
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate
from tests.test_view_candidate import _d, _edit_data
from tests.test_workbook_pipeline import COUNTS, ORGS, PEOPLE, QUOTAS, book, person

D = datetime.date
NOW = "2026-11-20 09:00 +0700"
OUTSIDE_ID = "079099000001"
INSIDE_ID = "079099000002"
# What a ward of C2 must not give away to C1's staff.
OUTSIDE_NAME = "Vũ Thế Đức"
OUTSIDE_LEAKS = (OUTSIDE_NAME, "C2.B1.01", "Khu phố 1", "C2.B1", "Khu phố Hòa Bình", "Hòa Bình")
ORG_OUTSIDE = (
    "There is no organization with this code in your scope: check the code (rows of a unit outside your scope "
    "cannot be imported)."
)
RECORDED_OUTSIDE = (
    "This person is recorded under another unit, outside your scope; an import does not move a person to another "
    "chi bộ. Leave this row out of the file and ask the level above."
)


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def outside_message() -> str:
    with translation.override("vi"):
        return services.outside_scope_message()


@time_machine.travel(NOW, tick=False)
class CandidateFormsTestCase(BaseTestCase):
    """The add-person and edit forms of Dave's own cell, given the citizen ID of a person elsewhere."""

    def setUp(self) -> None:
        super().setUp()
        self.outsider = make_candidate(
            self.orgs["C2.B1.01"], Stage.DOSSIER, full_name=OUTSIDE_NAME, national_id=OUTSIDE_ID
        )
        self.neighbour = make_candidate(
            self.orgs["C1.B1.02"], Stage.DOSSIER, full_name="Lò Thị Mai", national_id=INSIDE_ID
        )
        self.own = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, full_name="Hà Văn Nam")
        with translation.override("vi"):
            self.stage_label = str(Stage.DOSSIER.label)
        self.client.force_login(self.dave)

    def new_person(self, national_id: str) -> dict[str, Any]:
        data = {k: v for k, v in _edit_data(self.own).items() if k in services.PERSON_FIELDS}
        return {**data, "full_name": "Đinh Văn Tới", "national_id": national_id, "source_date": _d(D(2026, 11, 2))}

    def assert_hidden(self, response: Any) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["national_id"], [outside_message()])
        for leak in (*OUTSIDE_LEAKS, self.stage_label):
            self.assertNotIn(leak, response.context["form"].errors["national_id"][0])
        for leak in OUTSIDE_LEAKS:
            self.assertNotContains(response, leak)

    def named(self) -> str:
        with translation.override("vi"):
            return gettext("%(name)s, citizen ID %(id)s, is already a candidate in %(org)s.") % {
                "name": "Lò Thị Mai",
                "id": INSIDE_ID,
                "org": "Chi bộ Tổ Khoa học xã hội",
            }

    def test_the_add_person_form_does_not_name_a_person_outside_the_scope(self) -> None:
        before = Candidate.objects.count()
        self.assert_hidden(self.client.post("/org/C1.B1.01/candidates/new/", self.new_person(OUTSIDE_ID)))
        self.assertEqual(Candidate.objects.count(), before)

    def test_the_add_person_form_names_a_person_within_the_scope(self) -> None:
        r = self.client.post("/org/C1.B1.01/candidates/new/", self.new_person(INSIDE_ID))
        self.assertEqual(r.context["form"].errors["national_id"], [self.named()])

    def test_the_edit_form_does_not_name_a_person_outside_the_scope(self) -> None:
        self.assert_hidden(
            self.client.post(f"/candidates/{self.own.pk}/edit/", _edit_data(self.own, national_id=OUTSIDE_ID))
        )
        self.own.refresh_from_db()
        self.assertNotEqual(self.own.national_id, OUTSIDE_ID)

    def test_the_edit_form_names_a_person_within_the_scope(self) -> None:
        r = self.client.post(f"/candidates/{self.own.pk}/edit/", _edit_data(self.own, national_id=INSIDE_ID))
        self.assertEqual(r.context["form"].errors["national_id"], [self.named()])

    def test_a_command_without_a_user_still_names_the_person(self) -> None:
        # A service called without a user (commands, the seed) is not limited to a scope.
        with translation.override("vi"), self.assertRaises(services.ValidationError) as caught:
            services.candidate_update(
                candidate=self.own, version=self.own.version, acting_user=None, national_id=OUTSIDE_ID
            )
        self.assertIn(OUTSIDE_NAME, caught.exception.message_dict["national_id"][0])

    def test_the_admin_of_the_province_sees_whose_it_is(self) -> None:
        # Alice administers P: both wards are hers, so the message names the person and the cell.
        with translation.override("vi"), self.assertRaises(services.ValidationError) as caught:
            services.candidate_update(
                candidate=self.own, version=self.own.version, acting_user=self.alice, national_id=OUTSIDE_ID
            )
        message = caught.exception.message_dict["national_id"][0]
        self.assertIn(OUTSIDE_NAME, message)
        self.assertIn("Chi bộ Khu phố 1", message)

    def test_no_step_form_can_meet_another_open_candidacy(self) -> None:
        # The steps keep a candidacy open (or close it): two open candidacies of one citizen ID cannot exist
        # (a database constraint), so the duplicate check of a step never finds one to name.
        constraint = "recruitment_candidate_one_open_per_national_id"
        names = {c.name for c in Candidate._meta.constraints}
        self.assertIn(constraint, names)


@time_machine.travel(NOW, tick=False)
class OrganizationFormsTestCase(BaseTestCase):
    """A code already used elsewhere: the form says the code is taken, and nothing of the unit that has it."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.erin)

    def test_a_new_unit_with_a_code_used_outside_the_scope(self) -> None:
        data = {"code": "C2.B1", "name": "Chi bộ Thôn Mới", "kind": Kind.BASE_BRANCH, "sector": ""}
        r = self.client.post("/org/C1/new/", data)
        self.assertEqual(r.status_code, 200)
        errors = r.context["form"].errors["code"]
        self.assertEqual(len(errors), 1)
        for leak in ("Khu phố Hòa Bình", "Hòa Bình", "C2 ", "Đảng bộ"):
            self.assertNotIn(leak, errors[0])
        for leak in ("Khu phố Hòa Bình", "phường Hòa Bình"):
            self.assertNotContains(r, leak)
        # Inside the scope the same check says the same: that the code is taken.
        inside = self.client.post("/org/C1/new/", {**data, "code": "C1.B2"})
        self.assertEqual(inside.context["form"].errors["code"], errors)

    def test_the_edit_form_cannot_be_pointed_at_another_units_code(self) -> None:
        data = {"code": "C2.B1", "name": "Đảng bộ Trường THCS Dân Chủ", "kind": Kind.BASE_COMMITTEE,
                "sector": "school"}  # fmt: skip
        r = self.client.post("/org/C1.B1/edit/", data)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.org("C1.B1").code, "C1.B1")
        self.assertEqual(self.org("C2.B1").name, "Đảng bộ Khu phố Hòa Bình")
        page = self.client.get(r["Location"])
        self.assertNotContains(page, "Khu phố Hòa Bình")


@time_machine.travel(NOW, tick=False)
class WorkbookSheetsTestCase(BaseTestCase):
    """Each sheet of a workbook, with rows that reach outside the importer's scope."""

    def setUp(self) -> None:
        super().setUp()
        # A dissolved cell in each ward.
        for parent, code, name in (("C2.B1", "C2.B1.09", "Chi bộ Khu phố 9"), ("C1.B1", "C1.B1.09", "Chi bộ cũ")):
            organization_create(parent=self.org(parent), code=code, name=name, kind=Kind.BRANCH)
            organization_dissolve(org=self.org(code), effective_date=D(2026, 1, 1))

    def errors(self, data: bytes, user: Any) -> list[tuple[str, int, str, str]]:
        run = pipeline.import_file(data, "nhap.xlsx", user=user, dry_run=True)
        self.assertEqual(run.status, ImportRun.Status.INVALID, run.message)
        return [(e["sheet"], e["row"], e["column"], e["message"]) for e in pipeline.issues(run)]

    def assert_says_nothing(self, errors: list[tuple[str, int, str, str]], *leaks: str) -> None:
        for *_where, message in errors:
            for leak in (*OUTSIDE_LEAKS, "Chi bộ Khu phố 9", "C2.B1.09", *leaks):
                self.assertNotIn(leak, message)

    def test_people_duplicate_citizen_id_on_record_elsewhere(self) -> None:
        make_candidate(self.orgs["C2.B1.01"], Stage.DOSSIER, full_name=OUTSIDE_NAME, national_id=OUTSIDE_ID)
        make_candidate(self.orgs["C1.B1.02"], Stage.DOSSIER, full_name="Lò Thị Mai", national_id=INSIDE_ID)
        rows = [person(national_id=OUTSIDE_ID), person(national_id=INSIDE_ID)]
        errors = self.errors(book({PEOPLE: rows}), self.dave)
        self.assertEqual(errors[0], (PEOPLE, 2, "Mã chi bộ", vi(RECORDED_OUTSIDE)))
        self.assert_says_nothing(errors[:1], vi(str(Stage.DOSSIER.label)))
        # Within the scope, the cell on record is named.
        self.assertEqual(errors[1][:3], (PEOPLE, 3, "Mã chi bộ"))
        self.assertIn("C1.B1.02", errors[1][3])
        self.assertIn("Chi bộ Tổ Khoa học xã hội", errors[1][3])

    def test_people_a_closed_candidacy_elsewhere_is_not_compared(self) -> None:
        # A row for a person who left: it updates the same closed candidacy when its source date matches. Outside
        # the scope that comparison would tell the other candidacy's date: the row is simply a candidacy of the
        # user's own cell, whatever the dates.
        left = D(2023, 6, 1)
        for national_id, cell in ((OUTSIDE_ID, "C2.B1.01"), (INSIDE_ID, "C1.B1.02")):
            make_candidate(self.orgs[cell], Stage.REMOVED, national_id=national_id, full_name=OUTSIDE_NAME,
                           timeline={"removal_date": left})  # fmt: skip
        for source in (TIMELINE["source_date"], D(2022, 1, 3)):  # the one on record outside, and another
            with self.subTest(source_date=source):
                row = person(national_id=OUTSIDE_ID, source_date=source, removal_date=left, removal_reason="Xin rút")
                run = pipeline.import_file(book({PEOPLE: [row]}), "nhap.xlsx", user=self.dave, dry_run=True)
                self.assertEqual(pipeline.issues(run), [])
                self.assertEqual([(s["created"], s["updated"]) for s in run.summary], [(1, 0)])
        # Within the scope the matching closed candidacy is found, and the row may not move it to another cell.
        row = person(national_id=INSIDE_ID, removal_date=left, removal_reason="Xin rút")
        errors = self.errors(book({PEOPLE: [row]}), self.dave)
        self.assertEqual([e[:3] for e in errors], [(PEOPLE, 2, "Mã chi bộ")])
        self.assertIn("C1.B1.02", errors[0][3])

    def test_people_naming_a_unit_outside_the_scope(self) -> None:
        # Not a cell, or dissolved: said of units within the scope, not of those outside it.
        rows = [person(branch_code="C2.B1"), person(branch_code="C2.B1.09"),
                person(branch_code="C1.B1"), person(branch_code="C1.B1.09")]  # fmt: skip
        errors = self.errors(book({PEOPLE: rows}), self.dave)
        self.assertEqual(
            errors[:2], [(PEOPLE, 2, "Mã chi bộ", vi(ORG_OUTSIDE)), (PEOPLE, 3, "Mã chi bộ", vi(ORG_OUTSIDE))]
        )
        self.assert_says_nothing(errors[:2])
        self.assertEqual([e[:3] for e in errors[2:]], [(PEOPLE, 4, "Mã chi bộ"), (PEOPLE, 5, "Mã chi bộ")])
        self.assertIn("C1.B1", errors[2][3])
        self.assertNotEqual(errors[2][3], vi(ORG_OUTSIDE))
        self.assertIn("C1.B1.09", errors[3][3])

    def test_organizations_under_or_moved_to_a_unit_outside_the_scope(self) -> None:
        rows = [
            {"code": "C1.B7", "name": "Chi bộ Thôn Bảy", "parent_code": "C2.B1.09", "kind": "branch"},
            {"code": "C1.B8", "name": "Chi bộ Thôn Tám", "parent_code": "C1.B1.09", "kind": "branch"},
            {"code": "C1.B2", "name": "Chi bộ Công ty Cổ phần Sông Lô", "parent_code": "C2.B1.09",
             "kind": "base_branch", "sector": "private_enterprise"},
            {"code": "C1.B1.02", "name": "Chi bộ Tổ Khoa học xã hội", "parent_code": "C1.B1.09", "kind": "branch",
             "sector": "school"},
            {"code": "C2.B1", "name": "Đổi tên", "parent_code": "C2", "kind": "base_committee",
             "sector": "residential"},
        ]  # fmt: skip
        errors = self.errors(book({ORGS: rows}), self.erin)
        outside = [e for e in errors if e[1] in (2, 4, 6)]
        self.assertEqual(
            outside,
            [(ORGS, 2, "Mã cấp trên", vi(ORG_OUTSIDE)), (ORGS, 4, "Mã cấp trên", vi(ORG_OUTSIDE)),
             (ORGS, 6, "Mã tổ chức", vi(ORG_OUTSIDE))],
        )  # fmt: skip
        self.assert_says_nothing(outside, "giải thể")
        # Within the scope: the dissolved unit is named as such.
        inside = {e[1]: e[3] for e in errors if e[1] in (3, 5)}
        self.assertEqual(sorted(inside), [3, 5])
        for message in inside.values():
            self.assertIn("C1.B1.09", message)

    def test_organizations_the_scope_root_is_not_moved_and_its_parent_not_named(self) -> None:
        rows = [{"code": "C1", "name": "Đảng bộ xã Dân Chủ", "parent_code": "", "kind": "commune"}]
        errors = self.errors(book({ORGS: rows}), self.erin)
        with translation.override("vi"):
            decided = gettext(
                "Moving %(code)s to another parent is decided by an administrator of its current parent."
            ) % {"code": "C1"}
        self.assertEqual(errors, [(ORGS, 2, "Mã cấp trên", decided)])

    def test_a_code_outside_the_scope_reads_as_a_code_that_does_not_exist(self) -> None:
        # Else repeated dry runs tell which codes exist in other wards (found by a review).
        people = [person(branch_code="C2.B1.01"), person(branch_code="NOPE")]
        counts = [{"code": "C2.B1", "year": 2025, "members": 40}, {"code": "NOPE", "year": 2025, "members": 40}]
        orgs = [
            {"code": "C1.B7", "name": "Chi bộ Thôn Bảy", "parent_code": "C2.B1", "kind": "branch"},
            {"code": "C1.B8", "name": "Chi bộ Thôn Tám", "parent_code": "NOPE", "kind": "branch"},
        ]
        for sheet, rows, column in ((PEOPLE, people, "Mã chi bộ"), (COUNTS, counts, "Mã tổ chức"),
                                    (ORGS, orgs, "Mã cấp trên")):  # fmt: skip
            with self.subTest(sheet=sheet):
                errors = [e for e in self.errors(book({sheet: rows}), self.erin) if e[0] == sheet]
                self.assertEqual(errors, [(sheet, 2, column, vi(ORG_OUTSIDE)), (sheet, 3, column, vi(ORG_OUTSIDE))])

    def test_membership_counts_of_a_unit_outside_the_scope(self) -> None:
        rows = [{"code": "C2.B1", "year": 2025, "members": 40}, {"code": "C1.B1", "year": 2025, "members": 40}]
        errors = self.errors(book({COUNTS: rows, PEOPLE: [person(branch_code="NOPE")]}), self.erin)
        self.assertEqual(errors[0], (COUNTS, 2, "Mã tổ chức", vi(ORG_OUTSIDE)))
        self.assertNotIn(COUNTS, [e[0] for e in errors[1:]])  # the row within the scope passes
        self.assert_says_nothing(errors[:1])

    def test_quotas_of_a_unit_outside_the_scope(self) -> None:
        rows = [{"code": "C2.B1", "period": "2026", "target": 4}, {"code": "C1.B1", "period": "2026", "target": 4}]
        errors = self.errors(book({QUOTAS: rows, PEOPLE: [person(branch_code="NOPE")]}), self.erin)
        self.assertEqual(errors[0], (QUOTAS, 2, "Mã tổ chức", vi(ORG_OUTSIDE)))
        self.assertNotIn(QUOTAS, [e[0] for e in errors[1:]])
        self.assert_says_nothing(errors[:1])
