"""Corrections with a trail (recruitment/corrections.py): a recorded step's data corrected, the last step undone.

"Today" is 20/11/2026 for every service (passed as today=); the dates are real, in the past of it.
Every test that writes ends by comparing reports' tallies with a count from the people
(reports.tally.expected, what `rebuild_tallies --check` compares).
"""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from recruitment import corrections, services
from recruitment.models import (
    Candidate,
    CandidateWarning,
    CorrectionKind,
    RemovalReason,
    Stage,
    StageCorrection,
    StageEvent,
    WarningCode,
)
from recruitment.services import StaleCandidate
from reports import tally
from tests.base import BaseTestCase
from tests.people import add_member_introducers, make_candidate

D = datetime.date
TODAY = D(2026, 11, 20)
VOTE_DAY = D(2023, 7, 5)  # after the dossier of tests.people.TIMELINE


def fresh(c: Candidate) -> Candidate:
    return Candidate.objects.get(pk=c.pk)


def event_of(e: StageEvent) -> StageEvent:
    return StageEvent.objects.select_related("candidate").get(pk=e.pk)


def correct(e: StageEvent, user: Any, reason: str = "Gõ nhầm số phiếu", **values: Any) -> StageCorrection:
    """Correct the event as the page does: the recorded values, with `values` changed."""
    e = event_of(e)
    spec = corrections.event_step(e)
    assert spec is not None
    recorded = corrections.recorded_values(e, spec, e.candidate)
    data: dict[str, Any] = {name: recorded[name] for name in spec.fields}
    data["act_date"] = recorded[spec.date_field]
    if spec.number_field:
        data["document_no"] = recorded[spec.number_field]
    data.update(values)
    return corrections.step_correct(
        event=e, version=e.candidate.version, acting_user=user, reason=reason, today=TODAY, **data
    )


def undo(e: StageEvent, user: Any, reason: str = "Ghi nhầm người") -> StageCorrection:
    e = event_of(e)
    return corrections.step_undo(event=e, version=e.candidate.version, acting_user=user, reason=reason, today=TODAY)


def advance(c: Candidate, step: str, day: datetime.date, user: Any, document_no: str = "", **fields: Any) -> StageEvent:
    c = fresh(c)
    return services.candidate_advance(
        candidate=c, step=step, version=c.version, acting_user=user, act_date=day, document_no=document_no,
        today=TODAY, **fields,
    )  # fmt: skip


def admitted() -> int:
    """Admissions in the stored tallies, over every unit and month."""
    column = tally.MEASURES.index("admitted")
    return sum(v[column] for v in tally.stored().values())


class CorrectionBase(BaseTestCase):
    def tearDown(self) -> None:
        self.assertEqual(tally.stored(), tally.expected(), "the tallies follow every correction")
        super().tearDown()

    def dossier(self, **fields: Any) -> Candidate:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER, **fields)
        add_member_introducers(c)
        return c

    def vote(self, c: Candidate, votes_for: int, day: datetime.date = VOTE_DAY, members: int = 20) -> StageEvent:
        return advance(
            c, "branch_vote", day, self.dave, "12-NQ/CB", branch_vote_members=members, branch_votes_for=votes_for
        )

    def open_warnings(self, c: Candidate) -> list[str]:
        return list(CandidateWarning.objects.filter(candidate=c, resolved_at=None).values_list("code", flat=True))


class VoteCorrectionTestCase(CorrectionBase):
    def test_a_failed_vote_corrected_to_a_passing_one_moves_the_person_on_as_if_recorded_so(self) -> None:
        c = self.dossier()
        event = self.vote(c, 11)  # 11 of 20: short of two thirds, the person stays
        self.assertEqual((fresh(c).stage, fresh(c).failed_votes), (Stage.DOSSIER, 1))

        correction = correct(event, self.erin, branch_votes_for=18)

        stored = fresh(c)
        # What recording 18 of 20 would have done: voted, the decision due 60 working days later (1/10/2023 is
        # a Sunday; 60 working days from Wed 5/7/2023, skipping 1 and 4/9/2023: Fri 29/9/2023).
        self.assertEqual(
            (stored.stage, stored.stage_date, stored.failed_votes, stored.due_date),
            (Stage.BRANCH_VOTED, VOTE_DAY, 0, D(2023, 9, 29)),
        )
        self.assertEqual(
            (stored.branch_vote_date, stored.branch_vote_members, stored.branch_votes_for, stored.branch_resolution_no),
            (VOTE_DAY, 20, 18, "12-NQ/CB"),
        )
        # One entry for the act, recorded by Dave, now a passed vote; the correction keeps 11 beside 18.
        entry = StageEvent.objects.get(candidate=c)
        self.assertEqual(entry.pk, event.pk)
        self.assertEqual(
            (entry.from_stage, entry.to_stage, entry.acting_user), (Stage.DOSSIER, Stage.BRANCH_VOTED, self.dave)
        )
        self.assertEqual(entry.details, {"branch_vote_members": 20, "branch_votes_for": 18, "passed": True})
        self.assertEqual(
            correction.changes, {"branch_votes_for": [11, 18], "to_stage": [Stage.DOSSIER, Stage.BRANCH_VOTED]}
        )
        self.assertEqual(
            (correction.kind, correction.reason, correction.acting_user),
            (CorrectionKind.CORRECT, "Gõ nhầm số phiếu", self.erin),
        )
        # The audit history keeps both states, the later one with the reason and its author.
        history = list(stored.history.order_by("history_id"))
        self.assertEqual(
            [(h.stage, h.failed_votes) for h in history[-2:]], [(Stage.DOSSIER, 1), (Stage.BRANCH_VOTED, 0)]
        )
        self.assertEqual(history[-1].history_user, self.erin)
        self.assertEqual(history[-1].history_change_reason, f"correction:{correction.pk} Gõ nhầm số phiếu")

    def test_a_passing_vote_corrected_to_a_failed_one_takes_the_person_back(self) -> None:
        c = self.dossier()
        event = self.vote(c, 18)
        correction = correct(event, self.dave, branch_votes_for=11)
        stored = fresh(c)
        self.assertEqual((stored.stage, stored.failed_votes, stored.due_date), (Stage.DOSSIER, 1, None))
        self.assertEqual(
            (stored.branch_vote_date, stored.branch_votes_for, stored.branch_resolution_no), (None, None, "")
        )
        entry = event_of(event)
        self.assertTrue(entry.stayed)
        self.assertEqual(entry.details, {"branch_vote_members": 20, "branch_votes_for": 11, "passed": False})
        self.assertEqual(correction.changes["to_stage"], [Stage.BRANCH_VOTED, Stage.DOSSIER])

    # DOMAIN §2 (corrected): the three-votes rule concerns the recognition vote, not the admission vote; the cell's
    # admission votes short of two thirds are counted and raise no report (tests/test_correct_recognition_votes.py
    # undoes a third failed recognition vote and withdraws its report).
    def test_the_third_failed_vote_corrected_to_pass_moves_the_person_on_with_two_failures(self) -> None:
        c = self.dossier()
        self.vote(c, 5, D(2023, 7, 5))
        self.vote(c, 6, D(2023, 8, 7))
        third = self.vote(c, 11, D(2023, 9, 5))
        self.assertEqual((fresh(c).failed_votes, self.open_warnings(c)), (3, []))
        correct(third, self.erin, branch_votes_for=18)
        stored = fresh(c)
        self.assertEqual((stored.stage, stored.failed_votes), (Stage.BRANCH_VOTED, 2))
        self.assertEqual(self.open_warnings(c), [])

    def test_a_passing_vote_corrected_into_the_third_failure_counts_three_and_reports_nothing(self) -> None:
        c = self.dossier()
        self.vote(c, 5, D(2023, 7, 5))
        self.vote(c, 6, D(2023, 8, 7))
        third = self.vote(c, 18, D(2023, 9, 5))
        correct(third, self.erin, branch_votes_for=11)
        self.assertEqual((fresh(c).stage, fresh(c).failed_votes), (Stage.DOSSIER, 3))
        self.assertFalse(CandidateWarning.objects.filter(candidate=c, code=WarningCode.VOTES_FAILED).exists())

    def test_more_votes_than_members_is_refused(self) -> None:
        c = self.dossier()
        event = self.vote(c, 11)
        with self.assertRaises(ValidationError) as ctx:
            correct(event, self.erin, branch_votes_for=21)
        self.assertIn("branch_votes_for", ctx.exception.message_dict)
        self.assertFalse(StageCorrection.objects.exists())
        self.assertEqual((fresh(c).version, event_of(event).details["branch_votes_for"]), (2, 11))

    def test_a_vote_moved_to_a_day_the_dossier_was_not_ready_is_refused(self) -> None:
        # The introducers have known the applicant since 1/7/2022: twelve months on 1/7/2023, not on 30/6.
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DOSSIER)
        add_member_introducers(c, known_since=D(2022, 7, 1))
        last = self.vote(c, 11)
        with self.assertRaises(ValidationError) as ctx:  # the last step, recorded again: its checks again
            correct(last, self.erin, act_date=D(2023, 6, 30), branch_votes_for=18)
        self.assertIn("introducers", ctx.exception.message_dict)
        self.assertEqual((fresh(c).stage, fresh(c).failed_votes), (Stage.DOSSIER, 1))
        correct(last, self.erin, branch_votes_for=18)
        advance(
            c, "committee_review", D(2023, 7, 20), self.erin, "34-NQ/ĐU", committee_members=7, committee_votes_for=7
        )
        with self.assertRaises(ValidationError) as ctx:  # an earlier step whose day moves: judged on the new day
            correct(last, self.erin, act_date=D(2023, 6, 30))
        self.assertIn("introducers", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:  # before the dossier was complete
            correct(last, self.erin, act_date=D(2023, 6, 20))
        self.assertIn("branch_vote_date", ctx.exception.message_dict)
        self.assertEqual((fresh(c).stage, fresh(c).branch_vote_date), (Stage.COMMITTEE_REVIEWED, VOTE_DAY))
        self.assertEqual(StageCorrection.objects.count(), 1)

    def test_an_earlier_vote_cannot_fall_below_two_thirds_under_the_steps_that_followed_it(self) -> None:
        c = self.dossier()
        event = self.vote(c, 18)
        advance(
            c, "committee_review", D(2023, 7, 20), self.erin, "34-NQ/ĐU", committee_members=7, committee_votes_for=7
        )
        with self.assertRaises(ValidationError) as ctx:
            correct(event, self.erin, branch_votes_for=11)
        self.assertIn("branch_votes_for", ctx.exception.message_dict)
        self.assertEqual((fresh(c).stage, fresh(c).branch_votes_for), (Stage.COMMITTEE_REVIEWED, 18))
        self.assertFalse(StageCorrection.objects.exists())

    def test_an_earlier_vote_is_corrected_where_it_stands_and_judged_again(self) -> None:
        c = self.dossier()
        event = self.vote(c, 18)
        advance(
            c, "committee_review", D(2023, 7, 20), self.erin, "34-NQ/ĐU", committee_members=7, committee_votes_for=7
        )
        correct(event, self.erin, act_date=D(2023, 7, 6), document_no="13-NQ/CB", branch_votes_for=17)
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.branch_vote_date, stored.branch_votes_for, stored.branch_resolution_no),
            (Stage.COMMITTEE_REVIEWED, D(2023, 7, 6), 17, "13-NQ/CB"),
        )
        # 60 working days from Thu 6/7/2023 (skipping 1 and 4/9): Mon 2/10/2023.
        self.assertEqual((stored.stage_date, stored.due_date), (D(2023, 7, 20), D(2023, 10, 2)))
        entry = event_of(event)
        self.assertEqual((entry.act_date, entry.document_no), (D(2023, 7, 6), "13-NQ/CB"))
        self.assertEqual(entry.details, {"branch_vote_members": 20, "branch_votes_for": 17, "passed": True})

    def test_an_earlier_failed_vote_keeps_failing_or_is_refused(self) -> None:
        c = self.dossier()
        first = self.vote(c, 11, D(2023, 7, 5))
        self.vote(c, 18, D(2023, 8, 7))
        correct(first, self.erin, branch_votes_for=12)
        self.assertEqual(event_of(first).details["branch_votes_for"], 12)
        self.assertEqual(
            (fresh(c).stage, fresh(c).failed_votes, fresh(c).branch_votes_for), (Stage.BRANCH_VOTED, 1, 18)
        )
        with self.assertRaises(ValidationError):  # passing, it would have moved the person on a month earlier
            correct(first, self.erin, branch_votes_for=18)
        with self.assertRaises(ValidationError) as ctx:  # after the vote that followed it
            correct(first, self.erin, act_date=D(2023, 8, 8))
        self.assertIn("branch_vote_date", ctx.exception.message_dict)
        self.assertEqual(StageCorrection.objects.count(), 1)


class DateCorrectionTestCase(CorrectionBase):
    def test_a_corrected_ceremony_moves_the_end_of_probation_and_its_deadlines(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)  # decided 15/8/2023
        event = advance(c, "ceremony", D(2023, 9, 5), self.dave)
        correct(event, self.dave, "Sai ngày", act_date=D(2023, 9, 6))
        stored = fresh(c)
        self.assertEqual(
            (stored.admission_date, stored.probation_end, stored.stage_date),
            (D(2023, 9, 6), D(2024, 9, 6), D(2023, 9, 6)),
        )
        # The cell considers recognition within 30 working days of Fri 6/9/2024: Fri 18/10/2024.
        self.assertEqual(stored.due_date, D(2024, 10, 18))

    def test_a_ceremony_corrected_late_is_warned_and_corrected_back_the_warning_is_withdrawn(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)  # ceremony due by Thu 28/9/2023
        event = advance(c, "ceremony", D(2023, 9, 5), self.dave)
        correct(event, self.dave, "Sai ngày", act_date=D(2023, 12, 1))
        self.assertEqual(self.open_warnings(c), [WarningCode.CEREMONY_LATE])
        correct(event, self.dave, "Sai ngày lần nữa", act_date=D(2023, 12, 4))
        warning = CandidateWarning.objects.get(candidate=c, resolved_at=None)
        self.assertEqual((warning.code, warning.act_date), (WarningCode.CEREMONY_LATE, D(2023, 12, 4)))
        correct(event, self.dave, "Ngày đúng là 5/9", act_date=D(2023, 9, 5))
        self.assertEqual(self.open_warnings(c), [])
        withdrawn = CandidateWarning.objects.get(candidate=c)
        self.assertEqual(withdrawn.resolved_by, self.dave)
        self.assertIn("Ngày đúng là 5/9", withdrawn.resolution)

    def test_a_ceremony_cannot_move_past_the_recognition_that_followed_it(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        ceremony = advance(c, "ceremony", D(2023, 9, 5), self.dave)
        advance(
            c, "recognition", D(2024, 9, 25), self.alice, "78-QĐ/ĐU", new_member_course_date=D(2024, 3, 1),
            recognition_vote_date=D(2024, 9, 10), recognition_vote_members=9, recognition_votes_for=9,
        )  # fmt: skip
        with self.assertRaises(ValidationError) as ctx:  # probation would end on 20/9/2024, after the cell's vote
            correct(ceremony, self.dave, act_date=D(2023, 9, 20))
        self.assertIn("recognition_vote_date", ctx.exception.message_dict)
        self.assertEqual(fresh(c).admission_date, D(2023, 9, 5))
        correct(ceremony, self.dave, act_date=D(2023, 9, 8))
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.probation_end, stored.official_date), (Stage.OFFICIAL, D(2024, 9, 8), D(2024, 9, 8))
        )

    def test_a_decision_corrected_to_its_deadline_withdraws_the_late_decision_warning(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.BRANCH_VOTED)  # voted 5/7/2023: decision due Fri 29/9/2023
        event = advance(c, "decision", D(2023, 10, 2), self.alice, "56-QĐ/ĐU")
        advance(c, "ceremony", D(2023, 10, 20), self.dave)
        self.assertEqual(self.open_warnings(c), [WarningCode.DECISION_LATE])
        correct(event, self.alice, "Quyết định ký ngày 29/9", act_date=D(2023, 9, 29))
        self.assertEqual((fresh(c).decision_date, fresh(c).stage), (D(2023, 9, 29), Stage.PROBATION))
        self.assertEqual(self.open_warnings(c), [])

    def test_the_first_entry_corrects_the_day_the_person_was_put_on_the_source_list(self) -> None:
        c = services.candidate_create(
            organization=self.orgs["C1.B1.01"], acting_user=self.dave, source_date=D(2024, 1, 10), today=TODAY,
            full_name="Nguyễn Văn An", birth_date=D(2000, 2, 14), gender="male", ethnicity="Kinh",
            national_id="001200012345",
        )  # fmt: skip
        entry = StageEvent.objects.get(candidate=c)
        correction = correct(entry, self.dave, "Sai ngày", act_date=D(2024, 1, 12))
        self.assertEqual((fresh(c).source_date, fresh(c).stage_date), (D(2024, 1, 12), D(2024, 1, 12)))
        self.assertEqual(correction.changes, {"source_date": ["2024-01-10", "2024-01-12"]})
        with self.assertRaises(ValidationError):
            undo(entry, self.dave)

    def test_a_removal_reason_is_corrected(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        event = advance(c, "remove", D(2024, 1, 5), self.dave, removal_reason="withdrew")
        correct(event, self.dave, "Chuyển đi nơi khác", removal_reason="other", removal_note="Đi lao động")
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.removal_reason, stored.removal_note), (Stage.REMOVED, "other", "Đi lao động")
        )
        self.assertEqual(event_of(event).details, {"removal_reason": "other", "removal_note": "Đi lao động"})


class UndoTestCase(CorrectionBase):
    def test_undoing_the_ceremony_takes_the_person_back_to_decided_and_out_of_the_admissions(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        admitted_before = admitted()
        event = advance(c, "ceremony", D(2023, 9, 5), self.dave)
        self.assertNotEqual(admitted(), admitted_before)
        correction = undo(event, self.erin)
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.stage_date, stored.admission_date, stored.probation_end),
            (Stage.DECIDED, D(2023, 8, 15), None, None),
        )
        # Ceremony due within 30 working days of Tue 15/8/2023, skipping 1 and 4/9/2023: Thu 28/9/2023.
        self.assertEqual(stored.due_date, D(2023, 9, 28))
        self.assertEqual(admitted(), admitted_before)
        self.assertEqual(
            (correction.kind, correction.acting_user, correction.reason),
            (CorrectionKind.UNDO, self.erin, "Ghi nhầm người"),
        )
        self.assertEqual(
            correction.changes, {"admission_date": ["2023-09-05", None], "to_stage": [Stage.PROBATION, Stage.DECIDED]}
        )
        self.assertTrue(StageEvent.objects.filter(pk=event.pk).exists())  # kept, marked undone
        self.assertEqual(
            stored.history.latest("history_id").history_change_reason, f"correction:{correction.pk} Ghi nhầm người"
        )

    def test_undoing_the_ceremony_keeps_the_day_the_decision_was_received(self) -> None:
        # Both the decision's step and the ceremony's take that day; the decision still stands (found by a review).
        c = make_candidate(self.orgs["C1.B1.01"], Stage.COMMITTEE_REVIEWED)
        advance(c, "decision", D(2023, 8, 15), self.dave, "7-QĐ/ĐU", decision_received_date=D(2023, 8, 18))
        event = advance(fresh(c), "ceremony", D(2023, 9, 5), self.dave)
        undo(event, self.erin)
        stored = fresh(c)
        self.assertEqual((stored.stage, stored.decision_received_date), (Stage.DECIDED, D(2023, 8, 18)))
        # Ceremony due within 30 working days of the day received, Fri 18/8/2023 (1 and 4/9 off): Tue 3/10/2023.
        self.assertEqual(stored.due_date, D(2023, 10, 3))

    def test_only_the_last_step_is_undone_and_then_the_one_before_it(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.SOURCE)
        awareness = advance(c, "awareness", D(2023, 3, 15), self.dave, "CN-1")
        dossier = advance(c, "dossier", D(2023, 4, 3), self.dave)
        with self.assertRaises(ValidationError):
            undo(awareness, self.dave)
        undo(dossier, self.dave)
        with self.assertRaises(ValidationError):  # undone once, for good
            undo(dossier, self.dave)
        with self.assertRaises(ValidationError):
            correct(dossier, self.dave, act_date=D(2023, 4, 4))
        undo(awareness, self.dave)
        stored = fresh(c)
        self.assertEqual(
            (
                stored.stage,
                stored.stage_date,
                stored.awareness_cert_date,
                stored.awareness_cert_no,
                stored.cert_expires,
            ),
            (Stage.SOURCE, D(2023, 1, 10), None, "", None),
        )
        # The step recorded again after the undo is a new entry.
        again = advance(c, "awareness", D(2023, 3, 16), self.dave, "CN-2")
        self.assertNotEqual(again.pk, awareness.pk)
        self.assertEqual(fresh(c).stage, Stage.AWARENESS)

    def test_undoing_the_third_failed_vote_withdraws_the_report(self) -> None:
        c = self.dossier()
        self.vote(c, 5, D(2023, 7, 5))
        self.vote(c, 6, D(2023, 8, 7))
        third = self.vote(c, 7, D(2023, 9, 5))
        correction = undo(third, self.erin)
        self.assertEqual((fresh(c).stage, fresh(c).failed_votes), (Stage.DOSSIER, 2))
        self.assertEqual(self.open_warnings(c), [])
        self.assertEqual(correction.changes, {"failed_votes": [3, 2]})

    def test_undoing_a_removal_reopens_the_candidacy(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        event = advance(c, "remove", D(2024, 1, 5), self.dave, removal_reason="withdrew", removal_note="Xin rút")
        undo(event, self.dave, "Rút nhầm người")
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.stage_date, stored.removal_date, stored.removal_reason, stored.removal_note),
            (Stage.AWARENESS, D(2023, 3, 15), None, "", ""),
        )

    def test_a_removal_is_not_undone_while_the_person_is_open_elsewhere(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.AWARENESS)
        event = advance(c, "transfer", D(2024, 1, 5), self.dave, removal_reason=RemovalReason.MOVED_AWAY.value)
        self.assertEqual(fresh(c).stage, Stage.TRANSFERRED)
        make_candidate(self.orgs["C1.B2"], Stage.SOURCE, national_id=c.national_id)
        with self.assertRaises(ValidationError) as ctx:
            undo(event, self.dave)
        self.assertIn("Chi bộ Công ty Cổ phần Sông Lô", " ".join(ctx.exception.messages))
        self.assertEqual(fresh(c).stage, Stage.TRANSFERRED)
        # Outside the user's scope, the other candidacy is named only as existing, not where.
        with self.assertRaises(ValidationError) as ctx:
            corrections.step_undo(
                event=event_of(event), version=fresh(c).version, acting_user=self.charlie, reason="x", today=TODAY
            )
        self.assertNotIn("Sông Lô", " ".join(ctx.exception.messages))
        self.assertFalse(StageCorrection.objects.exists())


class TallyTestCase(CorrectionBase):
    def test_rebuild_tallies_check_agrees_after_corrections_and_undos(self) -> None:
        c = make_candidate(self.orgs["C1.B2"], Stage.BRANCH_VOTED)
        decision = advance(c, "decision", D(2023, 8, 15), self.alice, "56-QĐ/ĐU")
        ceremony = advance(c, "ceremony", D(2023, 9, 5), self.dave)
        correct(ceremony, self.dave, "Sang năm sau", act_date=D(2024, 1, 3))  # the admission moves a year
        correct(decision, self.dave, "Sai số", document_no="57-QĐ/ĐU")
        undo(ceremony, self.dave)
        leaving = advance(c, "reject", D(2024, 2, 1), self.dave, removal_reason="not_admitted")
        undo(leaving, self.dave)
        self.assertEqual(fresh(c).stage, Stage.DECIDED)
        call_command("rebuild_tallies", "--check", stdout=StringIO())  # exits 1 (CommandError) when they differ


class TrailTestCase(BaseTestCase):
    def test_the_changes_read_in_the_order_of_the_record_whatever_order_the_database_keeps(self) -> None:
        # PostgreSQL's jsonb orders keys by their length: the rows must not follow it.
        correction = StageCorrection(
            kind=CorrectionKind.CORRECT,
            changes={
                "to_stage": [Stage.DOSSIER, Stage.BRANCH_VOTED],
                "note": ["", "Họp bất thường"],
                "branch_votes_for": [11, 18],
                "branch_vote_date": ["2023-07-05", "2023-07-06"],
                "branch_vote_members": [1200, 1250],
            },
        )
        with translation.override("vi"):
            rows = [(row.label, row.before, row.after) for row in corrections.change_rows(correction)]
        self.assertEqual(
            rows,
            [
                ("Ngày chi bộ xét", "05/07/2023", "06/07/2023"),
                ("Số đảng viên chính thức của chi bộ", "1.200", "1.250"),
                ("Số phiếu tán thành", "11", "18"),
                ("Ghi chú", "—", "Họp bất thường"),
                ("Giai đoạn", "Đang hoàn thiện hồ sơ", "Chi bộ đã xét"),
            ],
        )


class RefusalTestCase(CorrectionBase):
    def test_a_reason_is_required(self) -> None:
        c = self.dossier()
        event = self.vote(c, 11)
        with self.assertRaises(ValidationError) as ctx:
            correct(event, self.dave, reason="  ", branch_votes_for=18)
        self.assertIn("reason", ctx.exception.message_dict)
        with self.assertRaises(ValidationError) as ctx:
            undo(event, self.dave, reason="")
        self.assertIn("reason", ctx.exception.message_dict)
        self.assertEqual((fresh(c).stage, fresh(c).failed_votes, fresh(c).version), (Stage.DOSSIER, 1, 2))

    def test_a_correction_that_changes_nothing_is_refused(self) -> None:
        c = self.dossier()
        event = self.vote(c, 11)
        with self.assertRaises(ValidationError):
            correct(event, self.dave)
        self.assertFalse(StageCorrection.objects.exists())

    def test_a_correction_on_a_stale_copy_is_refused(self) -> None:
        c = self.dossier()
        event = event_of(self.vote(c, 11))
        read = event.candidate.version
        services.candidate_update(candidate=fresh(c), version=read, acting_user=self.erin, occupation="Giáo viên")
        for attempt in (
            lambda: corrections.step_correct(
                event=event, version=read, acting_user=self.dave, reason="x",
                act_date=VOTE_DAY, document_no="12-NQ/CB", today=TODAY, branch_vote_members=20, branch_votes_for=18,
            ),
            lambda: corrections.step_undo(
                event=event_of(event), version=read, acting_user=self.dave, reason="x", today=TODAY
            ),
        ):  # fmt: skip
            with self.assertRaises(StaleCandidate):
                attempt()
        stored = fresh(c)
        self.assertEqual((stored.stage, stored.failed_votes, stored.occupation), (Stage.DOSSIER, 1, "Giáo viên"))
        self.assertFalse(StageCorrection.objects.exists())

    def test_an_entry_of_a_workbook_import_is_not_a_step_to_correct(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        entry = StageEvent.objects.create(
            candidate=c, from_stage="", to_stage=Stage.DECIDED, act_date=D(2023, 8, 15), details={"import_run": 1}
        )
        self.assertIsNone(corrections.event_step(entry))
        with self.assertRaises(ValidationError):
            corrections.step_undo(
                event=event_of(entry), version=c.version, acting_user=self.dave, reason="x", today=TODAY
            )
        with self.assertRaises(ValidationError):
            corrections.step_correct(
                event=event_of(entry), version=c.version, acting_user=self.dave, reason="x", act_date=D(2023, 8, 16),
                today=TODAY,
            )  # fmt: skip

    def test_every_step_is_recognised_from_its_entry(self) -> None:
        for name, spec in services.STEPS.items():
            with self.subTest(step=name):
                entry = StageEvent(from_stage=Stage.SOURCE, to_stage=spec.to, act_date=TODAY, details={})
                self.assertEqual(corrections.event_step(entry), spec)
        failed = StageEvent(
            from_stage=Stage.BRANCH_VOTED, to_stage=Stage.BRANCH_VOTED, act_date=TODAY,
            details={"committee_members": 7, "committee_votes_for": 3, "passed": False},
        )  # fmt: skip
        self.assertEqual(corrections.event_step(failed), services.STEPS["committee_review"])
