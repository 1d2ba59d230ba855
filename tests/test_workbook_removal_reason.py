"""The people sheet's Lý do column (CONTRACT §3): a reason's code or Vietnamese label, never free text."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings
from django.utils import translation
from python_calamine import CalamineWorkbook

from imports.template import INSTRUCTIONS_SHEET, LISTS_SHEET, NOTES
from organizations.text import fold
from recruitment.exports import people_workbook
from recruitment.models import Candidate, RemovalReason, Stage
from tests.people import TIMELINE, make_candidate
from tests.test_workbook_pipeline import PEOPLE, ImportTestCase, Status, admitted, book, person, table_counts
from tests.test_workbook_template import NS, _letter, _rows, _spec, _validations

LEFT = datetime.date(2024, 3, 1)  # after the ceremony of TIMELINE, during the probation


def voted(**values: Any) -> dict[str, Any]:
    """A person the cell voted for, not admitted yet."""
    acts = {"awareness_cert_date": TIMELINE["awareness_cert_date"], "branch_vote_date": TIMELINE["branch_vote_date"]}
    return person(**{**acts, **values})


# A row at a stage where each reason is possible, and the stage it then ends in (DOMAIN §2–3, §8–9).
WHERE = {
    "not_admitted": (voted, Stage.NOT_ADMITTED),
    "withdrew": (person, Stage.REMOVED),
    "struck_off": (admitted, Stage.STRUCK_OFF),
    "moved_away": (person, Stage.TRANSFERRED),
    "died": (admitted, Stage.STRUCK_OFF),
    "other": (voted, Stage.NOT_ADMITTED),
}
LABELS = {
    "not_admitted": "Không được kết nạp",
    "withdrew": "Xin rút khỏi danh sách",
    "struck_off": "Xóa tên trong danh sách đảng viên dự bị",
    "moved_away": "Chuyển đi nơi khác trước khi kết nạp",
    "died": "Từ trần",
    "other": "Lý do khác",
}


class ReasonColumnTestCase(ImportTestCase):
    def imported(self, rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
        self.assert_done(self.run_import(book({PEOPLE: rows})))
        stored = Candidate.objects.values_list("national_id", "stage", "removal_reason")
        return {n: (stage, reason) for n, stage, reason in stored}

    def test_each_code_and_each_vietnamese_label_is_accepted_in_any_case_with_or_without_diacritics(self) -> None:
        self.assertEqual(set(WHERE), set(RemovalReason.values))
        rows, expected = [], {}
        for code, (row, stage) in WHERE.items():
            label = LABELS[code]
            for text in (code, code.upper(), label, label.upper(), fold(label), f" {label} "):
                r = row(removal_date=LEFT, removal_reason=text)
                rows.append(r)
                expected[r["national_id"]] = (stage, code)
        self.assertEqual(self.imported(rows), expected)

    def test_the_short_forms_of_the_labels_are_accepted(self) -> None:
        rows = [person(removal_date=LEFT, removal_reason=t) for t in ("Xin rút", "Tự rút khỏi danh sách", "Qua đời")]
        rows.append(admitted(removal_date=LEFT, removal_reason="Xóa tên dự bị"))
        stored = self.imported(rows)
        self.assertEqual(
            [stored[r["national_id"]] for r in rows],
            [(Stage.REMOVED, "withdrew"), (Stage.REMOVED, "withdrew"), (Stage.REMOVED, "died"),
             (Stage.STRUCK_OFF, "struck_off")],
        )  # fmt: skip

    def test_free_text_is_refused_and_never_read_as_a_transfer(self) -> None:
        before = table_counts()
        texts = ["chuyên ngành đào tạo", "Chuyển sinh hoạt đảng", "Chuyển công tác", "Vi phạm tư cách", "Chuyển đi"]
        run = self.run_import(book({PEOPLE: [person(removal_date=LEFT, removal_reason=t) for t in texts]}))
        self.assertEqual(run.status, Status.INVALID)
        errors = self.errors(run)
        self.assertEqual([(e[0], e[1], e[2]) for e in errors], [(PEOPLE, n, "Lý do") for n in range(2, 7)])
        for (_sheet, _row, _column, message), text in zip(errors, texts, strict=True):
            self.assertIn(f"“{text}”", message)
            for label in LABELS.values():
                self.assertIn(label, message)  # the message lists what may be written
        self.assertEqual(table_counts(), before)

    def test_a_reason_not_possible_at_the_stage_the_dates_give_is_a_row_error(self) -> None:
        rows = [
            admitted(removal_date=LEFT, removal_reason="moved_away"),  # a probationer moves: a transfer of activity
            person(removal_date=LEFT, removal_reason="struck_off"),  # only probationers are struck off
            person(removal_date=LEFT, removal_reason="Không được kết nạp"),  # no vote yet: nothing to refuse
            voted(removal_date=LEFT, removal_reason="moved_away"),
        ]
        with translation.override("vi"):
            run = self.run_import(book({PEOPLE: rows}))
        self.assertEqual(run.status, Status.INVALID)
        errors = self.errors(run)
        self.assertEqual([(e[1], e[2]) for e in errors], [(n, "Lý do") for n in range(2, 6)])
        allowed = {
            2: ["Xin rút khỏi danh sách", "Xóa tên trong danh sách đảng viên dự bị", "Từ trần", "Lý do khác"],
            3: ["Xin rút khỏi danh sách", "Chuyển đi nơi khác trước khi kết nạp", "Từ trần", "Lý do khác"],
            4: ["Xin rút khỏi danh sách", "Chuyển đi nơi khác trước khi kết nạp", "Từ trần", "Lý do khác"],
            5: ["Không được kết nạp", "Xin rút khỏi danh sách", "Từ trần", "Lý do khác"],
        }
        for _sheet, number, _column, message in errors:
            with self.subTest(row=number):
                self.assertTrue(message.endswith(f"{', '.join(allowed[number])}."), message)
        self.assertFalse(Candidate.objects.exists())

    def test_a_removal_date_needs_a_reason(self) -> None:
        run = self.run_import(book({PEOPLE: [person(removal_date=LEFT)]}))
        self.assertEqual([(e[1], e[2]) for e in self.errors(run)], [(2, "Lý do")])

    def test_a_re_import_keeps_the_details_recorded_on_the_web(self) -> None:
        c = make_candidate(
            self.orgs["C1.B1.01"], Stage.REMOVED, removal_reason="other", removal_note="Đi xuất khẩu lao động"
        )
        row = person(national_id=c.national_id, full_name=c.full_name, birth_date=c.birth_date, gender="Nữ",
                     removal_date=c.removal_date, removal_reason="withdrew",
                     awareness_cert_date=c.awareness_cert_date)  # fmt: skip
        self.assert_done(self.run_import(book({PEOPLE: [row]})))
        c.refresh_from_db()
        self.assertEqual(
            (c.stage, c.removal_reason, c.removal_note), (Stage.REMOVED, "withdrew", "Đi xuất khẩu lao động")
        )


@override_settings(LANGUAGE_CODE="vi")
class ReasonCommandTestCase(ImportTestCase):
    def test_the_command_prints_the_sheet_row_column_and_the_labels(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "nhap.xlsx"
            path.write_bytes(
                book({PEOPLE: [person(), person(removal_date=LEFT, removal_reason="chuyên ngành đào tạo")]})
            )
            out = io.StringIO()
            with self.assertRaises(CommandError) as ctx:
                call_command("import_workbook", str(path), stdout=out, stderr=io.StringIO())
        self.assertEqual(ctx.exception.returncode, 1)
        labels = ", ".join(LABELS.values())
        self.assertEqual(
            out.getvalue().splitlines(),
            [f"{PEOPLE}!3: Lý do: “chuyên ngành đào tạo” không thuộc các giá trị: {labels}."],
        )
        self.assertFalse(Candidate.objects.exists())


class ReasonTemplateTestCase(SimpleTestCase):
    def test_the_lists_sheet_holds_the_reasons_labels_and_the_column_has_their_dropdown(self) -> None:
        rows = _rows(LISTS_SHEET)
        col = rows[0].index("Lý do")
        self.assertEqual([r[col] for r in rows[1:] if r[col]], list(LABELS.values()))
        people = _spec("people")
        dv = _validations(people.name)[_letter(people, "removal_reason")]
        self.assertEqual(dv.get("type"), "list")
        letter = "ABCDEFGHIJ"[col]
        self.assertEqual(dv.findtext("m:formula1", namespaces=NS), f"'{LISTS_SHEET}'!${letter}$2:${letter}$7")

    def test_its_note_and_the_instructions_say_so(self) -> None:
        self.assertIn("Chọn một lý do trong danh sách", NOTES["removal_reason"])
        text = "\n".join(str(row[0]) for row in _rows(INSTRUCTIONS_SHEET) if row and row[0])
        for code, label in LABELS.items():
            self.assertIn(f"{code} — {label}", text)


class ReasonExportTestCase(ImportTestCase):
    def test_the_people_export_writes_the_label_and_the_details_and_imports_back_unchanged(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.TRANSFERRED, removal_note="Theo gia đình vào Đồng Nai")
        data = people_workbook(Candidate.objects.all())
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        header, row = sheet[0], sheet[1]
        self.assertEqual(row[header.index("Lý do")], "Chuyển đi nơi khác trước khi kết nạp")
        self.assertEqual(row[header.index("Chi tiết lý do")], "Theo gia đình vào Đồng Nai")
        run = self.run_import(data)
        self.assert_done(run)
        self.assertEqual(self.summary(run), {PEOPLE: (0, 0, 1)})
        self.assertEqual(Candidate.objects.get(pk=c.pk).removal_reason, "moved_away")
