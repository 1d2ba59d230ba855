"""`manage.py import_workbook PATH [--dry-run] [--user USERNAME]` (CONTRACT §2): output lines and exit codes."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from imports.models import ImportRun
from recruitment.models import Candidate
from tests.base import BaseTestCase
from tests.test_workbook_pipeline import NOW, ORGS, PEOPLE, QUOTAS, book, person, table_counts
from tests.test_workbook_reading import XLS_FIXTURE


@time_machine.travel(NOW, tick=False)
@override_settings(LANGUAGE_CODE="vi")
class ImportWorkbookCommandTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def file(self, data: bytes, name: str = "nhap.xlsx") -> str:
        path = Path(self.tmp.name) / name
        path.write_bytes(data)
        return str(path)

    def run_command(self, *args: str) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        call_command("import_workbook", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def failing(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with self.assertRaises(CommandError) as ctx:
            call_command("import_workbook", *args, stdout=out, stderr=err)
        return ctx.exception.returncode, out.getvalue(), str(ctx.exception)

    def test_it_prints_one_line_per_sheet(self) -> None:
        data = book(
            {
                ORGS: [{"code": "C1.B1.03", "name": "Chi bộ 3", "parent_code": "C1.B1", "kind": "branch"}],
                QUOTAS: [{"code": "C1", "period": "2026", "target": 9}],
                PEOPLE: [person(), person(branch_code="C1.B1.03")],
            }
        )
        out, _err = self.run_command(self.file(data))
        self.assertEqual(
            out.splitlines(),
            [
                "Tổ chức: created 1, updated 0, unchanged 0",
                "Chỉ tiêu: created 1, updated 0, unchanged 0",
                "Quần chúng: created 2, updated 0, unchanged 0",
            ],
        )
        self.assertEqual(Candidate.objects.count(), 2)
        run = ImportRun.objects.get()
        self.assertEqual((run.status, run.created_by, run.dry_run), (ImportRun.Status.DONE, None, False))

    def test_a_second_run_says_nothing_changed(self) -> None:
        path = self.file(book({PEOPLE: [person()]}))
        self.run_command(path)
        out, err = self.run_command(path)
        self.assertEqual(out, "Quần chúng: created 0, updated 0, unchanged 1\n")
        self.assertIn(gettext("Nothing to change: the database already holds this file's data."), err)

    def test_data_errors_print_one_line_each_save_nothing_and_exit_1(self) -> None:
        before = table_counts()
        path = self.file(book({PEOPLE: [person(), person(gender="?"), person(branch_code="NOPE")]}))
        code, out, message = self.failing(path)
        self.assertEqual(code, 1)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("Quần chúng!3: Giới tính: "), lines[0])
        self.assertTrue(lines[1].startswith("Quần chúng!4: Mã chi bộ: "), lines[1])
        self.assertIn("2", message)
        self.assertEqual(table_counts(), before)
        self.assertEqual(ImportRun.objects.get().status, ImportRun.Status.INVALID)

    def test_in_english_it_prints_the_sheets_english_keys_and_english_messages(self) -> None:
        # Issue 18 (CONTRACT §2: errors in the active language), in the same line format.
        path = self.file(book({PEOPLE: [person(), person(gender="?"), person(branch_code="NOPE")]}))
        with translation.override("en"):
            code, out, _message = self.failing(path)
            ok, _err = self.run_command(self.file(book({PEOPLE: [person()]}), "good.xlsx"))
        self.assertEqual(code, 1)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("people!3: Giới tính: “?” is not one of: "), lines[0])
        self.assertTrue(lines[1].startswith("people!4: Mã chi bộ: "), lines[1])
        self.assertEqual(ok, "people: created 1, updated 0, unchanged 0\n")

    def test_dry_run_reports_and_saves_nothing(self) -> None:
        before = table_counts()
        out, err = self.run_command(self.file(book({PEOPLE: [person()]})), "--dry-run")
        self.assertEqual(out, "Quần chúng: created 1, updated 0, unchanged 0\n")
        self.assertIn("--dry-run", err)
        self.assertEqual(table_counts(), before)
        run = ImportRun.objects.get()
        self.assertEqual((run.status, run.dry_run), (ImportRun.Status.READY, True))

    def test_user_applies_the_scope_and_is_the_author(self) -> None:
        path = self.file(book({PEOPLE: [person(branch_code="C2.B1.01")]}))
        code, out, _message = self.failing(path, "--user", "dave")
        self.assertEqual(code, 1)
        self.assertIn("Quần chúng!2: Mã chi bộ: ", out)
        self.run_command(self.file(book({PEOPLE: [person()]}), "ok.xlsx"), "--user", "dave")
        self.assertEqual(Candidate.history.get().history_user, self.dave)
        self.assertEqual(ImportRun.objects.filter(created_by=self.dave).count(), 2)

    def test_an_unknown_user_is_a_usage_error(self) -> None:
        code, _out, message = self.failing(self.file(book({PEOPLE: [person()]})), "--user", "mallory")
        self.assertEqual(code, 2)
        self.assertIn("mallory", message)
        self.assertFalse(ImportRun.objects.exists())

    def test_a_missing_file_is_a_usage_error(self) -> None:
        code, _out, _message = self.failing(str(Path(self.tmp.name) / "missing.xlsx"))
        self.assertEqual(code, 2)

    def test_an_unusable_file_exits_2_and_is_recorded(self) -> None:
        code, _out, message = self.failing(self.file(b"this is not a workbook", "broken.xlsx"))
        self.assertEqual(code, 2)
        self.assertTrue(message)
        run = ImportRun.objects.get()
        self.assertEqual((run.status, run.message), (ImportRun.Status.FAILED, message))

    def test_a_csv_file_holds_one_sheet(self) -> None:
        header = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Mã chi bộ,Ngày vào danh sách nguồn\n"
        line = "Lê Văn Tâm,08/03/1999,Nam,Kinh,001099000091,C1.B1.01,10/01/2023\n"
        out, _err = self.run_command(self.file((header + line).encode(), "nguoi.csv"))
        self.assertEqual(out, "Quần chúng: created 1, updated 0, unchanged 0\n")
        self.assertEqual(Candidate.objects.get().full_name, "Lê Văn Tâm")


@time_machine.travel(NOW, tick=False)
@override_settings(LANGUAGE_CODE="vi")
class ImportXlsCommandTestCase(BaseTestCase):
    """Issue 18: an Excel 97-2003 .xls (tests/fixtures/people.xls, made by LibreOffice) is imported as an .xlsx is."""

    def test_it_imports_an_xls_file(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        call_command("import_workbook", str(XLS_FIXTURE), stdout=out, stderr=err)
        self.assertEqual(out.getvalue().splitlines(), ["Quần chúng: created 3, updated 0, unchanged 0"])
        nhung = Candidate.objects.get(national_id="001198012345")
        self.assertEqual((nhung.full_name, str(nhung.birth_date)), ("Nguyễn Thị Hồng Nhung", "1998-05-20"))
