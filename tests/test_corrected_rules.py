"""The rules of DOMAIN §2–3 that issue 15 corrected, each with worked examples and the source's words.

Each class opens with the words of the source (DOMAIN.md quotes them) and tests the boundary by hand-counted
dates: working days with the real Vietnamese calendar (National Day 2–3/9/2024 off).
"""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.core.exceptions import ValidationError

from recruitment import rules, services
from recruitment.forms import IntroducerForm, StepForm
from recruitment.models import (
    Candidate,
    CandidateWarning,
    Introducer,
    IntroducerKind,
    Stage,
    StageEvent,
    WarningCode,
)
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate
from tests.test_candidate_services import TODAY, advance, fresh, set_rules
from tests.test_rules import ADMITTED, DECIDED, VOTE, RulesTestCase, member, person, resolution

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
KNOWN = D(2020, 1, 1)


class RecognitionVotesTestCase(BaseTestCase):
    """Quy định 29 §4.2c: "đã qua 3 lần biểu quyết nhưng không đủ hai phần ba … tán thành công nhận một đảng viên
    dự bị là đảng viên chính thức hoặc đề nghị xóa tên" — the chi bộ then reports to the superior committee. A
    recognition vote below 2/3 is a fact to record, with its counts, not an input to refuse."""

    # make_candidate's probationer: ceremony 5/9/2023, probation ends 5/9/2024.
    def probationer(self) -> Candidate:
        return make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)

    def vote(self, c: Candidate, day: datetime.date, votes_for: int, members: int = 9, **more: Any) -> StageEvent:
        """The recognition step with the cell's vote; a vote short of two thirds gives no decision."""
        return advance(
            c, "recognition", more.pop("act_date", None), self.dave, more.pop("document_no", ""),
            new_member_course_date=D(2024, 3, 1), recognition_vote_date=day, recognition_vote_members=members,
            recognition_votes_for=votes_for, **more,
        )  # fmt: skip

    def test_a_recognition_vote_below_two_thirds_is_recorded_with_its_counts_and_the_person_stays_on_probation(
        self,
    ) -> None:
        c = self.probationer()
        event = self.vote(c, D(2024, 9, 10), 5)
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.failed_probation_votes, stored.recognition_date), (Stage.PROBATION, 1, None)
        )
        self.assertTrue(event.stayed)
        self.assertEqual(event.act_date, D(2024, 9, 10))
        self.assertEqual(
            (
                event.details["recognition_votes_for"],
                event.details["recognition_vote_members"],
                event.details["passed"],
            ),
            (5, 9, False),
        )
        self.assertFalse(stored.warnings.exists())

    def test_the_third_recognition_vote_short_of_two_thirds_is_reported_to_the_superior_committee(self) -> None:
        c = self.probationer()
        self.vote(c, D(2024, 9, 10), 5)
        self.vote(c, D(2024, 10, 8), 4)
        self.assertFalse(CandidateWarning.objects.filter(candidate=c).exists())
        self.vote(c, D(2024, 11, 5), 3)
        warning = CandidateWarning.objects.get(candidate=c)
        self.assertEqual(
            (warning.code, warning.act_date, warning.is_open), (WarningCode.VOTES_FAILED, D(2024, 11, 5), True)
        )
        self.assertEqual(fresh(c).failed_probation_votes, 3)

    def test_a_fourth_failure_does_not_repeat_an_open_report(self) -> None:
        c = self.probationer()
        for day in (D(2024, 9, 10), D(2024, 10, 8), D(2024, 11, 5), D(2024, 12, 3)):
            self.vote(c, day, 1)
        self.assertEqual(CandidateWarning.objects.filter(candidate=c, code=WarningCode.VOTES_FAILED).count(), 1)
        self.assertEqual(fresh(c).failed_probation_votes, 4)

    def test_the_number_of_failed_votes_comes_from_the_rule_set(self) -> None:
        set_rules(D(2024, 9, 10), max_failed_votes=2)
        c = self.probationer()
        self.vote(c, D(2024, 9, 10), 5)
        self.assertFalse(CandidateWarning.objects.filter(candidate=c).exists())
        self.vote(c, D(2024, 10, 8), 5)
        self.assertEqual(CandidateWarning.objects.get(candidate=c).code, WarningCode.VOTES_FAILED)

    def test_a_later_vote_passes_and_the_report_stays_until_handled(self) -> None:
        c = self.probationer()
        for day in (D(2024, 9, 10), D(2024, 10, 8), D(2024, 11, 5)):
            self.vote(c, day, 2)
        self.vote(c, D(2024, 12, 3), 8, act_date=D(2024, 12, 10), document_no="78-QĐ/ĐU")
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.recognition_vote_date, stored.failed_probation_votes),
            (Stage.OFFICIAL, D(2024, 12, 3), 3),
        )
        self.assertTrue(CandidateWarning.objects.get(candidate=c, code=WarningCode.VOTES_FAILED).is_open)

    def test_a_passing_vote_still_needs_the_decision_date_and_number(self) -> None:
        c = self.probationer()
        with self.assertRaises(ValidationError) as ctx:
            self.vote(c, D(2024, 9, 10), 8)
        self.assertIn("recognition_date", ctx.exception.message_dict)
        self.assertEqual(fresh(c).stage, Stage.PROBATION)

    def test_a_failed_vote_before_the_probation_ends_is_refused(self) -> None:
        c = self.probationer()
        with self.assertRaises(ValidationError) as ctx:
            self.vote(c, D(2024, 9, 4), 5)
        self.assertIn("recognition_vote_date", ctx.exception.message_dict)
        self.assertEqual(fresh(c).failed_probation_votes, 0)

    def test_the_form_leaves_the_decision_empty_for_a_vote_short_of_two_thirds(self) -> None:
        form = StepForm(step="recognition", stage=Stage.PROBATION)
        self.assertFalse(form.fields["act_date"].required)
        self.assertFalse(form.fields["document_no"].required)
        self.assertTrue(form.fields["recognition_votes_for"].required)

    def test_the_admission_vote_is_not_counted_among_them(self) -> None:
        # The same person's three failed admission votes earlier do not make a first failed recognition vote the third.
        c = self.probationer()
        Candidate.objects.filter(pk=c.pk).update(failed_votes=3)
        c.refresh_from_db()
        self.vote(c, D(2024, 9, 10), 5)
        self.assertFalse(CandidateWarning.objects.filter(candidate=c).exists())


class RemovalVoteTestCase(RulesTestCase):
    """ "… hoặc đề nghị xóa tên": the chi bộ's vote proposing to strike off is recorded with its counts, and a
    proposal carries 2/3 (DOMAIN §2, 06-HD/TW §3.6b)."""

    STRUCK: dict[str, Any] = {**ADMITTED, "removal_date": D(2026, 10, 30), "removal_reason": "struck_off"}

    def test_a_proposal_with_two_thirds_is_recorded(self) -> None:
        c = person(**self.STRUCK, removal_vote_members=9, removal_votes_for=6)
        self.assertNotIn("removal_votes_for", self.errors(c))

    def test_a_proposal_below_two_thirds_cannot_be_the_one_the_striking_off_rests_on(self) -> None:
        c = person(**self.STRUCK, removal_vote_members=9, removal_votes_for=5)
        self.assertIn("removal_votes_for", self.errors(c))

    def test_more_votes_than_members_is_refused(self) -> None:
        c = person(**self.STRUCK, removal_vote_members=9, removal_votes_for=10)
        self.assertIn("removal_votes_for", self.errors(c))


class StrikingOffDecisionTestCase(BaseTestCase):
    """294 §8.1 (DOMAIN §8): "The chi bộ proposes and the competent committee decides"; keep "exit_reason with
    decision number and date". Striking a probationer off needs the decision's number."""

    def test_striking_off_without_the_decision_number_is_refused(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        with self.assertRaises(ValidationError) as ctx:
            advance(c, "strike_off", D(2024, 2, 1), self.dave, removal_reason="struck_off")
        self.assertIn("removal_decision_no", ctx.exception.message_dict)
        self.assertEqual(fresh(c).stage, Stage.PROBATION)

    def test_the_decision_number_and_the_proposal_vote_are_recorded(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.PROBATION)
        advance(
            c, "strike_off", D(2024, 9, 20), self.dave, "90-QĐ/ĐU", removal_reason="struck_off",
            removal_vote_members=9, removal_votes_for=7,
        )  # fmt: skip
        stored = fresh(c)
        self.assertEqual(
            (stored.stage, stored.removal_decision_no, stored.removal_votes_for), (Stage.STRUCK_OFF, "90-QĐ/ĐU", 7)
        )

    def test_the_form_leaves_the_number_to_the_service_for_a_proposal_voted_down(self) -> None:
        # A proposal short of two thirds is recorded undecided, with no number (tests/test_correct_recognition_votes
        # .py); a striking off is refused without it by the service (the test above).
        form = StepForm(step="strike_off", stage=Stage.PROBATION)
        self.assertFalse(form.fields["document_no"].required)
        self.assertIn("không đủ tỷ lệ", str(form.fields["document_no"].help_text))
        self.assertFalse(form.fields["removal_votes_for"].required)

    def test_a_source_list_removal_needs_no_decision(self) -> None:
        self.assertNotIn("document_no", StepForm(step="remove", stage=Stage.SOURCE).fields)


class CeremonyFromReceiptTestCase(RulesTestCase):
    """Quy định 29 and 232 §4.1: the ceremony within 30 working days "kể từ ngày nhận được quyết định" — from the
    day the chi bộ received the decision, not the decision's date; the decision date stands in when unknown."""

    # Decision Thu 15/8/2024: 30 working days (2–3/9 off) end on Mon 30/9/2024. Received Mon 26/8/2024: 27–30/8
    # (4), 4–6/9 (7), 9–13 (12), 16–20 (17), 23–27 (22), 30/9–4/10 (27), 7–9/10 (30): Wed 9/10/2024.
    DECIDED_ON, RECEIVED_ON = D(2024, 8, 15), D(2024, 8, 26)

    def decided(self, **fields: Any) -> Candidate:
        values = {"branch_vote_date": D(2024, 7, 5), "decision_no": "56-QĐ/ĐU", "decision_date": self.DECIDED_ON}
        return person(vote=D(2024, 7, 5), **{**values, **fields})

    def test_the_deadline_counts_from_the_day_the_cell_received_the_decision(self) -> None:
        c = self.decided(decision_received_date=self.RECEIVED_ON)
        self.judge(c)
        self.assertEqual(c.due_date, D(2024, 10, 9))

    def test_the_decision_date_stands_in_when_the_day_received_is_unknown(self) -> None:
        c = self.decided()
        self.judge(c)
        self.assertEqual(c.due_date, D(2024, 9, 30))

    def test_a_ceremony_late_by_the_decision_date_is_in_time_by_the_day_received(self) -> None:
        late = self.decided(admission_date=D(2024, 10, 9))
        self.assertIn(WarningCode.CEREMONY_LATE, self.warnings(late))
        in_time = self.decided(admission_date=D(2024, 10, 9), decision_received_date=self.RECEIVED_ON)
        self.assertNotIn(WarningCode.CEREMONY_LATE, self.warnings(in_time))
        self.assertIn(
            WarningCode.CEREMONY_LATE,
            self.warnings(self.decided(admission_date=D(2024, 10, 10), decision_received_date=self.RECEIVED_ON)),
        )

    def test_the_decision_is_received_after_it_is_made_and_before_the_ceremony(self) -> None:
        before = self.decided(decision_received_date=self.DECIDED_ON - ONE_DAY)
        self.assertIn("decision_received_date", self.errors(before))
        after = self.decided(admission_date=D(2024, 9, 2), decision_received_date=D(2024, 9, 3))
        self.assertIn("admission_date", self.errors(after))
        self.assert_clean(self.decided(decision_received_date=self.DECIDED_ON, admission_date=self.DECIDED_ON))


@time_machine.travel("2026-11-20 09:00 +0700", tick=False)
class CeremonyFromReceiptOnTheWebTestCase(BaseTestCase):
    def test_the_ceremony_step_records_the_day_received_and_the_page_says_when_it_is_unknown(self) -> None:
        c = make_candidate(self.orgs["C1.B1.01"], Stage.DECIDED)
        self.client.force_login(self.dave)
        page = self.client.get(f"/candidates/{c.pk}/")
        self.assertContains(page, 'id="decision-received-unknown"')
        # Decision 15/8/2023: 30 working days end 28/9/2023 (1 and 4/9/2023 off); received 21/8, they end 4/10.
        r = self.client.post(
            f"/candidates/{c.pk}/step/ceremony/",
            {"version": c.version, "act_date": "02/10/2023", "decision_received_date": "21/08/2023"},
        )
        self.assertRedirects(r, f"/candidates/{c.pk}/")
        stored = fresh(c)
        self.assertEqual((stored.stage, stored.decision_received_date), (Stage.PROBATION, D(2023, 8, 21)))
        self.assertFalse(stored.warnings.exists())
        page = self.client.get(f"/candidates/{c.pk}/")
        self.assertNotContains(page, 'id="decision-received-unknown"')
        self.assertContains(page, "21/08/2023")


class ConsentBeforeDecisionTestCase(RulesTestCase):
    """Hướng dẫn 01-HD/TW (2021): over 60, the written consent of the provincial standing committee must come
    **before** the admission decision: its date is compared with the decision's."""

    OLD = D(1955, 1, 1)

    def test_a_consent_dated_after_the_decision_is_refused(self) -> None:
        c = person(
            birth_date=self.OLD, **DECIDED, provincial_consent_no="215-CV/TU", provincial_consent_date=D(2025, 10, 7)
        )
        self.assertIn("decision_date", self.errors(c))

    def test_a_consent_on_the_day_of_the_decision_comes_in_time(self) -> None:
        c = person(
            birth_date=self.OLD, **DECIDED, provincial_consent_no="215-CV/TU", provincial_consent_date=D(2025, 10, 6)
        )
        self.assert_clean(c)

    def test_a_consent_without_its_date_cannot_be_shown_to_come_first(self) -> None:
        c = person(birth_date=self.OLD, **DECIDED, provincial_consent_no="215-CV/TU")
        self.assertIn("provincial_consent_date", self.errors(c))

    def test_under_60_the_consent_is_not_asked_for(self) -> None:
        self.assert_clean(person(**DECIDED))


class YouthAgeIntroductionTestCase(RulesTestCase):
    """Charter Điều 4 / DOMAIN §2: "Youth age, where a Youth Union exists: the applicant must be a đoàn viên;
    introduced by a resolution of the grassroots Đoàn committee (4-KNĐ) + 1 official member". Youth age is the
    Youth Union's: up to 30 (RuleSet.youth_age_max_years), counted at the cell's vote."""

    def problems(self, c: Candidate, introducers: list[Introducer]) -> list[str]:
        return [p.message for p in rules.check_introducers(c, introducers, VOTE, self.rules_at(VOTE))]

    def union_and_member(self) -> list[Introducer]:
        return [resolution(IntroducerKind.YOUTH_UNION), member("Trần Văn Hùng", KNOWN)]

    def two_members(self) -> list[Introducer]:
        return [member("Trần Văn Hùng", KNOWN), member("Lê Thị Mai", KNOWN)]

    # VOTE is 10/9/2025: born 11/9/1994 the applicant is 30 years 11 months (youth age); born 10/9/1994, 31.
    def test_a_youth_union_member_of_youth_age_is_introduced_by_the_union_and_one_member(self) -> None:
        self.assertEqual(self.problems(person(birth_date=D(1994, 9, 11)), self.union_and_member()), [])

    def test_two_members_alone_do_not_introduce_a_youth_union_member_of_youth_age(self) -> None:
        self.assertEqual(len(self.problems(person(birth_date=D(1994, 9, 11)), self.two_members())), 1)

    def test_at_31_the_union_no_longer_introduces_and_two_members_do(self) -> None:
        older = person(birth_date=D(1994, 9, 10))
        self.assertEqual(len(self.problems(older, self.union_and_member())), 1)
        self.assertEqual(self.problems(older, self.two_members()), [])

    def test_an_applicant_outside_the_union_is_introduced_by_two_members(self) -> None:
        self.assertEqual(self.problems(person(youth_union=False), self.two_members()), [])

    def test_the_youth_age_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, youth_age_max_years=35)
        older = person(birth_date=D(1994, 9, 10))
        self.assertEqual(self.problems(older, self.union_and_member()), [])
        self.assertEqual(len(self.problems(older, self.two_members())), 1)


class IntroducersStandingTestCase(RulesTestCase):
    """Charter Điều 4, 294 §3.2: an introducer is an **official member** who worked, studied or lived with the
    applicant "in a unit under the same grassroots organisation". The tracker keeps no roll of members: the cell
    declares it for each introducer."""

    def problems(self, introducers: list[Introducer]) -> list[str]:
        c = person(youth_union=False)
        return [p.message for p in rules.check_introducers(c, introducers, VOTE, self.rules_at(VOTE))]

    def test_members_declared_official_members_here_introduce(self) -> None:
        self.assertEqual(self.problems([member("Trần Văn Hùng", KNOWN), member("Lê Thị Mai", KNOWN)]), [])

    def test_a_member_not_declared_so_does_not(self) -> None:
        for declared in (False, None):
            with self.subTest(declared=declared):
                introducers = [
                    member("Trần Văn Hùng", KNOWN),
                    member("Lê Thị Mai", KNOWN, official_member_here=declared),
                ]
                found = self.problems(introducers)
                self.assertEqual(len(found), 1)
                self.assertIn("Lê Thị Mai", found[0])

    def test_the_form_asks_for_the_declaration(self) -> None:
        data = {
            "version": 1,
            "kind": "member",
            "name": "Lê Thị Mai",
            "known_since": "01/01/2020",
            "introduced_on": "01/06/2025",
        }
        form = IntroducerForm(data)
        self.assertFalse(form.is_valid())
        self.assertIn("official_member_here", form.errors)
        self.assertTrue(IntroducerForm({**data, "official_member_here": "on"}).is_valid())
        union = IntroducerForm({"version": 1, "kind": "youth_union", "name": "BCH Đoàn", "introduced_on": "01/06/2025"})
        self.assertTrue(union.is_valid())
        self.assertIsNone(union.cleaned_data["official_member_here"])


class RecognitionAfterProbationTestCase(RulesTestCase):
    """DOMAIN §3 (a provincial guide): the chi bộ's recognition resolution comes "sau khi hết thời gian 12 tháng
    dự bị" — after the 12 months have ended; they end on the day the member becomes official (the probation's
    end, 12 months from the ceremony), and that day itself is accepted."""

    # Ceremony 20/10/2025: the 12 months end on 20/10/2026.
    def test_the_vote_on_the_day_the_12_months_end_is_accepted(self) -> None:
        c = person(**ADMITTED, recognition_vote_date=D(2026, 10, 20), recognition_date=D(2026, 10, 30))
        self.assert_clean(c)
        self.assertEqual(c.official_date, D(2026, 10, 20))

    def test_the_vote_the_day_before_is_refused(self) -> None:
        c = person(**ADMITTED, recognition_vote_date=D(2026, 10, 19), recognition_date=D(2026, 10, 30))
        self.assertIn("recognition_vote_date", self.errors(c))

    def test_a_recognition_decision_before_the_end_is_refused_too(self) -> None:
        c = person(**ADMITTED, recognition_date=D(2026, 10, 19))
        self.assertIn("recognition_date", self.errors(c))


class CourseDatesTestCase(RulesTestCase):
    """DOMAIN §3: the probationer completes the new-member course (lớp bồi dưỡng lý luận chính trị cho đảng viên
    mới), whose certificate is part of the recognition file: after the ceremony, before the cell's vote on
    recognition."""

    RECOGNIZED = {**ADMITTED, "recognition_vote_date": D(2026, 10, 22), "recognition_date": D(2026, 10, 30)}

    def test_a_course_before_the_ceremony_is_refused(self) -> None:
        c = person(**self.RECOGNIZED, new_member_course_date=D(2025, 10, 19))
        self.assertIn("new_member_course_date", self.errors(c))

    def test_a_course_after_the_recognition_vote_is_refused(self) -> None:
        c = person(**self.RECOGNIZED, new_member_course_date=D(2026, 10, 23))
        self.assertIn("recognition_vote_date", self.errors(c))

    def test_on_the_ceremony_day_and_on_the_vote_day_the_course_is_in_order(self) -> None:
        self.assert_clean(person(**self.RECOGNIZED, new_member_course_date=D(2025, 10, 20)))
        self.assert_clean(person(**self.RECOGNIZED, new_member_course_date=D(2026, 10, 22)))


class TimelineStillConsistentTestCase(BaseTestCase):
    def test_the_test_people_break_none_of_the_corrected_rules(self) -> None:
        ctx = rules.Context.load(TODAY)
        for stage in (Stage.DECIDED, Stage.PROBATION, Stage.OFFICIAL, Stage.STRUCK_OFF):
            with self.subTest(stage=stage):
                c = make_candidate(self.orgs["C1.B1.01"], stage)
                self.assertEqual([p for p in rules.check_record(c, ctx) if p.is_error], [])
        self.assertLess(TIMELINE["admission_date"], TIMELINE["new_member_course_date"])
        self.assertEqual(services.STEPS["strike_off"].number_field, "removal_decision_no")
