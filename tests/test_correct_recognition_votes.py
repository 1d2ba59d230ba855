"""Undoing a recognition vote short of two thirds (issue 15: corrections, with the corrected three-votes rule).

Quy định 29 §4.2c: after "3 lần biểu quyết nhưng không đủ hai phần ba … tán thành công nhận", the chi bộ reports
to the superior committee. A mistyped third vote, undone, takes the count back to two and withdraws the report
the mistake raised, as for the cell's admission votes.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from recruitment import corrections
from recruitment.models import Candidate, CandidateWarning, Stage, StageEvent, WarningCode
from tests.base import BaseTestCase
from tests.people import make_candidate
from tests.test_candidate_services import advance, fresh

D = datetime.date


def recognition_vote(c: Candidate, day: datetime.date, votes_for: int, user: User) -> StageEvent:
    """The cell's vote on recognition, of 9 members; short of two thirds it has no decision (no date, no number)."""
    return advance(
        c, "recognition", None, user, "", new_member_course_date=D(2024, 3, 1), recognition_vote_date=day,
        recognition_vote_members=9, recognition_votes_for=votes_for,
    )  # fmt: skip


class UndoRecognitionVoteTestCase(BaseTestCase):
    def vote(self, c: Candidate, day: datetime.date, votes_for: int) -> StageEvent:
        return recognition_vote(c, day, votes_for, self.dave)

    def test_undoing_the_third_failed_recognition_vote_withdraws_the_report(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)  # probation ends 5/9/2024
        self.vote(c, D(2024, 9, 10), 5)
        self.vote(c, D(2024, 10, 8), 4)
        third = self.vote(c, D(2024, 11, 5), 3)
        self.assertTrue(CandidateWarning.objects.get(candidate=c, code=WarningCode.VOTES_FAILED).is_open)
        corrections.step_undo(event=third, version=fresh(c).version, acting_user=self.dave, reason="Nhập nhầm")
        stored = fresh(c)
        self.assertEqual((stored.stage, stored.failed_probation_votes), (Stage.PROBATION, 2))
        warning = CandidateWarning.objects.get(candidate=c, code=WarningCode.VOTES_FAILED)
        self.assertFalse(warning.is_open)
        self.assertIn("Nhập nhầm", warning.resolution)


class FailedRemovalVoteTestCase(BaseTestCase):
    """Quy định 29 §4.2c: "… tán thành công nhận … hoặc đề nghị xóa tên": a proposal to strike a probationer off
    that falls short of two thirds is a fact to record with its counts (DOMAIN §2), the person stays on probation,
    and it counts with the failed recognition votes towards the report to the superior committee."""

    def propose(self, c: Candidate, day: datetime.date, votes_for: int, document_no: str = "") -> StageEvent:
        return advance(
            c, "strike_off", day, self.dave, document_no, removal_reason="struck_off", removal_vote_members=9,
            removal_votes_for=votes_for,
        )  # fmt: skip

    def test_a_proposal_short_of_two_thirds_is_recorded_and_the_third_failure_is_reported(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)  # probation ends 5/9/2024
        recognition_vote(c, D(2024, 9, 10), 5, self.dave)
        first = self.propose(c, D(2024, 10, 8), 5)
        stored = fresh(c)
        self.assertEqual((stored.stage, stored.failed_probation_votes, stored.removal_date), (Stage.PROBATION, 2, None))
        self.assertTrue(first.stayed)
        self.assertEqual((first.details["removal_votes_for"], first.details["passed"]), (5, False))
        self.assertFalse(CandidateWarning.objects.filter(candidate=c).exists())
        self.propose(c, D(2024, 11, 5), 4)
        warning = CandidateWarning.objects.get(candidate=c)
        self.assertEqual((warning.code, warning.act_date), (WarningCode.VOTES_FAILED, D(2024, 11, 5)))

    def test_a_proposal_with_two_thirds_strikes_off_with_its_decision_number(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        self.propose(c, D(2024, 10, 8), 6, "21-QĐ/ĐU")
        self.assertEqual((fresh(c).stage, fresh(c).removal_decision_no), (Stage.STRUCK_OFF, "21-QĐ/ĐU"))

    def test_undoing_a_failed_proposal_takes_back_its_count(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        event = self.propose(c, D(2024, 10, 8), 5)
        corrections.step_undo(event=event, version=fresh(c).version, acting_user=self.dave, reason="Nhập nhầm")
        self.assertEqual((fresh(c).stage, fresh(c).failed_probation_votes), (Stage.PROBATION, 0))
