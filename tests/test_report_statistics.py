"""The periodic report's statistics (issue 17 point 3): Biểu 2-BTCTW / 4-BTCTW, checked against counts made
here, person by person, over the people of the test (not through the code under test), and the files
(.xlsx opened with openpyxl, .docx with python-docx) against them."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import docx
import openpyxl
from django.test import SimpleTestCase

from organizations.models import Organization
from recruitment.models import Candidate, OccupationGroup, ProfessionalLevel, Stage
from reports import periodic_report, periods, statistics, statistics_xlsx
from reports.attainment import attainment
from reports.documents import build_report_template
from reports.models import Quota
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate

D = datetime.date
TODAY = D(2026, 11, 1)
NO_DATA = "Không có dữ liệu"


def admit(cell: Organization, day: datetime.date, **fields: Any) -> Candidate:
    shift = day - TIMELINE["admission_date"]
    timeline = {k: v + shift for k, v in TIMELINE.items()}
    stage = fields.pop("stage", Stage.PROBATION)
    return make_candidate(cell, stage, timeline=timeline, today=TODAY, **fields)


def people(cast: BaseTestCase) -> None:
    """Admissions in 2026 and 2025 (Q1 and Q3), in C1's subtree and outside it (C2)."""
    o = cast.orgs
    # 2026 Q1, C1's subtree
    admit(o["C1.B1.01"], D(2026, 1, 10), birth_date=D(2000, 1, 1), ethnicity="Tày", religion="Phật giáo")
    farmer = {"occupation_group": OccupationGroup.FARMER, "professional_level": ProfessionalLevel.UNIVERSITY}
    admit(o["C1.B1.01"], D(2026, 2, 10), gender="male", birth_date=D(1990, 6, 1), youth_union=False, education="9/12",
          **farmer)  # fmt: skip
    admit(o["C1.B1.02"], D(2026, 3, 31), ethnicity="", religion="", birth_date=D(1962, 1, 1),
          occupation_group=OccupationGroup.BUSINESS_OWNER, readmission=True, education="")  # fmt: skip
    admit(o["C1.B2"], D(2026, 2, 1), gender="male", ethnicity="Tày", birth_date=D(1995, 3, 3),
          occupation_group=OccupationGroup.STUDENT, education="7/12")  # fmt: skip
    # 2026 Q3
    admit(o["C1.B2"], D(2026, 8, 1), religion="Công giáo", occupation_group=OccupationGroup.WORKER)
    # 2025 Q1 (the same period of the year before): two
    admit(o["C1.B1.01"], D(2025, 1, 15), ethnicity="Tày")
    admit(o["C1.B2"], D(2025, 3, 1), gender="male", birth_date=D(1980, 1, 1))
    # outside C1: not counted for C1
    admit(o["C2.B1.01"], D(2026, 2, 2), ethnicity="Tày")
    # in the pipeline, not admitted
    make_candidate(o["C1.B1.01"], Stage.DOSSIER, today=TODAY)


def brute(org: Organization, start: datetime.date, end: datetime.date) -> list[Candidate]:
    """The admitted of the period, one by one: credited to org's subtree (no carried admission)."""
    return [
        c
        for c in Candidate.objects.select_related("organization")
        if c.organization.path.startswith(org.path)
        and c.admission_date is not None
        and start <= c.admission_date <= end
        and not c.admission_carried
    ]


def age(c: Candidate) -> int:
    a, b = c.admission_date, c.birth_date
    assert a is not None
    return a.year - b.year - ((a.month, a.day) < (b.month, b.day))


def rows_by_label(sheet: Any) -> dict[str, tuple[Any, ...]]:
    out = {}
    for row in sheet.iter_rows(values_only=True):
        if isinstance(row[0], str):
            label = row[0].strip()
            label = label.split(". ", 1)[1] if label[:3].rstrip(". ").isalnum() and ". " in label[:4] else label
            out[label.removesuffix(" (*)")] = row
    return out


class StatisticsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        people(self)
        self.c1 = self.org("C1")

    def stats(self, text: str, org: Organization | None = None, as_of: datetime.date | None = None) -> Any:
        org = org or self.c1
        period = periods.resolve(periods.parse(text), org, as_of=as_of, today=TODAY)
        return statistics.statistics(org, period, today=TODAY)

    def test_the_rows_equal_counts_made_person_by_person(self) -> None:
        st = self.stats("2026-Q1")
        now = brute(self.c1, D(2026, 1, 1), D(2026, 3, 31))
        before = brute(self.c1, D(2025, 1, 1), D(2025, 3, 31))
        lines = {line.label: line for line in st.form2()}
        checks = {
            "TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP": lambda c: True,
            "Trong đó: Nữ": lambda c: c.gender == "female",
            "Dân tộc thiểu số": lambda c: c.ethnicity not in ("", "Kinh"),
            "(chưa khai dân tộc)": lambda c: c.ethnicity == "",
            "Người có đạo (theo tôn giáo)": lambda c: c.religion not in ("", "Không"),
            "(chưa khai tôn giáo)": lambda c: c.religion == "",
            "Đoàn viên Đoàn TNCS Hồ Chí Minh": lambda c: c.youth_union,
            "Chủ doanh nghiệp tư nhân": lambda c: c.occupation_group == "business_owner",
            "Kết nạp lại": lambda c: c.readmission,
            "Nông, lâm, ngư nghiệp": lambda c: c.occupation_group == "farmer",
            "(học sinh, sinh viên: hai dòng trên cộng lại)": lambda c: c.occupation_group == "student",
            "(chưa khai nghề nghiệp)": lambda c: c.occupation_group == "",
            "Từ 18 đến 30 tuổi": lambda c: age(c) <= 30,
            "Từ 31 đến 35 tuổi": lambda c: 31 <= age(c) <= 35,
            "Từ 36 đến 40 tuổi": lambda c: 36 <= age(c) <= 40,
            "Từ 56 đến 60 tuổi": lambda c: 56 <= age(c) <= 60,
            "Trên 60 tuổi": lambda c: age(c) > 60,
            "Tiểu học": lambda c: c.education in ("5/12", "6/12", "7/12", "8/12"),
            "Trung học cơ sở": lambda c: c.education in ("9/12", "10/12", "11/12"),
            "Trung học phổ thông": lambda c: c.education == "12/12",
            "(chưa khai trình độ giáo dục phổ thông)": lambda c: c.education == "",
            "Đại học": lambda c: c.professional_level == "university",
            "(chưa khai chuyên môn, nghiệp vụ)": lambda c: c.professional_level == "",
        }
        for label, test in checks.items():
            with self.subTest(label):
                self.assertEqual(lines[label].now, sum(1 for c in now if test(c)))
                self.assertEqual(lines[label].before, sum(1 for c in before if test(c)))
        self.assertEqual(lines["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"].now, 4)
        self.assertEqual(lines["Trên 60 tuổi"].now, 1)  # born 1/1/1962, admitted 31/3/2026: 64
        average = (Decimal(sum(age(c) for c in now)) / len(now)).quantize(Decimal("0.1"))
        self.assertEqual(lines["Tuổi bình quân"].now, average)

    def test_the_ratio_is_this_period_times_100_over_the_year_before_and_blank_without_one(self) -> None:
        lines = {line.label: line for line in self.stats("2026-Q1").form2()}
        total = lines["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"]
        self.assertEqual((total.now, total.before), (4, 2))
        self.assertEqual(total.ratio, Decimal("200.00"))  # 4 × 100 / 2
        self.assertEqual(statistics.change(4, 2), Decimal("100.00"))  # 100% more
        self.assertEqual(statistics.ratio(3, 4), Decimal("75.00"))
        self.assertIsNone(lines["Kết nạp lại"].ratio)  # 1 now, none the year before: blank, not infinite
        self.assertEqual(lines["Kết nạp lại"].now, 1)

    def test_rows_the_app_cannot_tell_apart_have_no_data_rather_than_zero(self) -> None:
        lines = {line.label: line for line in self.stats("2026-Q1").form2()}
        for label in ("Quần chúng vi phạm chính sách KHHGĐ", "Sinh viên", "Học sinh", "Giáo sư", "+ Lãnh đạo, quản lý"):
            with self.subTest(label):
                self.assertTrue(lines[label].no_data)
                self.assertIsNone(lines[label].now)
        self.assertFalse(lines["Kết nạp lại"].no_data)

    def test_part_iii_counts_the_grassroots_organizations_and_those_that_admitted(self) -> None:
        lines = self.stats("2026-Q3").form2()
        at = next(i for i, line in enumerate(lines) if line.number == "III")
        part = [(line.label, line.now, line.before) for line in lines[at + 1 :]]
        # C1.B1 (đảng bộ cơ sở) admitted no one in Q3, C1.B2 (chi bộ cơ sở) admitted one on 1/8/2026
        self.assertEqual(
            part,
            [
                ("Đảng bộ cơ sở", 1, 1),
                ("Trong đó: có kết nạp đảng viên", 0, 0),
                ("Không còn quần chúng", None, None),
                ("Chi bộ cơ sở", 1, 1),
                ("Trong đó: có kết nạp đảng viên", 1, 0),
                ("Không còn quần chúng", None, None),
            ],
        )
        province = self.stats("2026-Q1", org=self.org("P")).form2()
        at = next(i for i, line in enumerate(province) if line.number == "III")
        self.assertEqual([line.now for line in province[at + 1 : at + 3]], [2, 2])  # C1.B1 and C2.B1 admitted

    def test_form_4_counts_each_ethnic_group_and_religion_with_the_women(self) -> None:
        lines = self.stats("2026-Q1").form4()
        by = {line.label: line for line in lines}
        now = brute(self.c1, D(2026, 1, 1), D(2026, 3, 31))
        tay = [c for c in now if c.ethnicity == "Tày"]
        self.assertEqual(by["Tày"].now, len(tay))
        self.assertEqual(by["Tày"].women, sum(1 for c in tay if c.gender == "female"))
        self.assertEqual(by["Tày"].share, Decimal("50.00"))  # 2 of 4
        self.assertEqual(by["Tày"].before, 1)
        self.assertEqual(by["(chưa khai dân tộc)"].now, 1)
        self.assertEqual(by["Phật giáo"].now, 1)
        self.assertEqual(by["Không theo tôn giáo"].now, 2)
        self.assertEqual(by["(chưa khai tôn giáo)"].now, 1)
        self.assertNotIn("Công giáo", by)  # admitted in Q3

    def test_a_term_to_date_counts_from_its_first_day_to_as_of(self) -> None:
        # Nothing recorded: 2025-2030 starts on 1 January 2025 (CONTRACT §4), 2020-2025 on 1 January 2020.
        st = self.stats("2025-2030", as_of=D(2026, 2, 28))
        self.assertEqual((st.period.start, st.period.end), (D(2025, 1, 1), D(2026, 2, 28)))
        self.assertEqual(st.total, len(brute(self.c1, D(2025, 1, 1), D(2026, 2, 28))))
        self.assertEqual(st.total, 5)
        # the previous term, over as many days from its first day (423 days)
        self.assertEqual((st.period.previous_start, st.period.previous_end), (D(2020, 1, 1), D(2021, 2, 27)))

    def test_the_workbook_holds_the_figures_and_the_frame(self) -> None:
        st = self.stats("2026-Q1")
        data = statistics_xlsx.workbook(st, compiler="Nguyễn Văn An", place="Dân Chủ", on=TODAY)
        book = openpyxl.load_workbook(io.BytesIO(data))
        sheet = book["2-BTCTW"]
        self.assertEqual(sheet["D1"].value, "Biểu số 2-BTCTW")
        self.assertEqual(sheet["A1"].value, "ĐẢNG ỦY XÃ DÂN CHỦ")
        self.assertEqual(sheet["A2"].value, "BAN XÂY DỰNG ĐẢNG")
        rows = rows_by_label(sheet)
        now = brute(self.c1, D(2026, 1, 1), D(2026, 3, 31))
        total = rows["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"]
        self.assertEqual(total[1:4], (len(now), 2, 200))
        women = rows["Trong đó: Nữ"]
        self.assertEqual(women[1], sum(1 for c in now if c.gender == "female"))
        self.assertEqual(rows["Kết nạp lại"][1:4], (1, 0, None))
        self.assertEqual(rows["Sinh viên"][1:4], (NO_DATA, NO_DATA, NO_DATA))
        average = sum(age(c) for c in now) / len(now)
        self.assertAlmostEqual(rows["Tuổi bình quân"][1], round(average, 1))
        cell = next(c for r in sheet.iter_rows() for c in r if c.value == "    Tuổi bình quân")
        self.assertEqual(sheet.cell(cell.row, 2).number_format, "#,##0.0")
        texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        self.assertIn("NGƯỜI LẬP BIỂU", texts)
        self.assertIn("TRƯỞNG BAN", texts)
        self.assertIn("Nguyễn Văn An", texts)
        self.assertIn("Dân Chủ, ngày 01 tháng 11 năm 2026", texts)
        four = book["4-BTCTW"]
        self.assertEqual(four["G1"].value, "Biểu số 4-BTCTW")
        tay = next(r for r in four.iter_rows(values_only=True) if r[1] == "Tày")
        self.assertEqual(tay[2:7], (2, 1, 50, 1, 200))

    def test_the_report_docx_fills_in_the_figures(self) -> None:
        Quota.objects.create(organization=self.c1, first_year=2026, last_year=2026, target=10)
        st = self.stats("2026-Q1")
        att = attainment(self.c1, st.period.period, as_of=st.period.end, today=TODAY)
        data = periodic_report.docx(st, att, on=TODAY)
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(p.text for p in document.paragraphs)
        cells = "\n".join(p.text for t in document.tables for cell in t._cells for p in cell.paragraphs)
        self.assertIn("BÁO CÁO", text)
        self.assertIn("quý I năm 2026", text)
        self.assertIn("kết nạp 4 đảng viên", text)
        self.assertIn("kết nạp 4 trên chỉ tiêu 10, đạt 40,00%", text)
        self.assertIn("40,00%", text)  # 4 of the year's target of 10, to 31/03/2026
        # 6 still needed over the 9 months after the quarter: 0,7 a month
        self.assertIn("Còn phải kết nạp 6: bình quân 0,7 mỗi tháng trong 9 tháng còn lại.", text)
        self.assertIn("ĐẢNG CỘNG SẢN VIỆT NAM", cells)
        self.assertIn("BAN XÂY DỰNG ĐẢNG", cells)
        self.assertIn("Dân Chủ, ngày 01 tháng 11 năm 2026", cells)
        # The head's name under TRƯỞNG BAN is left blank to be signed by hand (it printed the downloading
        # user before); the report's form has no NGƯỜI LẬP BIỂU, so no compiler is printed.
        self.assertIn("TRƯỞNG BAN", cells)
        self.assertIn("- Đảng bộ tỉnh Thử Nghiệm (để báo cáo);", cells)  # Nơi nhận: the level above, as named


class ReportTemplateTestCase(SimpleTestCase):
    def test_the_committed_template_is_what_the_script_writes(self) -> None:
        def texts(source: Any) -> list[str]:
            document = docx.Document(source)
            cells = [p.text for t in document.tables for cell in t._cells for p in cell.paragraphs]
            return [p.text for p in document.paragraphs] + cells

        self.assertEqual(texts(io.BytesIO(build_report_template.build())), texts(str(build_report_template.OUT)))
