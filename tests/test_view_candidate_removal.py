"""The leaving steps (remove, reject, strike off, transfer) record a reason's code, never free text."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from recruitment import services
from recruitment.models import Candidate, RemovalReason, Stage
from tests.base import BaseTestCase
from tests.people import make_candidate

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

NOW = "2026-11-20 09:00 +0700"
ACT = "01/10/2026"


@time_machine.travel(NOW)
class LeavingStepTestCase(BaseTestCase):
    def url(self, c: Candidate, step: str) -> str:
        return f"/candidates/{c.pk}/step/{step}/"

    def post(self, c: Candidate, step: str, **data: Any) -> TestResponse:
        return self.client.post(self.url(c, step), {"version": c.version, "act_date": ACT, **data})

    def offered(self, c: Candidate, step: str) -> tuple[list[str], Any]:
        """The reasons the step's form offers (its select's codes) and the one chosen at first."""
        form = self.client.get(self.url(c, step)).context["form"]
        if "removal_reason" not in form.fields:
            return [], None
        field = form.fields["removal_reason"]
        return [code for code, _label in field.choices if code], field.initial

    def test_each_step_offers_the_reasons_it_allows_at_the_persons_stage(self) -> None:
        self.client.force_login(self.dave)
        cell = self.orgs["C1.B1.01"]
        cases = [
            (Stage.SOURCE, "remove", ["withdrew", "died", "other"], None),
            (Stage.DOSSIER, "remove", ["withdrew", "died", "other"], None),
            (Stage.BRANCH_VOTED, "reject", ["not_admitted", "withdrew", "died", "other"], "not_admitted"),
            (Stage.DECIDED, "reject", ["not_admitted", "withdrew", "died", "other"], "not_admitted"),
            (Stage.PROBATION, "strike_off", ["withdrew", "struck_off", "died", "other"], "struck_off"),
        ]
        for stage, step, reasons, initial in cases:
            with self.subTest(step=step, stage=stage):
                self.assertEqual(self.offered(make_candidate(cell, stage), step), (reasons, initial))

    def test_the_remove_step_records_the_chosen_reason_and_its_details(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        self.client.force_login(self.dave)
        r = self.post(c, "remove", removal_reason="died", removal_note="Tai nạn giao thông")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual(
            (c.stage, c.removal_date, c.removal_reason, c.removal_note),
            (Stage.REMOVED, datetime.date(2026, 10, 1), "died", "Tai nạn giao thông"),
        )
        event = c.events.get()
        self.assertEqual(event.details, {"removal_reason": "died", "removal_note": "Tai nạn giao thông"})

    def test_free_text_or_a_reason_the_step_does_not_allow_is_refused(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        self.client.force_login(self.dave)
        for reason in ("chuyên ngành đào tạo", "Chuyển đi nơi khác", "moved_away", "struck_off", "not_admitted", ""):
            with self.subTest(reason=reason):
                r = self.post(c, "remove", removal_reason=reason)
                self.assertEqual(r.status_code, 200)
                self.assertEqual(list(r.context["form"].errors), ["removal_reason"])
        c.refresh_from_db()
        self.assertEqual((c.stage, c.removal_reason, c.events.count()), (Stage.AWARENESS, "", 0))

    def test_a_person_who_withdraws_after_the_vote_is_not_admitted_for_that_reason(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.BRANCH_VOTED)
        self.client.force_login(self.dave)
        self.assertRedirects(self.post(c, "reject", removal_reason="withdrew"), f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual((c.stage, c.removal_reason), (Stage.NOT_ADMITTED, "withdrew"))

    def test_a_probationer_who_died_is_struck_off_the_probationary_list(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        self.client.force_login(self.dave)
        # With the striking-off decision's number (issue 15; none was asked for before).
        r = self.post(c, "strike_off", removal_reason="died", document_no="90-QĐ/ĐU")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        c.refresh_from_db()
        self.assertEqual((c.stage, c.removal_reason), (Stage.STRUCK_OFF, "died"))

    def test_the_transfer_step_leads_to_the_transfer_of_party_activity(self) -> None:
        # Issue 14: on the web a move is the transfer of party activity (tests/test_transfers.py), which the
        # receiving cell registers; the leaving step that ended the candidacy for good is no longer offered.
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        self.client.force_login(self.dave)
        r = self.post(c, "transfer", removal_note="Theo gia đình vào Đồng Nai")
        self.assertRedirects(r, f"/candidates/{c.pk}/transfer/")
        c.refresh_from_db()
        self.assertEqual((c.stage, c.removal_reason, c.events.count()), (Stage.SOURCE, "", 0))

    def test_a_probationer_cannot_be_transferred_out(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        self.client.force_login(self.dave)
        r = self.post(c, "transfer")
        self.assertRedirects(r, f"/candidates/{c.pk}/")  # the step is not possible: sent back with a message
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.PROBATION)

    def test_the_person_page_shows_the_vietnamese_label_and_the_details(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        self.client.force_login(self.dave)
        self.post(c, "remove", removal_reason="withdrew", removal_note="Đi lao động ở Nhật Bản")
        with translation.override("vi"):
            r = self.client.get(f"/candidates/{c.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
        self.assertContains(r, "Xin rút khỏi danh sách: Đi lao động ở Nhật Bản", count=2)  # timeline and documents
        self.assertNotContains(r, ">withdrew<")

    def test_a_viewer_and_an_outsider_cannot_record_a_leaving_step(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        for user, status in ((self.bob, 403), (self.charlie, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.post(c, "remove", removal_reason="other").status_code, status)
        c.refresh_from_db()
        self.assertEqual(c.stage, Stage.AWARENESS)


class LeavingServiceTestCase(BaseTestCase):
    def advance(self, c: Candidate, step: str, **fields: Any) -> None:
        services.candidate_advance(
            candidate=c, step=step, version=c.version, acting_user=self.dave, act_date=datetime.date(2026, 10, 1),
            today=datetime.date(2026, 11, 20), **fields,
        )  # fmt: skip

    def test_a_step_refuses_a_reason_it_does_not_allow_naming_those_it_does(self) -> None:
        cell = self.orgs["C1.B1.01"]
        cases = [
            (Stage.SOURCE, "transfer", "withdrew"),
            (Stage.SOURCE, "remove", "moved_away"),
            (Stage.SOURCE, "remove", "not_admitted"),
            (Stage.PROBATION, "strike_off", "moved_away"),
            (Stage.DECIDED, "reject", "struck_off"),
            (Stage.SOURCE, "remove", "Chuyển công tác"),
        ]
        for stage, step, reason in cases:
            with self.subTest(step=step, reason=reason):
                c = make_candidate(cell, stage)
                with self.assertRaises(ValidationError) as ctx, translation.override("vi"):
                    self.advance(c, step, removal_reason=reason)
                (message,) = ctx.exception.message_dict["removal_reason"]
                for code in services.step_reasons(services.STEPS[step], stage):
                    with translation.override("vi"):
                        self.assertIn(str(RemovalReason(code).label), message)
                self.assertEqual(Candidate.objects.get(pk=c.pk).stage, stage)

    def test_a_step_that_implies_its_reason_sets_it(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        self.advance(c, "transfer")
        self.assertEqual(Candidate.objects.get(pk=c.pk).removal_reason, "moved_away")
