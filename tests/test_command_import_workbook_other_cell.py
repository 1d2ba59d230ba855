"""A workbook row naming another chi bộ for a person already on record (issue 12 §6, CONTRACT §3).

A row used to move the person, and their past acts with them: an admission of 2024 in commune C1 was
then counted in C2. Now the row is refused, naming the cell on record when the user may see it; with
CONTRACT §3's Ngày chuyển sinh hoạt it is a transfer (issue 14: tests/test_import_transfers.py), refused
here when the person is outside the user's scope.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path
from typing import Any

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import gettext

from imports.models import ImportRun
from organizations.models import Role
from recruitment.models import Candidate, Stage
from reports import tally
from tests.base import BaseTestCase, make_user
from tests.people import make_candidate
from tests.test_workbook_pipeline import NOW, PEOPLE, book, person, table_counts

D = datetime.date
ELSEWHERE = (
    "This person is recorded under another unit, outside your scope; an import does not move a person to another "
    "chi bộ. Leave this row out of the file and ask the level above."
)
ELSEWHERE_TRANSFER = (
    "This person is recorded under another unit, outside your scope: a transfer is imported only within your scope "
    "on both sides. Leave this row out of the file and ask the level above."
)
RECORDED_UNDER = (
    "This person is recorded under %(code)s – %(name)s: write that code to update them. An import does not move a "
    "person to another chi bộ (that is a transfer of party activity, with its date)."
)
ON_RECORD = {"code": "C1.B1.01", "name": "Chi bộ Tổ Khoa học tự nhiên"}


def row_of(c: Candidate, **values: Any) -> dict[str, Any]:
    """The people-sheet row that says what the database holds of `c`, with `values` changed."""
    row: dict[str, Any] = {
        "full_name": c.full_name,
        "birth_date": c.birth_date,
        "gender": "Nữ" if c.gender == "female" else "Nam",
        "ethnicity": c.ethnicity,
        "national_id": c.national_id,
        "branch_code": c.organization.code,
        "youth_union": "x" if c.youth_union else None,
        "education": c.education,
    }
    for key in (
        "source_date",
        "awareness_cert_date",
        "branch_vote_date",
        "decision_no",
        "decision_date",
        "admission_date",
        "recognition_date",
        "recognition_decision_no",
        "removal_date",
        "removal_reason",
    ):
        row[key] = getattr(c, key) or None
    row.update(values)
    return row


def snapshot() -> list[tuple[Any, ...]]:
    return list(Candidate.objects.order_by("pk").values_list())


@time_machine.travel(NOW, tick=False)
class OtherCellTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        # A probationary member admitted in 2024 by a cell of commune C1.
        self.member = make_candidate(
            self.orgs["C1.B1.01"],
            Stage.PROBATION,
            timeline={
                "source_date": D(2023, 9, 1),
                "awareness_cert_date": D(2023, 11, 1),
                "application_date": D(2023, 12, 1),
                "personal_history_date": D(2023, 12, 5),
                "verification_date": D(2024, 1, 10),
                "residence_comment_date": D(2024, 1, 15),
                "branch_vote_date": D(2024, 2, 1),
                "committee_review_date": D(2024, 2, 20),
                "decision_date": D(2024, 3, 15),
                "admission_date": D(2024, 4, 2),
            },
        )
        tally.rebuild()

    def command(self, rows: list[dict[str, Any]], *args: str) -> tuple[int, list[str], str]:
        path = Path(self.tmp.name) / "nhap.xlsx"
        path.write_bytes(book({PEOPLE: rows}))
        out = io.StringIO()
        try:
            call_command("import_workbook", str(path), *args, stdout=out, stderr=io.StringIO())
        except CommandError as exc:
            return exc.returncode, out.getvalue().splitlines(), str(exc)
        return 0, out.getvalue().splitlines(), ""

    def admissions_2024(self) -> dict[str, int]:
        """Admissions of 2024 counted by commune, from the people (and the stored tallies agree)."""
        self.assertEqual(tally.stored(), tally.expected())
        return {
            code: Candidate.objects.in_subtree(self.org(code))
            .filter(admission_date__year=2024, admission_carried=False)
            .count()
            for code in ("C1", "C2")
        }

    def assert_refused(self, rows: list[dict[str, Any]], *args: str) -> str:
        """The file is refused with one error, on row 2, and nothing changes; returns the error's line."""
        before, people, counted = table_counts(), snapshot(), self.admissions_2024()
        code, lines, message = self.command(rows, *args)
        self.assertEqual(code, 1, (lines, message))
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(table_counts(), before)
        self.assertEqual(snapshot(), people)
        self.assertEqual(self.admissions_2024(), counted)
        self.assertEqual(counted, {"C1": 1, "C2": 0})  # the admission stays counted where it was
        return lines[0]

    def test_a_row_for_the_same_cell_updates_the_person_as_before(self) -> None:
        code, lines, _message = self.command([row_of(self.member, occupation="Giáo viên")])
        self.assertEqual((code, lines), (0, [f"{PEOPLE}: created 0, updated 1, unchanged 0"]))
        self.member.refresh_from_db()
        self.assertEqual((self.member.occupation, self.member.organization.code), ("Giáo viên", "C1.B1.01"))

    def test_a_row_naming_another_cell_is_refused_naming_the_one_on_record(self) -> None:
        line = self.assert_refused([row_of(self.member, branch_code="C2.B1.01")])
        self.assertEqual(line, f"{PEOPLE}!2: Mã chi bộ: " + gettext(RECORDED_UNDER) % ON_RECORD)

    def test_a_row_with_a_transfer_date_moves_the_person_and_not_the_admission(self) -> None:
        # Issue 14: it used to be refused ("transfers cannot be imported yet"); tests/test_import_transfers.py.
        code, lines, _message = self.command(
            [row_of(self.member, branch_code="C2.B1.01", transfer_date=D(2026, 10, 1))]
        )
        self.assertEqual((code, lines), (0, [f"{PEOPLE}: created 0, updated 1, unchanged 0"]))
        self.assertEqual(self.admissions_2024(), {"C1": 1, "C2": 0})
        moved = Candidate.objects.get(national_id=self.member.national_id, organization__code="C2.B1.01")
        self.assertEqual(
            (moved.stage, moved.previous_id, moved.admission_carried), (Stage.PROBATION, self.member.pk, True)
        )

    def test_a_cell_within_the_users_scope_is_named(self) -> None:
        # Erin administers C1: the cell on record is hers to see; the row names a cell outside her scope.
        line = self.assert_refused([row_of(self.member, branch_code="C2.B1.01")], "--user", "erin")
        self.assertEqual(line, f"{PEOPLE}!2: Mã chi bộ: " + gettext(RECORDED_UNDER) % ON_RECORD)

    def test_a_person_recorded_outside_the_users_scope_is_not_located(self) -> None:
        # Charlie (staff at C2) puts a person of C1 on C2's cell: the error names nothing of C1.
        for transfer in (None, D(2026, 10, 1)):
            with self.subTest(transfer_date=transfer):
                row = row_of(self.member, branch_code="C2.B1.01", transfer_date=transfer)
                line = self.assert_refused([row], "--user", "charlie")
                column, message = (
                    ("Ngày chuyển sinh hoạt", ELSEWHERE_TRANSFER) if transfer else ("Mã chi bộ", ELSEWHERE)
                )
                self.assertEqual(line, f"{PEOPLE}!2: {column}: {gettext(message)}")
                for leak in ("C1", "Dân Chủ", "Khoa học", "Trường"):
                    self.assertNotIn(leak, line)
                self.assertEqual(ImportRun.objects.latest("pk").created_by, self.charlie)

    def test_the_web_import_of_an_admin_elsewhere_names_nothing_of_the_cell_on_record(self) -> None:
        frank = make_user("frank", self.orgs["C2"], Role.ADMIN)
        self.client.force_login(frank)
        data = book({PEOPLE: [row_of(self.member, branch_code="C2.B1.01")]})
        upload = SimpleUploadedFile("quan-chung.xlsx", data, content_type="application/octet-stream")
        response = self.client.post(reverse("imports:upload"), {"file": upload})
        run = ImportRun.objects.get()
        self.assertEqual((run.status, run.scope), (ImportRun.Status.INVALID, self.orgs["C2"]))
        self.assertEqual(
            [(e["sheet"], e["row"], e["column"], e["message"]) for e in run.errors],
            [(PEOPLE, 2, "Mã chi bộ", gettext(ELSEWHERE))],
        )
        page = self.client.get(response["Location"])
        self.assertContains(page, gettext(ELSEWHERE))
        for leak in ("C1.B1.01", "Khoa học tự nhiên", "Dân Chủ"):
            self.assertNotContains(page, leak)
        self.member.refresh_from_db()
        self.assertEqual(self.member.organization, self.orgs["C1.B1.01"])

    def test_a_transfer_date_in_a_row_for_the_same_cell_changes_nothing_else(self) -> None:
        code, lines, _message = self.command([row_of(self.member, transfer_date=D(2024, 1, 5))])
        self.assertEqual((code, lines), (0, [f"{PEOPLE}: created 0, updated 0, unchanged 1"]))

    def test_the_transfer_date_is_read_as_a_date(self) -> None:
        code, lines, _message = self.command([person(transfer_date="31/02/2026")])
        self.assertEqual(code, 1)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith(f"{PEOPLE}!2: Ngày chuyển sinh hoạt: "), lines)
        self.assertIn("31/02/2026", lines[0])
        self.assertFalse(Candidate.objects.exclude(pk=self.member.pk).exists())

    def test_a_new_person_is_created_in_the_cell_the_row_names(self) -> None:
        code, lines, _message = self.command([person(branch_code="C2.B1.01", transfer_date=D(2026, 10, 1))])
        self.assertEqual((code, lines), (0, [f"{PEOPLE}: created 1, updated 0, unchanged 0"]))
        self.assertEqual(Candidate.objects.exclude(pk=self.member.pk).get().organization.code, "C2.B1.01")


@time_machine.travel(NOW, tick=False)
class NewColumnsTestCase(BaseTestCase):
    """CONTRACT §3's other columns of 2026-12 (decision received, the cell's members, votes for): a file with
    them imports, and since issue 15 they are stored and held to the rules (they were ignored before)."""

    def test_a_file_with_the_new_columns_imports(self) -> None:
        headers = [
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Dân tộc",
            "Số CCCD",
            "Mã chi bộ",
            "Ngày vào danh sách nguồn",
            "Ngày chi bộ xét",
            "Số quyết định kết nạp",
            "Ngày quyết định kết nạp",
            "Ngày chi bộ nhận quyết định",
            "Số đảng viên chính thức của chi bộ",
            "Số phiếu tán thành",
        ]
        row = [
            "Trần Thị Hoa",
            "08/03/1999",
            "Nữ",
            "Kinh",
            "079000000123",
            "C1.B1.01",
            "10/01/2023",
            "05/07/2023",
            "56-QĐ/ĐU",
            "15/08/2023",
            "20/08/2023",
            "9",
            "8",
        ]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "nhap.csv"
            path.write_text("\n".join(",".join(r) for r in (headers, row)), encoding="utf-8")
            out = io.StringIO()
            call_command("import_workbook", str(path), stdout=out, stderr=io.StringIO())
        self.assertEqual(out.getvalue().splitlines(), [f"{PEOPLE}: created 1, updated 0, unchanged 0"])
        person = Candidate.objects.get()
        self.assertEqual(
            (person.national_id, person.branch_vote_members, person.branch_votes_for, person.decision_received_date),
            ("079000000123", 9, 8, datetime.date(2023, 8, 20)),
        )
