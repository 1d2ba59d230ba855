"""The shared document infrastructure (reports/documents/render.py): numbers, headings, forms as data,
templates and their override directory, the download response."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

import docx
from django.test import SimpleTestCase, override_settings

from organizations import services as org_services
from organizations.models import Kind, Organization
from reports.documents import layout
from reports.documents.render import (
    DOCX_CONTENT_TYPE,
    body_name,
    body_title,
    date_line,
    document_number,
    docx_response,
    form_context,
    form_for,
    heading,
    render_docx,
    template_path,
)
from reports.models import DocumentForm
from tests.base import BaseTestCase


def _all_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [p.text for p in cell.paragraphs]
    return "\n".join(texts)


class DocumentNumberTestCase(SimpleTestCase):
    def test_it_writes_the_number_as_36_hd_does(self) -> None:
        self.assertEqual(document_number("12", "NQ", "CB"), "Số 12-NQ/CB")

    def test_it_pads_a_one_digit_number(self) -> None:
        self.assertEqual(document_number("3", "QĐ", "ĐU"), "Số 03-QĐ/ĐU")

    def test_it_prints_a_full_recorded_number_as_recorded_without_a_colon(self) -> None:
        self.assertEqual(document_number("Số: 56-QĐ/ĐU", "QĐ", "ĐU"), "Số 56-QĐ/ĐU")
        self.assertEqual(document_number("56-QĐ/HU", "QĐ", "ĐU"), "Số 56-QĐ/HU")

    def test_it_leaves_a_blank_number_to_fill_by_hand(self) -> None:
        self.assertEqual(document_number("", "NQ", "CB"), "Số     -NQ/CB")


class DateLineTestCase(SimpleTestCase):
    def test_it_writes_day_and_month_with_leading_zeros(self) -> None:
        self.assertEqual(date_line("Dân Chủ", datetime.date(2026, 12, 5)), "Dân Chủ, ngày 05 tháng 12 năm 2026")
        self.assertEqual(date_line("Hạ Long", datetime.date(2018, 2, 20)), "Hạ Long, ngày 20 tháng 02 năm 2018")


class HeadingTestCase(BaseTestCase):
    def test_a_cell_issues_under_its_grassroots_committee_in_the_commune(self) -> None:
        head = heading(self.org("C1.B1.01"), datetime.date(2026, 12, 5))
        self.assertEqual(
            head,
            {
                "party": "ĐẢNG CỘNG SẢN VIỆT NAM",
                "superior": "ĐẢNG BỘ TRƯỜNG THCS DÂN CHỦ",
                "issuer": "CHI BỘ TỔ KHOA HỌC TỰ NHIÊN",
                "place": "Dân Chủ",
                "date_line": "Dân Chủ, ngày 05 tháng 12 năm 2026",
            },
        )

    def test_a_committee_issues_as_its_executive_committee(self) -> None:
        head = heading(self.org("C1.B1.01"), datetime.date(2026, 1, 9), issuer=self.org("C1"))
        self.assertEqual(head["issuer"], "ĐẢNG ỦY XÃ DÂN CHỦ")
        self.assertEqual(head["superior"], "ĐẢNG BỘ TỈNH THỬ NGHIỆM")
        self.assertEqual(head["date_line"], "Dân Chủ, ngày 09 tháng 01 năm 2026")

    def test_it_uses_the_tree_of_the_documents_day(self) -> None:
        moved_on = datetime.date(2026, 3, 1)
        org_services.organization_move(
            org=self.org("C1.B2"), new_parent=self.org("C2"), effective_date=moved_on, acting_user=self.alice
        )
        before = heading(self.org("C1.B2"), datetime.date(2026, 2, 1))
        after = heading(self.org("C1.B2"), datetime.date(2026, 3, 2))
        self.assertEqual((before["superior"], before["place"]), ("ĐẢNG BỘ XÃ DÂN CHỦ", "Dân Chủ"))
        self.assertEqual((after["superior"], after["place"]), ("ĐẢNG BỘ PHƯỜNG HÒA BÌNH", "Hòa Bình"))

    def test_it_leaves_the_date_blank_when_unknown(self) -> None:
        self.assertEqual(heading(self.org("C1.B2"), None)["date_line"], "Dân Chủ, ngày     tháng     năm ……………")


class BodyTitleTestCase(SimpleTestCase):
    def test_a_committee_acts_under_its_own_name(self) -> None:
        cases = [
            ("Chi bộ Khu 3", Kind.BRANCH, "Chi bộ Khu 3"),
            ("Đảng bộ Trường THCS Dân Chủ", Kind.BASE_COMMITTEE, "Đảng ủy Trường THCS Dân Chủ"),
            ("Đảng bộ xã Dân Chủ", Kind.COMMUNE, "Đảng ủy xã Dân Chủ"),
            ("Đảng bộ huyện Lâm Thao", Kind.DISTRICT, "Huyện ủy Lâm Thao"),
            ("Đảng bộ thị xã Phú Thọ", Kind.DISTRICT, "Thị ủy Phú Thọ"),
            ("Đảng bộ tỉnh Phú Thọ", Kind.PROVINCE, "Tỉnh ủy Phú Thọ"),
            ("Đảng bộ thành phố Hà Nội", Kind.PROVINCE, "Thành ủy Hà Nội"),
        ]
        for name, kind, expected in cases:
            with self.subTest(name):
                self.assertEqual(body_title(Organization(name=name, kind=kind)), expected)
        self.assertEqual(
            body_name(Organization(name="Đảng bộ huyện Lâm Thao", kind=Kind.DISTRICT)), "HUYỆN ỦY LÂM THAO"
        )


class FormForTestCase(BaseTestCase):
    def test_the_seeded_forms_follow_forms_md(self) -> None:
        form = form_for("branch_admission_resolution", datetime.date(2026, 1, 1))
        self.assertEqual((form.form_number, form.type_code, form.issuer_code), ("6-KNĐ", "NQ", "CB"))
        self.assertEqual((form.signature_authority, form.signature_title), ("T/M CHI BỘ", "BÍ THƯ"))
        self.assertEqual(form_for("admission_decision", datetime.date(2026, 1, 1)).form_number, "9-KNĐ")
        self.assertEqual(form_for("recognition_decision", datetime.date(2026, 1, 1)).form_number, "16-KNĐ")

    def test_it_takes_the_row_in_force_on_the_day(self) -> None:
        self.assertIn("294-QĐ/TW", form_for("admission_decision", datetime.date(2025, 7, 1)).legal_basis)
        self.assertIn("232-QĐ/TW", form_for("admission_decision", datetime.date(2025, 6, 30)).legal_basis)
        self.assertIn("24-QĐ/TW", form_for("admission_decision", datetime.date(2019, 1, 1)).legal_basis)

    def test_a_renumbered_form_is_a_new_row_from_its_day(self) -> None:
        current = form_for("branch_recognition_resolution", datetime.date(2026, 1, 1))
        current.pk = None
        current.valid_from = datetime.date(2026, 6, 1)
        current.form_number = "13A-KNĐ"
        current.save()
        self.assertEqual(form_for("branch_recognition_resolution", datetime.date(2026, 5, 31)).form_number, "13-KNĐ")
        self.assertEqual(form_for("branch_recognition_resolution", datetime.date(2026, 6, 1)).form_number, "13A-KNĐ")

    def test_an_unknown_form_is_an_error(self) -> None:
        with self.assertRaises(DocumentForm.DoesNotExist):
            form_for("nothing", datetime.date(2026, 1, 1))

    def test_form_context_fills_the_recipients_names(self) -> None:
        form = form_for("admission_decision", datetime.date(2026, 1, 1))
        head = heading(self.org("C1.B2"), datetime.date(2026, 1, 1), issuer=self.org("C1"))
        context = form_context(form, head, number="7", names={"cell": "Chi bộ Sông Lô", "person": "Lê Thị Hoa"})
        self.assertEqual(context["number"], "Số 07-QĐ/ĐU")
        self.assertIn("- Chi bộ Sông Lô;", context["recipients"])
        self.assertIn("- Đồng chí Lê Thị Hoa;", context["recipients"])
        self.assertEqual(context["legal_basis"][0], "Căn cứ Điều 4, Điều lệ Đảng Cộng sản Việt Nam;")


def _write_template(directory: Path, name: str, text: str) -> None:
    doc = layout.new_document()
    layout.paragraph(doc, text)
    doc.save(str(directory / f"{name}.docx"))


class TemplateOverrideTestCase(SimpleTestCase):
    def test_a_template_in_the_override_directory_wins(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            _write_template(Path(tmp), "admission_decision", "TỈNH TA {{ name }}")
            with override_settings(DOCUMENT_TEMPLATES_DIR=tmp):
                self.assertEqual(template_path("admission_decision"), Path(tmp) / "admission_decision.docx")
                self.assertIn("TỈNH TA Lê & Hoa", _all_text(render_docx("admission_decision", {"name": "Lê & Hoa"})))

    def test_without_a_file_of_that_name_the_built_in_template_is_used(self) -> None:
        with tempfile.TemporaryDirectory() as tmp, override_settings(DOCUMENT_TEMPLATES_DIR=tmp):
            self.assertEqual(template_path("admission_decision").parent.name, "templates")
            self.assertNotEqual(template_path("admission_decision").parent, Path(tmp))

    def test_it_refuses_a_path_as_a_template_name(self) -> None:
        with self.assertRaises(ValueError):
            template_path("../secrets")

    def test_values_are_escaped(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            _write_template(Path(tmp), "probe", "{{ value }}")
            with override_settings(DOCUMENT_TEMPLATES_DIR=tmp):
                self.assertIn("</w:t><w:t>x", _all_text(render_docx("probe", {"value": "</w:t><w:t>x"})))


class DocxResponseTestCase(SimpleTestCase):
    def test_it_sends_a_docx_with_a_vietnamese_file_name(self) -> None:
        response = docx_response(b"PK", "Quyết định kết nạp – Lê Thị Hoa.docx")
        self.assertEqual(response["Content-Type"], DOCX_CONTENT_TYPE)
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="Quyet-dinh-ket-nap-Le-Thi-Hoa.docx"; '
            "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20k%E1%BA%BFt%20n%E1%BA%A1p%20%E2%80%93%20"
            "L%C3%AA%20Th%E1%BB%8B%20Hoa.docx",
        )
        self.assertEqual(response.content, b"PK")
