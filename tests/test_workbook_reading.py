from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase, override_settings
from django.utils import translation

from imports import biff, layout, legacy, reading
from imports.reading import Unusable, read_workbook
from tests.workbooks import (
    MEMBERSHIP_HEADERS,
    ORGANIZATIONS_HEADERS,
    PEOPLE_HEADERS,
    QUOTAS_HEADERS,
    Formula,
    Merge,
    csv_bytes,
    patch_zip_entry,
    people_rows,
    people_workbook,
    rewrite_xlsx,
    xlsx_bytes,
)

D = datetime.date
PEOPLE = "Quần chúng"
SHEET = "xl/worksheets/sheet1.xml"


def read(data: bytes, filename: str = "file.xlsx") -> list[reading.Sheet]:
    with translation.override("en"):
        return read_workbook(data, filename)


def read_one(data: bytes, filename: str = "file.xlsx") -> reading.Sheet:
    sheets = read(data, filename)
    assert len(sheets) == 1
    return sheets[0]


def people(*rows: list[object], headers: list[str] = PEOPLE_HEADERS) -> bytes:
    return xlsx_bytes({PEOPLE: [headers, *rows]})


def person(**values: object) -> list[object]:
    """A people row (every column, in layout order) with some values replaced, by key."""
    row = people_rows(1)[0]
    keys = [column.key for column in layout.PEOPLE.columns]
    for key, value in values.items():
        row[keys.index(key)] = value
    return row


class XlsxReadingTestCase(SimpleTestCase):
    def test_it_reads_a_people_sheet_with_excel_row_numbers_and_types(self) -> None:
        sheet = read_one(people_workbook(3))
        self.assertEqual(sheet.spec.key, "people")
        self.assertEqual(sheet.name, PEOPLE)
        self.assertEqual([number for number, _values in sheet.rows], [2, 3, 4])
        self.assertEqual(sheet.header_row, 1)
        _number, values = sheet.rows[0]
        self.assertEqual(values["full_name"], "Nguyễn Văn An")
        self.assertEqual(values["birth_date"], D(1985, 1, 1))
        self.assertEqual(values["national_id"], "001000000000")
        self.assertIsNone(values["youth_union"])
        self.assertEqual(set(values), {column.key for column in layout.PEOPLE.columns})
        self.assertEqual(sheet.headers["national_id"], "Số CCCD")
        self.assertEqual(sheet.issues, [])
        self.assertEqual(sheet.notes, [])

    def test_numbers_dates_and_booleans_keep_their_types(self) -> None:
        data = xlsx_bytes({"Số lượng đảng viên": [MEMBERSHIP_HEADERS, ["TINH", 2024, 7894.0], ["TINH", True, 1.5]]})
        sheet = read_one(data)
        self.assertEqual(sheet.rows[0][1], {"code": "TINH", "year": 2024.0, "members": 7894.0})
        self.assertIs(sheet.rows[1][1]["year"], True)  # not confused with an equal 1.0
        self.assertEqual(sheet.rows[1][1]["members"], 1.5)

    def test_sheet_names_match_without_case_or_diacritics_or_in_english(self) -> None:
        for name in ("QUẦN CHÚNG", "quan chung", " Quần  chúng ", "people", "People"):
            with self.subTest(name=name):
                sheet = read_one(xlsx_bytes({name: [PEOPLE_HEADERS, person()]}))
                self.assertEqual((sheet.spec.key, sheet.name), ("people", name))

    def test_sheets_come_in_apply_order_and_other_sheets_are_ignored(self) -> None:
        data = xlsx_bytes(
            {
                "Hướng dẫn": [["Đọc kỹ trước khi điền"]],
                PEOPLE: [PEOPLE_HEADERS, person()],
                "Chỉ tiêu": [QUOTAS_HEADERS, ["TINH", "2020-2025", 100]],
                "Tổ chức": [ORGANIZATIONS_HEADERS, ["TINH", "Đảng bộ tỉnh", None, "province"]],
            }
        )
        self.assertEqual([sheet.spec.key for sheet in read(data)], ["organizations", "quotas", "people"])

    def test_a_workbook_without_any_sheet_to_import_is_unusable_and_names_them(self) -> None:
        with self.assertRaisesMessage(Unusable, "“Tổ chức”, “Số lượng đảng viên”, “Chỉ tiêu”, “Quần chúng”"):
            read(xlsx_bytes({"Sheet1": [PEOPLE_HEADERS, person()]}))

    def test_two_sheets_of_one_kind_are_unusable(self) -> None:
        data = xlsx_bytes({PEOPLE: [PEOPLE_HEADERS], "Quan chung": [PEOPLE_HEADERS]})
        with self.assertRaisesMessage(Unusable, "Keep one of them"):
            read(data)

    def test_headers_match_without_case_diacritics_or_stray_spaces_or_as_english_keys(self) -> None:
        headers = [
            "HỌ VÀ TÊN",
            " ngay  sinh ",
            "Giới\ntính",
            "ethnicity",
            "Tôn giáo",
            "Số CCCD [national_id]",
            "Mã chi bộ *",
            "youth_union",
            *PEOPLE_HEADERS[8:],
        ]
        sheet = read_one(people(person(), headers=headers))
        self.assertEqual(sheet.issues, [])
        self.assertEqual(sheet.headers["gender"], "Giới tính")  # as written, whitespace collapsed
        self.assertEqual(sheet.headers["national_id"], "Số CCCD [national_id]")
        self.assertEqual(sheet.rows[0][1]["gender"], "Nam")

    def test_extra_columns_are_ignored_and_columns_may_come_in_any_order(self) -> None:
        data = xlsx_bytes(
            {"Chỉ tiêu": [["STT", "Chỉ tiêu kết nạp", "Ghi chú", "Kỳ", "Mã tổ chức"], [1, 50, "x", "2025", "TINH"]]}
        )
        sheet = read_one(data)
        self.assertEqual(sheet.rows, [(2, {"target": 50.0, "period": "2025", "code": "TINH"})])
        self.assertEqual(sheet.columns, {"target": 1, "period": 3, "code": 4})
        self.assertEqual(sheet.all_headers, ["STT", "Chỉ tiêu kết nạp", "Ghi chú", "Kỳ", "Mã tổ chức"])
        self.assertEqual(sheet.raw, [(2, [1.0, 50.0, "x", "2025", "TINH"])])

    def test_a_missing_required_column_is_an_issue_naming_it(self) -> None:
        sheet = read_one(xlsx_bytes({"Chỉ tiêu": [["Mã tổ chức", "Chỉ tiêu kết nạp"], ["TINH", 5]]}))
        self.assertEqual(len(sheet.issues), 1)
        issue = sheet.issues[0]
        self.assertEqual((issue.sheet, issue.row, issue.column), ("Chỉ tiêu", 0, "Kỳ"))
        self.assertIn("“Kỳ”", issue.message)
        self.assertEqual(sheet.rows, [(2, {"code": "TINH", "target": 5.0, "period": None})])

    def test_a_missing_optional_column_reads_as_empty(self) -> None:
        data = xlsx_bytes({"Tổ chức": [[*ORGANIZATIONS_HEADERS[:2], "Loại tổ chức"], ["TINH", "Tỉnh", "province"]]})
        sheet = read_one(data)
        self.assertEqual(sheet.issues, [])
        self.assertIsNone(sheet.rows[0][1]["parent_code"])
        self.assertNotIn("parent_code", sheet.headers)

    def test_a_repeated_column_is_an_issue(self) -> None:
        data = xlsx_bytes({"Chỉ tiêu": [[*QUOTAS_HEADERS, "Ky"], ["TINH", "2025", 5, "2026"]]})
        sheet = read_one(data)
        self.assertEqual([(issue.row, issue.column) for issue in sheet.issues], [(1, "Ky")])
        self.assertEqual(sheet.rows[0][1]["period"], "2025")  # the first one is read

    def test_the_header_may_sit_below_a_title(self) -> None:
        data = xlsx_bytes({PEOPLE: [[Merge("DANH SÁCH QUẦN CHÚNG ƯU TÚ", columns=20)], [], PEOPLE_HEADERS, person()]})
        sheet = read_one(data)
        self.assertEqual(sheet.issues, [])
        self.assertEqual(sheet.header_row, 3)
        self.assertEqual([number for number, _values in sheet.rows], [4])

    def test_a_header_merged_over_two_rows_with_a_group_title(self) -> None:
        # Họ và tên … Trình độ: each merged over rows 3-4; "Quá trình kết nạp" over the other ten columns
        # in row 3, their own headers in row 4.
        top = [Merge(header, rows=2) for header in PEOPLE_HEADERS[:10]] + [Merge("Quá trình kết nạp", columns=10)]
        data = xlsx_bytes({PEOPLE: [["Đảng bộ xã An Bình"], [], top, [None] * 10 + PEOPLE_HEADERS[10:], person()]})
        sheet = read_one(data)
        self.assertEqual(sheet.issues, [])
        self.assertEqual(len(sheet.headers), len(PEOPLE_HEADERS))
        self.assertEqual(sheet.header_row, 4)
        self.assertEqual(sheet.rows[0][0], 5)
        self.assertEqual(sheet.rows[0][1]["source_date"], D(2022, 1, 1))
        self.assertEqual(sheet.all_headers[10], "Ngày vào danh sách nguồn")

    def test_a_row_numbering_the_columns_under_the_header_is_not_data(self) -> None:
        for numbering in ([f"({i})" for i in range(1, 4)], [1, 2, 3], ["1", "2", "3"]):
            with self.subTest(numbering=numbering):
                sheet = read_one(xlsx_bytes({"Chỉ tiêu": [QUOTAS_HEADERS, numbering, ["A", "2025", 5]]}))
                self.assertEqual(sheet.rows, [(3, {"code": "A", "period": "2025", "target": 5.0})])
        sheet = read_one(xlsx_bytes({"Số lượng đảng viên": [MEMBERSHIP_HEADERS, ["5", 2024, 7894]]}))
        self.assertEqual(sheet.rows[0][0], 2)  # data that merely looks like numbers stays data

    def test_empty_rows_are_skipped_trailing_formatted_and_numbered_only_ones_too(self) -> None:
        data = xlsx_bytes(
            {
                "Chỉ tiêu": [
                    ["STT", *QUOTAS_HEADERS],
                    [1, "A", "2025", 1],
                    [2],
                    [3, " ", "\u00a0", None],
                    [4, "B", "2025", 2],
                ]
            },
            cells={"Chỉ tiêu": {(40, 2): Formula('=""', ""), (50, 3): ""}},
        )
        formatted = b'<row r="60"><c r="B60" s="1"/><c r="C60" s="1"/></row><row r="61"><c r="D61" s="1"/></row>'

        def add_formatted_rows(name: str, content: bytes) -> bytes:
            return content.replace(b"</sheetData>", formatted + b"</sheetData>") if name == SHEET else content

        sheet = read_one(rewrite_xlsx(data, add_formatted_rows))
        self.assertEqual([number for number, _values in sheet.rows], [2, 5])

    def test_row_numbers_are_excel_ones_when_the_table_starts_away_from_a1(self) -> None:
        cells: dict[tuple[int, int], object] = {(4, 2 + c): header for c, header in enumerate(QUOTAS_HEADERS)}
        cells |= {(6, 2): "A", (6, 3): "2025", (6, 4): 3}
        sheet = read_one(xlsx_bytes({"Chỉ tiêu": []}, cells={"Chỉ tiêu": cells}))
        self.assertEqual(sheet.header_row, 5)
        self.assertEqual(sheet.rows, [(7, {"code": "A", "period": "2025", "target": 3.0})])
        self.assertEqual(sheet.columns, {"code": 2, "period": 3, "target": 4})

    def test_text_is_trimmed_collapsed_and_stored_in_nfc(self) -> None:
        decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
        self.assertNotEqual(decomposed, "Nguyễn Thị Hường")
        row = person(full_name=f"  {decomposed}\u00a0", occupation="Nông\u00a0 dân\n", religion="\u200bPhật  giáo ")
        values = read_one(people(row)).rows[0][1]
        self.assertEqual(values["full_name"], "Nguyễn Thị Hường")
        self.assertTrue(unicodedata.is_normalized("NFC", values["full_name"]))  # type: ignore[arg-type]
        self.assertEqual(values["occupation"], "Nông dân")
        self.assertEqual(values["religion"], "Phật giáo")

    def test_formulas_give_the_value_excel_saved_and_are_never_evaluated(self) -> None:
        data = xlsx_bytes(
            {
                "Số lượng đảng viên": [
                    MEMBERSHIP_HEADERS,
                    ["A", 2024, Formula("=1+1", 42)],  # a stale cached value: evaluating would give 2
                    ["B", 2024, Formula("=1+1")],  # no cached value
                    ["C", 2024, Formula('=CONCAT("x","y")', "saved")],
                ]
            }
        )
        rows = {values["code"]: values["members"] for _number, values in read_one(data).rows}
        self.assertEqual(rows, {"A": 42.0, "B": None, "C": "saved"})

    def test_an_empty_sheet_is_noted_not_an_error(self) -> None:
        sheet = read(xlsx_bytes({"Tổ chức": [], PEOPLE: [PEOPLE_HEADERS, person()]}))[0]
        self.assertEqual((sheet.spec.key, sheet.rows, sheet.issues), ("organizations", [], []))
        self.assertEqual(sheet.notes, ["The sheet is empty."])

    def test_a_sheet_without_a_recognisable_header_reports_every_required_column(self) -> None:
        sheet = read_one(xlsx_bytes({"Chỉ tiêu": [["a", "b"], [1, 2]]}))
        self.assertEqual([issue.column for issue in sheet.issues], ["Mã tổ chức", "Kỳ", "Chỉ tiêu kết nạp"])
        self.assertEqual(sheet.rows, [])

    def test_inline_strings_read_like_shared_ones(self) -> None:
        data = xlsx_bytes({PEOPLE: [PEOPLE_HEADERS, person()]}, constant_memory=True)
        self.assertEqual(read_one(data).rows[0][1]["full_name"], "Nguyễn Văn An")

    def test_sheets_wider_than_z_are_read(self) -> None:
        headers = [*PEOPLE_HEADERS, *(f"Ghi chú {i}" for i in range(10))]
        sheet = read_one(people(person() + ["ghi"] * 9 + ["cuối"], headers=headers))
        self.assertEqual(sheet.raw[0][1][29], "cuối")
        self.assertEqual(sheet.rows[0][1]["full_name"], "Nguyễn Văn An")

    def test_cells_written_without_references_are_placed_as_excel_would(self) -> None:
        data = rewrite_xlsx(
            people(person(), person(full_name="Lê Văn Bình")),
            lambda name, content: re.sub(rb'<c r="[A-Z]+\d+"', b"<c", content) if name == SHEET else content,
        )
        sheet = read_one(data)
        self.assertEqual([values["full_name"] for _number, values in sheet.rows], ["Nguyễn Văn An", "Lê Văn Bình"])
        self.assertEqual(sheet.rows[1][1]["birth_date"], D(1985, 1, 1))

    @override_settings(IMPORT_MAX_ROWS=55)
    def test_the_row_limit_counts_the_rows_with_data(self) -> None:
        read(people_workbook(55))
        with self.assertRaisesMessage(Unusable, "has 56 rows; at most 55"):
            read(people_workbook(56))  # 57 rows with the header: within the allowance for a title above it

    def test_cells_with_their_attributes_in_another_order_are_read(self) -> None:
        data = rewrite_xlsx(
            people(person()),
            lambda name, content: (
                re.sub(rb'<c (r="[A-Z]+\d+") (s="\d+")', rb"<c \2 \1", content) if name == SHEET else content
            ),
        )
        self.assertEqual(read_one(data).rows[0][1]["birth_date"], D(1985, 1, 1))


@override_settings(IMPORT_MAX_BYTES=200_000, IMPORT_MAX_ROWS=50)
class XlsxSafetyTestCase(SimpleTestCase):
    """Every refusal happens before calamine sees the file: it is replaced by a mock that must stay unused."""

    def setUp(self) -> None:
        patcher = mock.patch.object(reading, "python_calamine")
        self.calamine = patcher.start()
        self.addCleanup(patcher.stop)

    def assertRefused(self, data: bytes, message: str, filename: str = "file.xlsx") -> None:
        with self.assertRaisesMessage(Unusable, message):
            read(data, filename)
        self.calamine.CalamineWorkbook.from_filelike.assert_not_called()

    def test_a_file_over_the_size_limit(self) -> None:
        with override_settings(IMPORT_MAX_BYTES=1000):
            self.assertRefused(people_workbook(3), "MB can be imported at once")

    def test_a_sheet_over_the_row_limit(self) -> None:
        self.assertRefused(people_workbook(70), "has 71 rows; at most 50 rows")

    def test_a_cell_far_down_and_right_that_would_make_calamine_allocate_terabytes(self) -> None:
        data = xlsx_bytes({PEOPLE: [PEOPLE_HEADERS, person()]}, cells={PEOPLE: {(1048575, 16383): "x"}})
        self.assertLess(len(data), 10_000)
        self.assertRefused(data, "has 1,048,576 rows")

    def test_a_cell_far_to_the_right(self) -> None:
        data = xlsx_bytes({PEOPLE: [PEOPLE_HEADERS, person()]}, cells={PEOPLE: {(1, 16383): "x"}})
        self.assertRefused(data, "column XFD")

    def test_a_cell_far_down_placed_without_references(self) -> None:
        def far(name: str, content: bytes) -> bytes:
            if name != SHEET:
                return content
            content = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", content)
            return content.replace(b'<row r="2"', b'<row r="900000"')

        self.assertRefused(rewrite_xlsx(people(person()), far), "has 900,000 rows")

    def test_two_sheets_of_the_same_name_are_refused_before_calamine_reads_either(self) -> None:
        # The check would measure one and calamine read the other: with a cell at XFD1048576 in the
        # sheet read, that allocated half a terabyte and killed the worker.
        for second in ("Chỉ tiêu", "CHỈ TIÊU"):
            with self.subTest(second=second):
                data = xlsx_bytes({"Chỉ tiêu": [QUOTAS_HEADERS, ["C1", "2025", 1]], "Khác": [QUOTAS_HEADERS]},
                                  cells={"Chỉ tiêu": {(1048575, 16383): "x"}})  # fmt: skip
                with zipfile.ZipFile(io.BytesIO(data)) as source:
                    workbook_xml = source.read("xl/workbook.xml")
                renamed = workbook_xml.replace('name="Khác"'.encode(), f'name="{second}"'.encode())
                self.assertNotEqual(renamed, workbook_xml)
                data = rewrite_xlsx(data, {"xl/workbook.xml": renamed})
                self.assertRefused(data, "two sheets named")

    def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_anything_is_inflated(self) -> None:
        bomb = b"<sst>" + b" " * 5_000_000 + b"</sst>"  # 5 MB of spaces deflate about a thousandfold
        data = rewrite_xlsx(people(person()), {"xl/sharedStrings.xml": bomb})
        with mock.patch.object(reading._Archive, "inflate", side_effect=AssertionError("inflated")):
            self.assertRefused(data, "zip bombs")

    def test_a_zip_declaring_more_than_the_uncompressed_limit(self) -> None:
        with override_settings(IMPORT_MAX_UNCOMPRESSED=10_000):
            self.assertRefused(people(person()), "zip bombs")
        self.assertRefused(patch_zip_entry(people(person()), "xl/styles.xml", size=300 * 1024 * 1024), "zip bombs")

    def test_a_part_inflating_past_its_declared_size(self) -> None:
        data = patch_zip_entry(people(person()), SHEET, size=1000)
        self.assertRefused(data, "zip bombs")

    def test_too_many_entries(self) -> None:
        extra = {f"customXml/item{i}.xml": b"<a/>" for i in range(30)}
        with mock.patch.object(reading, "MAX_ENTRIES", 20):
            self.assertRefused(rewrite_xlsx(people(person()), extra), "zip bombs")

    def test_an_xml_bomb_in_the_shared_strings(self) -> None:
        laughs = b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i else b"lol") for i in range(10))
        bomb = b'<?xml version="1.0"?><!DOCTYPE sst [' + laughs + b"]><sst><si><t>&lol9;</t></si></sst>"
        self.assertRefused(rewrite_xlsx(people(person()), {"xl/sharedStrings.xml": bomb}), "XML bombs")

    def test_an_external_entity_in_the_workbook(self) -> None:
        def xxe(name: str, content: bytes) -> bytes:
            if name != "xl/workbook.xml":
                return content
            head, _sep, rest = content.partition(b"?>")
            return head + b'?><!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + rest

        self.assertRefused(rewrite_xlsx(people(person()), xxe), "XML bombs")

    def test_a_dtd_in_a_part_never_imported_is_refused_too(self) -> None:
        dtd = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "b">]><p>&a;</p>'
        self.assertRefused(rewrite_xlsx(people(person()), {"docProps/app.xml": dtd}), "XML bombs")

    def test_a_renamed_pdf(self) -> None:
        self.assertRefused(b"%PDF-1.7\n1 0 obj <<>> endobj\n", "This is not an Excel workbook")

    def test_a_password_protected_workbook(self) -> None:
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le")
        self.assertRefused(data, "protected with a password")
        self.assertRefused(patch_zip_entry(people(person()), SHEET, flags=1), "protected with a password")

    def test_a_zip_that_is_not_a_workbook(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("notes.txt", "hello")
        self.assertRefused(buffer.getvalue(), "damaged")
        self.assertRefused(people(person())[:500], "damaged")  # cut short

    def test_a_binary_workbook(self) -> None:
        rels = (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>'
        )
        data = rewrite_xlsx(people(person()), {"_rels/.rels": rels, "xl/workbook.bin": b"\0"})
        self.assertRefused(data, ".xlsb")

    def test_an_empty_file(self) -> None:
        self.assertRefused(b"", "empty")


XLS_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "people.xls"  # see fixtures/make_people_xls.py


class XlsReadingTestCase(SimpleTestCase):
    """Issue 18: Excel 97-2003 files are read (by python-calamine, like .xlsx), with the same checks."""

    def test_it_reads_the_people_sheet_with_real_dates(self) -> None:
        sheet = read_one(XLS_FIXTURE.read_bytes(), "people.xls")
        self.assertEqual((sheet.spec.key, sheet.name, sheet.numbers), ("people", PEOPLE, [2, 3, 4]))
        number, first = sheet.rows[0]
        self.assertEqual(
            (number, first["full_name"], first["birth_date"], first["source_date"], first["national_id"]),
            (2, "Nguyễn Thị Hồng Nhung", D(1998, 5, 20), D(2023, 1, 10), "001198012345"),
        )
        self.assertEqual(sheet.issues, [])

    def test_it_reads_it_whatever_the_file_is_called(self) -> None:
        self.assertEqual(len(read_one(XLS_FIXTURE.read_bytes(), "danh sach.XLS").rows), 3)

    @override_settings(IMPORT_MAX_ROWS=2)
    def test_the_row_limit_holds(self) -> None:
        with self.assertRaisesMessage(Unusable, "has 3 rows; at most 2 rows"):
            read(XLS_FIXTURE.read_bytes(), "people.xls")

    @override_settings(IMPORT_MAX_BYTES=1000)
    def test_the_size_limit_holds(self) -> None:
        with self.assertRaisesMessage(Unusable, "MB can be imported at once"):
            read(XLS_FIXTURE.read_bytes(), "people.xls")

    def test_a_missing_required_column_is_named(self) -> None:
        with mock.patch.object(reading, "_load", return_value=[["Họ và tên", "Ngày sinh"], ["An", D(1990, 1, 1)]]):
            sheet = read_one(XLS_FIXTURE.read_bytes(), "people.xls")
        self.assertIn("Số CCCD", [issue.column for issue in sheet.issues])

    def test_a_workbook_without_the_sheets_to_import_names_them(self) -> None:
        book = mock.MagicMock()
        book.__enter__.return_value = book
        book.sheet_names = ["Sheet1"]
        with (
            mock.patch.object(reading.python_calamine.CalamineWorkbook, "from_filelike", return_value=book),
            self.assertRaisesMessage(Unusable, "none of the sheets to import"),
        ):
            read(XLS_FIXTURE.read_bytes(), "people.xls")

    def test_a_workbook_stream_in_regular_sectors_reads_too(self) -> None:
        sheet = read_one((XLS_FIXTURE.parent / "people-300.xls").read_bytes(), "people-300.xls")
        self.assertEqual((len(sheet.rows), sheet.issues), (300, []))

    def test_the_extent_of_every_sheet_is_measured_before_calamine_reads_it(self) -> None:
        for name, extent in (("people", (4, 8)), ("people-300", (301, 24)), ("far", (65536, 256))):
            with self.subTest(name):
                data = (XLS_FIXTURE.parent / f"{name}.xls").read_bytes()
                self.assertEqual(biff.extents(data), {PEOPLE: extent})

    def test_a_cell_far_down_and_right_that_would_make_calamine_allocate_a_gigabyte(self) -> None:
        data = (XLS_FIXTURE.parent / "far.xls").read_bytes()
        with (
            mock.patch.object(
                reading.python_calamine, "CalamineWorkbook", wraps=reading.python_calamine.CalamineWorkbook
            ),
            mock.patch.object(reading, "_load") as load,
            self.assertRaisesMessage(Unusable, "far to the right"),
        ):
            read(data, "far.xls")
        load.assert_not_called()

    @override_settings(IMPORT_MAX_ROWS=100)
    def test_too_many_rows_are_refused_before_calamine_reads_the_sheet(self) -> None:
        with (
            mock.patch.object(reading, "_load") as load,
            self.assertRaisesMessage(Unusable, "at most 100 rows"),
        ):
            read((XLS_FIXTURE.parent / "people-300.xls").read_bytes(), "people-300.xls")
        load.assert_not_called()

    def test_a_damaged_compound_file_is_refused_as_unreadable(self) -> None:
        data = bytearray(XLS_FIXTURE.read_bytes())
        data[0x30:0x34] = b"\xff\xff\x00\x00"  # the directory's first sector, far past the end
        with self.assertRaisesMessage(Unusable, "(.xls) file cannot be read"):
            read(bytes(data), "people.xls")

    def test_an_unreadable_xls_keeps_the_advice_to_save_it_as_xlsx(self) -> None:
        with self.assertRaisesMessage(Unusable, "Excel 97-2003 (.xls) file cannot be read. Open it in Excel, save it"):
            read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls")


class ExtentScanTestCase(SimpleTestCase):
    """The quick scan's bound on the rows: the highest row whenever it reaches the limit's number of digits."""

    def scan(self, rows: list[str], limit: int = 200_010, step: int = 7) -> tuple[int, int]:
        xml = "".join(f'<row><c r="{r}" t="s"><v>1</v></c></row>' for r in rows).encode()
        scan = reading._ExtentScan(limit)
        for start in range(0, len(xml), step):  # chunks that cut tags and references anywhere
            scan.feed(xml[start : start + step])
        scan.feed(b"")
        self.assertTrue(scan.structured)
        self.assertFalse(scan.wide)
        return scan.bound()

    def test_a_sheet_below_the_limits_digits_is_bounded_by_them(self) -> None:
        self.assertEqual(self.scan(["A1", "T99999"]), (99_999, 26))

    def test_the_highest_long_row_is_found_in_any_order_and_with_leading_zeros(self) -> None:
        self.assertEqual(self.scan(["A1", "B150000", "C100000", "D99999"]), (150_000, 26))
        self.assertEqual(self.scan(["A250000", "B1048576", "C200000"]), (1_048_576, 26))
        self.assertEqual(self.scan(["A0000000000123", "B00100001"]), (100_001, 26))
        self.assertEqual(self.scan(["A0000000000123"]), (99_999, 26))  # row 123, written long

    def test_it_agrees_with_reading_every_reference(self) -> None:
        numbers = [5, 100_000, 99_999, 123_456, 7, 200_011, 3, 150_000, 42, 1]
        rows = [f"{letter}{number}" for letter, number in zip("ABCDEFGHIJ", numbers, strict=True)]
        xml = "".join(f'<c r="{r}"><v>1</v></c>' for r in rows).encode()
        self.assertEqual(self.scan(rows), reading._reference_extent(xml))


class CsvReadingTestCase(SimpleTestCase):
    ROWS = [QUOTAS_HEADERS, ["XA_AN_BINH", "2020-2025", "12"], ["XA_ĐÔNG", "2025", "1.234"]]

    def test_utf8_with_and_without_bom(self) -> None:
        for bom in (False, True):
            with self.subTest(bom=bom):
                sheet = read_one(csv_bytes(self.ROWS, bom=bom), "chi-tieu.csv")
                self.assertEqual(sheet.spec.key, "quotas")
                self.assertEqual(sheet.name, "Chỉ tiêu")
                self.assertEqual(sheet.headers["code"], "Mã tổ chức")  # no BOM stuck to the first header
                self.assertEqual(sheet.rows[1], (3, {"code": "XA_ĐÔNG", "period": "2025", "target": "1.234"}))

    def test_windows_1258_arrives_in_nfc(self) -> None:
        rows = [PEOPLE_HEADERS, [str(value) if value else "" for value in person(full_name="Nguyễn Thị Hường")]]
        data = csv_bytes(rows, encoding="cp1258")
        self.assertIn("Nguyê\u0303n".encode("cp1258"), data)  # the tone is a combining mark in the file
        sheet = read_one(data, "people.csv")
        self.assertEqual(sheet.spec.key, "people")
        self.assertEqual(sheet.rows[0][1]["full_name"], "Nguyễn Thị Hường")
        self.assertEqual(sheet.headers["full_name"], "Họ và tên")

    def test_a_utf8_file_with_a_stray_byte_is_refused_with_its_line_not_read_as_windows_1258(self) -> None:
        rows = [PEOPLE_HEADERS, *([str(v) if v else "" for v in person(full_name=name)] for name in
                                  ("Trần Thị Hoa", "Nguyễn Văn Bình", "Lê Thị Hường"))]  # fmt: skip
        data = csv_bytes(rows, encoding="utf-8").replace("Bình".encode(), "Bình".encode() + b"\x96")
        with self.assertRaisesMessage(Unusable, "line 3 holds characters that are not"):
            read_one(data, "people.csv")

    def test_windows_1258_with_a_few_accidental_utf8_pairs_is_still_windows_1258(self) -> None:
        # "Ô" then "’" (0xD4 0x92) happen to form a UTF-8 letter; the rest of the file is plainly Windows-1258.
        rows = [PEOPLE_HEADERS, [str(v) if v else "" for v in person(full_name="Nguyễn Thị Hường")]]
        data = csv_bytes(rows, encoding="cp1258").replace(b"Kinh", "KÔ’".encode("cp1258") + b"Kinh", 1)
        sheet = read_one(data, "people.csv")
        self.assertEqual(sheet.rows[0][1]["full_name"], "Nguyễn Thị Hường")

    def test_utf16_as_excel_saves_unicode_text(self) -> None:
        sheet = read_one(csv_bytes(self.ROWS, encoding="utf-16", delimiter="\t"), "chi-tieu.txt")
        self.assertEqual(sheet.rows[1][1]["code"], "XA_ĐÔNG")

    def test_semicolons_and_tabs_are_recognised(self) -> None:
        for delimiter in (";", "\t"):
            with self.subTest(delimiter=delimiter):
                sheet = read_one(csv_bytes(self.ROWS, delimiter=delimiter), "chi-tieu.csv")
                self.assertEqual(sheet.rows[0][1]["target"], "12")

    def test_excel_sep_line(self) -> None:
        data = b"sep=;\r\n" + csv_bytes(self.ROWS, delimiter=";")
        self.assertEqual(read_one(data, "x.csv").rows[0][0], 2)

    def test_its_kind_comes_from_its_headers(self) -> None:
        cases = {
            "organizations": [ORGANIZATIONS_HEADERS, ["TINH", "Tỉnh", "", "province", ""]],
            "membership": [["code", "year", "members"], ["TINH", "2024", "7894"]],
            "quotas": self.ROWS,
            "people": [PEOPLE_HEADERS, ["x"] * 20],
        }
        for key, rows in cases.items():
            with self.subTest(key=key):
                self.assertEqual(read_one(csv_bytes(rows), "data.csv").spec.key, key)

    def test_unrecognised_headers_are_unusable_and_the_expected_ones_listed(self) -> None:
        with self.assertRaisesMessage(Unusable, "Chỉ tiêu: Mã tổ chức, Kỳ, Chỉ tiêu kết nạp"):
            read(csv_bytes([["a", "b"], ["1", "2"]]), "x.csv")

    def test_headers_of_two_kinds_are_unusable(self) -> None:
        with self.assertRaisesMessage(Unusable, "more than one kind"):
            read(csv_bytes([["Mã tổ chức", "Kỳ", "Chỉ tiêu kết nạp", "Năm", "Tổng số đảng viên"]]), "x.csv")

    def test_the_header_may_be_on_row_three(self) -> None:
        sheet = read_one(csv_bytes([["CHỈ TIÊU KẾT NẠP"], [], *self.ROWS]), "x.csv")
        self.assertEqual(sheet.header_row, 3)
        self.assertEqual(sheet.rows[0][0], 4)

    def test_short_rows_and_trailing_empty_rows(self) -> None:
        data = csv_bytes([QUOTAS_HEADERS, ["A", "2025"], [], ["", "", ""]]) + b",,\r\n,,\r\n"
        sheet = read_one(data, "x.csv")
        self.assertEqual(sheet.rows, [(2, {"code": "A", "period": "2025", "target": None})])

    def test_a_legacy_font_csv_saved_as_windows_1252(self) -> None:
        row = person(full_name="TrÇn ThÞ Hång", occupation="N«ng d©n", religion="Kh«ng", decision_no=None)
        keys = [column.key for column in layout.PEOPLE.columns]
        data = csv_bytes([keys, [str(value) if value else "" for value in row]], encoding="cp1252")
        sheet = read_one(data, "x.csv")
        self.assertEqual(sheet.rows[0][1]["full_name"], "Trần Thị Hồng")
        self.assertEqual(sheet.rows[0][1]["occupation"], "Nông dân")
        self.assertEqual(sheet.rows[0][1]["religion"], "Không")

    @override_settings(IMPORT_MAX_ROWS=5)
    def test_a_csv_over_the_row_limit(self) -> None:
        with self.assertRaisesMessage(Unusable, "has 7 rows; at most 5"):
            read(csv_bytes([QUOTAS_HEADERS, *[["A", "2025", "1"]] * 7]), "x.csv")


# Legacy-font text and its Unicode; together the TCVN3 strings use every one of the 74 TCVN3 codes.
TCVN3_TEXT = {
    "NguyÔn V¨n A": "Nguyễn Văn A",
    "TrÇn ThÞ Hång": "Trần Thị Hồng",
    "Tr­¬ng §øc Th¾ng": "Trương Đức Thắng",
    "Ng« Quèc Kh¸nh": "Ngô Quốc Khánh",
    "Bïi ThÞ Mü H¹nh": "Bùi Thị Mỹ Hạnh",
    "§Æng Ngäc Tó": "Đặng Ngọc Tú",
    "Hå Xu©n H­¬ng": "Hồ Xuân Hương",
    "Phan V¨n Kh¶i": "Phan Văn Khải",
    "Lý Th­êng KiÖt": "Lý Thường Kiệt",
    "Vâ Nguyªn Gi¸p": "Võ Nguyên Giáp",
    "TrÞnh C«ng S¬n": "Trịnh Công Sơn",
    "§ç M­êi": "Đỗ Mười",
    "H»ng Ph¼ng Nh½n": "Hằng Phẳng Nhẵn",
    "DÉn CÈm TËp": "Dẫn Cẩm Tập",
    "NhÒ ThÓ HuÕ": "Nhề Thể Huế",
    "TØnh SÜ Hßa Nhá": "Tỉnh Sĩ Hòa Nhỏ",
    "Héi Tæ Sè Míi Në Vì Hîp": "Hội Tổ Số Mới Nở Vỡ Hợp",
    "Tïng Thñ Vò Phô Tõ Sö N÷ Søc Lùc": "Tùng Thủ Vũ Phụ Từ Sử Nữ Sức Lực",
    "Kú Thuû Kþ": "Kỳ Thuỷ Kỵ",
    "TrÎ VÏ MÌo BÐ MÑ V× TÝn": "Trẻ Vẽ Mèo Bé Mẹ Vì Tín",
    "Hµ Ng· TuÊn Cã": "Hà Ngã Tuấn Có",
    "¡n ¢u £ ¤ng ¥n ¦íc ®i": "Ăn Âu Ê Ông Ơn Ước đi",
}
VNI_TEXT = {
    "Nguyeãn Vaên A": "Nguyễn Văn A",
    "Traàn Thò Hoàng": "Trần Thị Hồng",
    "Tröông Ñöùc Thaéng": "Trương Đức Thắng",
    "Ngoâ Quoác Khaùnh": "Ngô Quốc Khánh",
    "Ñaëng Thò Phöôïng": "Đặng Thị Phượng",
    "Buøi Vaên Kieân": "Bùi Văn Kiên",
    "Hoà Xuaân Höông": "Hồ Xuân Hương",
    "Voõ Nguyeân Giaùp": "Võ Nguyên Giáp",
    "Lyù Thöôøng Kieät": "Lý Thường Kiệt",
    "Tænh Só Hoøa Nhoû": "Tỉnh Sĩ Hòa Nhỏ",
    "Kyø Kî Lyû Myõ": "Kỳ Kỵ Lỷ Mỹ",
    "Haèng Phaúng Nhaün Taëng": "Hằng Phẳng Nhẵn Tặng",
    "Daãn Caåm Taäp Tuaán Taàm": "Dẫn Cẩm Tập Tuấn Tầm",
    "Theå Hueá Nheà Tieãn Vieät": "Thể Huế Nhề Tiễn Việt",
    "Hoäi Toå Soá Moãi Ñoàng": "Hội Tổ Số Mỗi Đồng",
    "Môùi Nôû Vôõ Hôïp Ñôøi": "Mới Nở Vỡ Hợp Đời",
    "Tuøng Thuû Vuõ Phuï Tuù": "Tùng Thủ Vũ Phụ Tú",
    "Töø Söû Nöõ Söùc Löïc": "Từ Sử Nữ Sức Lực",
    "Treû Veõ Meøo Beù Meï Vì Tín Chò": "Trẻ Vẽ Mèo Bé Mẹ Vì Tín Chị",
    "Haø Ngaõ Caù Taï Baû": "Hà Ngã Cá Tạ Bả",
    "Coù Oâng Ôn Öôùc AÊn AÂu EÂ ñi": "Có Ông Ơn Ước Ăn Âu Ê đi",
    "NGUYEÃN VAÊN ÑAÏT TÆNH YÙ": "NGUYỄN VĂN ĐẠT TỈNH Ý",
}


class LegacyTablesTestCase(SimpleTestCase):
    def test_the_tcvn3_samples_cover_every_code(self) -> None:
        used = {char for text in TCVN3_TEXT for char in text if char >= "\u00a1"}
        self.assertEqual(used, set(legacy.TCVN3))

    def test_tcvn3_converts_every_letter(self) -> None:
        for text, expected in TCVN3_TEXT.items():
            with self.subTest(text=text):
                self.assertEqual(legacy.convert(text, "tcvn3"), expected)

    def test_vni_converts_every_letter(self) -> None:
        for text, expected in VNI_TEXT.items():
            with self.subTest(text=text):
                self.assertEqual(legacy.convert(text, "vni"), expected)

    def test_every_vietnamese_letter_has_a_vni_spelling_and_a_tcvn3_one_in_small_letters(self) -> None:
        vowels = "aăâeêioôơuưy"
        letters = {unicodedata.normalize("NFC", v + t) for v in vowels for t in ("", *"\u0301\u0300\u0309\u0303\u0323")}
        letters -= set(vowels) - set("ăâêôơư")  # plain a e i o u y are ASCII
        letters.add("đ")
        self.assertEqual(len(letters), 67)
        self.assertLessEqual(letters, set(legacy.TCVN3.values()))
        every_case = letters | {letter.upper() for letter in letters}
        self.assertLessEqual(every_case, set(legacy.VNI.values()))

    def test_evidence_tells_the_two_apart(self) -> None:
        for text in TCVN3_TEXT:
            tcvn3, vni = legacy.evidence(text)
            with self.subTest(text=text):
                self.assertGreater(tcvn3, 0)
                self.assertGreaterEqual(tcvn3, vni)
        for text in VNI_TEXT:
            with self.subTest(text=text):
                self.assertEqual(legacy.evidence(text)[0], 0)
                self.assertGreater(legacy.evidence(text)[1], 0)

    def test_unicode_vietnamese_is_never_evidence(self) -> None:
        for text in ("Nguyễn Văn An", "Hoàng", "Lê Tú Anh", "hoá đơn", "Quân", "Huê", "Thuý", "KHOẺ", "Đoàn"):
            with self.subTest(text=text):
                self.assertEqual(legacy.evidence(text), (0, 0))


class LegacyReadingTestCase(SimpleTestCase):
    def sheet_of(self, names: list[str], *, occupation: str | None = "Nông dân") -> reading.Sheet:
        rows = [
            person(full_name=name, national_id=f"{i:012d}", occupation=occupation, religion=None, decision_no=None)
            for i, name in enumerate(names)
        ]
        return read_one(people(*rows))

    def test_a_tcvn3_sheet_is_converted_and_noted(self) -> None:
        sheet = self.sheet_of(list(TCVN3_TEXT), occupation="N«ng d©n")
        self.assertEqual([values["full_name"] for _n, values in sheet.rows], list(TCVN3_TEXT.values()))
        self.assertEqual({values["occupation"] for _n, values in sheet.rows}, {"Nông dân"})
        self.assertEqual(sheet.notes, ["Converted 44 cells from the TCVN3 (ABC) encoding to Unicode."])
        self.assertEqual(sheet.issues, [])

    def test_a_vni_sheet_is_converted_and_noted(self) -> None:
        sheet = self.sheet_of(list(VNI_TEXT), occupation="Noâng daân")
        self.assertEqual([values["full_name"] for _n, values in sheet.rows], list(VNI_TEXT.values()))
        self.assertEqual(sheet.rows[0][1]["occupation"], "Nông dân")
        self.assertEqual(sheet.notes, ["Converted 44 cells from the VNI encoding to Unicode."])

    def test_cells_without_evidence_of_their_own_follow_a_legacy_sheet(self) -> None:
        # "Tó" is a Unicode word too; in a sheet typed in TCVN3 it is "Tú".
        sheet = self.sheet_of(["NguyÔn V¨n Tó", "Tó", "TrÇn ThÞ Hång"])
        self.assertEqual(sheet.rows[1][1]["full_name"], "Tú")

    def test_a_unicode_sheet_keeps_its_latin1_only_names(self) -> None:
        names = ["Nguyễn Văn An", "Lê Tú Anh", "Hoàng Tú", "Tó"]
        sheet = self.sheet_of(names)
        self.assertEqual([values["full_name"] for _n, values in sheet.rows], names)
        self.assertEqual((sheet.notes, sheet.issues), ([], []))

    def test_legacy_cells_in_a_unicode_sheet_are_converted_one_by_one(self) -> None:
        sheet = self.sheet_of(["Nguyễn Văn An", "Lê Tú Anh", "TrÇn ThÞ Hång"])
        self.assertEqual([values["full_name"] for _n, values in sheet.rows][1:], ["Lê Tú Anh", "Trần Thị Hồng"])

    def test_a_sheet_mixing_tcvn3_and_vni_is_reported_cell_by_cell(self) -> None:
        sheet = self.sheet_of(["NguyÔn V¨n A", "TrÇn ThÞ Hång", "Nguyeãn Vaên A", "Traàn Thò Hoàng"], occupation=None)
        self.assertEqual(
            [(issue.row, issue.column) for issue in sheet.issues], [(n, "Họ và tên") for n in (2, 3, 4, 5)]
        )
        self.assertIn("Unikey", sheet.issues[0].message)
        self.assertEqual(sheet.rows[0][1]["full_name"], "NguyÔn V¨n A")  # left as it is

    def test_tcvn3_headers_and_sheet_names_are_recognised(self) -> None:
        headers = ["Hä vµ tªn", *PEOPLE_HEADERS[1:]]
        sheet = read_one(xlsx_bytes({"QuÇn chóng": [headers, person(full_name="NguyÔn V¨n A")]}))
        self.assertEqual(sheet.spec.key, "people")
        self.assertEqual(sheet.headers["full_name"], "Họ và tên")
        self.assertEqual(sheet.rows[0][1]["full_name"], "Nguyễn Văn A")
