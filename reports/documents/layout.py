"""Building blocks for the .docx templates, in the format of Hướng dẫn 36-HD/VPTW (FORMS.md §2).

Used by `build_templates.py` (ours) and by any other template script (the periodic report's). They write
docxtpl's Jinja tags into ordinary Word paragraphs, each tag inside one run (docxtpl's rule), so the
template stays editable in Word. The heading expects the context of `render.heading` plus `number`
(`render.document_number`) and `form_number`; the closing block expects `recipients` (a list of lines),
`signature_authority`, `signature_title` and `signer`.

Sizes (Phụ lục 3 of 36-HD/VPTW, H): tiêu đề ĐCSVN in hoa 15 đậm; cơ quan cấp trên in hoa 14; cơ quan ban
hành in hoa 14 đậm; số và ký hiệu 14; địa danh, ngày tháng 14 nghiêng; tên loại in hoa 16 đậm; trích yếu 14
đậm; nội dung 14. Margins are unverified (FORMS §2): we use 20/20/30/15 mm (top/bottom/left/right), the
figure some unofficial summaries of 36-HD give; a province with another rule edits the template in Word.
"Nơi nhận:" 14 underlined with its list in 12, and the signature in hoa 14 đậm, are usual practice (L).
"""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_SIZE = 14
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
# A4 210 mm less the left and right margins.
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]


def new_document(*, landscape: bool = False) -> DocumentObject:
    """An empty A4 document in Times New Roman 14 with the margins above (landscape for wide tables)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15
    return doc


def text_width_mm(doc: DocumentObject) -> float:
    section = doc.sections[0]
    width = int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0)
    return width / Mm(1)


def paragraph(
    container: DocumentObject | _Cell,
    text: str = "",
    *,
    size: float = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: str = "justify",
    indent_first: bool = False,
    space_after: float = 0,
    space_before: float = 0,
) -> Paragraph:
    """One paragraph of one run (so a Jinja tag in `text` stays whole)."""
    p = container.add_paragraph()
    p.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if indent_first:
        p.paragraph_format.first_line_indent = Cm(1.27)
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(space_before)
    if text:
        run(p, text, size=size, bold=bold, italic=italic, underline=underline)
    return p


def run(
    p: Paragraph,
    text: str,
    *,
    size: float = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> None:
    r = p.add_run(text)
    r.font.name = FONT
    r.font.size = Pt(size)
    r.font.bold = bold
    r.font.italic = italic
    r.font.underline = underline


def control(container: DocumentObject | _Cell, tag: str) -> Paragraph:
    """A paragraph holding only a docxtpl paragraph tag ('{%p for line in legal_basis %}'), removed when rendered."""
    return paragraph(container, tag, align="left")


def _no_borders(table: Table) -> None:
    props = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    props.append(borders)


def _rule_below(p: Paragraph) -> None:
    """A solid line under the paragraph (36-HD/VPTW 1.1.2: under the title, as long as the title)."""
    props = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    props.append(borders)


def borderless_table(doc: DocumentObject, widths_mm: list[float]) -> Table:
    table = doc.add_table(rows=1, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    set_widths(table, widths_mm)
    return table


def set_widths(table: Table, widths_mm: list[float]) -> None:
    """Column widths that Word and LibreOffice both keep (the grid and every cell), each cell's first empty
    paragraph removed so that the builder's paragraphs come first."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)


def add_heading(doc: DocumentObject) -> None:
    """The heading of 36-HD/VPTW: 'Mẫu n-KNĐ' at the top right when the form has a number; then two columns
    without borders: the body above and the issuing body, '*', the number (left); the Party's name with a
    rule under it, the place and date (right)."""
    p = paragraph(doc, "{% if form_number %}Mẫu {{ form_number }}{% endif %}", size=12, italic=True, align="right")
    p.paragraph_format.space_after = Pt(2)
    width = text_width_mm(doc)
    left, right = width * 0.45, width * 0.55
    cells = borderless_table(doc, [left, right]).rows[0].cells
    paragraph(cells[0], "{{ superior }}", size=14, align="center")
    paragraph(cells[0], "{{ issuer }}", size=14, bold=True, align="center")
    paragraph(cells[0], "*", size=14, align="center")
    paragraph(cells[0], "{{ number }}", size=14, align="center")
    title = paragraph(cells[1], "{{ party }}", size=15, bold=True, align="center")
    # The rule is as long as the title: the paragraph is narrowed to about the title's width (about 85 mm in
    # Times New Roman 15 bold), leaving the title on one line.
    margin = max(0.0, (right - 87) / 2)
    title.paragraph_format.left_indent = Mm(margin)
    title.paragraph_format.right_indent = Mm(margin)
    _rule_below(title)
    paragraph(cells[1], "", size=8, align="center")
    paragraph(cells[1], "{{ date_line }}", size=14, italic=True, align="center")


def add_title(doc: DocumentObject) -> None:
    """The kind of document in capitals (16 đậm) and its subject line (14 đậm), from `title` and `summary`."""
    paragraph(doc, "{{ title }}", size=16, bold=True, align="center", space_before=18)
    paragraph(doc, "{{ summary }}", size=14, bold=True, align="center", space_after=2)
    paragraph(doc, "-----", size=14, align="center", space_after=12)


def add_legal_basis(doc: DocumentObject) -> None:
    """The 'Căn cứ…' lines of the form (a list in `legal_basis`), one paragraph each, in italics."""
    control(doc, "{%p for line in legal_basis %}")
    paragraph(doc, "{{ line }}", italic=True, indent_first=True, space_after=3)
    control(doc, "{%p endfor %}")


def add_closing(doc: DocumentObject, *, left_signature: str = "") -> None:
    """'Nơi nhận:' and its lines on the left (or, for minutes, a second signature such as 'THƯ KÝ'), the
    signature on the right: 'T/M CHI BỘ' / 'BÍ THƯ', room to sign, the signer's name."""
    width = text_width_mm(doc)
    paragraph(doc, "", space_after=6)
    cells = borderless_table(doc, [width * 0.5, width * 0.5]).rows[0].cells
    if left_signature:
        paragraph(cells[0], left_signature, bold=True, align="center")
        for _ in range(4):
            paragraph(cells[0], "")
        paragraph(cells[0], "{{ secretary }}", bold=True, align="center")
    else:
        paragraph(
            cells[0], "{% if recipients %}Nơi nhận:{% endif %}", bold=True, italic=True, underline=True, align="left"
        )
        control(cells[0], "{%p for line in recipients %}")
        paragraph(cells[0], "{{ line }}", size=12, align="left")
        control(cells[0], "{%p endfor %}")
    paragraph(cells[1], "{{ signature_authority }}", bold=True, align="center")
    paragraph(cells[1], "{{ signature_title }}", bold=True, align="center")
    for _ in range(4):
        paragraph(cells[1], "")
    paragraph(cells[1], "{{ signer }}", bold=True, align="center")
    if left_signature:
        paragraph(
            doc,
            "{% if recipients %}Nơi nhận:{% endif %}",
            bold=True,
            italic=True,
            underline=True,
            align="left",
            space_before=12,
        )
        control(doc, "{%p for line in recipients %}")
        paragraph(doc, "{{ line }}", size=12, align="left")
        control(doc, "{%p endfor %}")
