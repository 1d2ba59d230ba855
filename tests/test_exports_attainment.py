"""reports/exports.py: the attainment report as csv, json (CONTRACT §4) and a workbook for officials.

openpyxl is not a dependency, so the workbook is read back from its XML: values, formulas, number
formats, bold, outline levels, panes, filters and print setup.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from django.utils import translation

from organizations.services import organization_create
from recruitment.models import Gender
from reports import exports
from reports.attainment import BREAKDOWNS, Attainment, attainment
from reports.forms import Period
from reports.models import MembershipCount
from tests.base import BaseTestCase
from tests.test_attainment import TODAY, Y2026, add, admit, person, quota

D = datetime.date
AS_OF = D(2026, 3, 31)

# Reading a workbook back -------------------------------------------------------------------------

_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_BUILTIN_FORMATS = {"0": "General", "1": "0", "2": "0.00", "3": "#,##0", "4": "#,##0.00"}


@dataclass
class Cell:
    value: Any  # str, float, or None for an empty cell
    formula: str | None
    number_format: str
    bold: bool


@dataclass
class Sheet:
    name: str
    xml: ET.Element
    cells: dict[str, Cell] = field(default_factory=dict)  # by reference, "C7"
    outline: dict[int, int] = field(default_factory=dict)  # Excel row number → outline level

    def value(self, ref: str) -> Any:
        return self.cells[ref].value if ref in self.cells else None

    def row(self, number: int, last_column: str = "R") -> list[Any]:
        out = []
        for c in range(ord("A"), ord(last_column) + 1):
            out.append(self.value(f"{chr(c)}{number}"))
        return out


def _xml(book: zipfile.ZipFile, name: str) -> ET.Element:
    return ET.fromstring(book.read(name))  # noqa: S314 (the app's own output, not untrusted input)


def read_book(content: bytes) -> dict[str, Sheet]:
    book = zipfile.ZipFile(io.BytesIO(content))
    styles = _xml(book, "xl/styles.xml")
    custom = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind("x:numFmts/x:numFmt", _NS)}
    fonts = [f.find("x:b", _NS) is not None for f in styles.iterfind("x:fonts/x:font", _NS)]
    xfs = [
        (
            custom.get(xf.get("numFmtId")) or _BUILTIN_FORMATS.get(xf.get("numFmtId", "0"), "?"),
            fonts[int(xf.get("fontId", 0))],
        )
        for xf in styles.iterfind("x:cellXfs/x:xf", _NS)
    ]
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        shared = ["".join(t.itertext()) for t in _xml(book, "xl/sharedStrings.xml")]
    sheets: dict[str, Sheet] = {}
    for i, entry in enumerate(_xml(book, "xl/workbook.xml").iterfind("x:sheets/x:sheet", _NS), start=1):
        root = _xml(book, f"xl/worksheets/sheet{i}.xml")
        sheet = Sheet(entry.get("name", ""), root)
        for row in root.iterfind("x:sheetData/x:row", _NS):
            if row.get("outlineLevel"):
                sheet.outline[int(row.get("r", 0))] = int(row.get("outlineLevel", 0))
            for c in row.iterfind("x:c", _NS):
                v, f = c.find("x:v", _NS), c.find("x:f", _NS)
                value: Any = None
                if v is not None and v.text is not None:
                    value = (
                        shared[int(v.text)] if c.get("t") == "s" else v.text if c.get("t") == "str" else float(v.text)
                    )
                number_format, bold = xfs[int(c.get("s", 0))]
                sheet.cells[c.get("r", "")] = Cell(value, None if f is None else f.text, number_format, bold)
        sheets[sheet.name] = sheet
    return sheets


def sheet_list(content: bytes) -> list[Sheet]:
    return list(read_book(content).values())


def defined_names(content: bytes) -> dict[str, str]:
    book = zipfile.ZipFile(io.BytesIO(content))
    names = _xml(book, "xl/workbook.xml").iterfind("x:definedNames/x:definedName", _NS)
    return {f"{n.get('name')}@{n.get('localSheetId')}": n.text or "" for n in names}


# The report the exports are made of ---------------------------------------------------------------


class ExportsBase(BaseTestCase):
    """P: target 180, 185 admitted (102.78%); C1: target 800 (23.13%, half up); C2: no target, nothing."""

    def setUp(self) -> None:
        super().setUp()
        quota(self.orgs["P"], Y2026, 180)
        quota(self.orgs["C1"], Y2026, 800)
        MembershipCount.objects.create(organization=self.orgs["P"], year=2025, members=5000)
        MembershipCount.objects.create(organization=self.orgs["C1"], year=2025, members=3000)
        admit(self.orgs["C1.B2"], 150, D(2026, 3, 2))
        admit(self.orgs["C1.B2"], 35, D(2026, 1, 15), gender=Gender.FEMALE)
        admit(self.orgs["C1.B2"], 7, D(2026, 6, 1))  # after the as-of date
        add(person(self.orgs["C1.B2"], admitted=D(2025, 3, 1), recognized=D(2026, 3, 1)))

    def report(self, code: str = "P", *, detail: bool = True, as_of: datetime.date | None = AS_OF) -> Attainment:
        return attainment(self.orgs[code], Y2026, as_of=as_of, today=TODAY, detail=detail)


class ContractRecordsTestCase(ExportsBase):
    def test_each_row_is_a_record_with_the_five_keys(self) -> None:
        self.assertEqual(
            exports.contract_records(self.report()),
            [
                {
                    "org_code": "P",
                    "org_name": "Đảng bộ tỉnh Thử Nghiệm",
                    "target": 180,
                    "admitted": 185,
                    "percent": "102.78",
                },
                {
                    "org_code": "C1",
                    "org_name": "Đảng bộ xã Dân Chủ",
                    "target": 800,
                    "admitted": 185,
                    "percent": "23.13",
                },
                {
                    "org_code": "C2",
                    "org_name": "Đảng bộ phường Hòa Bình",
                    "target": None,
                    "admitted": 0,
                    "percent": None,
                },
            ],
        )

    def test_a_round_figure_keeps_its_two_decimals(self) -> None:
        quota(self.orgs["C1.B2"], Y2026, 370)
        records = exports.contract_records(self.report("C1"))
        self.assertEqual(records[2]["percent"], "50.00")  # 185 / 370
        quota(self.orgs["C1.B1"], Y2026, 0)  # a target of 0: no percentage
        self.assertEqual(exports.contract_records(self.report("C1"))[1]["percent"], None)


class CsvTestCase(ExportsBase):
    def test_it_writes_the_contract_columns(self) -> None:
        out = io.StringIO()
        exports.write_csv(self.report(detail=False), out)
        self.assertEqual(
            out.getvalue(),
            "org_code,org_name,target,admitted,percent\n"
            "P,Đảng bộ tỉnh Thử Nghiệm,180,185,102.78\n"
            "C1,Đảng bộ xã Dân Chủ,800,185,23.13\n"
            "C2,Đảng bộ phường Hòa Bình,,0,\n",
        )

    def test_the_extended_csv_appends_machine_readable_columns(self) -> None:
        out = io.StringIO()
        exports.write_csv(self.report(), out, extended=True)
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        self.assertEqual(
            rows[0],
            [
                "org_code",
                "org_name",
                "target",
                "admitted",
                "percent",
                "members_at_start",
                "admission_rate",
                "still_needed",
                "recognized",
                "struck_off",
                "women",
                "ethnic_minority",
                "religious",
                "youth_union",
                "young",
                "residential",
                "private_sector",
                "students",
                "ethnicity_not_stated",
                "religion_not_stated",
            ],
        )
        self.assertEqual(rows[0][10:18], list(BREAKDOWNS))
        # 185 of 5,000 members is 3.70 per hundred; 35 women; all born in 1998, so young; a private company.
        self.assertEqual(
            rows[1],
            [
                *["P", "Đảng bộ tỉnh Thử Nghiệm", "180", "185", "102.78", "5000", "3.70", "0", "1", "0"],
                *["35", "0", "0", "0", "185", "0", "185", "0"],
                *["0", "0"],  # every ethnic group and religion stated
            ],
        )
        self.assertEqual(
            rows[2][:10], ["C1", "Đảng bộ xã Dân Chủ", "800", "185", "23.13", "3000", "6.17", "615", "1", "0"]
        )
        self.assertEqual(rows[3][:10], ["C2", "Đảng bộ phường Hòa Bình", "", "0", "", "", "", "", "0", "0"])

    def test_the_extended_csv_needs_the_detail(self) -> None:
        with self.assertRaises(ValueError):
            exports.write_csv(self.report(detail=False), io.StringIO(), extended=True)

    def test_text_with_commas_and_quotes_is_quoted(self) -> None:
        type(self.orgs["C2"]).objects.filter(pk=self.orgs["C2"].pk).update(name='Đảng bộ phường "Hòa Bình", khu 2')
        out = io.StringIO()
        exports.write_csv(self.report(detail=False), out)
        self.assertIn('C2,"Đảng bộ phường ""Hòa Bình"", khu 2",,0,\n', out.getvalue())
        self.assertEqual(list(csv.reader(io.StringIO(out.getvalue())))[3][1], 'Đảng bộ phường "Hòa Bình", khu 2')

    def test_a_byte_order_mark_can_be_asked_for(self) -> None:
        out = io.StringIO()
        exports.write_csv(self.report(detail=False), out, bom=True)
        self.assertTrue(out.getvalue().startswith("\ufefforg_code,"))


class JsonTestCase(ExportsBase):
    def test_it_writes_a_list_of_objects_with_percent_as_a_number(self) -> None:
        out = io.StringIO()
        exports.write_json(self.report(detail=False), out)
        self.assertEqual(
            out.getvalue(),
            "[\n"
            '  {"org_code": "P", "org_name": "Đảng bộ tỉnh Thử Nghiệm", '
            '"target": 180, "admitted": 185, "percent": 102.78},\n'
            '  {"org_code": "C1", "org_name": "Đảng bộ xã Dân Chủ", '
            '"target": 800, "admitted": 185, "percent": 23.13},\n'
            '  {"org_code": "C2", "org_name": "Đảng bộ phường Hòa Bình", '
            '"target": null, "admitted": 0, "percent": null}\n'
            "]\n",
        )
        data = json.loads(out.getvalue())
        self.assertEqual([list(d) for d in data], [list(exports.CONTRACT_FIELDS)] * 3)
        self.assertEqual(data[0]["percent"], 102.78)

    def test_percent_keeps_its_two_decimals_as_in_the_csv(self) -> None:
        quota(self.orgs["C2"], Y2026, 8)
        admit(self.orgs["C2.B1.01"], 1, D(2026, 2, 1))
        out = io.StringIO()
        exports.write_json(self.report(detail=False), out)
        self.assertIn('"target": 8, "admitted": 1, "percent": 12.50}', out.getvalue())
        self.assertEqual(json.loads(out.getvalue())[2]["percent"], 12.5)

    def test_names_are_escaped(self) -> None:
        type(self.orgs["C2"]).objects.filter(pk=self.orgs["C2"].pk).update(name='Chi bộ "A"\\B')
        out = io.StringIO()
        exports.write_json(self.report(detail=False), out)
        self.assertEqual(json.loads(out.getvalue())[2]["org_name"], 'Chi bộ "A"\\B')


# The workbook -------------------------------------------------------------------------------------


class WorkbookTestCase(ExportsBase):
    def book(self, **kw: Any) -> bytes:
        with translation.override("en"):
            return exports.workbook(self.report(**kw))

    def test_it_is_a_workbook_with_the_figures_and_the_months(self) -> None:
        content = self.book()
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(content)))
        self.assertEqual([s.name for s in sheet_list(content)], ["Attainment", "By month"])

    def test_the_title_names_the_period_the_organization_and_the_day(self) -> None:
        sheet = sheet_list(self.book())[0]
        self.assertEqual(sheet.value("A1"), "Party member admissions in 2026")
        self.assertEqual(sheet.value("A2"), "Đảng bộ tỉnh Thử Nghiệm (P)")
        self.assertEqual(sheet.value("A3"), "Figures up to 31/03/2026")
        with translation.override("en"):
            term = exports.workbook(attainment(self.orgs["P"], Period(2025, 2030), today=TODAY))
        self.assertEqual(sheet_list(term)[0].value("A1"), "Party member admissions in the term 2025-2030")
        self.assertEqual(sheet_list(term)[0].value("A3"), "Figures up to 01/11/2026")  # today, the term being open

    def test_the_headers_are_translated(self) -> None:
        with translation.override("vi"):
            sheet = sheet_list(exports.workbook(self.report()))[0]
        self.assertEqual(sheet.value("A5"), "Mã")  # an existing msgid
        self.assertEqual(sheet.value("K6"), str(BREAKDOWNS["women"][0]))
        with translation.override("vi"):
            self.assertEqual(sheet.value("K6"), "Nữ")

    def test_each_answer_that_may_be_blank_has_its_not_stated_count_beside_its_breakdown(self) -> None:
        sheet = sheet_list(self.book())[0]
        headers = [sheet.value(f"{col}6") for col in "KLMNOP"]
        self.assertEqual(
            headers,
            [
                "Women",
                "Ethnic minorities",
                "Ethnic group not stated",
                "Religious followers",
                "Religion not stated",
                "Youth Union members",
            ],
        )
        self.assertEqual([sheet.cells[f"{col}7"].value for col in "LMNO"], [0.0, 0.0, 0.0, 0.0])

    def test_the_total_comes_first_in_bold_then_the_children_one_level_down(self) -> None:
        sheet = sheet_list(self.book())[0]
        self.assertEqual(sheet.row(7, "E"), ["P", "Đảng bộ tỉnh Thử Nghiệm", 180.0, 185.0, 102.78])
        self.assertEqual(sheet.row(8, "E"), ["C1", "Đảng bộ xã Dân Chủ", 800.0, 185.0, 23.13])
        self.assertEqual(sheet.row(9, "E"), ["C2", "Đảng bộ phường Hòa Bình", None, 0.0, None])
        self.assertTrue(sheet.cells["A7"].bold and sheet.cells["D7"].bold)
        self.assertFalse(sheet.cells["D8"].bold)
        self.assertEqual(sheet.outline, {8: 1, 9: 1})
        self.assertEqual(sheet.xml.find("x:sheetFormatPr", _NS).get("outlineLevelRow"), "1")  # type: ignore[union-attr]

    def test_numbers_are_real_numbers_with_number_formats(self) -> None:
        sheet = sheet_list(self.book())[0]
        self.assertEqual((sheet.cells["C7"].value, sheet.cells["C7"].number_format), (180.0, "#,##0"))
        self.assertEqual((sheet.cells["E7"].value, sheet.cells["E7"].number_format), (102.78, "0.00"))
        self.assertEqual((sheet.cells["F7"].value, sheet.cells["F7"].number_format), (5000.0, "#,##0"))
        self.assertEqual((sheet.cells["G7"].value, sheet.cells["G7"].number_format), (3.7, "0.00"))
        self.assertIn("(%)", sheet.value("E5"))
        # No figure: an empty cell that keeps the format, not a 0 and not a dash.
        self.assertIsNone(sheet.cells["C9"].value)
        self.assertEqual(sheet.cells["C9"].number_format, "#,##0")

    def test_the_sum_of_the_children_is_a_formula_with_its_value(self) -> None:
        sheet = sheet_list(self.book())[0]
        self.assertEqual(sheet.value("B10"), "Total of the direct units")
        self.assertEqual((sheet.cells["C10"].formula, sheet.cells["C10"].value), ("SUM(C8:C9)", 800.0))
        self.assertEqual((sheet.cells["D10"].formula, sheet.cells["D10"].value), ("SUM(D8:D9)", 185.0))
        self.assertEqual(sheet.cells["E10"].formula, 'IF(N(C10)>0,ROUND(D10/C10*100,2),"")')
        self.assertEqual(sheet.cells["E10"].value, 23.13)
        self.assertEqual((sheet.cells["F10"].formula, sheet.cells["F10"].value), ("SUM(F8:F9)", 3000.0))
        self.assertEqual((sheet.cells["K10"].formula, sheet.cells["K10"].value), ("SUM(K8:K9)", 35.0))
        self.assertTrue(sheet.cells["D10"].bold)
        self.assertNotIn(10, sheet.outline)
        self.assertNotIn("A11", sheet.cells)

    def test_a_column_no_child_has_a_figure_for_stays_empty_in_the_sum(self) -> None:
        # In C1's report neither C1.B1 nor C1.B2 has a quota or a membership count.
        with translation.override("en"):
            sheet = sheet_list(exports.workbook(attainment(self.orgs["C1"], Y2026, today=TODAY)))[0]
        self.assertEqual(sheet.row(7, "F"), ["C1", "Đảng bộ xã Dân Chủ", 800.0, 192.0, 24.0, 3000.0])
        self.assertEqual(sheet.row(10, "F"), [None, "Total of the direct units", None, 192.0, None, None])
        for ref in ("C10", "E10", "F10", "G10"):
            self.assertIsNone(sheet.cells[ref].formula, ref)

    def test_a_cell_has_no_children_and_no_sum_row(self) -> None:
        sheet = sheet_list(exports.workbook(attainment(self.orgs["C1.B2"], Y2026, today=TODAY)))[0]
        self.assertEqual(sheet.row(7, "D"), ["C1.B2", "Chi bộ Công ty Cổ phần Sông Lô", None, 192.0])
        self.assertEqual(sheet.outline, {})
        self.assertFalse(any(ref.endswith("8") for ref in sheet.cells))
        self.assertEqual(sheet.xml.find("x:autoFilter", _NS).get("ref"), "A6:T7")  # type: ignore[union-attr]

    def test_the_sheet_is_set_up_for_reading_and_printing(self) -> None:
        content = self.book()
        sheet = sheet_list(content)[0]
        pane = sheet.xml.find("x:sheetViews/x:sheetView/x:pane", _NS)
        self.assertEqual((pane.get("state"), pane.get("topLeftCell")), ("frozen", "C7"))  # type: ignore[union-attr]
        self.assertEqual(sheet.xml.find("x:autoFilter", _NS).get("ref"), "A6:T9")  # type: ignore[union-attr]
        setup = sheet.xml.find("x:pageSetup", _NS)
        self.assertEqual(setup.get("orientation"), "landscape")  # type: ignore[union-attr]
        self.assertEqual(setup.get("fitToHeight"), "0")  # type: ignore[union-attr]
        self.assertEqual(sheet.xml.find("x:sheetPr/x:pageSetUpPr", _NS).get("fitToPage"), "1")  # type: ignore[union-attr]
        self.assertEqual(defined_names(content)["_xlnm.Print_Titles@0"], "Attainment!$5:$6")
        widths = {c.get("min"): float(c.get("width", 0)) for c in sheet.xml.iterfind("x:cols/x:col", _NS)}
        self.assertGreater(widths["2"], 40)  # the names
        merged = {m.get("ref") for m in sheet.xml.iterfind("x:mergeCells/x:mergeCell", _NS)}
        self.assertTrue({"A1:T1", "A5:A6", "K5:T5"} <= merged)

    def test_the_months_sheet_has_each_month_and_the_running_total(self) -> None:
        months = sheet_list(self.book())[1]
        self.assertEqual(months.value("A1"), "Party member admissions in 2026")
        self.assertEqual(
            months.row(4, "D"), ["Month", "Admitted in the month", "Admitted so far", "Target spread evenly, so far"]
        )
        self.assertEqual(months.cells["A5"].number_format, "mm/yyyy")
        self.assertEqual(months.value("A5"), float((D(2026, 1, 1) - D(1899, 12, 30)).days))
        self.assertEqual(months.row(5, "D")[1:], [35.0, 35.0, 15.0])
        self.assertEqual(months.row(7, "D")[1:], [150.0, 185.0, 45.0])
        # After the as-of date the months are left empty, not shown as months without admissions.
        self.assertEqual(months.row(8, "D")[1:], [None, None, 60.0])
        self.assertEqual(months.row(16, "D")[1:], [None, None, 180.0])
        self.assertNotIn("A17", months.cells)
        self.assertIn("xl/charts/chart1.xml", zipfile.ZipFile(io.BytesIO(self.book())).namelist())

    def test_without_detail_it_leaves_out_the_breakdowns_and_the_months(self) -> None:
        sheets = sheet_list(self.book(detail=False))
        self.assertEqual(len(sheets), 1)
        sheet = sheets[0]
        self.assertEqual(sheet.row(7, "H"), ["P", "Đảng bộ tỉnh Thử Nghiệm", 180.0, 185.0, 102.78, 5000.0, 3.7, 0.0])
        self.assertNotIn("I5", sheet.cells)
        self.assertEqual(sheet.xml.find("x:autoFilter", _NS).get("ref"), "A6:H9")  # type: ignore[union-attr]

    def test_a_new_child_created_later_sorts_by_code(self) -> None:
        organization_create(parent=self.orgs["P"], code="A9", name="Đảng bộ Khối cơ quan", kind="base_committee")
        sheet = sheet_list(self.book())[0]
        self.assertEqual([sheet.value(f"A{r}") for r in range(7, 11)], ["P", "A9", "C1", "C2"])
        self.assertEqual(sheet.cells["D11"].formula, "SUM(D8:D10)")
