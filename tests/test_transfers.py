"""Transfers of party activity (issue 14): recording, registering, who may, and what counts where."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from organizations.models import Role
from recruitment import corrections, records, services, transfers
from recruitment.models import (
    Candidate,
    CandidateWarning,
    Introducer,
    IntroducerKind,
    Stage,
    StageEvent,
    Transfer,
    TransferKind,
    TransferStatus,
    WarningCode,
)
from recruitment.selectors import deadline_counts
from reports import tally
from reports.attainment import attainment
from reports.forms import Period
from tests.base import BaseTestCase, make_user
from tests.people import add_member_introducers, make_candidate

D = datetime.date
TODAY = D(2026, 11, 20)
SENT = D(2026, 10, 1)
REGISTERED = D(2026, 10, 8)

# A candidacy that starts in 2026: its dossier is ready in April, before any transfer.
TIMELINE_2026 = {
    "source_date": D(2026, 1, 12),
    "awareness_cert_date": D(2026, 2, 16),
    "application_date": D(2026, 3, 2),
    "personal_history_date": D(2026, 3, 10),
    "verification_date": D(2026, 4, 20),
    "residence_comment_date": D(2026, 4, 24),
}


def figures(code: str, year: int, base: BaseTestCase) -> dict[str, Any]:
    """What a dashboard shows of org `code` in `year`: admitted, recognized, and probationary members now,
    from the tallies (depth ≤ 3) or the scan, whichever the dashboard takes."""
    result = attainment(base.org(code), Period(year, year), today=TODAY)
    fig = result.total.figures
    return {"admitted": fig.admitted, "recognized": fig.recognized, "probation": fig.pipeline[Stage.PROBATION]}


class TransferTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.a = self.orgs["C1.B1.01"]  # a cell of commune C1
        self.b = self.orgs["C2.B1.01"]  # a cell of commune C2

    def assert_tallies_right(self) -> None:
        self.assertEqual(tally.stored(), tally.expected())
        out = StringIO()
        call_command("rebuild_tallies", "--check", stdout=out, stderr=StringIO())

    def send(self, c: Candidate, to: Any = None, *, user: Any = None, kind: str = TransferKind.PERMANENT,
             sent_on: datetime.date = SENT, **kw: Any) -> Transfer:  # fmt: skip
        return transfers.transfer_send(
            candidate=c, acting_user=user or self.alice, kind=kind, sent_on=sent_on, document_no="15-GGT/ĐU",
            to_org=to if to is not None else (None if kw.get("destination") else self.b), today=TODAY, **kw,
        )  # fmt: skip

    def register(self, t: Transfer, *, user: Any = None, on: datetime.date = REGISTERED) -> Candidate:
        return transfers.transfer_register(transfer=t, acting_user=user or self.charlie, registered_on=on, today=TODAY)


class PermanentTransferTestCase(TransferTestCase):
    def test_a_probationary_member_is_pending_at_home_until_the_receiver_registers(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION, timeline={"admission_date": D(2026, 1, 9)},
                           decision_date=D(2025, 12, 22), branch_vote_date=D(2025, 11, 5),
                           committee_review_date=D(2025, 11, 20))  # fmt: skip
        add_member_introducers(c)
        before = {code: figures(code, 2026, self) for code in ("P", "C1", "C2")}
        self.assertEqual(before["C1"], {"admitted": 1, "recognized": 0, "probation": 1})
        self.assertEqual(before["C2"], {"admitted": 0, "recognized": 0, "probation": 0})

        t = self.send(c)
        self.assertEqual((t.status, t.from_org, t.to_org), (TransferStatus.PENDING, self.a, self.b))
        # 30 working days from Thu 1/10/2026: Thu 12/11/2026.
        self.assertEqual(t.due_date, D(2026, 11, 12))
        self.assertEqual({code: figures(code, 2026, self) for code in ("P", "C1", "C2")}, before)
        self.assertEqual(Candidate.objects.get(pk=c.pk).stage, Stage.PROBATION)

        new = self.register(t)
        old = Candidate.objects.get(pk=c.pk)
        self.assertEqual((old.stage, old.removal_date, old.organization), (Stage.TRANSFERRED, D(2026, 10, 8), self.a))
        self.assertEqual((new.stage, new.organization, new.previous, new.admission_carried),
                         (Stage.PROBATION, self.b, old, True))  # fmt: skip
        for name in ("full_name", "national_id", "birth_date", "admission_date", "decision_no", "branch_vote_date",
                     "probation_end", "application_date"):  # fmt: skip
            self.assertEqual(getattr(new, name), getattr(old, name), name)
        self.assertEqual(
            list(new.introducers.values_list("name", "reference")),
            list(old.introducers.values_list("name", "reference")),
        )
        first = new.events.order_by("pk").first()
        assert first is not None
        self.assertEqual((first.from_stage, first.to_stage, first.act_date, first.document_no),
                         ("", Stage.PROBATION, D(2026, 10, 8), "15-GGT/ĐU"))  # fmt: skip
        t.refresh_from_db()
        self.assertEqual((t.status, t.registered_as, t.registered_by), (TransferStatus.REGISTERED, new, self.charlie))

        # The admission stays with C1 in 2026; the probationary member is now counted in C2.
        self.assertEqual(figures("P", 2026, self), {"admitted": 1, "recognized": 0, "probation": 1})
        self.assertEqual(figures("C1", 2026, self), {"admitted": 0 + 1, "recognized": 0, "probation": 0})
        self.assertEqual(figures("C2", 2026, self), {"admitted": 0, "recognized": 0, "probation": 1})
        self.assert_tallies_right()

    def test_a_full_member_transferred_keeps_the_recognition_where_it_was_made(self) -> None:
        c = make_candidate(self.a, Stage.OFFICIAL)  # admitted 5/9/2023, recognized 25/9/2024
        self.register(self.send(c))
        for year, code, expected in ((2023, "C1", 1), (2023, "C2", 0), (2023, "P", 1)):
            self.assertEqual(figures(code, year, self)["admitted"], expected, (year, code))
        for code, expected in (("C1", 1), ("C2", 0), ("P", 1)):
            self.assertEqual(figures(code, 2024, self)["recognized"], expected, code)
        self.assert_tallies_right()

    def test_one_person_transferred_twice_counts_once_in_the_province_and_at_the_first_cell(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)  # admitted 5/9/2023
        new = self.register(self.send(c))
        other = self.orgs["C1.B2"]
        again = self.register(self.send(new, other, sent_on=D(2026, 10, 20)), user=self.alice, on=D(2026, 10, 21))
        self.assertEqual((again.previous, again.admission_carried, again.organization), (new, True, other))
        brute = Candidate.objects.filter(national_id=c.national_id, admission_carried=False, admission_date__year=2023)
        self.assertEqual(brute.count(), 1)
        self.assertEqual(figures("P", 2023, self)["admitted"], 1)
        self.assertEqual(figures("C1", 2023, self)["admitted"], 1)
        self.assertEqual(figures("C2", 2023, self)["admitted"], 0)
        self.assertEqual(figures("C1.B2", 2023, self)["admitted"], 0)
        self.assertEqual(figures("C1.B1", 2023, self)["admitted"], 1)
        self.assert_tallies_right()

    def test_a_candidate_transferred_mid_dossier_is_admitted_and_counted_in_the_new_cell(self) -> None:
        c = make_candidate(self.a, Stage.DOSSIER, timeline=TIMELINE_2026)
        # A youth-age Youth Union member: the Union's resolution and one official member of the same grassroots
        # organization introduce them (DOMAIN §2, issue 15's corrected rule).
        Introducer.objects.create(candidate=c, kind=IntroducerKind.YOUTH_UNION, name="BCH Đoàn cơ sở",
                                  reference="12-NQ/ĐTN", introduced_on=D(2026, 4, 1))  # fmt: skip
        Introducer.objects.create(candidate=c, kind=IntroducerKind.MEMBER, name="Trần Văn Hùng", reference="01.234567",
                                  known_since=D(2020, 1, 1), introduced_on=D(2026, 4, 1),
                                  official_member_here=True)  # fmt: skip
        t = self.send(c, sent_on=D(2026, 5, 4))
        new = self.register(t, on=D(2026, 5, 11))
        self.assertEqual((new.stage, new.admission_carried, new.introducers.count()), (Stage.DOSSIER, False, 2))
        self.assertEqual(new.application_date, D(2026, 3, 2))
        steps: list[tuple[str, datetime.date, str, dict[str, Any]]] = [
            ("branch_vote", D(2026, 6, 5), "3-NQ/CB", {"branch_vote_members": 9, "branch_votes_for": 8}),
            ("committee_review", D(2026, 6, 19), "4-NQ/ĐU", {"committee_members": 7, "committee_votes_for": 7}),
            ("decision", D(2026, 7, 15), "5-QĐ/ĐU", {}),
            ("ceremony", D(2026, 8, 5), "", {}),
        ]
        for name, day, doc, extra in steps:
            services.candidate_advance(candidate=new, step=name, version=new.version, acting_user=self.charlie,
                                       act_date=day, document_no=doc, today=TODAY, **extra)  # fmt: skip
        self.assertEqual(Candidate.objects.get(pk=new.pk).stage, Stage.PROBATION)
        self.assertEqual(figures("C2", 2026, self)["admitted"], 1)
        self.assertEqual(figures("C1", 2026, self)["admitted"], 0)
        self.assertEqual(figures("P", 2026, self)["admitted"], 1)
        self.assert_tallies_right()

    def test_a_transfer_is_not_counted_as_a_removal(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        self.register(self.send(c))
        removed = tally.Tally.objects.filter(organization__code="C1").values_list("removed", flat=True)
        self.assertEqual(sum(removed), 0)
        self.assertEqual(figures("C1", 2026, self)["admitted"], 0)
        self.assert_tallies_right()

    def test_to_a_unit_outside_the_system_the_record_ends_on_the_day_and_the_admission_stays(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        t = self.send(c, destination="Đảng bộ Công an tỉnh Lào Cai")
        c.refresh_from_db()
        self.assertEqual((t.status, c.stage, c.removal_date), (TransferStatus.LEFT, Stage.TRANSFERRED, D(2026, 10, 1)))
        self.assertEqual(figures("C1", 2023, self)["admitted"], 1)
        self.assertEqual(figures("C1", 2026, self)["probation"], 0)
        self.assert_tallies_right()

    def test_a_pending_transfer_can_be_cancelled_and_the_person_stays(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        t = self.send(c)
        transfers.transfer_cancel(transfer=t, acting_user=self.dave, cancelled_on=D(2026, 10, 5))
        t.refresh_from_db()
        self.assertEqual(t.status, TransferStatus.CANCELLED)
        with self.assertRaises(ValidationError):
            self.register(t)
        self.assertEqual(Candidate.objects.get(pk=c.pk).stage, Stage.PROBATION)

    def test_only_one_transfer_is_under_way_at_a_time(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        self.send(c)
        with self.assertRaises(ValidationError):
            self.send(Candidate.objects.get(pk=c.pk), self.orgs["C1.B2"])

    def test_a_registration_before_the_transfer_or_in_the_future_is_refused(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        t = self.send(c)
        for day in (D(2026, 9, 30), D(2026, 11, 21)):
            with self.subTest(day=day), self.assertRaises(ValidationError) as ctx:
                self.register(t, on=day)
            self.assertIn("registered_on", ctx.exception.message_dict)
        self.assertEqual(Candidate.objects.filter(national_id=c.national_id).count(), 1)

    def test_a_late_registration_warns_on_the_new_record(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        t = self.send(c, sent_on=D(2026, 9, 1))  # due 30 working days later, mid-October
        self.assertEqual(deadline_counts(self.dave, TODAY)["transfer_overdue"], 1)
        new = self.register(t, on=D(2026, 11, 16))
        warning = CandidateWarning.objects.get(candidate=new)
        self.assertEqual((warning.code, warning.act_date, warning.due_date), (WarningCode.TRANSFER_LATE,
                         D(2026, 11, 16), t.due_date))  # fmt: skip
        self.assertEqual(deadline_counts(self.dave, TODAY)["transfer_overdue"], 0)
        self.assertEqual(deadline_counts(self.charlie, TODAY)["warnings"], 1)

    def test_the_deadline_is_a_rule_set_field(self) -> None:
        from recruitment.models import RuleSet

        RuleSet.objects.update(transfer_registration_working_days=5)
        t = self.send(make_candidate(self.a, Stage.PROBATION))
        self.assertEqual(t.due_date, D(2026, 10, 8))  # Thu 1/10 + 5 working days


class TemporaryTransferTestCase(TransferTestCase):
    def test_a_temporary_transfer_changes_no_count_and_makes_no_record(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        codes = ("P", "C1", "C2")
        before = {(code, year): figures(code, year, self) for code in codes for year in (2023, 2026)}
        t = self.send(c, kind=TransferKind.TEMPORARY, until=D(2027, 3, 31))
        self.assertEqual((t.status, t.until, t.due_date), (TransferStatus.TEMPORARY, D(2027, 3, 31), None))
        self.assertEqual({(code, year): figures(code, year, self) for code in codes for year in (2023, 2026)}, before)
        self.assertEqual(Candidate.objects.filter(national_id=c.national_id).count(), 1)
        self.assertEqual(Candidate.objects.get(pk=c.pk).stage, Stage.PROBATION)
        self.assertFalse(transfers.transfers_to_register(self.charlie).exists())
        self.assert_tallies_right()


class TransferRightsTestCase(TransferTestCase):
    def test_staff_of_a_grassroots_organization_cannot_issue_a_transfer_leaving_the_commune(self) -> None:
        frank = make_user("frank", self.orgs["C1.B1"], Role.STAFF)
        c = make_candidate(self.a, Stage.PROBATION)
        with self.assertRaises(PermissionDenied):
            self.send(c, user=frank)
        with self.assertRaises(PermissionDenied):
            self.send(Candidate.objects.get(pk=c.pk), user=frank, destination="Hà Nội")
        # Within the commune, the cell's own staff issue it.
        t = self.send(Candidate.objects.get(pk=c.pk), self.orgs["C1.B1.02"], user=frank)
        self.assertEqual(t.status, TransferStatus.PENDING)

    def test_the_issuing_level_is_the_committee_above_the_grassroots_organization(self) -> None:
        o = self.orgs
        self.assertEqual(transfers.issuing_unit(o["C1.B1.01"], o["C2.B1.01"]), o["C1"])
        self.assertEqual(transfers.issuing_unit(o["C1.B1.01"], None), o["C1"])
        self.assertIsNone(transfers.issuing_unit(o["C1.B1.01"], o["C1.B2"]))
        self.assertIsNone(transfers.issuing_unit(o["C1.B2"], o["C1.B1.02"]))
        self.assertEqual(transfers.issuing_unit(o["C1.B2"], o["C2.B1.01"]), o["C1"])

    def test_a_viewer_cannot_send_and_the_sender_cannot_register(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        with self.assertRaises(PermissionDenied):
            self.send(c, user=self.bob)
        t = self.send(Candidate.objects.get(pk=c.pk), user=self.dave)
        with self.assertRaises(PermissionDenied):
            self.register(t, user=self.dave)
        viewer = make_user("vera", self.orgs["C2"], Role.VIEWER)
        with self.assertRaises(PermissionDenied):
            self.register(t, user=viewer)

    def test_a_code_outside_the_scope_and_a_code_that_does_not_exist_get_the_same_words(self) -> None:
        with translation.override("vi"):
            answers = {}
            for code in ("NOPE", "C2.B1", "C2", "P"):
                with self.assertRaises(ValidationError) as ctx:
                    transfers.receiving_cell(self.dave, code)
                answers[code] = ctx.exception.message_dict["to_code"]
            self.assertEqual(len({tuple(a) for a in answers.values()}), 1, answers)
            for word in ("C2.B1", "Hòa Bình", "Đảng bộ"):
                self.assertNotIn(word, answers["C2.B1"][0])
            # Within the scope the words may say what is wrong.
            with self.assertRaises(ValidationError) as ctx:
                transfers.receiving_cell(self.dave, "C1.B1")
            self.assertNotEqual(ctx.exception.message_dict["to_code"], answers["NOPE"])
        self.assertEqual(transfers.receiving_cell(self.dave, "C2.B1.01"), self.b)


class TransferViewsTestCase(TransferTestCase):
    def post_send(self, c: Candidate, **data: Any) -> Any:
        fields = {"version": c.version, "kind": "permanent", "sent_on": "01/10/2026", "document_no": "15-GGT/ĐU",
                  "to_code": "C2.B1.01", "destination": "", "until": ""}  # fmt: skip
        return self.client.post(f"/candidates/{c.pk}/transfer/", {**fields, **data})

    def test_staff_record_a_transfer_by_the_receiving_cells_code(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, f"/candidates/{c.pk}/transfer/")
        self.assertNotContains(r, f"/candidates/{c.pk}/step/transfer/")
        r = self.post_send(c)
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        t = Transfer.objects.get(candidate=c)
        self.assertEqual((t.to_org, t.sent_by, t.status), (self.b, self.dave, TransferStatus.PENDING))
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, "15-GGT/ĐU")
        self.assertNotContains(r, self.b.name)  # outside Dave's scope: not named
        self.assertContains(r, f"/candidates/{c.pk}/transfers/{t.pk}/cancel/")

    def test_the_form_refuses_an_unknown_code_with_the_words_for_outside_the_scope(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        self.client.force_login(self.dave)
        r1 = self.post_send(c, to_code="C2.B1")
        r2 = self.post_send(c, to_code="XX.99")
        self.assertEqual(r1.context["form"].errors, r2.context["form"].errors)
        self.assertFalse(Transfer.objects.exists())

    def test_viewers_get_403_and_outsiders_404(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        for user, status in ((self.bob, 403), (self.charlie, 404)):
            self.client.force_login(user)
            self.assertEqual(self.post_send(c).status_code, status)
        self.assertFalse(Transfer.objects.exists())

    def test_the_receiver_finds_and_registers_the_transfer_without_seeing_the_senders_record(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION, full_name="Hoàng Văn Minh")
        t = self.send(c)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(f"/candidates/{c.pk}/").status_code, 404)
        r = self.client.get("/transfers/")
        self.assertContains(r, "Hoàng Văn Minh")
        self.assertContains(r, c.national_id)
        self.assertContains(r, "15-GGT/ĐU")
        self.assertNotContains(r, self.a.name)
        self.assertContains(r, f"/transfers/{t.pk}/register/")
        r = self.client.post(f"/transfers/{t.pk}/register/", {"registered_on": "08/10/2026"})
        new = Candidate.objects.get(national_id=c.national_id, organization=self.b)
        self.assertRedirects(r, f"/candidates/{new.pk}/")
        r = self.client.get(f"/candidates/{new.pk}/")
        self.assertContains(r, "15-GGT/ĐU")
        self.assertNotContains(r, self.a.name)
        self.assertNotContains(r, f"/candidates/{c.pk}/")
        self.assertEqual(self.client.get("/transfers/").context["rows"], [])

    def test_the_register_page_is_404_outside_the_scope_403_for_viewers_and_405_for_put(self) -> None:
        t = self.send(make_candidate(self.a, Stage.PROBATION))
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(f"/transfers/{t.pk}/register/").status_code, 404)
        self.assertEqual(self.client.get("/transfers/").context["rows"], [])
        viewer = make_user("vera", self.orgs["C2"], Role.VIEWER)
        self.client.force_login(viewer)
        r = self.client.get("/transfers/")
        self.assertEqual(len(r.context["rows"]), 1)
        self.assertNotContains(r, t.candidate.national_id)  # masked for a viewer
        self.assertEqual(self.client.post(f"/transfers/{t.pk}/register/", {"registered_on": "08/10/2026"}).status_code,
                         403)  # fmt: skip
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.put(f"/transfers/{t.pk}/register/").status_code, 405)
        self.assertEqual(self.client.get(f"/candidates/{t.candidate_id}/transfers/{t.pk}/cancel/").status_code, 405)

    def test_the_senders_officials_see_their_past_admission_marked_transferred(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION, full_name="Hoàng Văn Minh")
        self.register(self.send(c))
        query = {"org": "C1", "admitted_from": "2023-01-01", "admitted_to": "2023-12-31"}
        self.client.force_login(self.dave)
        r = self.client.get("/candidates/", query)
        rows = list(r.context["page"])
        self.assertEqual([(x.pk, x.stage) for x in rows], [(c.pk, Stage.TRANSFERRED)])
        self.client.force_login(self.charlie)
        r = self.client.get("/candidates/", {**query, "org": "C2"})
        self.assertEqual(list(r.context["page"]), [])
        self.client.force_login(self.alice)
        r = self.client.get("/candidates/", {**query, "org": "P"})
        self.assertEqual([x.pk for x in r.context["page"]], [c.pk])
        r = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(r, self.b.name)  # the province sees both sides

    def test_the_old_transfer_step_leads_to_the_transfer_page(self) -> None:
        c = make_candidate(self.a, Stage.SOURCE)
        self.client.force_login(self.dave)
        r = self.client.get(f"/candidates/{c.pk}/step/transfer/")
        self.assertRedirects(r, f"/candidates/{c.pk}/transfer/")

    def test_a_temporary_transfer_shows_on_the_persons_page(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        self.client.force_login(self.dave)
        r = self.post_send(c, kind="temporary", until="31/03/2027")
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        with translation.override("vi"):
            r = self.client.get(f"/candidates/{c.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
        self.assertContains(r, "31/03/2027")
        self.assertEqual(StageEvent.objects.filter(candidate=c).count(), 0)

    def test_the_senders_record_says_it_left_by_transfer_not_before_admission(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        self.register(self.send(c))
        self.client.force_login(self.dave)
        with translation.override("vi"):
            r = self.client.get(f"/candidates/{c.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
        self.assertContains(r, "Chuyển sinh hoạt đảng")
        self.assertNotContains(r, "trước khi kết nạp")

    def test_a_record_ended_at_home_meanwhile_leaves_the_receivers_list(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        t = self.send(c)
        self.assertEqual(list(transfers.transfers_to_register(self.charlie)), [t])
        services.candidate_advance(candidate=Candidate.objects.get(pk=c.pk), step="strike_off", version=c.version + 1,
                                   acting_user=self.dave, act_date=D(2026, 10, 5), removal_reason="died",
                                   document_no="15-QĐ/ĐU", today=TODAY)  # fmt: skip
        self.assertEqual(list(transfers.transfers_to_register(self.charlie)), [])
        with self.assertRaises(ValidationError):
            self.register(t)

    def test_a_late_transfer_of_a_record_ended_at_home_leaves_the_senders_deadlines(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        self.send(c, sent_on=D(2026, 9, 1))  # due mid-October: late on TODAY
        self.assertEqual(deadline_counts(self.dave, TODAY)["transfer_overdue"], 1)
        services.candidate_advance(candidate=Candidate.objects.get(pk=c.pk), step="strike_off", version=c.version + 1,
                                   acting_user=self.dave, act_date=D(2026, 10, 5), removal_reason="died",
                                   document_no="15-QĐ/ĐU", today=TODAY)  # fmt: skip
        self.assertEqual(deadline_counts(self.dave, TODAY)["transfer_overdue"], 0)

    def test_the_list_of_transfers_to_register_takes_as_many_queries_for_five_as_for_one(self) -> None:
        self.send(make_candidate(self.a, Stage.PROBATION))
        self.client.force_login(self.charlie)
        # session, user, grants, the transfers with their people and cells, the navigation's counts
        with self.assertNumQueries(5):
            self.assertEqual(len(self.client.get("/transfers/").context["rows"]), 1)
        for _ in range(4):
            self.send(make_candidate(self.a, Stage.DOSSIER))
        with self.assertNumQueries(5):
            self.assertEqual(len(self.client.get("/transfers/").context["rows"]), 5)


class ContinuationJudgedWhereItsActsWereRecordedTestCase(TransferTestCase):
    """The record a transfer opens continues acts the sending cell recorded (found by a review): they are judged as
    they were recorded there, not again by the receiving cell's kind or by rules their records predate."""

    def test_a_vote_recorded_by_its_step_in_the_sending_cell_is_not_judged_again(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        assert c.branch_vote_date is not None
        # Voted on the web before the introducers' declaration existed (issue 15): the vote's event is on record.
        StageEvent.objects.create(candidate=c, from_stage=Stage.DOSSIER, to_stage=Stage.BRANCH_VOTED,
                                  act_date=c.branch_vote_date)  # fmt: skip
        c.introducers.update(official_member_here=False)
        new = self.register(self.send(c))
        self.assertEqual(services._introduction_problems(new), [])
        self.assertFalse(services.introducers_may_be_added(new))

    def test_a_decision_of_a_chi_bo_co_so_needs_no_committee_review_after_a_transfer(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.PROBATION)  # a chi bộ cơ sở: no committee reviews there
        Candidate.objects.filter(pk=c.pk).update(committee_review_date=None, committee_members=None,
                                                 committee_votes_for=None, committee_resolution_no="")  # fmt: skip
        new = self.register(self.send(Candidate.objects.get(pk=c.pk)))  # to a cell under a đảng ủy cơ sở
        self.assertNotIn("committee_review_date", records.missing_fields(new))
        self.assertFalse(Candidate.objects.filter(records.not_on_record_q(), pk=new.pk, committee_review_date=None))

    def test_the_warnings_of_the_record_go_with_it_handled_or_not(self) -> None:
        c = make_candidate(self.a, Stage.PROBATION)
        handled = CandidateWarning.objects.create(candidate=c, code=WarningCode.CEREMONY_LATE,
                                                  act_date=c.admission_date)  # fmt: skip
        warning_resolve_now(handled, self.dave)
        CandidateWarning.objects.create(candidate=c, code=WarningCode.DECISION_LATE, act_date=c.decision_date)
        new = self.register(self.send(c))
        copied = {(w.code, w.act_date, w.is_open) for w in new.warnings.all()}
        self.assertEqual(copied, {(WarningCode.CEREMONY_LATE, c.admission_date, False),
                                  (WarningCode.DECISION_LATE, c.decision_date, True)})  # fmt: skip


def warning_resolve_now(warning: CandidateWarning, user: Any) -> None:
    services.warning_resolve(warning=warning, acting_user=user, resolution="Đã báo cáo cấp trên")


class CorrectionsOfARecordTransferredAwayTestCase(TransferTestCase):
    def test_the_sending_record_is_no_longer_corrected_and_offers_no_link(self) -> None:
        c = make_candidate(self.a, Stage.SOURCE, timeline={"source_date": D(2026, 1, 12)})
        event = services.candidate_advance(candidate=c, step="awareness", version=c.version, acting_user=self.dave,
                                           act_date=D(2026, 2, 16), document_no="CN-1", today=TODAY)  # fmt: skip
        self.register(self.send(Candidate.objects.get(pk=c.pk)))
        old = Candidate.objects.get(pk=c.pk)
        with self.assertRaises(ValidationError) as ctx:
            corrections.step_correct(event=event, version=old.version, acting_user=self.dave, reason="Nhầm ngày",
                                     act_date=D(2026, 2, 17), document_no="CN-1", today=TODAY)  # fmt: skip
        self.assertIn("chuyển sinh hoạt đảng", " ".join(ctx.exception.messages))
        self.assertFalse(corrections.trails(list(old.events.all()))[event.pk].correctable)
