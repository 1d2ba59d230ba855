"""The admission forms of FORMS.md §1 (Hướng dẫn 12-HD/BTCTW, 2022) as rows of DocumentForm, one per legal period.

The form numbers and titles did not change between the rows; the regulation cited ("Căn cứ…") did
(24-QĐ/TW of 2021, 232-QĐ/TW of 1/2025, 294-QĐ/TW from 1/7/2025), and since 1/7/2025 the committee
directly above a grassroots organization is the commune's (Quy định 298-QĐ/TW). Confidence marks are
FORMS.md's; see docs/documents.md for which layouts follow a source and which are ours.
"""

import datetime

from django.db import migrations

HD12 = "Hướng dẫn 12-HD/BTCTW (18/01/2022), Phụ lục các loại biểu mẫu"
PERIODS = [
    (datetime.date(2022, 1, 18), "Quy định số 24-QĐ/TW, ngày 30/7/2021", "HU"),
    (datetime.date(2025, 1, 20), "Quy định số 232-QĐ/TW, ngày 20/01/2025", "HU"),
    (datetime.date(2025, 7, 1), "Quy định số 294-QĐ/TW, ngày 26/5/2025", "ĐU"),
]
CELL_COPY = "- {superior} (để báo cáo);\n- Lưu Chi bộ, hồ sơ đảng viên."
COMMITTEE_COPY = "- {superior} (để báo cáo);\n- {cell};\n- Lưu Văn phòng Đảng ủy, hồ sơ đảng viên."
DECISION_COPY = "- {cell};\n- Đồng chí {person};\n- Lưu hồ sơ đảng viên, Văn phòng."


def _basis(article: int, regulation: str) -> str:
    return (
        f"Căn cứ Điều {article}, Điều lệ Đảng Cộng sản Việt Nam;\n"
        f"Căn cứ {regulation} của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng;"
    )


def rows(regulation: str, decision_code: str) -> list[dict]:
    return [
        dict(
            key="branch_admission_resolution",
            form_number="6-KNĐ",
            title="NGHỊ QUYẾT",
            summary="đề nghị kết nạp đảng viên",
            type_code="NQ",
            issuer_code="CB",
            issuer_level="cell",
            legal_basis=_basis(4, regulation),
            signature_authority="T/M CHI BỘ",
            signature_title="BÍ THƯ",
            recipients=CELL_COPY,
            layout="ours",
            confidence="M",
            source=f"{HD12}, Mẫu 6-KNĐ (M: number and title on a mirror page, 118.69.201.250). Fields not seen: "
            "the body follows the shape of 13-KNĐ, the other chi bộ resolution whose fields FORMS.md saw (L).",
        ),
        dict(
            key="committee_admission_resolution",
            form_number="8-KNĐ",
            title="NGHỊ QUYẾT",
            summary="đề nghị kết nạp đảng viên",
            type_code="NQ",
            issuer_code="ĐU",
            issuer_level="grassroots",
            legal_basis=_basis(4, regulation),
            signature_authority="T/M ĐẢNG ỦY",
            signature_title="BÍ THƯ",
            recipients=COMMITTEE_COPY,
            layout="ours",
            confidence="M",
            source=f"{HD12}, Mẫu 8-KNĐ (M: tnu.edu.vn). Fields not seen; T/M for a cấp ủy per 36-HD/VPTW 1.7.1 (H).",
        ),
        dict(
            key="admission_decision",
            form_number="9-KNĐ",
            title="QUYẾT ĐỊNH",
            summary="kết nạp đảng viên",
            type_code="QĐ",
            issuer_code=decision_code,
            issuer_level="above_grassroots",
            legal_basis=_basis(4, regulation),
            signature_authority="T/M BAN THƯỜNG VỤ",
            signature_title="BÍ THƯ",
            recipients=DECISION_COPY,
            layout="ours",
            confidence="M",
            source=f"{HD12}, Mẫu 9-KNĐ (M). Issued by 'cấp ủy có thẩm quyền' (M): the standing committee of the "
            "committee directly above the grassroots organization (L; a grassroots committee with delegated power "
            "signs instead: change 'issued by' here). Fields not seen.",
        ),
        dict(
            key="ceremony_record",
            form_number="",
            title="BIÊN BẢN",
            summary="lễ kết nạp đảng viên",
            type_code="BB",
            issuer_code="CB",
            issuer_level="cell",
            legal_basis="",
            signature_authority="CHỦ TRÌ",
            signature_title="",
            recipients=CELL_COPY,
            layout="ours",
            confidence="L",
            source="No official form found (FORMS.md §1). The order of the ceremony is 01-HD/TW (2016) §3.8 as quoted "
            "by thuvienphapluat (M).",
        ),
        dict(
            key="branch_recognition_resolution",
            form_number="13-KNĐ",
            title="NGHỊ QUYẾT",
            summary="đề nghị công nhận đảng viên chính thức",
            type_code="NQ",
            issuer_code="CB",
            issuer_level="cell",
            legal_basis=_basis(5, regulation),
            signature_authority="T/M CHI BỘ",
            signature_title="BÍ THƯ",
            recipients=CELL_COPY,
            layout="source",
            confidence="M",
            source=f"{HD12}, Mẫu 13-KNĐ as LuatVietnam shows it (M; 'now under 38-HD/BTCTW'): heading, Căn cứ "
            "Điều 5, meeting, members, present/absent, chair and secretary; the vote block is ours (not seen).",
        ),
        dict(
            key="committee_recognition_resolution",
            form_number="15-KNĐ",
            title="NGHỊ QUYẾT",
            summary="đề nghị công nhận đảng viên chính thức",
            type_code="NQ",
            issuer_code="ĐU",
            issuer_level="grassroots",
            legal_basis=_basis(5, regulation),
            signature_authority="T/M ĐẢNG ỦY",
            signature_title="BÍ THƯ",
            recipients=COMMITTEE_COPY,
            layout="ours",
            confidence="M",
            source=f"{HD12}, Mẫu 15-KNĐ (M: an older page, vanxuan.net). Fields not seen.",
        ),
        dict(
            key="recognition_decision",
            form_number="16-KNĐ",
            title="QUYẾT ĐỊNH",
            summary="công nhận đảng viên chính thức",
            type_code="QĐ",
            issuer_code=decision_code,
            issuer_level="above_grassroots",
            legal_basis=_basis(5, regulation),
            signature_authority="T/M BAN THƯỜNG VỤ",
            signature_title="BÍ THƯ",
            recipients=DECISION_COPY,
            layout="ours",
            confidence="M",
            source=f"{HD12}, Mẫu 16-KNĐ (M: evbn.org; a page mentions 16A-KNĐ, L). Fields not seen.",
        ),
        dict(
            key="dossier_checklist",
            form_number="",
            title="DANH MỤC",
            summary="hồ sơ kết nạp đảng viên",
            type_code="",
            issuer_code="",
            issuer_level="cell",
            legal_basis="Căn cứ Hướng dẫn số 12-HD/BTCTW, ngày 18/01/2022 của Ban Tổ chức Trung ương về nghiệp vụ "
            "công tác đảng viên (Phần II, mục 1.1);",
            signature_authority="T/M CHI BỘ",
            signature_title="BÍ THƯ",
            recipients="",
            layout="ours",
            confidence="M",
            source="The list of a member's file, 12-HD/BTCTW (2022) Phần II 1.1, as quoted on law-library Q&A pages "
            "(text H, site M). No official checklist form: the layout is ours.",
        ),
    ]


def add_forms(apps, schema_editor):
    DocumentForm = apps.get_model("reports", "DocumentForm")
    for valid_from, regulation, decision_code in PERIODS:
        for row in rows(regulation, decision_code):
            key = row.pop("key")
            DocumentForm.objects.get_or_create(key=key, valid_from=valid_from, defaults=row)


def remove_forms(apps, schema_editor):
    DocumentForm = apps.get_model("reports", "DocumentForm")
    keys = [row["key"] for row in rows("", "")]
    DocumentForm.objects.filter(key__in=keys, valid_from__in=[p[0] for p in PERIODS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_document_form")]

    operations = [migrations.RunPython(add_forms, remove_forms)]
