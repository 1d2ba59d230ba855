"""One way in for every fact: the tree and the people change only through the services, which keep the
tallies in the same transaction (no signal receivers), from the web, the workbook import and the Django admin."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import signals
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from imports import pipeline
from imports.models import ImportRun
from organizations.models import EventAction, Organization, OrganizationEvent
from organizations.notation import num
from recruitment.models import Candidate, Stage
from reports import tally
from reports.attainment import attainment
from reports.forms import Period
from tests.base import BaseTestCase
from tests.people import make_candidate
from tests.test_workbook_pipeline import ORGS, PEOPLE, admitted, book, person
from tests.workbooks import csv_bytes

D = datetime.date
NOW = "2026-11-20 09:00 +0700"
TODAY = D(2026, 11, 20)
HEADERS = ["code", "name", "parent_code", "kind", "sector", "is_active", "valid_from", "valid_to"]


def org_row(org: Organization, **changes: str) -> list[str]:
    """The admin's CSV row of org as it stands (as exported), with changes."""
    parent = Organization.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
    row = {
        "code": org.code,
        "name": org.name,
        "parent_code": parent.code if parent else "",
        "kind": org.kind,
        "sector": org.sector,
        "is_active": "1" if org.is_active else "0",
        "valid_from": "",
        "valid_to": "",
        **changes,
    }
    return [row[h] for h in HEADERS]


def vi(message: str) -> str:
    """A message as the user reads it (the site speaks Vietnamese)."""
    with translation.override("vi"):
        return gettext(message)


def check_tallies() -> None:
    """`rebuild_tallies --check` says the tallies agree with the people; when they do not, it raises
    CommandError (exit code 1), which fails the test with the command's message."""
    out = StringIO()
    try:
        call_command("rebuild_tallies", "--check", stdout=out)
    except CommandError as exc:  # pragma: no cover - what the tests below rule out
        raise AssertionError(f"rebuild_tallies --check: {exc} (exit {exc.returncode})") from exc
    with translation.override("vi"):
        agree = gettext("The %(count)s tallies agree with the people.") % {"count": num(len(tally.expected()))}
    assert out.getvalue().strip() == agree, out.getvalue()


@time_machine.travel(NOW, tick=False)
class AdminImportTestCase(BaseTestCase):
    """The Django admin's organization import, through its two HTTP steps, as a superuser."""

    root: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", "x")

    def admin_import(self, *rows: list[str]) -> Any:
        """Upload the CSV (the dry run); if it is accepted, confirm it. The last response."""
        self.client.force_login(self.root)
        url = "/admin/organizations/organization/import/"
        form = self.client.get(url).context["form"]
        csv_format = next(value for value, label in form.fields["format"].choices if str(label).lower() == "csv")
        upload = SimpleUploadedFile("to-chuc.csv", csv_bytes([HEADERS, *rows]), content_type="text/csv")
        r = self.client.post(url, {"format": csv_format, "import_file": upload, "resource": 0})
        self.assertEqual(r.status_code, 200)
        confirm = r.context.get("confirm_form")
        if confirm is None:
            return r
        done = self.client.post("/admin/organizations/organization/process_import/", confirm.initial)
        self.assertEqual(done.status_code, 302, done.content[:2000])
        return done

    def row_errors(self, r: Any) -> list[str]:
        result = r.context["result"]
        errors = [str(m) for row in result.invalid_rows for ms in row.error_dict.values() for m in ms]
        return errors + [str(e.error) for _n, es in result.row_errors() for e in es]

    def tree(self) -> list[tuple[str, str, bool]]:
        return list(Organization.objects.order_by("path").values_list("code", "path", "is_active"))


class MixedPathsTestCase(AdminImportTestCase):
    def web_person(self) -> Candidate:
        """Dave (staff at C1) puts a person on C1.B1.01's list and takes them to full membership, on the pages."""
        self.client.force_login(self.dave)
        data = {
            "full_name": "Đinh Văn Mạnh",
            "birth_date": "02/09/2000",
            "gender": "male",
            "ethnicity": "Tày",
            "religion": "",
            "national_id": "001200004321",
            "youth_union": "on",
            "occupation": "Giáo viên",
            "occupation_group": "public_employee",
            "education": "12/12",
            "education_exemption": "",
            "source_date": "10/01/2023",
        }
        r = self.client.post("/org/C1.B1.01/candidates/new/", data)
        c = Candidate.objects.get(national_id="001200004321")
        self.assertRedirects(r, f"/candidates/{c.pk}/")

        def post(url: str, values: dict[str, Any]) -> None:
            c.refresh_from_db()
            r = self.client.post(f"/candidates/{c.pk}/{url}", {"version": c.version, **values})
            self.assertRedirects(r, f"/candidates/{c.pk}/", msg_prefix=str(r.context and r.context["form"].errors))

        post("step/awareness/", {"act_date": "15/03/2023", "document_no": "CN-0123"})
        post("step/dossier/", {"act_date": "03/04/2023"})
        c.refresh_from_db()
        edit = {name: getattr(c, name) for name in data if name != "source_date"}
        edit.update(
            birth_date="02/09/2000",
            youth_union="on",
            personal_history_date="10/04/2023",
            verification_date="20/06/2023",
            residence_comment_date="25/06/2023",
        )
        post("edit/", edit)
        # A Youth Union member of 22: the Union's resolution and one official member introduce him (Charter Điều 4;
        # two members before issue 15).
        post(
            "introducers/add/",
            {"kind": "member", "name": "Trần Văn Hùng", "known_since": "01/01/2020", "introduced_on": "01/06/2023",
             "official_member_here": "on"},
        )  # fmt: skip
        post("introducers/add/", {"kind": "youth_union", "name": "BCH Đoàn xã", "introduced_on": "01/06/2023"})
        post(
            "step/branch_vote/",
            {"act_date": "05/07/2023", "document_no": "12-NQ/CB", "branch_vote_members": 9, "branch_votes_for": 8},
        )
        post(
            "step/committee_review/",
            {"act_date": "20/07/2023", "document_no": "34-NQ/ĐU", "committee_members": 7, "committee_votes_for": 7},
        )
        post("step/decision/", {"act_date": "15/08/2023", "document_no": "56-QĐ/ĐU"})
        post("step/ceremony/", {"act_date": "05/09/2023"})
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.PROBATION)
        recognition = {
            "new_member_course_date": "01/03/2024",
            "recognition_vote_date": "10/09/2024",
            "recognition_vote_members": 9,
            "recognition_votes_for": 9,
        }
        post("step/recognition/", {"act_date": "25/09/2024", "document_no": "78-QĐ/ĐU", **recognition})
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.OFFICIAL)
        return c

    def test_web_steps_workbook_import_admin_import_merge_and_move_leave_the_tallies_equal_to_the_people(
        self,
    ) -> None:
        # People written straight (as other tests do), in cells of both communes.
        make_candidate(self.orgs["C1.B2"], Stage.PROBATION, timeline={"admission_date": D(2024, 3, 5)})
        make_candidate(self.orgs["C2.B1.01"], Stage.DOSSIER)
        # 1. The web: a person added and taken through admission, probation and recognition.
        self.web_person()
        self.assertIn(202309, {month for _org, month in tally.stored()})  # the web admission's month
        check_tallies()

        # 2. The workbook import: new people, one admitted in C2's cell, and a cell changing sector.
        run = pipeline.import_file(
            book(
                {
                    ORGS: [
                        {
                            "code": "C1.B2",
                            "name": "Chi bộ Công ty Cổ phần Sông Lô",
                            "parent_code": "C1",
                            "kind": "base_branch",
                            "sector": "residential",
                        },
                    ],
                    PEOPLE: [admitted(branch_code="C2.B1.01"), person(branch_code="C1.B1.02"), admitted()],
                }
            ),
            "nhap.xlsx",
            user=self.alice,
            dry_run=False,
        )
        self.assertEqual(run.status, ImportRun.Status.DONE, pipeline.issues(run) or run.message)
        check_tallies()

        # 3. The Django admin's import: a new unit under C2, C1.B2 moved under C2, C2.B1's sector changed.
        r = self.admin_import(
            ["C2.B2", "Chi bộ Thôn Đông", "C2", "base_branch", "residential", "1", "", ""],
            org_row(self.org("C1.B2"), parent_code="C2"),
            org_row(self.org("C2.B1"), sector="private_enterprise"),
        )
        self.assertEqual(r.status_code, 302)
        self.assertTrue(self.org("C1.B2").is_within(self.org("C2")))
        self.assertTrue(self.org("C2.B2").is_within(self.org("C2")))
        self.assertEqual(self.org("C2.B1").sector, "private_enterprise")
        moved = OrganizationEvent.objects.get(organization__code="C1.B2", action=EventAction.MOVED)
        self.assertEqual(
            (moved.effective_date, moved.acting_user, moved.from_parent), (TODAY, self.root, self.org("C1"))
        )
        check_tallies()

        # 4. A merge on the tree pages: C1.B1 into C2.B1, its cells (and their people) going along.
        self.client.force_login(self.alice)
        r = self.client.post("/org/C1.B1/dissolve/", {"effective_date": "20/11/2026", "successor": "C2.B1"})
        self.assertRedirects(r, "/org/C1.B1/", fetch_redirect_response=False)
        self.assertFalse(self.org("C1.B1").is_active)
        self.assertTrue(self.org("C1.B1.01").is_within(self.org("C2.B1")))
        check_tallies()

        # 5. A move on the tree pages: C2.B1 (now with the merged cells) under C1.
        r = self.client.post("/org/C2.B1/move/", {"new_parent": "C1", "effective_date": "20/11/2026"})
        self.assertRedirects(r, "/org/C2.B1/", fetch_redirect_response=False)
        self.assertTrue(self.org("C1.B1.01").is_within(self.org("C1")))

        # The tallies the dashboards read equal a count of the people again, and they are not empty.
        check_tallies()
        self.assertGreater(len(tally.stored()), 10)
        self.assertEqual(tally.stored(), tally.expected())
        # The people: 2 written straight, 1 on the web, 3 by the workbook; C1 now holds all but C1.B2's.
        p_now = tally.stored()[(self.org("P").pk, tally.PIPELINE_MONTH)]
        pipeline_figures = dict(zip(tally.MEASURES, p_now, strict=True))
        self.assertEqual(sum(v for k, v in pipeline_figures.items() if k.startswith("p_")), 6 - 1)  # one official


@time_machine.travel(NOW, tick=False)
class AdminMoveAcceptanceTestCase(AdminImportTestCase):
    """Acceptance: a unit moved with the Django admin on a day leaves the report of an earlier year on the
    tree as it stood then, and the tallies equal to the people."""

    def report_2023(self) -> dict[str, int]:
        att = attainment(self.org("P"), Period(2023, 2023), today=TODAY)
        return {r.org.code: r.admitted for r in att.rows}

    def test_an_earlier_years_report_keeps_the_unit_under_its_old_parent(self) -> None:
        # Two admissions of 2023 in C1.B2 (a private company's cell under C1), one in C2's cell.
        for _ in range(2):
            make_candidate(self.orgs["C1.B2"], Stage.OFFICIAL)
        make_candidate(self.orgs["C2.B1.01"], Stage.PROBATION)
        before = self.report_2023()
        self.assertEqual(before, {"P": 3, "C1": 2, "C2": 1})

        r = self.admin_import(org_row(self.org("C1.B2"), parent_code="C2"))
        self.assertEqual(r.status_code, 302)
        self.assertTrue(self.org("C1.B2").is_within(self.org("C2")))

        # 2023 is reported on the tree of 2023: C1.B2's admissions still count under C1, from the
        # tallies (the province reads them) and from a scan of the people alike.
        self.assertEqual(self.report_2023(), before)
        with override_settings(TALLY_DEPTH=0):
            self.assertEqual(self.report_2023(), before)
        # This year's tree has C1.B2 under C2: its people are in C2's figures now.
        c2_now = tally.stored()[(self.org("C2").pk, 202309)]
        self.assertEqual(dict(zip(tally.MEASURES, c2_now, strict=True))["admitted"], 3)
        check_tallies()

    def test_the_move_is_dated_the_day_of_the_import_and_attributed_to_the_superuser(self) -> None:
        self.admin_import(org_row(self.org("C1.B2"), parent_code="C2"))
        event = OrganizationEvent.objects.get(organization__code="C1.B2", action=EventAction.MOVED)
        self.assertEqual(
            (event.effective_date, event.acting_user, event.from_parent, event.to_parent),
            (TODAY, self.root, self.org("C1"), self.org("C2")),
        )


class NoReceiversTestCase(BaseTestCase):
    def test_people_the_tree_and_its_events_have_no_receivers_but_the_history(self) -> None:
        for model in (Candidate, Organization, OrganizationEvent):
            for signal in (signals.pre_save, signals.post_save, signals.pre_delete, signals.post_delete):
                sync, asynchronous = signal._live_receivers(model)
                modules = {getattr(r, "__module__", "") for r in [*sync, *asynchronous]}
                with self.subTest(model=model.__name__, signal=signal):
                    self.assertLessEqual(modules, {"simple_history.models"})

    def test_a_person_saved_around_the_services_is_not_counted_and_the_check_says_so(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.SOURCE)
        c.stage = Stage.AWARENESS
        c.awareness_cert_date = D(2023, 3, 15)
        c.save()  # behind the app's back: no hook, so the tallies stay as they were
        self.assertNotEqual(tally.stored(), tally.expected())
        with self.assertRaises(CommandError) as caught:
            call_command("rebuild_tallies", "--check", stdout=StringIO())
        self.assertEqual(caught.exception.returncode, 1)


class AdminRefusesTestCase(AdminImportTestCase):
    """What the services refuse, the admin refuses: a row error, and nothing of the file saved."""

    def assert_refused(self, rows: list[list[str]], message: str) -> None:
        tree, events, tallies = self.tree(), OrganizationEvent.objects.count(), tally.stored()
        r = self.admin_import(*rows)
        self.assertNotIn("confirm_form", r.context)
        self.assertIn(vi(message), self.row_errors(r))
        self.assertEqual((self.tree(), OrganizationEvent.objects.count(), tally.stored()), (tree, events, tallies))

    def test_a_unit_moved_under_its_own_unit(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        self.assert_refused(
            [
                ["C1.B3", "Chi bộ Thôn Nam", "C1", "base_branch", "residential", "1", "", ""],  # fine on its own
                org_row(self.org("C1"), parent_code="C1.B1"),
            ],
            "An organization cannot be moved under itself or one of its own units.",
        )
        self.assertFalse(Organization.objects.filter(code="C1.B3").exists())

    def test_a_unit_moved_under_a_dissolved_one(self) -> None:
        from organizations.services import organization_dissolve

        organization_dissolve(org=self.org("C1.B1.02"), effective_date=D(2026, 1, 1))
        self.assert_refused(
            [org_row(self.org("C1.B2"), parent_code="C1.B1.02")],
            vi("%(code)s has been dissolved: no unit can be moved under it.") % {"code": "C1.B1.02"},
        )

    def test_a_new_unit_under_a_dissolved_one(self) -> None:
        from organizations.services import organization_dissolve

        organization_dissolve(org=self.org("C1.B1.02"), effective_date=D(2026, 1, 1))
        self.assert_refused(
            [["C1.B1.02.01", "Tổ 1", "C1.B1.02", "branch", "", "1", "", ""]],
            vi("%(code)s has been dissolved: no unit can be added under it.") % {"code": "C1.B1.02"},
        )

    def test_dissolving_by_import_is_sent_to_the_tree_pages(self) -> None:
        message = (
            "A unit is dissolved or merged on its page in the tree (Dissolve or merge), not by an import: keep "
            "is_active and valid_to as they are (1 and blank for a new unit)."
        )
        self.assert_refused([org_row(self.org("C1.B2"), is_active="0", valid_to="01/10/2026")], message)
        self.assert_refused([org_row(self.org("C1.B2"), valid_to="2026-10-01")], message)

    def test_a_unit_cannot_be_moved_to_the_top(self) -> None:
        self.assert_refused(
            [org_row(self.org("C1.B2"), parent_code="")],
            "Give the code of the unit above: a unit cannot be moved to the top.",
        )

    def test_an_unchanged_file_changes_nothing(self) -> None:
        events = OrganizationEvent.objects.count()
        history = Organization.history.count()  # type: ignore[attr-defined]
        r = self.admin_import(*[org_row(o) for o in Organization.objects.order_by("path")])
        self.assertEqual(r.status_code, 302)
        self.assertEqual((OrganizationEvent.objects.count(), Organization.history.count()), (events, history))  # type: ignore[attr-defined]


@time_machine.travel(NOW, tick=False)
class AdminFormsTestCase(AdminImportTestCase):
    def test_the_change_form_saves_through_the_service_and_keeps_the_tree_read_only(self) -> None:
        make_candidate(self.orgs["C1.B2"], Stage.PROBATION, timeline={"admission_date": D(2026, 4, 1)})
        self.client.force_login(self.root)
        org = self.org("C1.B2")
        url = f"/admin/organizations/organization/{org.pk}/change/"
        form = self.client.get(url).context["adminform"].form
        self.assertEqual(sorted(form.fields), ["kind", "name", "sector", "valid_from"])
        data = {"name": "Chi bộ Công ty Sông Lô", "kind": org.kind, "sector": "residential", "valid_from": ""}
        # Fields the form does not have are ignored, whatever is posted.
        r = self.client.post(url, {**data, "is_active": "", "valid_to": "2026-01-01", "path": "0009"})
        self.assertEqual(r.status_code, 302)
        org.refresh_from_db()
        self.assertEqual((org.name, org.sector, org.is_active, org.valid_to), (data["name"], "residential", True, None))
        event = OrganizationEvent.objects.get(organization=org, action=EventAction.UPDATED)
        self.assertEqual(
            (event.acting_user, event.details["sector"]), (self.root, ["private_enterprise", "residential"])
        )
        self.assertEqual(tally.stored(), tally.expected())  # the person's breakdown followed the sector
        self.assertEqual(org.history.latest().history_user, self.root)

    def test_organizations_are_neither_added_nor_deleted_in_the_admin(self) -> None:
        self.client.force_login(self.root)
        org = self.org("C1.B1.02")  # a leaf without people: the admin deleted such units before
        self.assertEqual(self.client.get("/admin/organizations/organization/add/").status_code, 403)
        self.assertEqual(self.client.get(f"/admin/organizations/organization/{org.pk}/delete/").status_code, 403)
        r = self.client.post(f"/admin/organizations/organization/{org.pk}/delete/", {"post": "yes"})
        self.assertEqual(r.status_code, 403)
        r = self.client.post(
            "/admin/organizations/organization/",
            {"action": "delete_selected", "_selected_action": [org.pk], "post": "yes"},
        )
        self.assertTrue(Organization.objects.filter(pk=org.pk).exists())
        self.assertEqual(self.client.get("/admin/organizations/organizationevent/add/").status_code, 403)

    def test_candidates_are_read_only_in_the_admin(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.SOURCE)
        self.client.force_login(self.root)
        url = f"/admin/recruitment/candidate/{c.pk}/change/"
        self.assertEqual(self.client.get(url).status_code, 200)  # a superuser reads it
        self.assertEqual(self.client.post(url, {"full_name": "Người Khác"}).status_code, 403)
        self.assertEqual(self.client.get("/admin/recruitment/candidate/add/").status_code, 403)
        self.assertEqual(
            self.client.post(f"/admin/recruitment/candidate/{c.pk}/delete/", {"post": "yes"}).status_code, 403
        )
        # simple-history's page of an earlier version saves what is posted to it, unless the admin refuses.
        version = c.history.latest().history_id  # type: ignore[attr-defined]
        url = f"/admin/recruitment/candidate/{c.pk}/history/{version}/"
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {"full_name": "Người Khác"}).status_code, 403)
        c.refresh_from_db()
        self.assertEqual((c.full_name, c.version), ("Nguyễn Thị Lan", 1))
