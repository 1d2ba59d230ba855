"""One person across candidacies (issue 14 §3): the earlier records of a citizen ID, and readmission read from them.

DOMAIN §9: "whether a person was admitted before, struck off, or left, is read from their earlier records in the
system (same citizen ID), not only from a checkbox; the barred reasons are (1) left party life of their own accord
and (2) asked to leave, except for especially hard family circumstances (294 §3.5.2; H)".
"""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recruitment import past, rules, services
from recruitment.models import Candidate, LeftPartyReason, RemovalReason, Stage
from recruitment.rules import Problem, add_months
from tests.base import BaseTestCase
from tests.people import TIMELINE, make_candidate, next_national_id
from tests.test_rules import VOTE, RulesTestCase, readmitted

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
TODAY = D(2026, 11, 20)
# A candidacy that went all the way ten years before tests.people.TIMELINE: admitted 5/9/2013.
OLD = {k: v.replace(year=v.year - 10) for k, v in TIMELINE.items()}
OLDER = {k: v.replace(year=v.year - 16) for k, v in TIMELINE.items()}


def left_member(org: Any, national_id: str, left: datetime.date, reason: str, **fields: Any) -> Candidate:
    """A full member (admitted 2013) whose record says they left the Party's ranks on `left`."""
    return make_candidate(
        org, Stage.OFFICIAL, timeline=OLD, national_id=national_id, removal_date=left, removal_reason=reason, **fields
    )


class ReadFromRecordsTestCase(RulesTestCase, BaseTestCase):
    """The rules at the cell's vote (tests.test_rules.VOTE, 10/9/2025), with the past the records show."""

    def setUp(self) -> None:
        super().setUp()
        self.nid = next_national_id()

    def judge(self, c: Candidate, today: datetime.date = TODAY, *, visible: bool = True) -> list[Problem]:
        ctx = rules.Context.load(today)
        rules.derive(c, ctx)
        return rules.check_record(c, ctx, past.load_past(c, lambda r: visible))

    def new(self, previous: Candidate | None, **fields: Any) -> Candidate:
        """readmitted() for the same person, linked as the services link it, the checkboxes blank unless told."""
        values = {"left_party_date": None, "left_party_reason": "", "national_id": self.nid, **fields}
        c = readmitted(**values)
        c.previous = previous
        return c

    def test_36_months_after_leaving_on_record_is_enough(self) -> None:
        # DOMAIN §1: "At least 36 months after leaving".
        old = left_member(self.orgs["C1.B1.01"], self.nid, add_months(VOTE, -36), RemovalReason.OTHER)
        self.assert_clean(self.new(old, left_party_reason=LeftPartyReason.LOST_CONTACT))

    def test_35_months_after_leaving_on_record_is_refused_whatever_the_checkbox_says(self) -> None:
        left = add_months(VOTE, -36) + ONE_DAY  # 35 full months at the vote
        old = left_member(self.orgs["C1.B1.01"], self.nid, left, RemovalReason.OTHER)
        errors = self.errors(self.new(old, left_party_reason=LeftPartyReason.LOST_CONTACT))
        self.assertEqual(list(errors), ["left_party_date"])
        self.assertIn("11/09/2022", errors["left_party_date"][0])
        # A date by hand that says longer ago does not override the records: it contradicts them.
        errors = self.errors(
            self.new(old, left_party_reason=LeftPartyReason.LOST_CONTACT, left_party_date=D(2015, 1, 1))
        )
        self.assertEqual(len(errors["left_party_date"]), 2)
        # The same date by hand agrees.
        agreeing = self.new(old, left_party_reason=LeftPartyReason.LOST_CONTACT, left_party_date=add_months(VOTE, -36))
        old.removal_date = add_months(VOTE, -36)
        old.save()
        self.assert_clean(agreeing)

    def test_the_wait_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, readmission_wait_months=48)
        old = left_member(self.orgs["C1.B1.01"], self.nid, add_months(VOTE, -40), RemovalReason.OTHER)
        self.assertIn("left_party_date", self.errors(self.new(old, left_party_reason=LeftPartyReason.LOST_CONTACT)))

    def test_withdrawing_on_record_bars_readmission(self) -> None:
        # DOMAIN §9: "the barred reasons are (1) left party life of their own accord and (2) asked to leave".
        old = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.WITHDREW)
        errors = self.errors(self.new(old))
        self.assertEqual(list(errors), ["left_party_reason"])
        self.assertIn("đã xin rút", errors["left_party_reason"][0])
        # The checkbox cannot say another, allowed reason: it contradicts the records.
        errors = self.errors(self.new(old, left_party_reason=LeftPartyReason.LOST_CONTACT))
        self.assertEqual(list(errors), ["left_party_reason"])
        self.assertEqual(len(errors["left_party_reason"]), 2)

    def test_asking_to_leave_for_especially_hard_family_circumstances_is_not_barred(self) -> None:
        # DOMAIN §9: "(2) asked to leave, except for especially hard family circumstances".
        old = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.WITHDREW)
        self.assert_clean(self.new(old, left_party_reason=LeftPartyReason.HARDSHIP))

    def test_where_the_records_cannot_tell_why_the_reason_is_asked(self) -> None:
        # "other" and a strike-off do not say whether the person gave up party life (DOMAIN §8): not guessed.
        for reason, stage in ((RemovalReason.OTHER, Stage.OFFICIAL), (RemovalReason.STRUCK_OFF, Stage.STRUCK_OFF)):
            with self.subTest(reason=reason):
                nid = next_national_id()
                old = make_candidate(
                    self.orgs["C1.B1.01"], stage, timeline=OLD, national_id=nid, removal_date=D(2015, 1, 1),
                    removal_reason=reason,
                )  # fmt: skip
                errors = self.errors(self.new(old, national_id=nid))
                self.assertEqual(list(errors), ["left_party_reason"])
                self.assertIn("01/01/2015", errors["left_party_reason"][0])
                self.assert_clean(self.new(old, national_id=nid, left_party_reason=LeftPartyReason.REMOVED))
                barred = self.errors(self.new(old, national_id=nid, left_party_reason=LeftPartyReason.QUIT))
                self.assertEqual(list(barred), ["left_party_reason"])

    def test_a_second_readmission_on_record_is_refused(self) -> None:
        # DOMAIN §1: readmission is "allowed only once".
        first = make_candidate(
            self.orgs["C1.B1.01"], Stage.OFFICIAL, timeline=OLDER, national_id=self.nid, removal_date=D(2009, 1, 1),
            removal_reason=RemovalReason.OTHER,
        )  # fmt: skip
        second = left_member(
            self.orgs["C1.B1.01"], self.nid, D(2016, 1, 1), RemovalReason.OTHER, readmission=True, previous=first,
            left_party_reason=LeftPartyReason.LOST_CONTACT, left_party_date=D(2009, 1, 1),
        )  # fmt: skip
        c = self.new(second, left_party_reason=LeftPartyReason.LOST_CONTACT, previously_readmitted=False)
        errors = self.errors(c)
        self.assertEqual(list(errors), ["readmission"])
        self.assertIn("05/09/2013", errors["readmission"][0])  # the ceremony of the earlier readmission

    def test_a_readmission_that_never_reached_admission_does_not_count(self) -> None:
        member = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        tried = make_candidate(
            self.orgs["C1.B1.01"], Stage.REMOVED, timeline=OLD | {"source_date": D(2018, 1, 1),
            "awareness_cert_date": D(2018, 3, 1)}, national_id=self.nid, readmission=True, previous=member,
            left_party_reason=LeftPartyReason.LOST_CONTACT,
        )  # fmt: skip
        self.assert_clean(self.new(tried, left_party_reason=LeftPartyReason.LOST_CONTACT))

    def test_a_candidacy_that_ended_before_admission_is_no_party_past(self) -> None:
        old = make_candidate(self.orgs["C1.B1.01"], Stage.REMOVED, timeline=OLD, national_id=self.nid)
        self.assert_clean(self.new(old, readmission=False, provincial_consent_no=""))

    def test_the_records_show_an_admission_the_checkbox_denies(self) -> None:
        old = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        c = self.new(old, readmission=False, left_party_reason=LeftPartyReason.LOST_CONTACT)
        c.branch_vote_date = None  # at any stage, not only at the vote
        c.branch_vote_members = c.branch_votes_for = None  # (counts without their vote are an error of their own)
        c.stage = Stage.SOURCE
        errors = self.errors(c)
        self.assertEqual(list(errors), ["readmission"])
        self.assertIn("05/09/2013", errors["readmission"][0])

    def test_a_record_that_says_the_person_died_is_an_error(self) -> None:
        old = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.DIED)
        self.assertIn("national_id", self.errors(self.new(old, left_party_reason=LeftPartyReason.LOST_CONTACT)))

    def test_the_provincial_consent_is_still_needed(self) -> None:
        # DOMAIN §1: readmission "needs written consent of the provincial BTV".
        old = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        c = self.new(
            old, left_party_reason=LeftPartyReason.LOST_CONTACT, provincial_consent_no="",
            committee_review_date=D(2025, 9, 22), decision_date=D(2025, 10, 6), decision_no="120-QĐ/ĐU",
            committee_members=6, committee_votes_for=6, committee_resolution_no="11-NQ/ĐU",
        )  # fmt: skip
        c.stage = rules.stage_from_dates(c)
        self.assertEqual(list(self.errors(c)), ["provincial_consent_no"])

    def test_records_outside_the_scope_say_only_that_they_exist(self) -> None:
        old = left_member(self.orgs["C2.B1.01"], self.nid, add_months(VOTE, -30), RemovalReason.WITHDREW)
        messages = [p.message for p in self.judge(self.new(old, readmission=False), visible=False) if p.is_error]
        self.assertTrue(messages)
        self.assertEqual(set(messages), {past.outside_records_message()})
        for problem in self.judge(self.new(old), visible=False):
            self.assertNotIn("/20", problem.message)  # no date


@time_machine.travel("2026-11-20 09:00 +0700", tick=False)
class LinkingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.nid = next_national_id()

    def create(self, code: str = "C1.B1.01", user: Any = None, **fields: Any) -> Candidate:
        values = {
            "full_name": "Nguyễn Văn An", "birth_date": D(1980, 2, 14), "gender": "male", "ethnicity": "Kinh",
            "national_id": self.nid, **fields,
        }  # fmt: skip
        return services.candidate_create(
            organization=self.orgs[code], acting_user=user, source_date=D(2026, 10, 1), today=TODAY, **values
        )

    def test_a_new_candidacy_is_linked_to_the_latest_closed_record(self) -> None:
        older = make_candidate(self.orgs["C1.B1.01"], Stage.REMOVED, timeline=OLDER, national_id=self.nid)
        latest = make_candidate(self.orgs["C1.B1.02"], Stage.NOT_ADMITTED, timeline=OLD, national_id=self.nid)
        c = self.create()
        self.assertEqual(c.previous_id, latest.pk)
        self.assertNotEqual(c.previous_id, older.pk)
        self.assertFalse(c.readmission)  # neither was admitted

    def test_someone_with_no_record_is_linked_to_nothing(self) -> None:
        make_candidate(self.orgs["C1.B1.01"], Stage.REMOVED, timeline=OLD)  # another person
        self.assertIsNone(self.create().previous_id)

    def test_a_member_who_left_can_be_put_on_a_list_again_as_a_readmission(self) -> None:
        old = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        c = self.create(code="C1.B1.02")
        self.assertEqual((c.previous_id, c.readmission), (old.pk, True))  # the records win
        Candidate.objects.get(pk=old.pk)  # unchanged, still OFFICIAL with the day they left
        self.assertEqual(Candidate.objects.open().filter(national_id=self.nid).get(), c)

    def test_the_chain_reaches_back_through_every_earlier_record(self) -> None:
        member = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        tried = self.create(
            readmission=True, left_party_reason=LeftPartyReason.LOST_CONTACT, left_party_date=D(2015, 1, 1)
        )
        self.assertEqual(tried.previous_id, member.pk)
        services.candidate_advance(
            candidate=tried, step="remove", version=tried.version, acting_user=None, act_date=D(2026, 10, 20),
            today=TODAY, removal_reason=RemovalReason.WITHDREW,
        )  # fmt: skip
        again = self.create(code="C1.B2")
        self.assertEqual(again.previous_id, tried.pk)
        self.assertEqual([r.pk for r in past.earlier_records(again)], [tried.pk, member.pk])
        self.assertTrue(again.readmission)  # the admission two records back

    def test_an_open_record_elsewhere_is_refused_as_a_duplicate_and_nothing_is_linked(self) -> None:
        make_candidate(self.orgs["C2.B1.01"], Stage.DOSSIER, national_id=self.nid)
        count = Candidate.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.create(user=self.dave)
        self.assertEqual(caught.exception.message_dict["national_id"], [services.outside_scope_message()])
        self.assertEqual(Candidate.objects.count(), count)

    def test_the_database_allows_one_open_record_per_person_but_any_closed_ones(self) -> None:
        left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        make_candidate(self.orgs["C1.B1.02"], Stage.SOURCE, national_id=self.nid)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_candidate(self.orgs["C1.B2"], Stage.SOURCE, national_id=self.nid)

    def test_unticking_readmission_against_the_records_is_refused(self) -> None:
        left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        c = self.create()
        with self.assertRaises(ValidationError) as caught:
            services.candidate_update(candidate=c, version=c.version, acting_user=self.dave, today=TODAY,
                                      readmission=False)  # fmt: skip
        self.assertIn("05/09/2013", caught.exception.message_dict["readmission"][0])
        c.refresh_from_db()
        self.assertTrue(c.readmission)

    def test_an_error_from_a_record_outside_the_scope_names_nothing(self) -> None:
        left_member(self.orgs["C2.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.DIED, full_name="Vi Thị Hồng")
        with self.assertRaises(ValidationError) as caught:
            self.create(user=self.dave)
        text = str(caught.exception.messages)
        self.assertEqual(caught.exception.message_dict["national_id"], [past.outside_records_message()])
        for secret in ("Vi Thị Hồng", "Khu phố", "C2", "2015"):
            self.assertNotIn(secret, text)
        # Alice, above both, is told what the record says.
        with self.assertRaises(ValidationError) as caught:
            self.create(user=self.alice)
        self.assertIn("từ trần", caught.exception.message_dict["national_id"][0])

    def test_a_step_lets_the_records_win_where_the_box_was_left_unticked(self) -> None:
        old = left_member(self.orgs["C1.B1.01"], self.nid, D(2015, 1, 1), RemovalReason.OTHER)
        c = make_candidate(self.orgs["C1.B1.02"], Stage.SOURCE, national_id=self.nid, previous=old)
        self.assertFalse(c.readmission)  # written before the link was read, as by an older version
        services.candidate_advance(
            candidate=c, step="awareness", version=c.version, acting_user=self.dave, act_date=D(2026, 11, 2),
            today=TODAY, document_no="CN-01",
        )  # fmt: skip
        c.refresh_from_db()
        self.assertTrue(c.readmission)

    def test_a_transfers_continuation_is_not_judged_again_as_a_readmission(self) -> None:
        # DOMAIN §9: "a later transfer moves the person, never the past admission".
        moved = make_candidate(
            self.orgs["C1.B1.01"], Stage.TRANSFERRED, timeline=OLD, national_id=self.nid,
            admission_date=OLD["admission_date"], decision_date=OLD["decision_date"], decision_no="56-QĐ/ĐU",
            branch_vote_date=OLD["branch_vote_date"], removal_date=D(2015, 1, 1),
        )  # fmt: skip
        here = make_candidate(
            self.orgs["C1.B1.02"], Stage.PROBATION, timeline=OLD, national_id=self.nid, previous=moved,
            admission_carried=True,
        )  # fmt: skip
        ctx = rules.Context.load(TODAY)
        records = past.load_past(here, lambda r: True)
        self.assertEqual(records, past.NO_PAST)
        self.assertFalse([p for p in rules.check_record(here, ctx, past.party_past([moved], visible=lambda r: True))
                          if p.field in ("readmission", "left_party_date", "left_party_reason")])  # fmt: skip
