"""The template workbook: read back as a user's Excel and our own import would read it."""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree
from django.test import SimpleTestCase
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from imports import cells, layout, reading
from imports.template import INSTRUCTIONS_SHEET, LISTS_SHEET, template_workbook
from organizations.models import Kind, Sector
from recruitment.ethnicities import ETHNIC_GROUPS
from tests.base import BaseTestCase

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@cache
def _template() -> bytes:
    return template_workbook()


def _book() -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(_template()))


def _rows(name: str) -> list[list[Any]]:
    return _book().get_sheet_by_name(name).to_python(skip_empty_area=False)


def _xml(part: str) -> Element:
    with zipfile.ZipFile(io.BytesIO(_template())) as z:
        return ElementTree.fromstring(z.read(part))


def _sheet_part(name: str) -> str:
    """The zip part of the sheet with this name (xlsxwriter numbers them in order)."""
    index = _book().sheet_names.index(name) + 1
    return f"xl/worksheets/sheet{index}.xml"


def _validations(name: str) -> dict[str, Element]:
    """The sheet's data validations, by the column letter they start at."""
    root = _xml(_sheet_part(name))
    found = {}
    for dv in root.iterfind(".//m:dataValidation", NS):
        match = re.fullmatch(r"(?P<col>[A-Z]+)2:(?P=col)1048576", dv.get("sqref", ""))
        assert match, dv.get("sqref")
        found[match.group(1)] = dv
    return found


def _column_formats(name: str) -> dict[str, str]:
    """The number format of each formatted column of the sheet, by column letter ("@" is text)."""
    styles = _xml("xl/styles.xml")
    codes = {int(f.get("numFmtId") or 0): f.get("formatCode") or "" for f in styles.iterfind(".//m:numFmt", NS)}
    codes[49] = "@"  # built in
    xfs = [int(xf.get("numFmtId") or 0) for xf in styles.iterfind("m:cellXfs/m:xf", NS)]
    found = {}
    for col in _xml(_sheet_part(name)).iterfind(".//m:cols/m:col", NS):
        if col.get("style"):
            # xl_col_to_name: the people sheet has more than 26 columns since issue 17 (AA onwards).
            letter = xl_col_to_name(int(col.get("min") or 0) - 1)
            found[letter] = codes.get(xfs[int(col.get("style") or 0)], "")
    return found


def _letter(spec: layout.SheetSpec, key: str) -> str:
    index = [c.key for c in spec.columns].index(key)
    return xl_col_to_name(index)


def _spec(key: str) -> layout.SheetSpec:
    return next(spec for spec in layout.SHEETS if spec.key == key)


class TemplateWorkbookTestCase(SimpleTestCase):
    def test_it_starts_with_the_instructions_then_the_four_sheets_in_apply_order(self) -> None:
        names = _book().sheet_names
        self.assertEqual(names[0], INSTRUCTIONS_SHEET)
        self.assertEqual(names[1:5], [spec.name for spec in layout.SHEETS])
        self.assertEqual(names[5:], [LISTS_SHEET])

    def test_each_sheet_has_exactly_the_headers_of_the_layout(self) -> None:
        for spec in layout.SHEETS:
            with self.subTest(sheet=spec.name):
                self.assertEqual(_rows(spec.name)[0], [c.header for c in spec.columns])

    def test_the_instructions_are_in_vietnamese_and_name_the_order_and_the_limits(self) -> None:
        text = "\n".join(str(row[0]) for row in _rows(INSTRUCTIONS_SHEET) if row and row[0])
        self.assertIn("Tổ chức → Số lượng đảng viên → Chỉ tiêu → Quần chúng", text)
        self.assertIn("dd/mm/yyyy", text)
        self.assertIn("Số CCCD", text)
        self.assertRegex(text, r"tối đa \d+ MB và [\d.]+ dòng")

    def test_the_lists_sheet_is_hidden(self) -> None:
        sheets = _xml("xl/workbook.xml").findall(".//m:sheet", NS)
        states = {s.get("name"): s.get("state") for s in sheets}
        self.assertEqual(states[LISTS_SHEET], "hidden")
        self.assertIsNone(states[INSTRUCTIONS_SHEET])

    def test_the_lists_hold_the_vietnamese_kinds_sectors_and_54_ethnic_groups(self) -> None:
        rows = _rows(LISTS_SHEET)
        columns = {rows[0][i]: [r[i] for r in rows[1:] if r[i] != ""] for i in range(len(rows[0]))}
        self.assertEqual(len(columns["Loại tổ chức"]), len(Kind.choices))
        self.assertIn("Đảng bộ xã, phường, đặc khu", columns["Loại tổ chức"])
        self.assertIn("Doanh nghiệp ngoài nhà nước", columns["Loại hình"])
        self.assertEqual(len(columns["Loại hình"]), len(Sector.choices))
        self.assertEqual(columns["Dân tộc"], list(ETHNIC_GROUPS))
        self.assertEqual(columns["Giới tính"], ["Nam", "Nữ"])
        self.assertEqual(columns["Có/Không"], ["Có", "Không"])

    def test_kinds_sectors_gender_ethnicity_and_yes_no_have_dropdowns_from_the_lists_sheet(self) -> None:
        orgs, people = _spec("organizations"), _spec("people")
        org_dv, people_dv = _validations(orgs.name), _validations(people.name)
        expected = [
            (org_dv, _letter(orgs, "kind"), "$A$2:$A$8"),
            (org_dv, _letter(orgs, "sector"), "$B$2:$B$10"),
            (people_dv, _letter(people, "gender"), "$C$2:$C$3"),
            (people_dv, _letter(people, "ethnicity"), "$D$2:$D$55"),
            (people_dv, _letter(people, "youth_union"), "$E$2:$E$3"),
        ]
        for validations, letter, cells_range in expected:
            with self.subTest(column=letter):
                dv = validations[letter]
                self.assertEqual(dv.get("type"), "list")
                self.assertEqual(dv.findtext("m:formula1", namespaces=NS), f"'{LISTS_SHEET}'!{cells_range}")

    def test_date_columns_are_formatted_and_checked_as_dates(self) -> None:
        people = _spec("people")
        validations = _validations(people.name)
        formats = _column_formats(people.name)
        for key in ("birth_date", "source_date", "admission_date", "removal_date", "transfer_date"):
            with self.subTest(column=key):
                self.assertEqual(formats[_letter(people, key)], "dd/mm/yyyy")
                self.assertEqual(validations[_letter(people, key)].get("type"), "date")

    def test_national_ids_and_codes_are_text_columns_so_leading_zeros_stay(self) -> None:
        people = _spec("people")
        formats = _column_formats(people.name)
        for key in ("national_id", "branch_code", "education"):
            with self.subTest(column=key):
                self.assertEqual(formats[_letter(people, key)], "@")
        self.assertEqual(_column_formats(_spec("organizations").name)[_letter(_spec("organizations"), "code")], "@")

    def test_the_header_row_is_frozen_and_every_header_has_a_note(self) -> None:
        with zipfile.ZipFile(io.BytesIO(_template())) as z:
            comments = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/comments"))
        for spec in layout.SHEETS:
            with self.subTest(sheet=spec.name):
                pane = _xml(_sheet_part(spec.name)).find(".//m:pane", NS)
                assert pane is not None
                self.assertEqual((pane.get("ySplit"), pane.get("state")), ("1", "frozen"))
        self.assertIn("12 chữ số", comments)
        self.assertIn("chi bộ nơi đến đã tiếp nhận", comments)  # Ngày chuyển sinh hoạt's note (issue 14)
        self.assertEqual(comments.count("<comment "), sum(len(spec.columns) for spec in layout.SHEETS))

    def test_no_note_says_whether_the_column_is_required_twice(self) -> None:
        # Issue 18: "Không bắt buộc. Không bắt buộc." (the prefix, then a note that said it again).
        with zipfile.ZipFile(io.BytesIO(_template())) as z:
            texts = [
                "".join(t.text or "" for t in comment.iter(f"{{{NS['m']}}}t"))
                for n in z.namelist()
                if n.startswith("xl/comments")
                for comment in ElementTree.fromstring(z.read(n)).iter(f"{{{NS['m']}}}comment")
            ]
        self.assertEqual(len(texts), sum(len(spec.columns) for spec in layout.SHEETS))
        for text in texts:
            with self.subTest(note=text):
                required, _sep, rest = text.partition(". ")
                self.assertIn(required, ("Bắt buộc", "Không bắt buộc"))
                self.assertNotIn("Không bắt buộc.", rest)
                self.assertFalse(rest.startswith("Bắt buộc."))

    def test_every_kind_and_sector_in_the_dropdowns_is_accepted_by_the_import(self) -> None:
        rows = _rows(LISTS_SHEET)
        kinds = [r[0] for r in rows[1:] if r[0]]
        sectors = [r[1] for r in rows[1:] if r[1]]
        self.assertEqual([cells.to_choice(k, Kind.choices) for k in kinds], list(Kind.values))
        self.assertEqual([cells.to_choice(s, Sector.choices) for s in sectors], list(Sector.values))

    def test_the_empty_template_reads_without_issues(self) -> None:
        sheets = reading.read_workbook(_template(), "mau-nhap-du-lieu.xlsx")
        for sheet in sheets:
            with self.subTest(sheet=sheet.name):
                self.assertEqual(sheet.issues, [])
                self.assertEqual(sheet.rows, [])


class TemplateImportTestCase(BaseTestCase):
    def test_the_empty_template_validates_with_nothing_to_do(self) -> None:
        from imports import pipeline
        from imports.models import ImportRun

        data = _template()
        run = ImportRun.objects.create(
            created_by=self.alice, filename="mau.xlsx", sha256="0" * 64, size=len(data), content=data
        )
        pipeline.validate_run(run)
        run.refresh_from_db()
        # Issue 18: a run with nothing to change ends as done (it was left READY, waiting for a confirmation).
        self.assertEqual(run.status, ImportRun.Status.DONE, run.message)
        self.assertEqual(run.error_count, 0)
        self.assertFalse(any(s["created"] or s["updated"] for s in run.summary))
