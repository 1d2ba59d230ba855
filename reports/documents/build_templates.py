"""Write the built-in .docx templates of a person's documents into reports/documents/templates/.

Run once after changing a layout (`python -m reports.documents.build_templates`) and commit the files: the app
only reads them. They are ordinary Word files with docxtpl's tags, so an office may instead edit a copy in Word
and put it in DOCUMENT_TEMPLATES_DIR under the same name. The heading, title, "Căn cứ…" lines and closing come
from layout.py (36-HD/VPTW); the bodies are written below, with what FORMS.md saw of each form (docs/documents.md
says which follow a source and which are ours). What the record does not hold is a dotted blank in the context;
what the tracker never records (who chaired, who was present) is a dotted blank in the template.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx.document import Document as DocumentObject

from reports.documents import layout
from reports.documents.layout import paragraph

DOTS = "……………"
OUT = Path(__file__).resolve().parent / "templates"


def _body(doc: DocumentObject, text: str, **kwargs: object) -> None:
    paragraph(doc, text, indent_first=True, space_after=3, **kwargs)  # type: ignore[arg-type]


def _heading(doc: DocumentObject, text: str) -> None:
    paragraph(doc, text, bold=True, align="left", space_before=6, space_after=3)


def _resolves(doc: DocumentObject, text: str) -> None:
    paragraph(doc, text, bold=True, align="center", space_before=9, space_after=6)


def _article(doc: DocumentObject, label: str, text: str) -> None:
    p = paragraph(doc, indent_first=True, space_after=3)
    layout.run(p, label, bold=True)
    layout.run(p, text)


def _person_lines(doc: DocumentObject) -> None:
    _body(doc, "Họ và tên: {{ name }}; giới tính: {{ gender }}; sinh ngày {{ birth_date }}.")
    _body(doc, "Quê quán: {{ home_town }}.")
    _body(doc, "Nơi cư trú: {{ residence }}.")
    _body(doc, "Dân tộc: {{ ethnicity }}; tôn giáo: {{ religion }}.")
    _body(doc, "Nghề nghiệp: {{ occupation }}.")
    _body(
        doc,
        "Trình độ: giáo dục phổ thông {{ education }}; chuyên môn, nghiệp vụ {{ professional_level }}; "
        "lý luận chính trị {{ political_theory }}.{% if youth_union %} {{ youth_union }}.{% endif %}",
    )


def _meeting(doc: DocumentObject, members: str) -> None:
    _body(
        doc,
        f"Tổng số đảng viên chính thức của Chi bộ: {members} đồng chí; có mặt: {DOTS} đồng chí; "
        f"vắng mặt: {DOTS} đồng chí (lý do: {DOTS}).",
    )
    _body(doc, f"Chủ trì hội nghị: đồng chí {DOTS}, chức vụ {DOTS}. Thư ký hội nghị: đồng chí {DOTS}.")


def branch_admission_resolution(doc: DocumentObject) -> None:
    _body(
        doc,
        "Ngày {{ branch_vote_date }}, {{ cell }} đã họp để xét, đề nghị {{ admitted_as }} quần chúng "
        "{{ name }} vào Đảng Cộng sản Việt Nam.",
    )
    _meeting(doc, "{{ branch_members }}")
    _body(
        doc,
        "Sau khi nghe báo cáo đơn xin vào Đảng, lý lịch và kết quả thẩm tra lý lịch, giấy giới thiệu của "
        "người giới thiệu, ý kiến nhận xét của các đoàn thể chính trị - xã hội và chi ủy nơi cư trú đối với "
        "quần chúng {{ name }}, Chi bộ thảo luận, nhận xét:",
    )
    _heading(doc, "1. Người vào Đảng")
    _person_lines(doc)
    _heading(doc, "2. Người giới thiệu")
    layout.control(doc, "{%p for line in introducers %}")
    _body(doc, "- {{ line }}.")
    layout.control(doc, "{%p endfor %}")
    _heading(doc, "3. Ưu điểm, khuyết điểm")
    _body(doc, f"Ưu điểm: {DOTS}")
    _body(doc, f"Khuyết điểm: {DOTS}")
    _heading(doc, "4. Kết quả biểu quyết")
    _body(
        doc,
        "Số đảng viên chính thức tán thành việc kết nạp: {{ branch_votes_for }}/{{ branch_members }} đồng chí "
        "(đạt {{ branch_share }} tổng số đảng viên chính thức của Chi bộ); không tán thành: "
        f"{DOTS} đồng chí.",
    )
    _resolves(doc, "CHI BỘ QUYẾT NGHỊ")
    _body(
        doc,
        "Đề nghị {% if has_committee %}{{ superior_body }} xem xét, đề nghị {{ competent }} quyết định"
        "{% else %}{{ competent }} xem xét, quyết định{% endif %} {{ admitted_as }} quần chúng {{ name }} vào "
        "Đảng Cộng sản Việt Nam.",
    )


def committee_admission_resolution(doc: DocumentObject) -> None:
    _body(
        doc,
        "Ngày {{ committee_date }}, {{ grassroots }} đã họp, xét Nghị quyết số {{ branch_number }}, ngày "
        "{{ branch_vote_date }} của {{ cell }} đề nghị {{ admitted_as }} quần chúng {{ name }} vào Đảng.",
    )
    _body(
        doc,
        f"Tổng số cấp ủy viên: {{{{ committee_members }}}} đồng chí; có mặt: {DOTS} đồng chí; vắng mặt: "
        f"{DOTS} đồng chí.",
    )
    _heading(doc, "Người vào Đảng")
    _person_lines(doc)
    _body(
        doc,
        "Kết quả biểu quyết: {{ committee_votes_for }}/{{ committee_members }} cấp ủy viên tán thành "
        "(đạt {{ committee_share }}).",
    )
    _resolves(doc, "ĐẢNG ỦY QUYẾT NGHỊ")
    _body(
        doc,
        "Đề nghị {{ competent }} xem xét, quyết định {{ admitted_as }} quần chúng {{ name }} vào Đảng Cộng "
        "sản Việt Nam.",
    )


def admission_decision(doc: DocumentObject) -> None:
    _body(
        doc,
        "Xét Nghị quyết số {{ branch_number }}, ngày {{ branch_vote_date }} của {{ cell }}{% if has_committee %}"
        " và Nghị quyết số {{ committee_number }}, ngày {{ committee_date }} của {{ grassroots }}{% endif %} "
        "đề nghị {{ admitted_as }} quần chúng {{ name }} vào Đảng,",
        italic=True,
    )
    _resolves(doc, "{{ decider }} QUYẾT ĐỊNH")
    _article(
        doc,
        "Điều 1. ",
        "{{ admitted_as|capitalize }} quần chúng {{ name }}, sinh ngày {{ birth_date }}; quê "
        "quán: {{ home_town }}; nơi cư trú: {{ residence }}; sinh hoạt tại {{ cell }}, vào Đảng "
        "Cộng sản Việt Nam.",
    )
    _article(
        doc, "Điều 2. ", "Thời gian dự bị của đồng chí {{ name }} là 12 tháng, kể từ ngày chi bộ tổ chức lễ kết nạp."
    )
    _article(
        doc,
        "Điều 3. ",
        "{{ cell }}{% if has_committee %}, {{ grassroots }}{% endif %} và đồng chí {{ name }} "
        "chịu trách nhiệm thi hành Quyết định này.",
    )


def ceremony_record(doc: DocumentObject) -> None:
    _body(
        doc,
        f"Hôm nay, vào hồi {DOTS} giờ, ngày {{{{ ceremony_date }}}}, tại {DOTS}, {{{{ cell }}}} tổ chức lễ "
        "kết nạp đảng viên đối với quần chúng {{ name }}, sinh ngày {{ birth_date }}, theo Quyết định số "
        "{{ decision_number }}, ngày {{ decision_date }} của {{ competent }}.",
    )
    _heading(doc, "I. THÀNH PHẦN")
    _body(doc, f"Chủ trì: đồng chí {DOTS}, chức vụ {DOTS}.")
    _body(doc, f"Thư ký: đồng chí {DOTS}.")
    _body(doc, f"Đại biểu cấp ủy cấp trên: {DOTS}.")
    _body(doc, f"Đảng viên của Chi bộ: tổng số {DOTS} đồng chí; có mặt {DOTS} đồng chí; vắng mặt {DOTS} đồng chí.")
    _heading(doc, "II. NỘI DUNG BUỔI LỄ")
    _body(doc, "1. Chào cờ (hát Quốc ca, Quốc tế ca).")
    _body(doc, "2. Tuyên bố lý do, giới thiệu đại biểu.")
    _body(
        doc,
        f"3. Đồng chí {DOTS}, thay mặt chi ủy, đọc Quyết định số {{{{ decision_number }}}}, ngày "
        "{{ decision_date }} kết nạp quần chúng {{ name }} vào Đảng.",
    )
    _body(doc, "4. Đảng viên mới {{ name }} đọc lời tuyên thệ.")
    _body(
        doc,
        f"5. Đồng chí {DOTS}, thay mặt chi ủy, nêu nhiệm vụ, quyền hạn của đảng viên và phân công đảng viên "
        f"chính thức giúp đỡ đảng viên dự bị: đồng chí {DOTS}.",
    )
    _body(doc, f"6. Đại diện cấp ủy cấp trên phát biểu (nếu có): {DOTS}.")
    _body(doc, "7. Bế mạc (chào cờ).")
    _body(doc, f"Buổi lễ kết thúc vào hồi {DOTS} giờ cùng ngày. Biên bản đã được đọc lại trước Chi bộ.")


def branch_recognition_resolution(doc: DocumentObject) -> None:
    _body(
        doc,
        "Ngày {{ recognition_vote_date }}, {{ cell }} đã họp để xét, đề nghị công nhận đảng viên dự bị "
        "{{ name }}, được {{ admitted_as }} vào Đảng ngày {{ ceremony_date }}, trở thành đảng viên chính "
        "thức.",
    )
    _body(
        doc,
        f"Tổng số đảng viên của Chi bộ: {DOTS} đồng chí, trong đó chính thức {{{{ recognition_members }}}} "
        f"đồng chí, dự bị {DOTS} đồng chí.",
    )
    _body(doc, f"Có mặt: {DOTS} đồng chí (chính thức {DOTS}, dự bị {DOTS}).")
    _body(doc, f"Vắng mặt: {DOTS} đồng chí. Lý do vắng mặt: {DOTS}.")
    _body(doc, f"Chủ trì hội nghị: đồng chí {DOTS}, chức vụ {DOTS}.")
    _body(doc, f"Thư ký hội nghị: đồng chí {DOTS}.")
    _body(
        doc,
        "Sau khi nghe bản tự kiểm điểm của đảng viên dự bị {{ name }}, bản nhận xét của đảng viên chính thức "
        "được phân công giúp đỡ, ý kiến nhận xét của các đoàn thể chính trị - xã hội và chi ủy nơi cư trú, "
        "Chi bộ thảo luận, nhận xét:",
    )
    _body(doc, f"Ưu điểm: {DOTS}")
    _body(doc, f"Khuyết điểm: {DOTS}")
    _body(
        doc,
        "Số đảng viên chính thức tán thành việc công nhận đảng viên chính thức: {{ recognition_votes_for }}/"
        "{{ recognition_members }} đồng chí (đạt {{ recognition_share }}); không tán thành: "
        f"{DOTS} đồng chí.",
    )
    _resolves(doc, "CHI BỘ QUYẾT NGHỊ")
    _body(
        doc,
        "Đề nghị {% if has_committee %}{{ superior_body }} xem xét, đề nghị {{ competent }} quyết định"
        "{% else %}{{ competent }} xem xét, quyết định{% endif %} công nhận đồng chí {{ name }} là đảng viên "
        "chính thức, kể từ ngày {{ official_from }}.",
    )


def committee_recognition_resolution(doc: DocumentObject) -> None:
    _body(
        doc,
        f"Ngày {DOTS}, {{{{ grassroots }}}} đã họp, xét Nghị quyết ngày {{{{ recognition_vote_date }}}} của "
        "{{ cell }} đề nghị công nhận đảng viên dự bị {{ name }} (được {{ admitted_as }} vào Đảng ngày "
        "{{ ceremony_date }}) là đảng viên chính thức.",
    )
    _body(doc, f"Tổng số cấp ủy viên: {DOTS} đồng chí; có mặt: {DOTS} đồng chí; vắng mặt: {DOTS} đồng chí.")
    _body(doc, f"Kết quả biểu quyết: {DOTS}/{DOTS} cấp ủy viên tán thành.")
    _resolves(doc, "ĐẢNG ỦY QUYẾT NGHỊ")
    _body(
        doc,
        "Đề nghị {{ competent }} xem xét, quyết định công nhận đồng chí {{ name }} là đảng viên chính thức, "
        "kể từ ngày {{ official_from }}.",
    )


def recognition_decision(doc: DocumentObject) -> None:
    _body(
        doc,
        "Xét Nghị quyết ngày {{ recognition_vote_date }} của {{ cell }}{% if has_committee %} và đề nghị của "
        "{{ grassroots }}{% endif %} về việc công nhận đảng viên chính thức,",
        italic=True,
    )
    _resolves(doc, "{{ decider }} QUYẾT ĐỊNH")
    _article(
        doc,
        "Điều 1. ",
        "Công nhận đồng chí {{ name }}, sinh ngày {{ birth_date }}; quê quán: {{ home_town }}; "
        "được {{ admitted_as }} vào Đảng ngày {{ ceremony_date }} tại {{ cell }}, là đảng viên "
        "chính thức kể từ ngày {{ official_from }}.",
    )
    _article(
        doc,
        "Điều 2. ",
        "{{ cell }}{% if has_committee %}, {{ grassroots }}{% endif %} và đồng chí {{ name }} "
        "chịu trách nhiệm thi hành Quyết định này.",
    )


def dossier_checklist(doc: DocumentObject) -> None:
    _body(doc, "Họ và tên: {{ name }}; sinh ngày {{ birth_date }}; sinh hoạt tại {{ cell }}.")
    _body(doc, "Giai đoạn hiện nay: {{ stage }}. Lập ngày {{ act_date }}.")
    widths = [12.0, 70.0, 25.0, 36.0, 22.0]
    table = doc.add_table(rows=4, cols=len(widths))
    table.style = "Table Grid"
    layout.set_widths(table, widths)
    for cell, text in zip(table.rows[0].cells, ("STT", "Tài liệu", "Mẫu", "Số, ngày", "Tình trạng"), strict=True):
        paragraph(cell, text, size=12, bold=True, align="center")
    paragraph(table.rows[1].cells[0], "{%tr for row in items %}", size=12, align="left")
    for i, field in enumerate(("no", "label", "form", "record", "status")):
        paragraph(table.rows[2].cells[i], f"{{{{ row.{field} }}}}", size=12, align="center" if i in (0, 2) else "left")
    paragraph(table.rows[3].cells[0], "{%tr endfor %}", size=12, align="left")
    paragraph(doc, "", space_after=3)
    _body(
        doc,
        "“THIẾU”: giai đoạn hiện nay của người vào Đảng cần tài liệu này nhưng chưa được ghi nhận trên hệ "
        "thống. “Chưa có”: chưa ghi nhận, giai đoạn hiện nay chưa đòi hỏi. “Không theo dõi trên hệ thống”: "
        "chi bộ tự kiểm tra trong hồ sơ giấy.",
        italic=True,
        size=12,
    )


BODIES: dict[str, Callable[[DocumentObject], None]] = {
    "branch_admission_resolution": branch_admission_resolution,
    "committee_admission_resolution": committee_admission_resolution,
    "admission_decision": admission_decision,
    "ceremony_record": ceremony_record,
    "branch_recognition_resolution": branch_recognition_resolution,
    "committee_recognition_resolution": committee_recognition_resolution,
    "recognition_decision": recognition_decision,
    "dossier_checklist": dossier_checklist,
}


def build(name: str) -> DocumentObject:
    doc = layout.new_document()
    layout.add_heading(doc)
    layout.add_title(doc)
    layout.add_legal_basis(doc)
    BODIES[name](doc)
    layout.add_closing(doc, left_signature="THƯ KÝ" if name == "ceremony_record" else "")
    return doc


def main(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in BODIES:
        path = out / f"{name}.docx"
        build(name).save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(path)
