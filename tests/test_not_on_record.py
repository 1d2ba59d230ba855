"""The import held to the rules (issue 15, CONTRACT §3): every rule the row's data allow is checked; what the row's
stage rests on but the row does not carry is "not on record" on the person's page, in a list filter and in the
dashboard's drill-down; the web's next step asks for it before it moves the person on.
"""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import time_machine
from django.utils import translation

from imports import layout
from recruitment import records, rules
from recruitment.models import PIPELINE, Candidate, Introducer, Stage
from recruitment.services import STEPS
from tests.people import TIMELINE, make_candidate
from tests.test_workbook_pipeline import NOW, PEOPLE, ImportTestCase, admitted, book, person

D = datetime.date
# What the people sheet stores, by Candidate field.
COLUMN_FIELDS = {layout.PEOPLE_FIELDS.get(c.key, c.key) for c in layout.PEOPLE.columns}
VOTE = {"branch_members": 9, "votes_for": 8}
# A row at each stage the workbook's dates can give, with every column the stage has filled in.
FULL: dict[str, dict[str, Any]] = {
    Stage.AWARENESS: {"awareness_cert_date": TIMELINE["awareness_cert_date"]},
    Stage.BRANCH_VOTED: {
        "awareness_cert_date": TIMELINE["awareness_cert_date"],
        "branch_vote_date": TIMELINE["branch_vote_date"],
        **VOTE,
    },
}
FULL[Stage.DECIDED] = {
    **FULL[Stage.BRANCH_VOTED],
    "decision_no": "56-QĐ/ĐU",
    "decision_date": TIMELINE["decision_date"],
    "decision_received_date": D(2023, 8, 18),
}
FULL[Stage.PROBATION] = {**FULL[Stage.DECIDED], "admission_date": TIMELINE["admission_date"]}
FULL[Stage.OFFICIAL] = {
    **FULL[Stage.PROBATION],
    "recognition_date": TIMELINE["recognition_date"],
    "recognition_decision_no": "78-QĐ/ĐU",
}
FULL[Stage.STRUCK_OFF] = {**FULL[Stage.PROBATION], "removal_date": D(2024, 9, 20), "removal_reason": "struck_off"}
COLUMN_OF = {field: key for key, field in layout.PEOPLE_FIELDS.items()}


def _required_on_the_way(stage: str, committee: bool) -> set[str]:
    """Every record the web's steps require of a person who reached `stage` (or ended in it from probation)."""
    reached = PIPELINE[: PIPELINE.index(Stage.PROBATION if stage == Stage.STRUCK_OFF else stage) + 1]
    needed: set[str] = set()
    for step in STEPS.values():
        if step.to in reached[1:] and (committee or step.to != Stage.COMMITTEE_REVIEWED):
            needed |= step.required_fields
            if step.to == Stage.BRANCH_VOTED:
                needed |= {*rules.VOTE_DOSSIER, records.INTRODUCERS}
        if step.to == stage and stage not in PIPELINE:
            needed |= step.required_fields
    return needed


@time_machine.travel(NOW, tick=False)
class ParityTestCase(ImportTestCase):
    """Every rule the web's steps enforce is enforced by the import too, or marked "not on record", for the same
    data arriving by workbook."""

    def imported(self, row: dict[str, Any]) -> tuple[Candidate | None, list[tuple[str, int, str, str]]]:
        run = self.run_import(book({PEOPLE: [row]}))
        return Candidate.objects.filter(national_id=row["national_id"]).first(), self.errors(run)

    def test_each_record_a_step_requires_is_checked_by_the_import_or_marked_not_on_record(self) -> None:
        for stage, full in FULL.items():
            needed = _required_on_the_way(stage, committee=True)  # C1.B1.01 is under a grassroots committee
            with self.subTest(stage=stage):
                c, errors = self.imported(person(**full))
                self.assertEqual(errors, [])
                assert c is not None
                self.assertEqual(c.stage, stage)
                missing = {n.field for n in records.missing(c, introducers=0)}
                # What the workbook cannot carry is not on record; what it carried is on record.
                self.assertEqual(missing, needed - COLUMN_FIELDS, stage)
            for field in sorted(needed & COLUMN_FIELDS):
                key = COLUMN_OF.get(field, field)
                if key not in full:
                    continue
                with self.subTest(stage=stage, left_out=key):
                    c, errors = self.imported(person(**{**full, key: None}))
                    # Left out: refused, or accepted with it not on record, or (the stage's own date left out) the
                    # row gives an earlier stage, which does not rest on it.
                    refused = bool(errors)
                    accepted = c is not None and field in {n.field for n in records.missing(c, introducers=0)}
                    earlier = c is not None and field not in _required_on_the_way(c.stage, committee=True)
                    self.assertTrue(refused or accepted or earlier, (errors, c and c.stage))

    def test_the_import_judges_each_row_by_the_same_rule_functions_as_the_web(self) -> None:
        with mock.patch.object(rules, "check_record", wraps=rules.check_record) as checked:
            self.imported(person(**FULL[Stage.PROBATION]))
        self.assertEqual(checked.call_count, 1)
        judged = checked.call_args.args[0]
        self.assertEqual((judged.branch_vote_members, judged.branch_votes_for), (9, 8))

    def test_what_only_the_cells_vote_checks_is_among_the_needs(self) -> None:
        fields = {n.field for n in records.needs()}
        self.assertLessEqual({*rules.VOTE_DOSSIER, records.INTRODUCERS}, fields)
        for step in STEPS.values():
            self.assertLessEqual(set(step.required_fields), fields, step.name)


@time_machine.travel(NOW, tick=False)
class ImportedVoteTestCase(ImportTestCase):
    def test_the_votes_counts_are_stored_and_held_to_two_thirds(self) -> None:
        run = self.run_import(book({PEOPLE: [admitted(national_id="001099000201", branch_members=9, votes_for=6)]}))
        self.assert_done(run)
        c = Candidate.objects.get(national_id="001099000201")
        self.assertEqual((c.branch_vote_members, c.branch_votes_for), (9, 6))
        self.assertNotIn("branch_votes_for", {n.field for n in records.missing(c, introducers=0)})

    def test_a_vote_below_two_thirds_is_refused_in_vietnamese_naming_sheet_row_and_column(self) -> None:
        with translation.override("vi"):
            run = self.run_import(book({PEOPLE: [admitted(national_id="001099000202", branch_members=9, votes_for=5)]}))
        errors = self.errors(run)
        self.assertEqual([(e[0], e[1], e[2]) for e in errors], [(PEOPLE, 2, "Số phiếu tán thành")])
        self.assertIn("5", errors[0][3])
        self.assertIn("phiếu", errors[0][3])  # in Vietnamese
        self.assertFalse(Candidate.objects.filter(national_id="001099000202").exists())

    def test_more_votes_for_than_members_is_refused(self) -> None:
        run = self.run_import(book({PEOPLE: [admitted(national_id="001099000203", branch_members=9, votes_for=10)]}))
        self.assertEqual([e[2] for e in self.errors(run)], ["Số phiếu tán thành"])

    def test_an_empty_count_keeps_what_the_record_holds(self) -> None:
        self.assert_done(self.run_import(book({PEOPLE: [admitted(national_id="001099000204", **VOTE)]})))
        self.assert_done(self.run_import(book({PEOPLE: [admitted(national_id="001099000204")]})))
        c = Candidate.objects.get(national_id="001099000204")
        self.assertEqual((c.branch_vote_members, c.branch_votes_for), (9, 8))

    def test_the_day_received_drives_the_ceremony_deadline(self) -> None:
        # Decision 15/8/2023; received 21/8/2023: the 30 working days end 4/10/2023 (28/9 from the decision).
        row = admitted(national_id="001099000205", admission_date=D(2023, 10, 2), decision_received_date=D(2023, 8, 21))
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        c = Candidate.objects.get(national_id="001099000205")
        self.assertEqual(c.decision_received_date, D(2023, 8, 21))
        self.assertFalse(c.warnings.exists())
        late = admitted(national_id="001099000206", admission_date=D(2023, 10, 2))
        self.assert_done(self.run_import(book({PEOPLE: [late]})))
        self.assertTrue(Candidate.objects.get(national_id="001099000206").warnings.exists())

    def test_a_day_received_before_the_decision_is_refused(self) -> None:
        row = admitted(national_id="001099000207", decision_received_date=D(2023, 8, 14))
        run = self.run_import(book({PEOPLE: [row]}))
        self.assertEqual([e[2] for e in self.errors(run)], ["Ngày chi bộ nhận quyết định"])

    def test_files_without_the_new_columns_stay_valid(self) -> None:
        keys = [
            c.key
            for c in layout.PEOPLE.columns
            if c.key not in ("decision_received_date", "branch_members", "votes_for")
        ]
        run = self.run_import(book({PEOPLE: [admitted(national_id="001099000208")]}, columns={PEOPLE: keys}))
        self.assert_done(run)


@time_machine.travel(NOW, tick=False)
class NotOnRecordPagesTestCase(ImportTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.assert_done(self.run_import(book({PEOPLE: [admitted(national_id="001099000301")]})))
        self.imported = Candidate.objects.get(national_id="001099000301")
        self.web = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)  # every record, and its introducers

    def test_the_person_page_lists_what_is_not_on_record(self) -> None:
        self.client.force_login(self.dave)
        with translation.override("en"):
            page = self.client.get(f"/candidates/{self.imported.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(page, 'id="not-on-record"')
        labels = [n.label for n in page.context["not_on_record"]]
        self.assertIn(str(Candidate._meta.get_field("branch_votes_for").verbose_name), labels)
        self.assertEqual(
            {n.field for n in page.context["not_on_record"]},
            {*rules.VOTE_DOSSIER[1:], records.INTRODUCERS, "branch_vote_members", "branch_votes_for",
             "committee_review_date", "committee_members", "committee_votes_for"},
        )  # fmt: skip
        self.assertNotContains(self.client.get(f"/candidates/{self.web.pk}/"), 'id="not-on-record"')

    def test_the_list_filter_selects_the_same_people_as_the_page(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get("/candidates/?records=missing")
        shown = {c.pk for c in page.context["page"].object_list}
        self.assertEqual(shown, {self.imported.pk})
        # Brute force: the filter's WHERE clause and the per-person list agree on everyone.
        for c in Candidate.objects.select_related("organization"):
            expected = bool(records.missing(c, introducers=c.introducers.count()))
            self.assertEqual(Candidate.objects.filter(records.not_on_record_q(), pk=c.pk).exists(), expected, c)

    def test_the_dashboards_drill_down_leads_to_them(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get("/?org=C1&year=2023")
        link = page.context["drill"]["admitted_not_on_record"]
        self.assertIn("records=missing", link)
        self.assertContains(page, 'id="drill-not-on-record"')
        listed = self.client.get(f"/candidates/?org=C1&{link}")
        self.assertEqual({c.pk for c in listed.context["page"].object_list}, {self.imported.pk})


@time_machine.travel(NOW, tick=False)
class NextStepAsksTestCase(ImportTestCase):
    """The web's next step for an imported person asks for what is not on record before it moves them on."""

    def setUp(self) -> None:
        super().setUp()
        decided = person(national_id="001099000401", **{k: v for k, v in FULL[Stage.DECIDED].items() if k not in VOTE})
        self.assert_done(self.run_import(book({PEOPLE: [decided]})))
        self.c = Candidate.objects.get(national_id="001099000401")
        self.client.force_login(self.dave)

    def post(self, data: dict[str, Any]) -> Any:
        self.c.refresh_from_db()
        return self.client.post(f"/candidates/{self.c.pk}/step/ceremony/", {"version": self.c.version, **data})

    def test_the_form_asks_for_the_missing_records_and_refuses_without_them(self) -> None:
        form = self.client.get(f"/candidates/{self.c.pk}/step/ceremony/").context["form"]
        for name in ("branch_vote_members", "branch_votes_for", "application_date", "committee_review_date"):
            self.assertTrue(form.fields[name].required, name)
        r = self.post({"act_date": "05/09/2023"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(Candidate.objects.get(pk=self.c.pk).stage, Stage.DECIDED)

    def test_once_given_and_held_to_the_rules_the_person_moves_on(self) -> None:
        records_given = {
            "application_date": "03/04/2023", "personal_history_date": "10/04/2023", "verification_date": "20/06/2023",
            "residence_comment_date": "25/06/2023", "committee_review_date": "20/07/2023", "committee_members": 7,
            "committee_votes_for": 7, "branch_vote_members": 9,
        }  # fmt: skip
        # The introducers first: none is on record, and an imported vote's may be added after it.
        r = self.post({"act_date": "05/09/2023", **records_given, "branch_votes_for": 8})
        with translation.override("vi"):
            wanted = translation.gettext(
                "The introducers are not on record: add them on the person's page before the next step."
            )
        self.assertIn(wanted, r.context["form"].non_field_errors())
        for data in (
            {"kind": "member", "name": "Trần Văn Hùng", "known_since": "01/01/2020", "official_member_here": "on"},
            {"kind": "youth_union", "name": "BCH Đoàn xã"},
        ):
            self.c.refresh_from_db()
            added = self.client.post(
                f"/candidates/{self.c.pk}/introducers/add/",
                {"version": self.c.version, "introduced_on": "01/06/2023", **data},
            )
            self.assertRedirects(added, f"/candidates/{self.c.pk}/")
            # While the introductions do not hold, the page offers to add one.
            page = self.client.get(f"/candidates/{self.c.pk}/")
            self.assertEqual(page.context["can_edit_introducers"], data["kind"] == "member")
        self.assertEqual(Introducer.objects.filter(candidate=self.c).count(), 2)
        # The vote's counts are held to two thirds as the vote's step would.
        r = self.post({"act_date": "05/09/2023", **records_given, "branch_votes_for": 5})
        self.assertEqual(r.status_code, 200)
        self.assertIn("branch_votes_for", r.context["form"].errors)
        r = self.post({"act_date": "05/09/2023", **records_given, "branch_votes_for": 8})
        self.assertRedirects(r, f"/candidates/{self.c.pk}/")
        stored = Candidate.objects.get(pk=self.c.pk)
        self.assertEqual((stored.stage, stored.branch_votes_for, stored.committee_members), (Stage.PROBATION, 8, 7))
        self.assertEqual(records.missing(stored, introducers=2), [])
