"""The people sheet's columns added by issue 17 (CONTRACT §3, at the end after Số phiếu tán thành): Quê quán,
Nơi cư trú, Số điện thoại, Trình độ chuyên môn, Lý luận chính trị. All optional; the two levels by code or
Vietnamese label, anything else refused; the phone checked by the web's validator; a file without the columns
leaves what is on record."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings
from python_calamine import CalamineWorkbook

from imports import layout
from imports.template import INSTRUCTIONS_SHEET, LISTS_SHEET, NOTES
from organizations.text import fold
from recruitment.exports import people_workbook
from recruitment.models import Candidate, PoliticalTheory, ProfessionalLevel, Stage
from tests.people import make_candidate
from tests.test_workbook_pipeline import PEOPLE, ImportTestCase, Status, admitted, book, person, table_counts
from tests.test_workbook_template import NS, _column_formats, _letter, _rows, _spec, _validations

NEW = ("home_town", "residence", "phone", "professional_level", "political_theory")
PROFESSIONAL = {
    "none": "Chưa qua đào tạo chuyên môn",
    "elementary": "Công nhân kỹ thuật, nhân viên nghiệp vụ, sơ cấp",
    "intermediate": "Trung cấp",
    "college": "Cao đẳng",
    "university": "Đại học",
    "master": "Thạc sĩ",
    "doctor": "Tiến sĩ",
}
THEORY = {
    "none": "Chưa qua đào tạo lý luận chính trị",
    "elementary": "Sơ cấp",
    "intermediate": "Trung cấp",
    "advanced": "Cao cấp",
    "bachelor": "Cử nhân",
}
GIVEN: dict[str, Any] = {
    "home_town": "xã Hy Cương, tỉnh Phú Thọ",
    "residence": "khu 3, phường Việt Trì",
    "phone": "0912 345 678",
    "professional_level": "university",
    "political_theory": "elementary",
}
OLD_COLUMNS = [c.key for c in layout.PEOPLE.columns if c.key not in NEW]


def _particulars(c: Candidate) -> dict[str, str]:
    return {name: getattr(c, name) for name in NEW}


class LayoutTestCase(SimpleTestCase):
    def test_the_five_columns_come_last_after_the_votes_and_are_optional(self) -> None:
        columns = layout.PEOPLE.columns
        keys = [c.key for c in columns]
        self.assertEqual(keys[-6:], ["votes_for", *NEW])
        self.assertEqual(
            [c.header for c in columns[-5:]],
            ["Quê quán", "Nơi cư trú", "Số điện thoại", "Trình độ chuyên môn", "Lý luận chính trị"],
        )
        self.assertFalse(any(c.required for c in columns[-5:]))


class ParticularsImportTestCase(ImportTestCase):
    def test_the_columns_are_stored(self) -> None:
        row = person(**GIVEN)
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        self.assertEqual(_particulars(Candidate.objects.get(national_id=row["national_id"])), GIVEN)

    def test_each_level_by_code_or_vietnamese_label_in_any_case_with_or_without_diacritics(self) -> None:
        self.assertEqual((list(PROFESSIONAL), list(THEORY)), (ProfessionalLevel.values, PoliticalTheory.values))
        rows, expected = [], {}
        for key, labels in (("professional_level", PROFESSIONAL), ("political_theory", THEORY)):
            for code, label in labels.items():
                for text in (code, code.upper(), label, label.upper(), fold(label), f" {label} "):
                    r = person(**{key: text})
                    rows.append(r)
                    expected[r["national_id"]] = (code, "") if key == "professional_level" else ("", code)
        self.assert_done(self.run_import(book({PEOPLE: rows})))
        stored = Candidate.objects.values_list("national_id", "professional_level", "political_theory")
        self.assertEqual({n: (p, t) for n, p, t in stored}, expected)

    def test_anything_else_is_refused_naming_the_row_the_column_and_the_accepted_values(self) -> None:
        before = table_counts()
        rows = [
            person(professional_level="Kỹ sư"),
            person(political_theory="Trung cấp lý luận"),
            person(professional_level="cao cap"),  # a political theory level, not a professional one
        ]
        run = self.run_import(book({PEOPLE: rows}))
        self.assertEqual(run.status, Status.INVALID)
        errors = self.errors(run)
        self.assertEqual(
            [(e[0], e[1], e[2]) for e in errors],
            [(PEOPLE, 2, "Trình độ chuyên môn"), (PEOPLE, 3, "Lý luận chính trị"), (PEOPLE, 4, "Trình độ chuyên môn")],
        )
        for (_s, _r, column, message), text in zip(errors, ("Kỹ sư", "Trung cấp lý luận", "cao cap"), strict=True):
            self.assertIn(f"“{text}”", message)
            labels = PROFESSIONAL if column == "Trình độ chuyên môn" else THEORY
            for label in labels.values():
                self.assertIn(label, message)
        self.assertEqual(table_counts(), before)

    def test_the_phone_is_checked_by_the_webs_validator(self) -> None:
        good = ["0912 345 678", "+84 912.345.678", "02103 812 345"]
        bad = ["12345", "0912-345-678", "gọi cơ quan", "+84 (912) 345 678"]
        run = self.run_import(book({PEOPLE: [person(phone=p) for p in bad]}))
        self.assertEqual(run.status, Status.INVALID)
        errors = self.errors(run)
        self.assertEqual([(e[1], e[2]) for e in errors], [(n, "Số điện thoại") for n in range(2, 6)])
        for (_s, _r, _c, message), phone in zip(errors, bad, strict=True):
            self.assertIn(f"“{phone}”", message)
            self.assertIn("Số điện thoại có từ 9 đến 15 chữ số", message)  # the model's validator's message
        rows = [person(phone=p) for p in good]
        self.assert_done(self.run_import(book({PEOPLE: rows})))
        self.assertEqual([Candidate.objects.get(national_id=r["national_id"]).phone for r in rows], good)

    def test_chua_khai_in_a_level_or_the_phone_is_not_stated(self) -> None:
        row = person(phone="Chưa khai", professional_level="chua khai", political_theory="CHƯA KHAI")
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        c = Candidate.objects.get(national_id=row["national_id"])
        self.assertEqual((c.phone, c.professional_level, c.political_theory), ("", "", ""))

    def test_a_phone_typed_as_a_number_gets_its_leading_zero_back(self) -> None:
        row = person(phone=912345678)
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        self.assertEqual(Candidate.objects.get(national_id=row["national_id"]).phone, "0912345678")

    def test_nine_digits_that_are_no_mobile_number_are_kept_as_they_are(self) -> None:
        # The validator takes 9 to 15 digits: only a mobile number (03x, 05x, 07x, 08x, 09x) lost a leading 0.
        rows = [person(phone=p) for p in (212345678, 412345678, 612345678, 112345678)]
        rows += [person(phone=p) for p in (312345678, 512345678, 712345678, 812345678)]
        self.assert_done(self.run_import(book({PEOPLE: rows})))
        phones = [Candidate.objects.get(national_id=r["national_id"]).phone for r in rows]
        kept = ["212345678", "412345678", "612345678", "112345678"]
        self.assertEqual(phones, [*kept, "0312345678", "0512345678", "0712345678", "0812345678"])

    def test_too_long_a_home_town_is_refused(self) -> None:
        run = self.run_import(book({PEOPLE: [person(home_town="x" * 256)]}))
        self.assertEqual([(e[1], e[2]) for e in self.errors(run)], [(2, "Quê quán")])

    def test_a_file_without_the_columns_stays_valid_and_keeps_what_is_on_record(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION, **GIVEN)
        row = admitted(national_id=c.national_id, full_name=c.full_name, birth_date=c.birth_date, gender="Nữ",
                       occupation="Giáo viên", branch_members=9, votes_for=8)  # fmt: skip
        run = self.run_import(book({PEOPLE: [row]}, columns={PEOPLE: OLD_COLUMNS}))
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (0, 1, 0)})  # the occupation changed
        c.refresh_from_db()
        self.assertEqual(c.occupation, "Giáo viên")
        self.assertEqual(_particulars(c), GIVEN)
        # Again, with nothing new: unchanged, and still kept.
        run = self.run_import(book({PEOPLE: [row]}, columns={PEOPLE: OLD_COLUMNS}))
        self.assertEqual(self.summary(run), {PEOPLE: (0, 0, 1)})
        c.refresh_from_db()
        self.assertEqual(_particulars(c), GIVEN)

    def test_a_new_person_without_the_columns_has_them_not_stated(self) -> None:
        row = person()
        self.assert_done(self.run_import(book({PEOPLE: [row]}, columns={PEOPLE: OLD_COLUMNS})))
        self.assertEqual(_particulars(Candidate.objects.get(national_id=row["national_id"])), dict.fromkeys(NEW, ""))

    def test_an_empty_cell_in_a_column_the_file_has_is_not_stated_as_in_the_other_optional_text_columns(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, occupation="Giáo viên", **GIVEN)
        row = person(national_id=c.national_id, full_name=c.full_name, birth_date=c.birth_date, gender="Nữ",
                     education=c.education)  # fmt: skip
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        c.refresh_from_db()
        self.assertEqual((c.occupation, _particulars(c)), ("", dict.fromkeys(NEW, "")))


@override_settings(LANGUAGE_CODE="vi")
class ParticularsCommandTestCase(ImportTestCase):
    def test_the_command_prints_sheet_row_column_and_message(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "nhap.xlsx"
            path.write_bytes(
                book({PEOPLE: [person(), person(political_theory="Trung cấp lý luận"), person(phone="12345")]})
            )
            out = io.StringIO()
            with self.assertRaises(CommandError) as ctx:
                call_command("import_workbook", str(path), stdout=out, stderr=io.StringIO())
        self.assertEqual(ctx.exception.returncode, 1)
        labels = ", ".join(THEORY.values())
        self.assertEqual(
            out.getvalue().splitlines(),
            [
                f"{PEOPLE}!3: Lý luận chính trị: “Trung cấp lý luận” không thuộc các giá trị: {labels}.",
                f"{PEOPLE}!4: Số điện thoại: “12345” không phải là số điện thoại. "
                "Số điện thoại có từ 9 đến 15 chữ số, có thể có dấu +, dấu cách hoặc dấu chấm.",
            ],
        )
        self.assertFalse(Candidate.objects.exists())


class ParticularsTemplateTestCase(SimpleTestCase):
    def test_the_levels_have_dropdowns_from_the_lists_sheet(self) -> None:
        rows = _rows(LISTS_SHEET)
        people = _spec("people")
        validations = _validations(people.name)
        for title, key, labels in (
            ("Trình độ chuyên môn", "professional_level", PROFESSIONAL),
            ("Lý luận chính trị", "political_theory", THEORY),
        ):
            with self.subTest(column=title):
                col = rows[0].index(title)
                self.assertEqual([r[col] for r in rows[1:] if r[col]], list(labels.values()))
                dv = validations[_letter(people, key)]
                self.assertEqual(dv.get("type"), "list")
                letter = "ABCDEFGHIJ"[col]
                self.assertEqual(
                    dv.findtext("m:formula1", namespaces=NS), f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
                )

    def test_the_phone_is_a_text_column_so_its_leading_zero_stays(self) -> None:
        people = _spec("people")
        self.assertEqual(_column_formats(people.name)[_letter(people, "phone")], "@")

    def test_each_column_has_a_note_and_the_instructions_list_the_codes(self) -> None:
        for key in NEW:
            self.assertIn("Để trống nếu chưa khai", NOTES[key])
        text = "\n".join(str(row[0]) for row in _rows(INSTRUCTIONS_SHEET) if row and row[0])
        for code, label in [*PROFESSIONAL.items(), *THEORY.items()]:
            self.assertIn(f"{code} — {label}", text)


class ParticularsExportTestCase(ImportTestCase):
    def test_the_export_writes_them_and_imports_back_unchanged(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION, **GIVEN)
        blank = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, full_name="Lê Văn Trống")
        data = people_workbook(Candidate.objects.all())
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        header = sheet[0]
        new_headers = [column.header for column in layout.PEOPLE.columns[-5:]]
        at = header.index("Số phiếu tán thành") + 1
        self.assertEqual(header[at : at + 5], new_headers)  # in the import layout's order, after the votes
        rows = {r[header.index("Số CCCD")]: r for r in sheet[1:]}
        got = {h: rows[c.national_id][header.index(h)] for h in new_headers}
        self.assertEqual(
            got,
            {"Quê quán": GIVEN["home_town"], "Nơi cư trú": GIVEN["residence"], "Số điện thoại": "0912 345 678",
             "Trình độ chuyên môn": "Đại học", "Lý luận chính trị": "Sơ cấp"},
        )  # fmt: skip
        run = self.run_import(data)
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (0, 0, 2)})
        c.refresh_from_db()
        blank.refresh_from_db()
        self.assertEqual(_particulars(c), GIVEN)
        self.assertEqual(_particulars(blank), dict.fromkeys(NEW, ""))

    def test_a_changed_export_updates_them(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE, **GIVEN)
        data = people_workbook(Candidate.objects.all())
        sheet: list[list[Any]] = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        header = sheet[0]
        row = dict(zip(header, sheet[1], strict=True))
        row.update({"Trình độ chuyên môn": "Thạc sĩ", "Lý luận chính trị": "cao cap", "Số điện thoại": "0987654321"})
        by_key = {key: v for h, v in row.items() if (key := layout.PEOPLE.match_header(h))}
        by_key["birth_date"] = c.birth_date
        by_key["source_date"] = c.source_date
        run = self.run_import(book({PEOPLE: [by_key]}))
        self.assert_done(run)
        c.refresh_from_db()
        self.assertEqual(
            (c.professional_level, c.political_theory, c.phone, c.home_town),
            ("master", "advanced", "0987654321", GIVEN["home_town"]),
        )
