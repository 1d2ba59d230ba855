"""The periodic report of admissions and its statistics forms (FORMS.md §3) as rows of DocumentForm.

Biểu 2-BTCTW and 4-BTCTW as transcribed from 11-HD/BTCTW (13/12/2021) in a public repository (M); the
narrative report has no official form (its outline is FORMS.md's, L). Data, so that a guidance that
renumbers them is a new row with a later day, not a change of code.
"""

import datetime

from django.db import migrations

HD11 = "Hướng dẫn 11-HD/BTCTW (13/12/2021), as transcribed in thanhvu16/quan_ly_can_bo (FORMS.md §3, M)"
VALID_FROM = datetime.date(2021, 12, 13)
ROWS = [
    dict(
        key="admission_statistics",
        form_number="2-BTCTW",
        title="THỐNG KÊ ĐẢNG VIÊN MỚI KẾT NẠP",
        summary="",
        signature_authority="",
        signature_title="TRƯỞNG BAN",
        layout="source",
        confidence="M",
        source=f"{HD11}. The row 'Nữ' is the 2012 form's (Biểu 2-TCTW), added as issue 17 asks.",
    ),
    dict(
        key="admission_statistics_by_group",
        form_number="4-BTCTW",
        title="ĐẢNG VIÊN MỚI KẾT NẠP CHIA THEO DÂN TỘC VÀ TÔN GIÁO",
        summary="",
        signature_authority="",
        signature_title="TRƯỞNG BAN",
        layout="source",
        confidence="M",
        source=HD11,
    ),
    dict(
        key="admission_report",
        form_number="",
        title="BÁO CÁO",
        summary="kết quả công tác kết nạp đảng viên",
        signature_authority="",
        signature_title="TRƯỞNG BAN",
        recipients="- {superior} (để báo cáo);\n- Lưu.",
        layout="ours",
        confidence="L",
        source="No official form: the outline of the provincial and district reports FORMS.md §3 read (L).",
    ),
]


def add_forms(apps, schema_editor):
    DocumentForm = apps.get_model("reports", "DocumentForm")
    for row in ROWS:
        row = dict(row)
        key = row.pop("key")
        DocumentForm.objects.get_or_create(
            key=key, valid_from=VALID_FROM, defaults={**row, "issuer_level": "above_grassroots"}
        )


def remove_forms(apps, schema_editor):
    DocumentForm = apps.get_model("reports", "DocumentForm")
    DocumentForm.objects.filter(key__in=[r["key"] for r in ROWS], valid_from=VALID_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_document_forms_seed")]

    operations = [migrations.RunPython(add_forms, remove_forms)]
