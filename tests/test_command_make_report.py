"""`manage.py make_report` (issue 17 point 5): the files written, their figures, the paths printed, exit codes."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

import docx
import openpyxl
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.base import BaseTestCase
from tests.test_report_statistics import brute, people, rows_by_label

D = datetime.date
NOW = datetime.datetime(2026, 11, 1, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
class MakeReportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        people(self)

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command("make_report", *args, stdout=out)
        return out.getvalue()

    def test_it_writes_the_report_and_the_statistics_and_prints_their_paths(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = self.run_command("--org", "C1", "--period", "2026-Q1", "--output", tmp, "--compiler", "Trần Văn Bình")
            paths = out.split()
            self.assertEqual(
                [Path(p).name for p in paths], ["bao-cao-ket-nap-C1-2026-Q1.docx", "bieu-2-4-btctw-C1-2026-Q1.xlsx"]
            )
            book = openpyxl.load_workbook(paths[1])
            rows = rows_by_label(book["2-BTCTW"])
            now = brute(self.org("C1"), D(2026, 1, 1), D(2026, 3, 31))
            self.assertEqual(rows["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"][1:3], (len(now), 2))
            self.assertIn("Trần Văn Bình", [c for r in book["2-BTCTW"].iter_rows(values_only=True) for c in r])
            text = "\n".join(p.text for p in docx.Document(paths[0]).paragraphs)
            self.assertIn(f"kết nạp {len(now)} đảng viên", text)

    def test_it_writes_the_registers_when_asked(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = self.run_command("--org", "C1", "--period", "2026", "--output", tmp, "--registers")
            names = [Path(p).name for p in out.split()]
            self.assertIn("so-dang-vien-du-bi-C1-2026.xlsx", names)
            self.assertIn("danh-sach-trich-ngang-C1-2026.xlsx", names)
            book = openpyxl.load_workbook(Path(tmp) / "so-dang-vien-du-bi-C1-2026.xlsx")
            listed = [r for r in book.active.iter_rows(min_row=8, values_only=True) if r[0] and str(r[0]).isdigit()]
            self.assertEqual(len(listed), 7)  # 5 admitted in 2026, 2 in 2025 still on probation in 2026

    def test_a_term_counts_to_as_of(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = self.run_command("--org", "C1", "--period", "2025-2030", "--as-of", "2026-02-28", "--output", tmp)
            book = openpyxl.load_workbook(out.split()[1])
            total = rows_by_label(book["2-BTCTW"])["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"][1]
            self.assertEqual(total, len(brute(self.org("C1"), D(2025, 1, 1), D(2026, 2, 28))))

    def test_an_unusable_command_line_exits_2_with_a_message_in_the_active_language(self) -> None:
        cases = [
            ((), "Hãy chọn tổ chức bằng --org"),
            (("--org", "C1"), "Cho biết kỳ báo cáo bằng --period"),
            (("--org", "C1", "--period", "2026-Q5"), "Ghi kỳ báo cáo là một quý"),
            (("--org", "C1", "--period", "2030-2025"), None),
            (("--org", "NOPE", "--period", "2026"), "NOPE"),
            (("--org", "C1", "--period", "2026", "--as-of", "31/03/2026"), "YYYY-MM-DD"),
            (("--org", "C1", "--period", "2026-Q2", "--as-of", "2026-03-31"), "2026-03-31"),
        ]
        with translation.override("vi"):
            for args, message in cases:
                with self.subTest(args), self.assertRaises(CommandError) as ctx:
                    self.run_command(*args)
                self.assertEqual(ctx.exception.returncode, 2)
                if message:
                    self.assertIn(message, str(ctx.exception))

    def test_an_output_that_cannot_be_written_exits_2(self) -> None:
        with tempfile.NamedTemporaryFile() as f, self.assertRaises(CommandError) as ctx:
            self.run_command("--org", "C1", "--period", "2026", "--output", f.name)
        self.assertEqual(ctx.exception.returncode, 2)
