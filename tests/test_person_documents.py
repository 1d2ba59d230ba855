"""A person's documents (issue 17 point 1 and the person-page half of point 5): each .docx opened with python-docx
and read against the database; who may download them; the access log; the section of the person's page."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

import docx
import time_machine
from django.test import override_settings

from organizations import access as org_access
from organizations import services as org_services
from recruitment import records, rules
from recruitment.models import AccessKind, Candidate, Introducer, PersonalDataAccess, Stage
from reports.documents import dossier, layout
from reports.documents.render import DOCX_CONTENT_TYPE
from tests.base import BaseTestCase
from tests.people import add_member_introducers, make_candidate
from tests.test_transfers import TransferTestCase

NOW = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)
D = datetime.date


def read(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The body's paragraphs, and each table as rows of cell texts."""
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def _text(data: bytes) -> str:
    """All the document's text, its tables' included."""
    paragraphs, tables = read(data)
    return "\n".join([*paragraphs, *(cell for table in tables for row in table for cell in row)])


def heading_cells(data: bytes) -> tuple[list[str], list[str]]:
    """The left and right columns of the heading, line by line."""
    table = docx.Document(io.BytesIO(data)).tables[0]
    left, right = table.rows[0].cells
    return [p.text for p in left.paragraphs], [p.text for p in right.paragraphs if p.text]


def closing_cells(data: bytes) -> tuple[list[str], list[str]]:
    table = docx.Document(io.BytesIO(data)).tables[-1]
    left, right = table.rows[0].cells
    return [p.text for p in left.paragraphs if p.text], [p.text for p in right.paragraphs if p.text]


@time_machine.travel(NOW)
class DocumentsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(
            self.orgs["C1.B1.01"],
            Stage.OFFICIAL,
            full_name="Nguyễn Thị Lan",
            home_town="xã Sơn Vi, tỉnh Phú Thọ",
            professional_level="university",
            residence="",  # not stated: a dotted blank, never a guess
        )
        self.client.force_login(self.dave)

    def get(self, key: str, c: Candidate | None = None) -> bytes:
        response = self.client.get(f"/candidates/{(c or self.c).pk}/documents/{key}.docx")
        self.assertEqual(response.status_code, 200, key)
        self.assertEqual(response["Content-Type"], DOCX_CONTENT_TYPE)
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertIn("filename*=UTF-8''", response["Content-Disposition"])
        return response.content

    def test_a_full_member_is_offered_every_document_done(self) -> None:
        offers = dossier.offered(self.c)
        self.assertEqual(
            [o.document.key for o in offers],
            [
                "branch_admission_resolution",
                "committee_admission_resolution",
                "admission_decision",
                "ceremony_record",
                "branch_recognition_resolution",
                "committee_recognition_resolution",
                "recognition_decision",
                "dossier_checklist",
            ],
        )
        self.assertFalse(any(o.draft for o in offers))

    def test_every_offered_document_opens_with_the_partys_heading_and_signature(self) -> None:
        for offer in dossier.offered(self.c):
            with self.subTest(offer.document.key):
                data = self.get(offer.document.key)
                left, right = heading_cells(data)
                self.assertEqual(right[0], "ĐẢNG CỘNG SẢN VIỆT NAM")
                self.assertTrue(right[1].startswith("Dân Chủ, ngày "))
                self.assertEqual(left[2], "*")
                _, signature = closing_cells(data)
                self.assertIn(signature[0], ("T/M CHI BỘ", "T/M ĐẢNG ỦY", "T/M BAN THƯỜNG VỤ", "CHỦ TRÌ"))

    def test_the_cells_resolution_carries_the_record(self) -> None:
        data = self.get("branch_admission_resolution")
        paragraphs, _ = read(data)
        text = "\n".join(paragraphs)
        left, right = heading_cells(data)
        self.assertEqual(left, ["ĐẢNG BỘ TRƯỜNG THCS DÂN CHỦ", "CHI BỘ TỔ KHOA HỌC TỰ NHIÊN", "*", "Số 12-NQ/CB"])
        self.assertEqual(right, ["ĐẢNG CỘNG SẢN VIỆT NAM", "Dân Chủ, ngày 05 tháng 07 năm 2023"])
        self.assertEqual(paragraphs[0], "Mẫu 6-KNĐ")
        self.assertIn("NGHỊ QUYẾT", paragraphs)
        self.assertIn("đề nghị kết nạp đảng viên", paragraphs)
        self.assertIn("Căn cứ Điều 4, Điều lệ Đảng Cộng sản Việt Nam;", paragraphs)
        # The cell voted in 2023: the regulation then in force.
        self.assertIn("Quy định số 24-QĐ/TW", text)
        self.assertIn(
            "Ngày 05/07/2023, Chi bộ Tổ Khoa học tự nhiên đã họp để xét, đề nghị kết nạp quần chúng Nguyễn Thị Lan",
            text,
        )
        self.assertIn("Họ và tên: Nguyễn Thị Lan; giới tính: Nữ; sinh ngày 20/05/1998.", paragraphs)
        self.assertIn("Quê quán: xã Sơn Vi, tỉnh Phú Thọ.", paragraphs)
        self.assertIn("Nơi cư trú: …………….", paragraphs)
        self.assertIn("chuyên môn, nghiệp vụ Đại học", text)
        for introducer in self.c.introducers.all():
            self.assertIn(introducer.name, text)
        self.assertIn("tán thành việc kết nạp: 8/9 đồng chí (đạt 88,89%", text)
        self.assertIn("Đề nghị Đảng ủy Trường THCS Dân Chủ xem xét, đề nghị Đảng ủy xã Dân Chủ quyết định", text)
        recipients, signature = closing_cells(data)
        self.assertEqual(recipients[0], "Nơi nhận:")
        self.assertIn("- Đảng ủy Trường THCS Dân Chủ (để báo cáo);", recipients)
        self.assertEqual(signature, ["T/M CHI BỘ", "BÍ THƯ"])

    def test_the_grassroots_committees_resolution_is_the_committees(self) -> None:
        data = self.get("committee_admission_resolution")
        left, right = heading_cells(data)
        self.assertEqual(left, ["ĐẢNG BỘ XÃ DÂN CHỦ", "ĐẢNG ỦY TRƯỜNG THCS DÂN CHỦ", "*", "Số 34-NQ/ĐU"])
        self.assertEqual(right[1], "Dân Chủ, ngày 20 tháng 07 năm 2023")
        text = "\n".join(read(data)[0])
        self.assertIn("Mẫu 8-KNĐ", text)
        self.assertIn("7/7 cấp ủy viên tán thành (đạt 100,00%)", text)
        self.assertIn("Nghị quyết số 12-NQ/CB, ngày 05/07/2023 của Chi bộ Tổ Khoa học tự nhiên", text)
        self.assertEqual(closing_cells(data)[1], ["T/M ĐẢNG ỦY", "BÍ THƯ"])

    def test_the_admission_decision_is_the_competent_committees(self) -> None:
        data = self.get("admission_decision")
        paragraphs, _ = read(data)
        text = "\n".join(paragraphs)
        left, right = heading_cells(data)
        self.assertEqual(left, ["ĐẢNG BỘ TỈNH THỬ NGHIỆM", "ĐẢNG ỦY XÃ DÂN CHỦ", "*", "Số 56-QĐ/ĐU"])
        self.assertEqual(right[1], "Dân Chủ, ngày 15 tháng 08 năm 2023")
        self.assertEqual(paragraphs[0], "Mẫu 9-KNĐ")
        self.assertIn("QUYẾT ĐỊNH", paragraphs)
        self.assertIn("BAN THƯỜNG VỤ ĐẢNG ỦY XÃ DÂN CHỦ QUYẾT ĐỊNH", paragraphs)
        self.assertIn("Điều 1. Kết nạp quần chúng Nguyễn Thị Lan, sinh ngày 20/05/1998", text)
        self.assertIn("và Nghị quyết số 34-NQ/ĐU, ngày 20/07/2023 của Đảng ủy Trường THCS Dân Chủ", text)
        recipients, signature = closing_cells(data)
        self.assertEqual(signature, ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"])
        self.assertIn("- Đồng chí Nguyễn Thị Lan;", recipients)

    def test_the_ceremony_record_follows_the_order_of_the_ceremony(self) -> None:
        data = self.get("ceremony_record")
        text = "\n".join(read(data)[0])
        self.assertIn("ngày 05/09/2023", text)
        self.assertIn("theo Quyết định số 56-QĐ/ĐU, ngày 15/08/2023 của Đảng ủy xã Dân Chủ", text)
        self.assertIn("4. Đảng viên mới Nguyễn Thị Lan đọc lời tuyên thệ.", text)
        self.assertEqual(heading_cells(data)[0][3], "Số     -BB/CB")
        secretary, chair = closing_cells(data)
        self.assertEqual((secretary[0], chair[0]), ("THƯ KÝ", "CHỦ TRÌ"))

    def test_the_recognition_documents_carry_the_vote_and_the_day_of_full_membership(self) -> None:
        text = "\n".join(read(self.get("branch_recognition_resolution"))[0])
        self.assertIn("Mẫu 13-KNĐ", text)
        self.assertIn("Căn cứ Điều 5, Điều lệ Đảng Cộng sản Việt Nam;", text)
        self.assertIn("9/9 đồng chí (đạt 100,00%)", text)
        self.assertIn(f"kể từ ngày {self.c.official_date:%d/%m/%Y}", text)
        decision = self.get("recognition_decision")
        self.assertEqual(heading_cells(decision)[0][3], "Số 78-QĐ/ĐU")
        self.assertEqual(heading_cells(decision)[1][1], "Dân Chủ, ngày 25 tháng 09 năm 2024")
        self.assertIn("Mẫu 16-KNĐ", read(decision)[0])
        committee = self.get("committee_recognition_resolution")
        # The committee's own meeting is not recorded: its day and number are left to fill by hand.
        self.assertEqual(heading_cells(committee)[0][3], "Số     -NQ/ĐU")
        self.assertEqual(heading_cells(committee)[1][1], "Dân Chủ, ngày     tháng     năm ……………")

    def test_a_base_cell_sends_its_resolution_straight_to_the_commune(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.DECIDED, full_name="Đỗ Văn Nam")
        keys = [o.document.key for o in dossier.offered(c)]
        self.assertNotIn("committee_admission_resolution", keys)
        self.assertEqual(
            keys, ["branch_admission_resolution", "admission_decision", "ceremony_record", "dossier_checklist"]
        )
        self.assertTrue(dossier.offer_for(c, "ceremony_record").draft)  # type: ignore[union-attr]
        text = "\n".join(read(self.get("branch_admission_resolution", c))[0])
        self.assertIn("Đề nghị Đảng ủy xã Dân Chủ xem xét, quyết định kết nạp quần chúng Đỗ Văn Nam", text)
        left, _ = heading_cells(self.get("admission_decision", c))
        self.assertEqual(left[:2], ["ĐẢNG BỘ TỈNH THỬ NGHIỆM", "ĐẢNG ỦY XÃ DÂN CHỦ"])
        self.assertEqual(
            self.client.get(f"/candidates/{c.pk}/documents/committee_admission_resolution.docx").status_code, 404
        )

    def test_the_next_steps_document_is_a_draft_with_blanks(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER, full_name="Vũ Thị Hằng")
        offers = dossier.offered(c)
        self.assertEqual(
            [(o.document.key, o.draft) for o in offers],
            [("branch_admission_resolution", True), ("dossier_checklist", False)],
        )
        data = self.get("branch_admission_resolution", c)
        left, right = heading_cells(data)
        self.assertEqual(left[3], "Số     -NQ/CB")
        self.assertEqual(right[1], "Dân Chủ, ngày     tháng     năm ……………")
        self.assertIn("tán thành việc kết nạp: ……………/…………… đồng chí", "\n".join(read(data)[0]))
        # Two steps ahead rests on acts not yet taken: not offered.
        self.assertEqual(self.client.get(f"/candidates/{c.pk}/documents/admission_decision.docx").status_code, 404)

    def test_an_ended_record_keeps_its_documents_and_gets_no_draft(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.NOT_ADMITTED)
        self.assertEqual(
            [(o.document.key, o.draft) for o in dossier.offered(c)],
            [("branch_admission_resolution", False), ("dossier_checklist", False)],
        )

    def test_the_checklist_shows_what_is_on_record_and_what_is_missing_as_records_says(self) -> None:
        c = make_candidate(
            self.orgs["C1.B1.01"], Stage.DECIDED, full_name="Mai Văn Tú", application_date=None, verification_date=None
        )
        introducers = list(c.introducers.all())
        missing = {n.field for n in records.missing(c, introducers=len(introducers))}
        self.assertTrue({"application_date", "verification_date"} <= missing)
        _, tables = read(self.get("dossier_checklist", c))
        rows = {row[1]: row for row in tables[1][1:] if row[0]}
        shown_missing = {label for label, row in rows.items() if row[4] == "THIẾU"}
        expected = {
            item.label for _group, items in dossier._GROUPS for item in items if any(f in missing for f in item.fields)
        }
        self.assertEqual(shown_missing, expected)
        self.assertEqual(rows["Đơn xin vào Đảng"][4], "THIẾU")
        self.assertEqual(rows["Các văn bản thẩm tra lý lịch"][4], "THIẾU")
        self.assertEqual(rows["Nghị quyết của chi bộ đề nghị kết nạp"][3:], ["Số 12-NQ/CB, ngày 05/07/2023", "Có"])
        self.assertEqual(
            rows["Quyết định kết nạp của cấp ủy có thẩm quyền"][3:], ["Số 56-QĐ/ĐU, ngày 15/08/2023", "Có"]
        )
        self.assertEqual(rows["Quyết định công nhận đảng viên chính thức"][4], "Chưa có")
        self.assertEqual(rows["Lý lịch đảng viên, phiếu đảng viên"][4], "Không theo dõi trên hệ thống")
        # Every field records.missing names and the checklist covers is shown missing.
        self.assertTrue(missing & set(dossier.checklist_fields()))

    def test_a_base_cells_checklist_needs_no_committee_resolution(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.PROBATION, full_name="Đỗ Văn Nam")
        _, tables = read(self.get("dossier_checklist", c))
        rows = {row[1]: row for row in tables[1][1:] if row[0]}
        self.assertEqual(rows["Nghị quyết của đảng ủy cơ sở đề nghị kết nạp"][3:], ["", "Không áp dụng"])
        self.assertNotIn("THIẾU", [row[4] for row in rows.values()])

    def test_the_checklist_asks_for_the_provincial_consent_the_rules_require(self) -> None:
        # Over 60 at the cell's vote: the rules (consent_grounds) require the consent; blank is missing, not
        # "not applicable" (a second rule of the checklist's said so).
        consent = "Văn bản đồng ý của Ban Thường vụ Tỉnh ủy (nếu có)"
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED, full_name="Lê Văn Cả", birth_date=D(1955, 1, 1))
        self.assertIn(
            "provincial_consent_no", {p.field for p in rules.check_record(c, rules.Context.load(D(2026, 12, 5)))}
        )
        rows = {row[1]: row for row in read(self.get("dossier_checklist", c))[1][1][1:] if row[0]}
        self.assertEqual(rows[consent][3:], ["", "THIẾU"])
        c.provincial_consent_no, c.provincial_consent_date = "7-CV/TU", D(2023, 8, 1)
        c.save()
        rows = {row[1]: row for row in read(self.get("dossier_checklist", c))[1][1][1:] if row[0]}
        self.assertEqual(rows[consent][3:], ["Số 7-CV/TU, ngày 01/08/2023", "Có"])
        # Young and no consent: not applicable, as before.
        rows = {row[1]: row for row in read(self.get("dossier_checklist"))[1][1][1:] if row[0]}
        self.assertEqual(rows[consent][3:], ["", "Không áp dụng"])

    def test_a_template_in_the_override_directory_is_used_for_the_download(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            doc = layout.new_document()
            layout.paragraph(doc, "MẪU CỦA TỈNH: {{ name }}, {{ number }}")
            doc.save(str(Path(tmp) / "admission_decision.docx"))
            with override_settings(DOCUMENT_TEMPLATES_DIR=tmp):
                paragraphs, _ = read(self.get("admission_decision"))
        self.assertEqual(paragraphs[-1], "MẪU CỦA TỈNH: Nguyễn Thị Lan, Số 56-QĐ/ĐU")


@time_machine.travel(NOW)
class DocumentAccessTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED, full_name="Phan Văn Long")
        self.url = f"/candidates/{self.c.pk}/documents/admission_decision.docx"

    def test_staff_of_the_unit_download_and_the_access_is_logged(self) -> None:
        self.client.force_login(self.dave)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], DOCX_CONTENT_TYPE)
        access = PersonalDataAccess.objects.get(kind=AccessKind.DOCUMENT)
        self.assertEqual(
            (access.user, access.candidate, access.organization), (self.dave, self.c, self.orgs["C1.B1.01"])
        )
        self.assertEqual(access.filters, "Quyết định kết nạp đảng viên - Phan Văn Long.docx")

    def test_an_admin_above_downloads(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_a_viewer_may_not_download_personal_documents(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertFalse(PersonalDataAccess.objects.filter(kind=AccessKind.DOCUMENT).exists())

    def test_outside_the_scope_is_404(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertFalse(PersonalDataAccess.objects.filter(kind=AccessKind.DOCUMENT).exists())

    def test_an_unknown_document_is_404(self) -> None:
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(f"/candidates/{self.c.pk}/documents/nothing.docx").status_code, 404)

    def test_it_requires_sign_in(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_it_rejects_post(self) -> None:
        self.client.force_login(self.dave)
        self.assertEqual(self.client.post(self.url).status_code, 405)


@time_machine.travel(NOW)
class PersonPageDocumentsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED, full_name="Phan Văn Long")

    def test_staff_see_the_documents_to_download(self) -> None:
        self.client.force_login(self.dave)
        response = self.client.get(f"/candidates/{self.c.pk}/")
        self.assertContains(response, 'id="person-documents-h"')
        for key in (
            "branch_admission_resolution",
            "committee_admission_resolution",
            "admission_decision",
            "ceremony_record",
            "dossier_checklist",
        ):
            self.assertContains(response, f'href="/candidates/{self.c.pk}/documents/{key}.docx"')
        self.assertNotContains(response, "recognition_decision.docx")

    def test_a_viewer_sees_no_download(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(f"/candidates/{self.c.pk}/")
        self.assertContains(response, 'id="person-documents-h"')
        self.assertNotContains(response, "/documents/")


class TransferredDocumentsTestCase(TransferTestCase):
    """A transfer copies every act's date and number onto the receiver's record: the acts before it were the
    sending cell's and its committees', and their documents name those bodies, not the receiver's."""

    def test_the_acts_before_the_transfer_are_issued_by_the_sending_cell_and_its_committees(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION, timeline={"admission_date": D(2026, 1, 9)},
                           decision_date=D(2025, 12, 22), branch_vote_date=D(2025, 11, 5),
                           committee_review_date=D(2025, 11, 20))  # fmt: skip
        add_member_introducers(c)
        new = self.register(self.send(c))
        self.assertEqual(new.previous_id, c.pk)
        introducers = list(new.introducers.all())
        for key in ("branch_admission_resolution", "committee_admission_resolution", "admission_decision"):
            original = dossier.context(Candidate.objects.get(pk=c.pk), key, introducers=introducers)
            copy = dossier.context(new, key, introducers=introducers)
            self.assertEqual(
                {k: copy[k] for k in ("issuer", "superior", "cell", "grassroots", "competent", "number")},
                {k: original[k] for k in ("issuer", "superior", "cell", "grassroots", "competent", "number")},
                key,
            )
        decision = dossier.context(new, "admission_decision", introducers=introducers)
        self.assertEqual(decision["issuer"], "ĐẢNG ỦY XÃ DÂN CHỦ")
        self.assertEqual(decision["cell"], self.a.name)
        # The next step's draft is the receiving cell's.
        draft = dossier.context(new, "branch_recognition_resolution", introducers=introducers)
        self.assertEqual((draft["issuer"], draft["cell"]), (self.b.name.upper(), self.b.name))

    def test_a_reader_outside_the_sending_cell_gets_none_of_its_documents(self) -> None:
        # Found by a review: the copied acts' documents printed the sending cell and its committees to the
        # receiving cell's staff, whose scope does not reach them (the person's page names no such record).
        c = make_candidate(self.a, Stage.PROBATION, timeline={"admission_date": D(2026, 1, 9)},
                           decision_date=D(2025, 12, 22), branch_vote_date=D(2025, 11, 5),
                           committee_review_date=D(2025, 11, 20))  # fmt: skip
        add_member_introducers(c)
        new = self.register(self.send(c))
        self.assertFalse(org_access.can_read(self.charlie, self.a))
        self.client.force_login(self.charlie)
        for key in ("branch_admission_resolution", "admission_decision", "ceremony_record"):
            with self.subTest(key=key):
                r = self.client.get(f"/candidates/{new.pk}/documents/{key}.docx")
                self.assertEqual(r.status_code, 404)
                self.assertNotIn(self.a.name.encode(), r.content)
        # The receiving cell's own next step is theirs, and names nothing of the sender.
        r = self.client.get(f"/candidates/{new.pk}/documents/branch_recognition_resolution.docx")
        self.assertEqual(r.status_code, 200)
        self.assertNotIn(self.a.name.upper(), _text(r.content).upper())
        # A reader of both sees the sender's documents, naming the sender.
        self.client.force_login(self.alice)
        r = self.client.get(f"/candidates/{new.pk}/documents/admission_decision.docx")
        self.assertEqual(r.status_code, 200)
        self.assertIn(self.a.name, _text(r.content))

    def test_a_body_of_an_act_outside_the_readers_scope_is_left_blank(self) -> None:
        introducers: list[Introducer] = []
        c = make_candidate(self.a, Stage.PROBATION, timeline={"admission_date": D(2026, 1, 9)},
                           decision_date=D(2025, 12, 22), branch_vote_date=D(2025, 11, 5),
                           committee_review_date=D(2025, 11, 20))  # fmt: skip
        new = self.register(self.send(c))
        # The recognition decision refers to the cell of the recognition vote; pretend the vote was the
        # sender's (before the transfer) to reach the rule.
        new.recognition_vote_date = D(2025, 12, 30)
        ctx = dossier.context(new, "recognition_decision", introducers=introducers, readable=lambda org: False)
        self.assertEqual(ctx["cell"], dossier.BLANK)
        ctx = dossier.context(new, "recognition_decision", introducers=introducers)
        self.assertEqual(ctx["cell"], self.a.name)


@time_machine.travel(NOW)
class ReferencedBodiesTestCase(BaseTestCase):
    """A body a document refers to is named from the tree of the day of its act, not the document's."""

    def test_the_ceremony_record_names_the_committee_that_decided_on_the_decisions_day(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.OFFICIAL, full_name="Nguyễn Thị Lan")
        self.assertEqual((c.decision_date, c.admission_date), (D(2023, 8, 15), D(2023, 9, 5)))
        # Between the decision and the ceremony the grassroots committee moved to another commune.
        org_services.organization_move(
            org=self.org("C1.B1"), new_parent=self.org("C2"), effective_date=D(2023, 9, 1), acting_user=self.alice
        )
        c.refresh_from_db()
        ctx = dossier.context(c, "ceremony_record", introducers=[])
        self.assertEqual(ctx["competent"], "Đảng ủy xã Dân Chủ")
        self.assertEqual(ctx["superior"], "ĐẢNG BỘ TRƯỜNG THCS DÂN CHỦ")

    def test_an_unrecorded_meetings_bodies_come_from_the_tree_of_its_forms_day(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.OFFICIAL, full_name="Nguyễn Thị Lan")
        # The grassroots committee moved after the recognition: its resolution (its meeting not recorded, the
        # form of the decision's day) names the committee above it then, not today's.
        org_services.organization_move(
            org=self.org("C1.B1"), new_parent=self.org("C2"), effective_date=D(2026, 3, 1), acting_user=self.alice
        )
        c.refresh_from_db()
        ctx = dossier.context(c, "committee_recognition_resolution", introducers=[])
        self.assertEqual(ctx["competent"], "Đảng ủy xã Dân Chủ")
        self.assertEqual(ctx["superior"], "ĐẢNG BỘ XÃ DÂN CHỦ")
