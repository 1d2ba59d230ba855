"""The built-in .docx templates: the committed files are what build_templates.py writes, and they carry the
format of Hướng dẫn 36-HD/VPTW as FORMS.md §2 gives it (A4, Times New Roman, the sizes of Phụ lục 3)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import docx
from django.test import SimpleTestCase
from docx.shared import Mm, Pt

from reports.documents import build_templates
from reports.documents.render import BUILT_IN_DIR


def _texts(path: Path) -> list[str]:
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [p.text for p in cell.paragraphs]
    return texts


def _mm(length: object) -> int:
    """A length in whole millimetres (Word stores twentieths of a point)."""
    return round(int(length or 0) / Mm(1))  # type: ignore[call-overload]


def _run(cell_paragraphs: list, text: str):  # type: ignore[no-untyped-def]
    return next(r for p in cell_paragraphs for r in p.runs if r.text == text)


class BuiltInTemplatesTestCase(SimpleTestCase):
    def test_the_committed_templates_are_what_the_script_writes(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            written = build_templates.main(Path(tmp))
            self.assertEqual(len(written), len(build_templates.BODIES))
            for path in written:
                with self.subTest(path.name):
                    self.assertEqual(_texts(path), _texts(BUILT_IN_DIR / path.name))

    def test_they_carry_the_format_of_36_hd(self) -> None:
        for name in build_templates.BODIES:
            with self.subTest(name):
                document = docx.Document(str(BUILT_IN_DIR / f"{name}.docx"))
                section = document.sections[0]
                self.assertEqual((_mm(section.page_width), _mm(section.page_height)), (210, 297))
                margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
                self.assertEqual([_mm(m) for m in margins], [20, 20, 30, 15])
                self.assertEqual(document.styles["Normal"].font.name, "Times New Roman")
                self.assertEqual(document.styles["Normal"].font.size, Pt(14))
                left, right = document.tables[0].rows[0].cells
                party = _run(right.paragraphs, "{{ party }}")
                self.assertEqual((party.font.size, party.font.bold), (Pt(15), True))
                issuer = _run(left.paragraphs, "{{ issuer }}")
                self.assertEqual((issuer.font.size, issuer.font.bold), (Pt(14), True))
                superior = _run(left.paragraphs, "{{ superior }}")
                self.assertEqual((superior.font.size, superior.font.bold), (Pt(14), False))
                date = _run(right.paragraphs, "{{ date_line }}")
                self.assertTrue(date.font.italic)
                # A solid rule under the Party's name.
                self.assertIn("w:pBdr", right.paragraphs[0]._p.xml)
                title = _run(document.paragraphs, "{{ title }}")
                self.assertEqual((title.font.size, title.font.bold), (Pt(16), True))
                # No borders around the heading.
                self.assertIn('w:val="nil"', document.tables[0]._tbl.tblPr.xml)
