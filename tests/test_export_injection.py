"""No file the app writes can attack its reader: every csv and xlsx cell that begins like a formula is text.

Each writer is fed units or people named like the OWASP "CSV Injection" examples, and its output is
read back with a real reader: the csv module, python-calamine for xlsx, and the sheets' XML inside
the xlsx zip, where a formula is an <f> element. Figures must come back as numbers.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import xlsxwriter
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from imports.models import ImportRun
from imports.template import template_workbook
from organizations import exporting
from organizations.models import Kind
from organizations.services import organization_create
from reports.forms import Period
from tests.base import BaseTestCase
from tests.test_attainment import A_DAY_IN_2026, admit, quota
from tests.test_view_imports import PEOPLE, PEOPLE_HEADERS, person, upload_file

NASTY = (
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-1+2",
    "\t=1+1",
    "\r=1",
)
Y2026 = Period(2026, 2026)
XLSX_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


# Reading back ------------------------------------------------------------------------------------


def _ooxml_text(text: str) -> str:
    """A string of the sheet XML as Excel reads it: _x000D_ is a carriage return (ECMA-376 ST_Xstring)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), text)


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def xlsx_cells(data: bytes) -> dict[str, dict[str, tuple[str | None, str | None, str | None]]]:
    """Every cell of every worksheet from the XML: {part: {ref: (type, formula, text or value)}}."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))  # noqa: S314 (the app's own output)
            shared = [_ooxml_text("".join(t.text or "" for t in si.iter(f"{{{XLSX_NS['x']}}}t"))) for si in root]
        out: dict[str, dict[str, tuple[str | None, str | None, str | None]]] = {}
        for name in names:
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            cells = {}
            sheet = ET.fromstring(z.read(name))  # noqa: S314 (the app's own output)
            for c in sheet.iter(f"{{{XLSX_NS['x']}}}c"):
                kind = c.get("t")
                f = c.find("x:f", XLSX_NS)
                v = c.find("x:v", XLSX_NS)
                value = v.text if v is not None else None
                if kind == "s" and value is not None:
                    value = shared[int(value)]
                elif kind == "inlineStr":
                    value = _ooxml_text("".join(t.text or "" for t in c.iter(f"{{{XLSX_NS['x']}}}t")))
                cells[c.get("r", "")] = (kind, None if f is None else (f.text or ""), value)
            out[name] = cells
    return out


def calamine_values(data: bytes) -> list[object]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [value for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for value in row]


class ExportCase(BaseTestCase):
    def assert_no_formula_but(self, data: bytes, allowed: re.Pattern[str] | None = None) -> None:
        """No cell of the workbook is a formula, except those `allowed` (the report's own sums)."""
        for part, cells in xlsx_cells(data).items():
            for ref, (_kind, formula, _value) in cells.items():
                if formula is not None:
                    self.assertIsNotNone(allowed, f"{part}!{ref} is a formula: {formula}")
                    assert allowed is not None
                    self.assertRegex(formula, allowed, f"{part}!{ref}")

    def assert_strings(self, data: bytes, texts: list[str]) -> None:
        """Each text is found in a string cell (shared or inline), never a formula, read back exactly."""
        string_cells = [
            value
            for cells in xlsx_cells(data).values()
            for kind, formula, value in cells.values()
            if kind in ("s", "inlineStr", "str") and formula is None
        ]
        read = calamine_values(data)
        for text in texts:
            with self.subTest(text=text):
                self.assertTrue(any(text in (value or "") for value in string_cells), text)
                self.assertTrue(any(isinstance(v, str) and text in v for v in read), text)


# The helper ----------------------------------------------------------------------------------


class HelperTestCase(BaseTestCase):
    def test_text_that_could_start_a_formula_gets_a_quote_the_rest_stays(self) -> None:
        for text in NASTY:
            with self.subTest(text=text):
                self.assertTrue(exporting.is_formula_like(text))
                self.assertEqual(exporting.neutralized(text), "'" + text)  # the tab and the carriage return kept
        for text in ("Chi bộ 1", "C1.B1", "", "1+1", " =1", "'=1"):
            self.assertFalse(exporting.is_formula_like(text))
            self.assertEqual(exporting.csv_field(text), text)

    def test_numbers_stay_numbers_even_negative(self) -> None:
        fields = [exporting.csv_field(v) for v in (7, -3, -1.5, Decimal("-12.50"), Decimal("102.78"), None)]
        self.assertEqual(fields, ["7", "-3", "-1.5", "-12.50", "102.78", ""])

    def test_a_row_read_back_by_the_csv_module_keeps_every_character(self) -> None:
        for end in ("\n", "\r\n"):
            buffer = io.StringIO()
            writer = exporting.CsvWriter(buffer, lineterminator=end)
            writer.writerow([*NASTY, -4, 'a "quoted", text', "two\nlines"])
            writer.writerow(["next", 1])
            self.assertEqual(
                read_csv(buffer.getvalue()),
                [["'" + text for text in NASTY] + ["-4", 'a "quoted", text', "two\nlines"], ["next", "1"]],
            )


def _no_writer_but_the_helper() -> list[str]:
    """Calls that write csv or xlsx cells outside organizations/exporting.py, in the apps' code."""
    found = []
    root = Path(__file__).resolve().parent.parent
    for app in ("organizations", "recruitment", "reports", "imports", "devdata"):
        for path in (root / app).rglob("*.py"):
            if path.name == "exporting.py" and app == "organizations":
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in (r"\.write_string\(", r"\.merge_range\(", r"\bcsv\.(Dict)?[wW]riter\("):
                for match in re.finditer(pattern, text):
                    found.append(f"{path.relative_to(root)}: {match.group(0)}")
    return found


class OneHelperTestCase(BaseTestCase):
    def test_every_cell_writer_goes_through_organizations_exporting(self) -> None:
        # organizations/bulk.py writes rows for PostgreSQL's COPY, not a file for people: data as it is.
        self.assertEqual([f for f in _no_writer_but_the_helper() if not f.startswith("organizations/bulk.py")], [])


# The attainment report: the dashboard's files and the command ------------------------------------


class AttainmentExportsTestCase(ExportCase):
    def setUp(self) -> None:
        super().setUp()
        c1 = self.orgs["C1"]
        self.units = [
            organization_create(parent=c1, code=f"C1.N{i}", name=name, kind=Kind.BASE_BRANCH)
            for i, name in enumerate(NASTY, start=1)
        ]
        for i, unit in enumerate(self.units, start=1):
            quota(unit, Y2026, 4)
            admit(unit, i, A_DAY_IN_2026)
        self.client.force_login(self.alice)

    def check_csv(self, text: str) -> None:
        rows = read_csv(text)
        self.assertEqual(rows[0][:5], ["org_code", "org_name", "target", "admitted", "percent"])
        by_code = {row[0]: row for row in rows[1:]}
        for i, name in enumerate(NASTY, start=1):
            row = by_code[f"C1.N{i}"]
            self.assertEqual(row[1], "'" + name)
            # The figures are plain numbers a spreadsheet or a script reads as numbers.
            self.assertEqual((int(row[2]), int(row[3]), Decimal(row[4])), (4, i, Decimal(i * 25)))
            self.assertEqual(row[4], f"{i * 25}.00")

    def test_the_dashboard_csv(self) -> None:
        response = self.client.get(reverse("report-csv"), {"org": "C1", "year": "2026"})
        self.assertEqual(response.status_code, 200)
        self.check_csv(response.content.decode("utf-8"))

    def test_the_command_csv(self) -> None:
        out = io.StringIO()
        call_command("attainment_report", "--org", "C1", "--year", "2026", "--format", "csv", stdout=out)
        self.check_csv(out.getvalue())

    def test_the_dashboard_workbook_of_the_parent_and_of_each_unit(self) -> None:
        sums = re.compile(
            r"^(SUM\([A-Z]+\d+:[A-Z]+\d+\)|IF\(N\([A-Z]+\d+\)>0,ROUND\([A-Z]+\d+/[A-Z]+\d+\*100,2\),\"\"\))$"
        )
        response = self.client.get(reverse("report-xlsx"), {"org": "C1", "year": "2026"})
        self.assertEqual(response.status_code, 200)
        self.assert_no_formula_but(response.content, sums)
        self.assert_strings(response.content, list(NASTY))
        # The targets and admissions are numbers in the workbook, not text.
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
        figures = {row[1]: (row[2], row[3]) for row in rows if row and row[1] in NASTY}
        self.assertEqual(figures, {name: (4.0, float(i)) for i, name in enumerate(NASTY, start=1)})
        for unit in self.units:  # the unit's name in the merged title rows of both sheets
            with self.subTest(unit=unit.code):
                response = self.client.get(reverse("report-xlsx"), {"org": unit.code, "year": "2026"})
                self.assert_no_formula_but(response.content)
                self.assert_strings(response.content, [f"{unit.name} ({unit.code})"])

    def test_the_command_workbook(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.xlsx"
            call_command("attainment_report", "--org", "C1.N1", "--year", "2026", "--format", "xlsx",
                         "--output", str(path), stdout=io.StringIO())  # fmt: skip
            data = path.read_bytes()
        self.assert_no_formula_but(data)
        self.assert_strings(data, [f"{NASTY[0]} (C1.N1)"])


# The candidate list, the failed rows, the template -------------------------------------------------


class PeopleExportTestCase(ExportCase):
    def test_the_candidate_list_workbook(self) -> None:
        people = admit(self.orgs["C1.B1.01"], len(NASTY), A_DAY_IN_2026)
        for candidate, name in zip(people, NASTY, strict=True):
            type(candidate).objects.filter(pk=candidate.pk).update(full_name=name)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("recruitment:export"))
        self.assertEqual(response.status_code, 200)
        self.assert_no_formula_but(response.content)
        self.assert_strings(response.content, list(NASTY))

    def test_the_failed_rows_workbook(self) -> None:
        # The upload holds the names as text cells (a formula would come back as its cached value),
        # each row refused for its citizen ID, so each comes back in the failed rows.
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet(PEOPLE)
        date = book.add_format({"num_format": "dd/mm/yyyy"})
        for c, header in enumerate(PEOPLE_HEADERS):
            sheet.write_string(0, c, header)
        for r, name in enumerate(NASTY, start=1):
            for c, value in enumerate(person(name, f"12{r}")):
                if hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, date)
                else:
                    sheet.write_string(r, c, str(value))
        book.close()
        self.client.force_login(self.alice)
        self.client.post(reverse("imports:upload"), {"file": upload_file(buffer.getvalue())})
        run = ImportRun.objects.get()
        response = self.client.get(reverse("imports:failed", args=[run.pk]))
        self.assertEqual(response.status_code, 200)
        self.assert_no_formula_but(response.content)
        # As the import read them: its reader trims the whitespace around a text (the tab, the carriage return).
        self.assert_strings(response.content, [" ".join(name.split()) for name in NASTY])
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name(PEOPLE).to_python()
        self.assertEqual([row[0] for row in rows[1:]], [2.0, 3.0, 4.0, 5.0, 6.0, 7.0])  # row numbers stay numbers

    def test_the_template_has_no_formula_in_its_cells(self) -> None:
        self.assert_no_formula_but(template_workbook())
