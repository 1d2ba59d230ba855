"""`manage.py attainment_report` (CONTRACT §2 and §4): csv, json and xlsx, --as-of, --output, exit codes."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from unittest.mock import Mock

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from organizations.models import Organization
from recruitment.models import Gender
from reports.management.commands.attainment_report import Command
from reports.models import Quota
from tests.base import BaseTestCase
from tests.test_attainment import Y2026, admit, quota
from tests.test_exports_attainment import sheet_list
from tests.trees import bulk_tree

D = datetime.date
NOW = "2026-11-01 09:00 +0700"
MANAGE = str(Path(__file__).resolve().parent.parent / "manage.py")

CSV_2026 = (
    "org_code,org_name,target,admitted,percent\n"
    "P,Đảng bộ tỉnh Thử Nghiệm,180,185,102.78\n"
    "C1,Đảng bộ xã Dân Chủ,800,185,23.13\n"
    "C2,Đảng bộ phường Hòa Bình,,0,\n"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("attainment_report", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(NOW)
class AttainmentReportTestCase(BaseTestCase):
    """P: target 180, 185 admitted by 31/03/2026 and 7 more in June; C1: target 800; C2: no quota."""

    def setUp(self) -> None:
        super().setUp()
        quota(self.orgs["P"], Y2026, 180)
        quota(self.orgs["C1"], Y2026, 800)
        admit(self.orgs["C1.B2"], 150, D(2026, 3, 2))
        admit(self.orgs["C1.B1.01"], 35, D(2026, 1, 15), gender=Gender.FEMALE)
        admit(self.orgs["C1.B2"], 7, D(2026, 6, 1))

    def usage_error(self, *args: str) -> str:
        with self.assertRaises(CommandError) as ctx:
            run(*args)
        self.assertEqual(ctx.exception.returncode, 2, str(ctx.exception))
        return str(ctx.exception)

    # csv and json

    def test_it_prints_csv_by_default(self) -> None:
        self.assertEqual(run("--org", "P", "--year", "2026", "--as-of", "2026-03-31"), CSV_2026)

    def test_as_of_counts_up_to_that_day(self) -> None:
        out = run("--org", "P", "--year", "2026")
        self.assertIn("P,Đảng bộ tỉnh Thử Nghiệm,180,192,106.67\n", out)
        out = run("--org", "P", "--year", "2026", "--as-of", "2026-01-31")
        self.assertIn("P,Đảng bộ tỉnh Thử Nghiệm,180,35,19.44\n", out)
        self.assertIn("C2,Đảng bộ phường Hòa Bình,,0,\n", out)

    def test_the_children_are_ordered_by_code(self) -> None:
        from organizations.services import organization_create

        organization_create(parent=self.orgs["P"], code="A9", name="Đảng bộ Khối cơ quan", kind="base_committee")
        out = run("--org", "P", "--year", "2026")
        self.assertEqual([line.split(",")[0] for line in out.splitlines()], ["org_code", "P", "A9", "C1", "C2"])

    def test_a_report_on_a_unit_lists_its_own_children(self) -> None:
        out = run("--org", "C1", "--year", "2026", "--as-of", "2026-03-31")
        self.assertEqual(
            out.splitlines(),
            [
                "org_code,org_name,target,admitted,percent",
                "C1,Đảng bộ xã Dân Chủ,800,185,23.13",
                "C1.B1,Đảng bộ Trường THCS Dân Chủ,,35,",
                "C1.B2,Chi bộ Công ty Cổ phần Sông Lô,,150,",
            ],
        )

    def test_a_term_covers_all_its_years(self) -> None:
        Quota.objects.create(organization=self.orgs["P"], first_year=2025, last_year=2030, target=600)
        admit(self.orgs["C2.B1.01"], 4, D(2025, 1, 1))
        admit(self.orgs["C2.B1.01"], 2, D(2024, 12, 31))
        out = run("--org", "P", "--term", "2025-2030")
        self.assertEqual(out.splitlines()[1], "P,Đảng bộ tỉnh Thử Nghiệm,600,196,32.67")
        self.assertEqual(out.splitlines()[3], "C2,Đảng bộ phường Hòa Bình,,4,")

    def test_it_prints_json(self) -> None:
        out = run("--org", "P", "--year", "2026", "--as-of", "2026-03-31", "--format", "json")
        self.assertEqual(
            json.loads(out),
            [
                {
                    "org_code": "P",
                    "org_name": "Đảng bộ tỉnh Thử Nghiệm",
                    "target": 180,
                    "admitted": 185,
                    "percent": 102.78,
                },
                {"org_code": "C1", "org_name": "Đảng bộ xã Dân Chủ", "target": 800, "admitted": 185, "percent": 23.13},
                {
                    "org_code": "C2",
                    "org_name": "Đảng bộ phường Hòa Bình",
                    "target": None,
                    "admitted": 0,
                    "percent": None,
                },
            ],
        )
        self.assertIn('"percent": 102.78}', out)

    # Files

    def test_output_writes_utf8_to_a_file_and_says_so(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bao-cao.csv"
            out = run("--org", "P", "--year", "2026", "--as-of", "2026-03-31", "--output", str(path))
            self.assertEqual(path.read_bytes(), CSV_2026.encode("utf-8"))
            self.assertIn(str(path), out)
            self.assertNotIn("org_code", out)
            path = Path(tmp) / "bao-cao.json"
            run("--org", "P", "--year", "2026", "--format", "json", "--output", str(path))
            self.assertEqual(json.loads(path.read_text("utf-8"))[0]["admitted"], 192)

    def test_xlsx_writes_a_workbook(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bao-cao.xlsx"
            with translation.override("en"):
                out = run(
                    "--org", "P", "--year", "2026", "--as-of", "2026-03-31", "--format", "xlsx", "--output", str(path)
                )
            content = path.read_bytes()
        self.assertIn("3", out)  # three rows written
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(content)))
        sheets = sheet_list(content)
        self.assertEqual(len(sheets), 2)
        sheet = sheets[0]
        self.assertEqual(
            [sheet.row(r, "E") for r in (7, 8, 9)],
            [
                ["P", "Đảng bộ tỉnh Thử Nghiệm", 180.0, 185.0, 102.78],
                ["C1", "Đảng bộ xã Dân Chủ", 800.0, 185.0, 23.13],
                ["C2", "Đảng bộ phường Hòa Bình", None, 0.0, None],
            ],
        )
        self.assertEqual(sheet.value("K7"), 35.0)  # women: the workbook has the breakdowns
        self.assertEqual(sheet.value("A3"), "Figures up to 31/03/2026")

    def test_xlsx_needs_an_output_file(self) -> None:
        message = self.usage_error("--org", "P", "--year", "2026", "--format", "xlsx")
        self.assertIn("--output", message)

    def test_an_unwritable_output_is_a_usage_error(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            message = self.usage_error("--org", "P", "--year", "2026", "--output", str(Path(tmp) / "no" / "such.csv"))
            self.assertIn("no/such.csv", message)
            self.usage_error("--org", "P", "--year", "2026", "--output", tmp)  # a directory

    # The command line

    def test_an_unknown_organization_is_a_usage_error_in_vietnamese(self) -> None:
        message = self.usage_error("--org", "NOPE", "--year", "2026")
        self.assertEqual(message, "Không tìm thấy tổ chức đảng có mã NOPE.")
        with translation.override("en"):
            self.assertEqual(self.usage_error("--org", "NOPE", "--year", "2026"), "No organization with code NOPE.")

    def test_the_organization_is_required(self) -> None:
        with translation.override("en"):
            self.assertIn("--org", self.usage_error("--year", "2026"))

    def test_exactly_one_of_year_and_term(self) -> None:
        with translation.override("en"):
            self.assertIn("not both", self.usage_error("--org", "P", "--year", "2026", "--term", "2025-2030"))
            self.assertIn("--year", self.usage_error("--org", "P"))

    def test_a_bad_term_is_a_usage_error(self) -> None:
        self.assertEqual(
            self.usage_error("--org", "P", "--term", "2025-2020"),
            "Năm bắt đầu nhiệm kỳ phải trước năm kết thúc, ví dụ: 2025-2030.",
        )
        self.assertEqual(
            self.usage_error("--org", "P", "--term", "2025"), "Nhập nhiệm kỳ dưới dạng hai năm, ví dụ: 2025-2030."
        )

    def test_a_bad_year_is_a_usage_error(self) -> None:
        for year in ("26", "năm 2026", "1900", "2026-2027"):
            with self.subTest(year=year):
                self.usage_error("--org", "P", "--year", year)

    def test_a_bad_date_is_a_usage_error(self) -> None:
        for day in ("2026-02-30", "31/03/2026", "20260331", "2026-3-31"):
            with self.subTest(day=day):
                self.usage_error("--org", "P", "--year", "2026", "--as-of", day)

    def test_an_as_of_date_before_the_period_is_a_usage_error(self) -> None:
        with translation.override("en"):
            message = self.usage_error("--org", "P", "--year", "2026", "--as-of", "2025-12-31")
        self.assertIn("2025-12-31", message)
        self.assertIn(",192,", run("--org", "P", "--year", "2026", "--as-of", "2027-01-31"))  # after it: the end

    def test_an_unknown_format_is_a_usage_error(self) -> None:
        with translation.override("en"):
            self.assertIn("pdf", self.usage_error("--org", "P", "--year", "2026", "--format", "pdf"))

    def test_handle_can_be_called_directly(self) -> None:
        stdout = io.StringIO()
        Command(stdout=Mock()).handle(org="C1", year=2026, term=None, as_of="2026-03-31", format="csv", output=None)
        cmd = Command(stdout=stdout)
        cmd.handle(org="C1", year=2026, term=None, as_of="2026-03-31", format="csv", output=None)
        self.assertIn("C1,Đảng bộ xã Dân Chủ,800,185,23.13\n", stdout.getvalue())


class QueryCountTestCase(TestCase):
    def queries(self, communes: int, bases: int) -> int:
        root = bulk_tree(root_code="Q", communes=communes, bases_per_commune=bases)
        Quota.objects.create(organization=root, first_year=2026, last_year=2026, target=10)
        cells = list(Organization.objects.filter(depth=3))
        for cell in cells[:3]:
            admit(cell, 2, D(2026, 4, 1))
        out = io.StringIO()
        with CaptureQueriesContext(connection) as ctx:
            call_command("attainment_report", "--org", "Q", "--year", "2026", stdout=out)
        self.assertEqual(out.getvalue().splitlines()[1], "Q,Tỉnh Q,10,6,60.00")
        self.assertEqual(len(out.getvalue().splitlines()), 2 + communes)
        return len(ctx.captured_queries)

    def test_the_report_takes_as_many_queries_for_10_organizations_as_for_1000(self) -> None:
        # The organization, moves after the day, children, the grouped count, quotas, members (2: no counts).
        self.assertEqual(self.queries(3, 2), 7)

    def test_1000_organizations(self) -> None:
        self.assertEqual(self.queries(37, 26), 7)
        self.assertEqual(Organization.objects.count(), 1000)


class ExitCodeTestCase(TestCase):
    """Through a real process: the exit status scripts and cron jobs see (no database is needed for these)."""

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (this interpreter and the project's manage.py)
            [sys.executable, MANAGE, "attainment_report", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            cwd=Path(MANAGE).parent,
        )

    def test_a_bad_term_exits_with_2_and_a_vietnamese_message(self) -> None:
        proc = self.manage("--org", "P", "--term", "2025-2020")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("Năm bắt đầu nhiệm kỳ phải trước năm kết thúc", proc.stderr)
        self.assertEqual(proc.stdout, "")

    def test_year_and_term_together_exit_with_2(self) -> None:
        proc = self.manage("--org", "P", "--year", "2026", "--term", "2025-2030")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--term", proc.stderr)

    def test_an_unknown_option_exits_with_2(self) -> None:
        proc = self.manage("--org", "P", "--yaer", "2026")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--yaer", proc.stderr)

    def test_help_lists_the_options_and_exits_with_0(self) -> None:
        proc = self.manage("--help")
        self.assertEqual(proc.returncode, 0)
        for option in ("--org", "--year", "--term", "--as-of", "--format", "--output"):
            self.assertIn(option, proc.stdout)
