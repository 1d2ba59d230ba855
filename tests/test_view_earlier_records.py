"""The person's earlier records on their page and in the create form, through HTTP (issue 14 §3).

What the user sees of the earlier records follows the scope: within it, each record (dates, unit, how it
ended) with a link; outside it, only that a record exists elsewhere and whom to ask.
"""

from __future__ import annotations

import datetime
from typing import Any

import time_machine

from recruitment import services
from recruitment.models import Candidate, RemovalReason, Stage
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate, next_national_id

D = datetime.date
OLD = {k: v.replace(year=v.year - 10) for k, v in TIMELINE.items()}
OUTSIDE_NAMES = ("Khu phố", "Hòa Bình", "C2.B1.01")


def member_who_left(org: Any, national_id: str, reason: str = RemovalReason.OTHER, **fields: Any) -> Candidate:
    return make_candidate(
        org, Stage.OFFICIAL, timeline=OLD, national_id=national_id, removal_date=D(2015, 3, 2),
        removal_reason=reason, full_name="Vi Thị Hồng", **fields,
    )  # fmt: skip


@time_machine.travel("2026-11-20 09:00 +0700", tick=False)
class EarlierRecordsPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.nid = next_national_id()

    def again(self, org_code: str, previous: Candidate, **fields: Any) -> Candidate:
        return make_candidate(
            self.orgs[org_code], Stage.SOURCE, national_id=self.nid, previous=previous, readmission=True,
            full_name="Vi Thị Hồng", **fields,
        )  # fmt: skip

    def test_a_record_within_the_scope_is_listed_with_its_unit_dates_and_end(self) -> None:
        old = member_who_left(self.orgs["C1.B1.01"], self.nid)
        c = self.again("C1.B1.02", old)
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, "Hồ sơ trước đây")
        self.assertContains(r, f'href="/candidates/{old.pk}/"')
        self.assertContains(r, "10/01/2013 – 02/03/2015")
        self.assertContains(r, "Chi bộ Tổ Khoa học tự nhiên")
        self.assertContains(r, "05/09/2013")  # the admission
        self.assertNotContains(r, services.outside_scope_message())
        self.assertEqual(r.context["left_on_record"], D(2015, 3, 2))  # the readmission's day of leaving

    def test_a_record_outside_the_scope_is_only_said_to_exist(self) -> None:
        old = member_who_left(self.orgs["C2.B1.01"], self.nid)
        c = self.again("C1.B1.01", old)
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, "Hồ sơ trước đây")
        self.assertContains(r, services.outside_scope_message())
        self.assertNotContains(r, f"/candidates/{old.pk}/")
        for secret in (*OUTSIDE_NAMES, "02/03/2015", "05/09/2013", "10/01/2013"):
            self.assertNotContains(r, secret)
        self.assertIsNone(r.context["left_on_record"])
        # Alice, above both, sees the record itself.
        self.client.force_login(self.alice)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, f'href="/candidates/{old.pk}/"')
        self.assertContains(r, "Chi bộ Khu phố 1")

    def test_a_person_with_no_earlier_record_has_no_such_section(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        self.assertNotContains(self.client.get(f"/candidates/{c.pk}/"), "Hồ sơ trước đây")

    def test_charlie_gets_404_for_the_person_and_for_their_earlier_record(self) -> None:
        old = member_who_left(self.orgs["C1.B1.01"], self.nid)
        c = self.again("C1.B1.02", old)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(f"/candidates/{c.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/candidates/{old.pk}/").status_code, 404)

    def test_the_page_reads_the_whole_chain_in_one_query(self) -> None:
        short = self.again("C1.B1.02", member_who_left(self.orgs["C1.B1.01"], self.nid))
        other = next_national_id()
        chain = member_who_left(self.orgs["C1.B1.01"], other)
        for year in (2017, 2019, 2021):
            chain = make_candidate(
                self.orgs["C1.B1.02"], Stage.REMOVED, national_id=other, previous=chain,
                timeline={**OLD, "source_date": D(year, 1, 5), "awareness_cert_date": D(year, 3, 1)},
            )  # fmt: skip
        long = make_candidate(self.orgs["C1.B2"], Stage.SOURCE, national_id=other, previous=chain)
        self.client.force_login(self.dave)
        # The page's 11 (tests/test_view_candidate.py: 10, and its transfers since they were added) and the earlier
        # records with their cells, in one query whatever the length of the chain.
        for c, shown in ((short, 1), (long, 4)):
            with self.subTest(candidate=c.pk), self.assertNumQueries(12):
                r = self.client.get(f"/candidates/{c.pk}/")
            self.assertEqual(len(r.context["earlier"]), shown)


@time_machine.travel("2026-11-20 09:00 +0700", tick=False)
class CreateTellsOfEarlierRecordTestCase(BaseTestCase):
    url = "/org/C1.B1.01/candidates/new/"

    def data(self, national_id: str) -> dict[str, str]:
        return {
            "full_name": "Vi Thị Hồng", "birth_date": "02/09/1980", "gender": "female", "ethnicity": "Tày",
            "religion": "", "national_id": national_id, "occupation": "", "occupation_group": "", "education": "12/12",
            "education_exemption": "", "source_date": "10/11/2026", "note": "",
        }  # fmt: skip

    def test_an_earlier_record_within_the_scope_is_named_and_linked(self) -> None:
        nid = next_national_id()
        old = member_who_left(self.orgs["C1.B1.02"], nid)
        self.client.force_login(self.dave)
        r = self.client.post(self.url, self.data(nid), follow=True)
        c = Candidate.objects.get(national_id=nid, stage=Stage.SOURCE)
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        self.assertEqual((c.previous_id, c.readmission), (old.pk, True))
        self.assertContains(r, "Chi bộ Tổ Khoa học xã hội")
        self.assertContains(r, "đây là trường hợp kết nạp lại")

    def test_an_earlier_record_outside_the_scope_is_said_to_exist_and_nothing_more(self) -> None:
        nid = next_national_id()
        old = member_who_left(self.orgs["C2.B1.01"], nid)
        self.client.force_login(self.dave)
        r = self.client.post(self.url, self.data(nid), follow=True)
        c = Candidate.objects.get(national_id=nid, stage=Stage.SOURCE)
        self.assertEqual(c.previous_id, old.pk)
        self.assertContains(r, "ngoài phạm vi của bạn")
        for secret in (*OUTSIDE_NAMES, "02/03/2015", "05/09/2013"):
            self.assertNotContains(r, secret)

    def test_a_record_outside_the_scope_that_refuses_the_candidacy_names_nothing(self) -> None:
        nid = next_national_id()
        member_who_left(self.orgs["C2.B1.01"], nid, RemovalReason.DIED)
        self.client.force_login(self.dave)
        r = self.client.post(self.url, self.data(nid))
        self.assertEqual(r.status_code, 200)
        self.assertFalse(Candidate.objects.filter(national_id=nid, stage=Stage.SOURCE).exists())
        self.assertContains(r, "ngoài phạm vi của bạn")
        for secret in (*OUTSIDE_NAMES, "02/03/2015", "từ trần"):
            self.assertNotContains(r, secret)

    def test_bob_cannot_create_and_charlie_gets_404(self) -> None:
        nid = next_national_id()
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url, self.data(nid)).status_code, 403)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.post(self.url, self.data(nid)).status_code, 404)
        self.assertFalse(Candidate.objects.filter(national_id=nid).exists())
