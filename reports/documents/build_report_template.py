"""Builds templates/admission_report.docx, the periodic report of admissions (issue 17 point 3).

Run `python -m reports.documents.build_report_template` after changing it; the .docx is committed. It uses
the heading and closing of reports.documents.layout (36-HD/VPTW), like build_templates.py, with the report's
text as a list of paragraphs (`paragraphs`) that reports.periodic_report fills in.
"""

from __future__ import annotations

from pathlib import Path

from reports.documents import layout

OUT = Path(__file__).resolve().parent / "templates" / "admission_report.docx"


def build() -> bytes:
    doc = layout.new_document()
    layout.add_heading(doc)
    layout.add_title(doc)
    layout.paragraph(doc, "{{ period_line }}", italic=True, align="center", space_after=12)
    layout.control(doc, "{%p for section in sections %}")
    layout.paragraph(doc, "{{ section.heading }}", bold=True, space_before=6, space_after=3)
    layout.control(doc, "{%p for line in section.lines %}")
    layout.paragraph(doc, "{{ line }}", indent_first=True, space_after=3)
    layout.control(doc, "{%p endfor %}")
    layout.control(doc, "{%p endfor %}")
    layout.add_closing(doc)
    import io

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_bytes(build())
    print(OUT)
