"""The workbook import links a new person to their earlier record and applies the readmission rules read from
the records, with the web's logic (recruitment.past, recruitment.rules; issue 14 §3)."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path
from typing import Any

import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from organizations.models import Role
from recruitment import past
from recruitment.models import Candidate, RemovalReason, Stage
from tests.base import BaseTestCase, make_user
from tests.people import TIMELINE, make_candidate
from tests.test_workbook_pipeline import NOW, PEOPLE, book, new_id, person, table_counts

D = datetime.date
OLD = {k: v.replace(year=v.year - 10) for k, v in TIMELINE.items()}
# A vote of 2026 with the acts before it; the member below left on 2/3/2023 (43 months before) or later.
LEFT = D(2023, 3, 2)
VOTED = {"awareness_cert_date": D(2026, 3, 2), "branch_vote_date": D(2026, 10, 5)}


@time_machine.travel(NOW, tick=False)
class ImportReadmissionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.nid = new_id()

    def left(self, code: str, reason: str, left: datetime.date = LEFT) -> Candidate:
        return make_candidate(
            self.orgs[code], Stage.OFFICIAL, timeline=OLD, national_id=self.nid, removal_date=left,
            removal_reason=reason, full_name="Vi Thị Hồng",
        )  # fmt: skip

    def command(self, rows: list[dict[str, Any]], *args: str) -> tuple[int, list[str]]:
        path = Path(self.tmp.name) / "nhap.xlsx"
        path.write_bytes(book({PEOPLE: rows}))
        out = io.StringIO()
        with translation.override("vi"):
            try:
                call_command("import_workbook", str(path), *args, stdout=out, stderr=io.StringIO())
            except CommandError as exc:
                return exc.returncode, out.getvalue().splitlines()
        return 0, out.getvalue().splitlines()

    def test_a_new_row_is_linked_to_the_earlier_record_and_is_a_readmission(self) -> None:
        old = self.left("C1.B1.02", RemovalReason.OTHER)
        code, lines = self.command([person(national_id=self.nid)])
        self.assertEqual((code, lines), (0, [f"{PEOPLE}: created 1, updated 0, unchanged 0"]))
        c = Candidate.objects.get(national_id=self.nid, stage=Stage.SOURCE)
        self.assertEqual((c.previous_id, c.readmission), (old.pk, True))
        self.assertEqual(c.history.get().previous_id, old.pk)  # the history row says so too

    def test_a_row_for_someone_with_no_record_links_nothing(self) -> None:
        code, _lines = self.command([person(national_id=self.nid)])
        self.assertEqual(code, 0)
        c = Candidate.objects.get(national_id=self.nid)
        self.assertEqual((c.previous_id, c.readmission), (None, False))

    def test_a_vote_for_someone_who_withdrew_is_refused_as_on_the_web(self) -> None:
        # DOMAIN §9: "the barred reasons are (1) left party life of their own accord and (2) asked to leave".
        self.left("C1.B1.02", RemovalReason.WITHDREW)
        before = table_counts()
        code, lines = self.command([person(national_id=self.nid, **VOTED)])
        self.assertEqual(code, 1)
        self.assertTrue(any("đã xin rút (ngày 02/03/2023)" in line for line in lines), lines)
        self.assertEqual(table_counts(), before)

    def test_35_months_after_leaving_is_refused_and_36_are_not(self) -> None:
        # DOMAIN §1: "At least 36 months after leaving". (A cause the records cannot tell is asked first.)
        self.left("C1.B1.02", RemovalReason.OTHER, left=D(2023, 10, 6))  # 35 full months at 5/10/2026
        code, lines = self.command([person(national_id=self.nid, **VOTED)])
        self.assertEqual(code, 1)
        self.assertTrue(any("ít nhất 36 tháng" in line and "06/10/2023" in line for line in lines), lines)
        Candidate.objects.filter(national_id=self.nid).update(removal_date=D(2023, 10, 5))
        code, lines = self.command([person(national_id=self.nid, **VOTED)])
        self.assertFalse(any("ít nhất 36 tháng" in line for line in lines), lines)
        self.assertTrue(any("không ghi rõ vì sao" in line for line in lines), lines)  # the cause, not guessed

    def test_a_record_outside_the_users_scope_is_only_said_to_exist(self) -> None:
        self.left("C2.B1.01", RemovalReason.WITHDREW)
        make_user("dan", self.orgs["C1"], Role.STAFF)
        code, lines = self.command([person(national_id=self.nid, **VOTED)], "--user", "dan")
        self.assertEqual(code, 1)
        with translation.override("vi"):
            outside = past.outside_records_message()
        self.assertTrue(any(outside in line for line in lines), lines)
        text = "\n".join(lines)
        for secret in ("Vi Thị Hồng", "Khu phố", "C2.B1.01", "02/03/2023", "2013"):
            self.assertNotIn(secret, text)

    def test_an_official_who_left_is_not_the_row_a_new_candidacy_updates(self) -> None:
        old = self.left("C1.B1.01", RemovalReason.OTHER)
        code, _lines = self.command([person(national_id=self.nid)])
        self.assertEqual(code, 0)
        old_after = Candidate.objects.get(pk=old.pk)
        self.assertEqual(
            (old_after.stage, old_after.removal_date, old_after.version), (Stage.OFFICIAL, D(2023, 3, 2), 1)
        )
        self.assertEqual(Candidate.objects.filter(national_id=self.nid).count(), 2)

    def test_a_later_row_for_the_linked_candidacy_is_checked_against_the_same_records(self) -> None:
        self.left("C1.B1.02", RemovalReason.WITHDREW)
        row = person(national_id=self.nid)
        self.assertEqual(self.command([row])[0], 0)
        self.assertEqual(self.command([row]), (0, [f"{PEOPLE}: created 0, updated 0, unchanged 1"]))
        code, lines = self.command([{**row, **VOTED}])
        self.assertEqual(code, 1)
        self.assertTrue(any("đã xin rút (ngày 02/03/2023)" in line for line in lines), lines)
