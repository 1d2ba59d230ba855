"""Undoing a recognition vote short of two thirds (issue 15: corrections, with the corrected three-votes rule).

Quy định 29 §4.2c: after "3 lần biểu quyết nhưng không đủ hai phần ba … tán thành công nhận", the chi bộ reports
to the superior committee. A mistyped third vote, undone, takes the count back to two and withdraws the report
the mistake raised, as for the cell's admission votes.
"""

from __future__ import annotations

import datetime

from recruitment import corrections
from recruitment.models import Candidate, CandidateWarning, Stage, StageEvent, WarningCode
from tests.base import BaseTestCase
from tests.people import make_candidate
from tests.test_candidate_services import advance, fresh

D = datetime.date


class UndoRecognitionVoteTestCase(BaseTestCase):
    def vote(self, c: Candidate, day: datetime.date, votes_for: int) -> StageEvent:
        return advance(
            c, "recognition", None, self.dave, "", new_member_course_date=D(2024, 3, 1), recognition_vote_date=day,
            recognition_vote_members=9, recognition_votes_for=votes_for,
        )  # fmt: skip

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
