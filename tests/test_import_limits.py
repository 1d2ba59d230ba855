"""The import's limits are defined once (issue 12 point 4): IMPORT_MAX_BYTES and IMPORT_MAX_ROWS in the settings,
read through imports.reading.max_bytes() and max_rows() by the reader, the pipeline, the upload page and the
template workbook's instructions. Set to unusual values, every one of them says and applies the same."""

from __future__ import annotations

import io
import re

from django.test import override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from imports import pipeline, reading
from imports.models import ImportRun
from imports.template import INSTRUCTIONS_SHEET, template_workbook
from tests.test_view_imports import ImportTestCase, upload_file

MB = 1024 * 1024
LIMITS = {"IMPORT_MAX_BYTES": 3 * MB, "IMPORT_MAX_ROWS": 1234}
HEADER = "Họ và tên,Ngày sinh,Giới tính,Dân tộc,Số CCCD,Mã chi bộ,Ngày vào danh sách nguồn\n"


def people_csv(rows: int) -> bytes:
    line = "Trần Thị Hoa,08/03/1999,Nữ,Kinh,{:012d},C1.B1.01,10/01/2024\n"
    return (HEADER + "".join(line.format(79_100_000_0000 + i) for i in range(rows))).encode()


@override_settings(**LIMITS)
class ImportLimitsTestCase(ImportTestCase):
    def test_the_upload_page_names_the_limits_in_force(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(reverse("imports:upload"))
        self.assertContains(response, "3 MB")
        self.assertContains(response, "1.234")

    def test_the_template_instructions_name_the_limits_in_force(self) -> None:
        book = CalamineWorkbook.from_filelike(io.BytesIO(template_workbook()))
        rows = book.get_sheet_by_name(INSTRUCTIONS_SHEET).to_python(skip_empty_area=False)
        text = "\n".join(str(row[0]) for row in rows if row and row[0])
        self.assertRegex(text, re.escape("tối đa 3 MB và 1.234 dòng"))

    def test_the_reader_takes_the_rows_allowed_and_refuses_one_more(self) -> None:
        self.assertEqual(len(reading.read_workbook(people_csv(1234), "quan-chung.csv")[0].numbers), 1234)
        with self.assertRaisesRegex(reading.Unusable, "1.234"):
            reading.read_workbook(people_csv(1235), "quan-chung.csv")

    def test_the_reader_the_pipeline_and_the_upload_refuse_a_byte_over_the_size(self) -> None:
        short = people_csv(1)
        # The name padded with spaces (trimmed when read): one row of 3 MB and a byte.
        data = short.replace(b"Hoa", b"Hoa" + b" " * (3 * MB + 1 - len(short)))
        self.assertEqual(len(data), 3 * MB + 1)
        with self.assertRaisesRegex(reading.Unusable, "3 MB"):
            reading.read_workbook(data, "quan-chung.csv")
        run = pipeline.import_file(data, "quan-chung.csv", user=None, dry_run=True)
        self.assertEqual(run.status, ImportRun.Status.FAILED)
        self.assertIn("3 MB", run.message)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("imports:upload"), {"file": upload_file(data, "quan-chung.csv")})
        self.assertContains(response, "3 MB", status_code=400)
        self.assertEqual(ImportRun.objects.count(), 1)  # the pipeline's run only: the page stored nothing
        # One byte less is within the size (whatever else the reader finds wrong with such a file).
        try:
            reading.read_workbook(data[:-1], "quan-chung.csv")
        except reading.Unusable as exc:
            self.assertNotIn("MB", str(exc))
