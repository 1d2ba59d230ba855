"""The workbook's Ngày chuyển sinh hoạt (CONTRACT §3, issue 14 point 4): a row under another cell, with that date,
is a transfer registered on that day, made by recruitment.transfers, within the importer's scope on both sides."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path
from typing import Any

import time_machine
from django.core.management import CommandError, call_command

from organizations.models import Membership, Role
from recruitment import transfers
from recruitment.models import Candidate, Stage, Transfer, TransferKind, TransferStatus
from reports import tally
from reports.attainment import attainment
from reports.forms import Period
from tests.base import BaseTestCase, make_user
from tests.people import make_candidate
from tests.test_command_import_workbook_other_cell import row_of
from tests.test_workbook_pipeline import NOW, PEOPLE, book, table_counts

D = datetime.date
DAY = D(2026, 10, 1)


@time_machine.travel(NOW, tick=False)
class ImportTransferTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.member = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)  # admitted 5/9/2023
        tally.rebuild()

    def command(self, rows: list[dict[str, Any]], *args: str) -> tuple[int, list[str]]:
        path = Path(self.tmp.name) / "nhap.xlsx"
        path.write_bytes(book({PEOPLE: rows}))
        out = io.StringIO()
        try:
            call_command("import_workbook", str(path), *args, stdout=out, stderr=io.StringIO())
        except CommandError as exc:
            return exc.returncode, out.getvalue().splitlines()
        return 0, out.getvalue().splitlines()

    def moving(self, **values: Any) -> dict[str, Any]:
        return row_of(self.member, **{"branch_code": "C2.B1.01", "transfer_date": DAY, **values})

    def admitted_2023(self, code: str) -> int:
        return attainment(self.org(code), Period(2023, 2023), today=D(2026, 11, 20)).total.admitted

    def assert_refused(self, rows: list[dict[str, Any]], *args: str) -> str:
        before = table_counts()
        code, lines = self.command(rows, *args)
        self.assertEqual(code, 1, lines)
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(table_counts(), before)
        return lines[0]

    def test_a_transfer_row_is_registered_on_its_date_as_the_web_would(self) -> None:
        code, lines = self.command([self.moving(occupation="Giáo viên")])
        self.assertEqual((code, lines), (0, [f"{PEOPLE}: created 0, updated 1, unchanged 0"]))
        old = Candidate.objects.get(pk=self.member.pk)
        new = Candidate.objects.get(national_id=self.member.national_id, organization=self.orgs["C2.B1.01"])
        self.assertEqual((old.stage, old.removal_date), (Stage.TRANSFERRED, DAY))
        self.assertEqual((new.stage, new.previous, new.admission_carried), (Stage.PROBATION, old, True))
        self.assertEqual((old.occupation, new.occupation), ("Giáo viên", "Giáo viên"))  # the row's update, copied
        t = Transfer.objects.get()
        self.assertEqual((t.kind, t.status, t.sent_on, t.registered_on, t.registered_as),
                         (TransferKind.PERMANENT, TransferStatus.REGISTERED, DAY, DAY, new))  # fmt: skip
        self.assertEqual((self.admitted_2023("C1"), self.admitted_2023("C2"), self.admitted_2023("P")), (1, 0, 1))
        self.assertEqual(tally.stored(), tally.expected())
        # The same file again: the person is in C2.B1.01 now, as the row says.
        self.assertEqual(self.command([self.moving(occupation="Giáo viên")]),
                         (0, [f"{PEOPLE}: created 0, updated 0, unchanged 1"]))  # fmt: skip
        self.assertEqual(Transfer.objects.count(), 1)

    def test_an_admin_of_the_province_may_import_it_and_is_recorded(self) -> None:
        code, _lines = self.command([self.moving()], "--user", "alice")
        self.assertEqual(code, 0)
        t = Transfer.objects.get()
        self.assertEqual((t.sent_by, t.registered_by), (self.alice, self.alice))

    def test_a_receiving_cell_outside_the_scope_gets_the_words_of_an_unknown_code(self) -> None:
        # Dave (staff of commune C1) may issue the transfer, but C2's cell is outside his scope.
        line = self.assert_refused([self.moving()], "--user", "dave")
        unknown = self.assert_refused([self.moving(branch_code="NO.SUCH")], "--user", "dave")
        self.assertEqual(line, unknown)
        self.assertTrue(line.startswith(f"{PEOPLE}!2: Mã chi bộ: "), line)
        self.assertEqual(Candidate.objects.get(pk=self.member.pk).stage, Stage.PROBATION)

    def test_a_transfer_leaving_the_commune_needs_the_level_above_the_grassroots_organization(self) -> None:
        frank = make_user("frank", self.orgs["C1.B1"], Role.STAFF)
        Membership.objects.create(user=frank, organization=self.orgs["C2.B1"], role=Role.STAFF)
        line = self.assert_refused([self.moving()], "--user", "frank")
        self.assertTrue(line.startswith(f"{PEOPLE}!2: Ngày chuyển sinh hoạt: "), line)
        # Within the commune, the grassroots organization's staff may.
        code, _lines = self.command([self.moving(branch_code="C1.B1.02")], "--user", "frank")
        self.assertEqual(code, 0)
        self.assertEqual(Candidate.objects.get(national_id=self.member.national_id, stage=Stage.PROBATION)
                         .organization.code, "C1.B1.02")  # fmt: skip

    def test_a_date_in_the_future_or_before_the_last_act_is_refused(self) -> None:
        for day in (D(2026, 12, 1), D(2023, 9, 1)):
            with self.subTest(day=day):
                line = self.assert_refused([self.moving(transfer_date=day)])
                self.assertTrue(line.startswith(f"{PEOPLE}!2: Ngày chuyển sinh hoạt: "), line)

    def test_a_transfer_already_under_way_on_the_web_is_refused(self) -> None:
        transfers.transfer_send(candidate=self.member, acting_user=None, kind=TransferKind.PERMANENT,
                                sent_on=D(2026, 9, 1), document_no="9-GGT", to_org=self.orgs["C1.B2"])  # fmt: skip
        line = self.assert_refused([self.moving()])
        self.assertTrue(line.startswith(f"{PEOPLE}!2: Ngày chuyển sinh hoạt: "), line)

    def test_a_person_who_leaves_is_not_transferred_in_the_same_row(self) -> None:
        line = self.assert_refused([self.moving(removal_date=D(2026, 10, 5), removal_reason="other")])
        self.assertTrue(line.startswith(f"{PEOPLE}!2: "), line)
        self.assertEqual(Candidate.objects.get(pk=self.member.pk).stage, Stage.PROBATION)

    def test_a_candidate_mid_dossier_moves_at_the_same_stage(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        row = row_of(c, branch_code="C2.B1.01", transfer_date=DAY, application_date=c.application_date)
        code, lines = self.command([row])
        self.assertEqual(code, 0, lines)
        new = Candidate.objects.get(national_id=c.national_id, organization=self.orgs["C2.B1.01"])
        self.assertEqual((new.stage, new.admission_carried, new.application_date), (Stage.DOSSIER, False,
                         c.application_date))  # fmt: skip
        self.assertEqual(tally.stored(), tally.expected())
