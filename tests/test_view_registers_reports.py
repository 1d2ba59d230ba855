"""The 'Registers and reports' page of an organization and its downloads (issue 17 points 2, 3, 5)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import docx
import openpyxl
import time_machine
from django.utils import translation

from organizations import services as org_services
from organizations.models import Kind, Organization
from recruitment.models import (
    AccessKind,
    Candidate,
    PersonalDataAccess,
    PoliticalTheory,
    ProfessionalLevel,
    RemovalReason,
    Stage,
)
from reports import tally
from tests.base import BaseTestCase
from tests.people import add_member_introducers, make_candidate
from tests.test_report_statistics import TODAY, admit, brute, people, rows_by_label
from tests.test_transfers import TIMELINE_2026, TransferTestCase

D = datetime.date
NOW = datetime.datetime(2026, 11, 1, 10, 0, tzinfo=datetime.UTC)


def book(response: Any) -> Any:
    return openpyxl.load_workbook(io.BytesIO(response.content))


@time_machine.travel(NOW, tick=False)
class RegistersAndReportsPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        people(self)

    def test_it_shows_the_table_and_the_links_for_the_chosen_period(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/quotas/C1/reports/?period=2026-Q1")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Sổ sách và báo cáo")
        self.assertContains(r, "Quý I năm 2026: 01/01/2026 – 31/03/2026; cùng kỳ năm trước: 01/01/2025 – 31/03/2025.")
        self.assertContains(r, "/quotas/C1/reports/report.docx?period=2026-Q1")
        self.assertContains(r, "/quotas/C1/reports/statistics.xlsx?period=2026-Q1")
        self.assertContains(r, "/quotas/C1/reports/probation.xlsx?period=2026-Q1")
        self.assertContains(r, "/quotas/C1/reports/summary/print/?period=2026-Q1")
        self.assertContains(r, '<td class="num">4</td><td class="num">2</td><td class="num">200,00%</td>', html=False)
        self.assertContains(r, "Không có dữ liệu")

    def test_it_defaults_to_this_year(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/quotas/C1/reports/")
        self.assertEqual(r.context["period"].spec.kind, "year")
        self.assertEqual(r.context["stats"].total, len(brute(self.org("C1"), D(2026, 1, 1), D(2026, 12, 31))))

    def test_it_says_what_is_wrong_with_a_bad_period(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/quotas/C1/reports/?period=2026-Q5")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Ghi kỳ báo cáo là một quý (2026-Q3)")
        self.assertIsNone(r.context["period"])
        self.assertEqual(self.client.get("/quotas/C1/reports/statistics.xlsx?period=2026-Q5").status_code, 404)

    def test_it_is_not_found_outside_the_scope(self) -> None:
        self.client.force_login(self.charlie)
        for url in (
            "/quotas/C1/reports/",
            "/quotas/C1/reports/statistics.xlsx?period=2026",
            "/quotas/C1/reports/report.docx?period=2026",
            "/quotas/C1/reports/probation.xlsx?period=2026",
            "/quotas/C1/reports/summary/print/?period=2026",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(PersonalDataAccess.objects.exists())

    def test_it_requires_login_and_rejects_post(self) -> None:
        r = self.client.get("/quotas/C1/reports/")
        self.assertEqual(r.status_code, 302)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post("/quotas/C1/reports/").status_code, 405)
        self.assertEqual(self.client.post("/quotas/C1/reports/probation.xlsx?period=2026").status_code, 405)

    def test_an_unknown_register_is_not_found(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/quotas/C1/reports/members.xlsx?period=2026").status_code, 404)

    def test_the_page_reads_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        self.client.get("/quotas/P/reports/?period=2026")
        with self.assertNumQueries(23) as ctx:
            self.client.get("/quotas/P/reports/?period=2026")
        for code in ("C1.B1.02", "C2.B1.01"):
            for i in range(5):
                admit(self.orgs[code], D(2026, 4, 1 + i))
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.client.get("/quotas/P/reports/?period=2026")

    def test_the_statistics_total_equals_the_dashboards_admitted(self) -> None:
        self.client.force_login(self.bob)
        for query, dashboard in (
            ("period=2026", "year=2026"),
            ("period=2025", "year=2025"),
            ("period=2025-2030&as_of=2026-03-31", "term=2025-2030&as_of=2026-03-31"),
        ):
            with self.subTest(query):
                att = self.client.get(f"/?org=C1&{dashboard}").context["att"]
                r = self.client.get(f"/quotas/C1/reports/statistics.xlsx?{query}")
                total = rows_by_label(book(r)["2-BTCTW"])["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"][1]
                self.assertEqual(total, att.total.admitted)
                page = self.client.get(f"/quotas/C1/reports/?{query}")
                self.assertEqual(page.context["stats"].total, att.total.admitted)
                # The breakdowns the dashboard shows are the same people's.
                lines = {line.label: line.now for line in page.context["stats"].form2()}
                self.assertEqual(lines["Trong đó: Nữ"], att.total.figures.breakdown["women"])
                self.assertEqual(lines["Dân tộc thiểu số"], att.total.figures.breakdown["ethnic_minority"])
                self.assertEqual(lines["(chưa khai dân tộc)"], att.total.figures.not_stated["ethnicity_not_stated"])
                self.assertEqual(lines["Đoàn viên Đoàn TNCS Hồ Chí Minh"], att.total.figures.breakdown["youth_union"])
                self.assertEqual(lines["Từ 18 đến 30 tuổi"], att.total.figures.breakdown["young"])

    def test_a_transferred_admission_counts_where_it_was_made(self) -> None:
        # A record a transfer carried in (admission_carried) is not the receiving unit's admission.
        made = admit(self.orgs["C2.B1.01"], D(2026, 5, 5), stage=Stage.TRANSFERRED)
        carried = admit(self.orgs["C1.B2"], D(2026, 5, 5), national_id=made.national_id)
        Candidate.objects.filter(pk=carried.pk).update(admission_carried=True, previous=made)
        tally.rebuild()  # the update above went round the services that keep the tallies
        self.client.force_login(self.bob)
        att = self.client.get("/?org=C1&year=2026").context["att"]
        page = self.client.get("/quotas/C1/reports/?period=2026")
        self.assertEqual(page.context["stats"].total, att.total.admitted)
        self.assertEqual(page.context["stats"].total, 5)

    def test_the_report_docx_opens_with_the_figures(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/quotas/C1/reports/report.docx?period=2026-Q1")
        self.assertEqual(r.status_code, 200)
        self.assertIn("bao-cao-ket-nap-C1-2026-Q1.docx", r["Content-Disposition"])
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
        self.assertIn("kết nạp 4 đảng viên, tăng 100,00% so với cùng kỳ năm trước (2)", text)
        self.assertIn("Chưa có chỉ tiêu kết nạp cho năm 2026.", text)
        # people waiting in C1.B1.01, which admitted in Q1: no idle cell
        self.assertIn("Mọi chi bộ có quần chúng chờ kết nạp", text)
        self.assertFalse(PersonalDataAccess.objects.exists())  # aggregates only: not a personal-data access

    def test_the_report_and_the_workbook_are_vietnamese_whatever_the_users_language(self) -> None:
        self.client.force_login(self.bob)
        self.client.cookies["django_language"] = "en"
        r = self.client.get("/quotas/C1/reports/report.docx?period=2026-Q1")
        document = docx.Document(io.BytesIO(r.content))
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("kết nạp 4 đảng viên, tăng 100,00% so với cùng kỳ năm trước (2)", text)
        self.assertIn("Chưa có chỉ tiêu kết nạp cho năm 2026.", text)
        self.assertNotIn("admitted", text)
        sheet = book(self.client.get("/quotas/C1/reports/statistics.xlsx?period=2026-Q1"))["2-BTCTW"]
        values = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        self.assertIn("Không có dữ liệu", values)
        self.assertNotIn("No data", values)
        self.assertFalse([v for v in values if "year before" in v])

    def test_the_report_leaves_the_heads_name_blank_and_the_workbook_names_the_compiler(self) -> None:
        def signed() -> tuple[str, list[str]]:
            r = self.client.get("/quotas/C1/reports/report.docx?period=2026-Q1")
            document = docx.Document(io.BytesIO(r.content))
            cells = "\n".join(p.text for t in document.tables for cell in t._cells for p in cell.paragraphs)
            sheet = book(self.client.get("/quotas/C1/reports/statistics.xlsx?period=2026-Q1"))["2-BTCTW"]
            values = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
            return cells, values

        self.client.force_login(self.bob)  # no full name: a username is not a person's name
        cells, values = signed()
        self.assertIn("TRƯỞNG BAN", cells)
        self.assertNotIn("bob", cells)
        self.assertIn("NGƯỜI LẬP BIỂU", values)
        self.assertNotIn("bob", values)
        self.bob.first_name, self.bob.last_name = "Bình", "Trần Văn"
        self.bob.save()
        cells, values = signed()
        self.assertNotIn("Bình", cells)  # the head signs by hand; the report's form has no compiler
        self.assertIn("Bình", " ".join(values))  # under NGƯỜI LẬP BIỂU

    def test_the_report_names_the_cells_with_people_waiting_and_no_admission(self) -> None:
        make_candidate(self.orgs["C1.B1.02"], Stage.DOSSIER, today=TODAY)
        self.client.force_login(self.bob)
        r = self.client.get("/quotas/C1/reports/report.docx?period=2026-Q1")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
        # C1.B1.02 admitted on 31/03/2026, so it is not idle; its second waiting person changes nothing
        self.assertIn("Mọi chi bộ có quần chúng chờ kết nạp", text)
        make_candidate(self.orgs["C1.B2"], Stage.DOSSIER, today=TODAY)
        r = self.client.get("/quotas/C1/reports/report.docx?period=2025")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
        self.assertIn("chi bộ có quần chúng chờ kết nạp nhưng chưa kết nạp được ai từ đầu năm", text)
        self.assertIn("Chi bộ Tổ Khoa học xã hội", text)


@time_machine.travel(NOW, tick=False)
class RegistersTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        people(self)

    def test_the_probationary_register_lists_the_probation_of_the_period_in_ceremony_order(self) -> None:
        struck = admit(self.orgs["C1.B1.01"], D(2025, 12, 1), full_name="Đỗ Văn Xóa")
        Candidate.objects.filter(pk=struck.pk).update(
            stage=Stage.STRUCK_OFF, removal_date=D(2026, 6, 1), removal_reason=RemovalReason.STRUCK_OFF
        )
        admit(self.orgs["C1.B1.01"], D(2024, 1, 1), full_name="Vũ Văn Cũ", stage=Stage.OFFICIAL)  # before 2026
        self.client.force_login(self.dave)
        r = self.client.get("/quotas/C1/reports/probation.xlsx?period=2026")
        self.assertEqual(r.status_code, 200)
        sheet = book(r).active
        rows = [row for row in sheet.iter_rows(min_row=8, values_only=True) if row[0] and str(row[0]).isdigit()]
        c1 = self.org("C1")
        expected = sorted(
            (
                c
                for c in Candidate.objects.select_related("organization")
                if c.organization.path.startswith(c1.path)
                and c.admission_date
                and c.admission_date <= D(2026, 12, 31)
                and (c.probation_end is None or c.probation_end >= D(2026, 1, 1) or c.stage == Stage.PROBATION)
            ),
            key=lambda c: (c.admission_date, c.sort_name, c.pk),
        )
        self.assertEqual([row[1] for row in rows], [c.full_name for c in expected])
        self.assertEqual([row[0] for row in rows], [str(i) for i in range(1, len(expected) + 1)])
        struck_row = next(row for row in rows if row[1] == "Đỗ Văn Xóa")
        self.assertIn("Bị xóa tên ngày 01/06/2026", struck_row[9])
        self.assertEqual(struck_row[8], "01/12/2025")
        self.assertTrue(all(row[3] is None for row in rows))  # số lý lịch: not held, blank
        self.assertNotIn("Vũ Văn Cũ", [row[1] for row in rows])
        log = PersonalDataAccess.objects.get()
        self.assertEqual(
            (log.kind, log.organization, log.rows, log.user), (AccessKind.EXPORT, c1, len(rows), self.dave)
        )
        self.assertIn("register=so-dang-vien-du-bi", log.filters)

    def test_the_summary_list_has_the_people_on_the_lists_in_the_period(self) -> None:
        waiting = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS, today=TODAY, full_name="Hoàng Thị Chờ",
                                 home_town="Xã Dân Chủ", residence="Thôn 3", ethnicity="")  # fmt: skip
        self.client.force_login(self.bob)  # a viewer may download it, as the people list's export
        r = self.client.get("/quotas/C1/reports/summary.xlsx?period=2026")
        self.assertEqual(r.status_code, 200)
        sheet = book(r).active
        listed = [row for row in sheet.iter_rows(min_row=8, values_only=True) if row[0] and str(row[0]).isdigit()]
        rows = {row[1]: row for row in listed}
        row = rows["Hoàng Thị Chờ"]
        self.assertEqual(row[6:8], ("Xã Dân Chủ", "Thôn 3"))
        self.assertIsNone(row[4])  # ethnic group not stated: blank, not a default
        self.assertEqual(row[3], "Nữ")
        self.assertEqual(row[13], waiting.awareness_cert_date.strftime("%d/%m/%Y"))  # type: ignore[union-attr]
        # admitted in 2026: on the list when the year began; admitted in 2025: not
        names = set(rows)
        self.assertIn("Nguyễn Thị Lan", names)
        admitted_2025 = {c.pk for c in brute(self.org("C1"), D(2025, 1, 1), D(2025, 12, 31))}
        self.assertEqual(len(listed), Candidate.objects.filter(organization__path__startswith=self.org("C1").path)
                         .exclude(pk__in=admitted_2025).count())  # fmt: skip
        self.assertEqual(PersonalDataAccess.objects.get().user, self.bob)

    def test_the_summary_list_is_vietnamese_whatever_the_users_language(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS, today=TODAY, full_name="Hoàng Thị Chờ",
                       professional_level=ProfessionalLevel.UNIVERSITY,
                       political_theory=PoliticalTheory.ELEMENTARY)  # fmt: skip
        self.client.force_login(self.bob)
        self.client.cookies["django_language"] = "en"
        row = {
            r[1]: r
            for r in book(self.client.get("/quotas/C1/reports/summary.xlsx?period=2026")).active.iter_rows(
                values_only=True
            )
        }["Hoàng Thị Chờ"]
        with translation.override("vi"):
            expected = (
                str(ProfessionalLevel.UNIVERSITY.label),
                str(PoliticalTheory.ELEMENTARY.label),
                str(Stage.AWARENESS.label),
            )
        self.assertEqual((row[9], row[10], row[16]), expected)
        self.assertNotEqual(expected[0], "University")  # the catalogue has them
        page = self.client.get("/quotas/C1/reports/summary/print/?period=2026")
        for label in expected:
            self.assertContains(page, label)
        with translation.override("vi"):
            vietnamese = str(page.context["period"].label)
        self.assertContains(page, vietnamese)  # the register's frame too
        page = self.client.get("/quotas/C1/reports/probation/print/?period=2026")
        self.assertContains(page, "* Cột của phần mềm")

    def test_the_print_view_is_a4_landscape_and_logged(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get("/quotas/C1/reports/probation/print/?period=2026")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "SỔ THEO DÕI ĐẢNG VIÊN DỰ BỊ")
        self.assertContains(r, "css/register-print.css")
        self.assertContains(r, "Ngày chi bộ tổ chức lễ kết nạp")
        self.assertIn("print", PersonalDataAccess.objects.get().filters)


@time_machine.travel(NOW, tick=False)
class EndedUnitTestCase(BaseTestCase):
    """A district dissolved mid-2025, its units moved to the province the day after: the statistics and the
    registers of 2025 follow its tree as it stood on its last day, as the dashboard does."""

    def setUp(self) -> None:
        super().setUp()
        p = self.org("P")
        district = org_services.organization_create(parent=p, code="D", name="Huyện cũ", kind=Kind.DISTRICT)
        base = org_services.organization_create(
            parent=district, code="D.X", name="Đảng bộ xã cũ", kind=Kind.BASE_COMMITTEE
        )
        cell = org_services.organization_create(parent=base, code="D.X.01", name="Chi bộ thôn", kind=Kind.BRANCH)
        own = org_services.organization_create(
            parent=district, code="D.Y", name="Chi bộ cơ sở cũ", kind=Kind.BASE_BRANCH
        )
        admit(cell, D(2025, 3, 1), full_name="Lê Văn Một")
        admit(own, D(2025, 4, 1), full_name="Lê Văn Hai")
        admit(cell, D(2026, 3, 1), full_name="Lê Văn Sau")  # after the district ended: not its admission
        self.waiting = make_candidate(cell, Stage.DOSSIER, today=D(2025, 5, 1), full_name="Lê Thị Chờ")
        for code in ("D.X", "D.Y"):
            org_services.organization_move(
                org=Organization.objects.get(code=code), new_parent=p, effective_date=D(2025, 7, 1)
            )
        org_services.organization_dissolve(org=Organization.objects.get(code="D"), effective_date=D(2025, 6, 30))
        self.client.force_login(self.alice)

    def test_the_statistics_equal_the_dashboard_for_the_ended_unit(self) -> None:
        att = self.client.get("/?org=D&year=2025").context["att"]
        self.assertEqual(att.total.admitted, 2)
        r = self.client.get("/quotas/D/reports/statistics.xlsx?period=2025")
        sheet = rows_by_label(book(r)["2-BTCTW"])
        self.assertEqual(sheet["TỔNG SỐ ĐẢNG VIÊN MỚI KẾT NẠP"][1], att.total.admitted)
        stats = self.client.get("/quotas/D/reports/?period=2025").context["stats"]
        self.assertEqual(stats.total, att.total.admitted)
        # Part III: its grassroots organizations on its last day, both of which admitted.
        self.assertEqual(
            stats.now.units,
            {
                "units:base_committee": 1,
                "admitting:base_committee": 1,
                "units:base_branch": 1,
                "admitting:base_branch": 1,
            },
        )

    def test_the_registers_list_the_ended_units_people(self) -> None:
        r = self.client.get("/quotas/D/reports/probation.xlsx?period=2025")
        names = [row[1] for row in book(r).active.iter_rows(min_row=8, values_only=True) if str(row[0]).isdigit()]
        self.assertEqual(names, ["Lê Văn Một", "Lê Văn Hai"])
        r = self.client.get("/quotas/D/reports/summary.xlsx?period=2025")
        names = [row[1] for row in book(r).active.iter_rows(min_row=8, values_only=True) if str(row[0]).isdigit()]
        self.assertEqual(sorted(names), sorted(["Lê Văn Một", "Lê Văn Hai", "Lê Thị Chờ"]))


@time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
class TransferredOnceTestCase(TransferTestCase):
    """A person transferred from a cell of C1 to a cell of C2 has two records (the one left "Chuyển sinh hoạt
    đi" and the receiving one): listed once where both cells are in the subtree (P), each side on its own."""

    def names(self, kind: str, code: str) -> list[str]:
        r = self.client.get(f"/quotas/{code}/reports/{kind}.xlsx?period=2026")
        return [row[1] for row in book(r).active.iter_rows(min_row=8, values_only=True) if str(row[0]).isdigit()]

    def test_the_summary_list_lists_a_person_transferred_within_the_subtree_once(self) -> None:
        c = make_candidate(self.a, Stage.DOSSIER, timeline=TIMELINE_2026, full_name="Phan Văn Chuyển")
        add_member_introducers(c)
        self.register(self.send(c))
        self.client.force_login(self.alice)
        self.assertEqual(self.names("summary", "P").count("Phan Văn Chuyển"), 1)
        self.assertEqual(self.names("summary", "C1").count("Phan Văn Chuyển"), 1)  # the record left behind
        self.assertEqual(self.names("summary", "C2").count("Phan Văn Chuyển"), 1)  # the receiving one

    def test_the_probationary_register_lists_a_member_transferred_within_the_subtree_once(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION, timeline={"admission_date": D(2026, 1, 9)},
                           decision_date=D(2025, 12, 22), branch_vote_date=D(2025, 11, 5),
                           committee_review_date=D(2025, 11, 20), full_name="Phan Văn Chuyển")  # fmt: skip
        add_member_introducers(c)
        self.register(self.send(c))
        self.client.force_login(self.alice)
        r = self.client.get("/quotas/P/reports/probation.xlsx?period=2026")
        rows = [row for row in book(r).active.iter_rows(min_row=8, values_only=True) if row[1] == "Phan Văn Chuyển"]
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][5], self.b.name)  # the receiving record, its ceremony carried
        self.assertEqual(rows[0][8], "09/01/2026")
        self.assertEqual(self.names("probation", "C1").count("Phan Văn Chuyển"), 1)
        self.assertEqual(self.names("probation", "C2").count("Phan Văn Chuyển"), 1)

    def test_a_register_of_a_period_before_the_transfer_names_the_cell_of_then(self) -> None:
        # Found by a review: the receiving record (its cell) replaced the sending one in every period, even one
        # that ended before the transfer was registered (08/10/2026).
        c = make_candidate(self.a, Stage.PROBATION, timeline={"admission_date": D(2026, 1, 9)},
                           decision_date=D(2025, 12, 22), branch_vote_date=D(2025, 11, 5),
                           committee_review_date=D(2025, 11, 20), full_name="Phan Văn Chuyển")  # fmt: skip
        add_member_introducers(c)
        self.register(self.send(c))
        self.client.force_login(self.alice)
        r = self.client.get("/quotas/P/reports/probation.xlsx?period=2026-Q1")
        rows = [row for row in book(r).active.iter_rows(min_row=8, values_only=True) if row[1] == "Phan Văn Chuyển"]
        self.assertEqual([row[5] for row in rows], [self.a.name])
