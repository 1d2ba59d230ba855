"""The admission rules of DOMAIN §1–3 (recruitment/rules.py), each at its boundary and each following the rule set.

Records are built in memory and judged with the rule sets stored in the database (the migration
seeds three, all with the values of DOMAIN §1–3). A test that changes a value changes it in the
rule set in force on the act's date, to show that the number comes from there and not from code.
Working-day deadlines use the real Vietnamese calendar (Tết, 30/4–1/5, 2/9).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.test import TestCase
from django.utils import translation

from recruitment import rules
from recruitment.models import (
    DATE_ORDER,
    READMISSION_BARRED,
    Candidate,
    EducationExemption,
    Gender,
    Introducer,
    IntroducerKind,
    LeftPartyReason,
    RuleSet,
    Stage,
    WarningCode,
)
from recruitment.rules import Problem, RuleBook, add_months, months_between

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)

# The cell's vote in most tests: a Wednesday, under the rule set of 1/7/2025 (294-QĐ/TW).
VOTE = D(2025, 9, 10)
TODAY = D(2026, 11, 20)
NEW_RULES = D(2025, 7, 1)


def person(vote: datetime.date = VOTE, **fields: Any) -> Candidate:
    """A consistent record whose cell voted 8 of 9 for the person on `vote`; `fields` add later acts or override.

    The dossier dates sit in the months before the vote; each later act given gets its number and
    votes unless the test sets them; the stage is the one the dates imply.
    """
    values: dict[str, Any] = {
        "full_name": "Phạm Minh Tuấn",
        "birth_date": D(1999, 4, 12),
        "gender": Gender.MALE,
        "ethnicity": "Kinh",
        "national_id": "001099001234",
        "education": "12/12",
        "youth_union": True,
        "source_date": add_months(vote, -11),
        "awareness_cert_date": add_months(vote, -10),
        "application_date": add_months(vote, -6),
        "personal_history_date": add_months(vote, -6) + 7 * ONE_DAY,
        "verification_date": add_months(vote, -3),
        "residence_comment_date": add_months(vote, -2),
        "branch_vote_date": vote,
        "branch_vote_members": 9,
        "branch_votes_for": 8,
        "branch_resolution_no": "05-NQ/CB",
    }
    if fields.get("committee_review_date"):
        values.update(committee_members=6, committee_votes_for=6, committee_resolution_no="11-NQ/ĐU")
    if fields.get("decision_date"):
        values["decision_no"] = "120-QĐ/ĐU"
    if fields.get("recognition_vote_date"):
        values.update(recognition_vote_members=9, recognition_votes_for=9)
    if fields.get("recognition_date"):
        values["recognition_decision_no"] = "300-QĐ/ĐU"
    if fields.get("recognition_date"):
        values["new_member_course_date"] = add_months(fields["admission_date"], 4)
    values.update(fields)
    c = Candidate(**values)
    c.stage = rules.stage_from_dates(c)
    c.stage_date = max(v for k, v in values.items() if k.endswith("_date") and k != "birth_date" and v)
    return c


# A record that went all the way under the rule set of 1/7/2025: probation ends on 20/10/2026.
ADMITTED = {
    "committee_review_date": D(2025, 9, 22),
    "decision_date": D(2025, 10, 6),
    "admission_date": D(2025, 10, 20),
}
DECIDED = {key: ADMITTED[key] for key in ("committee_review_date", "decision_date")}
# The dates of issue 15's pairs (models.DATE_ORDER): the decision received, and a provincial consent before it.
RECEIVED = {"decision_received_date": D(2025, 10, 8), "provincial_consent_date": D(2025, 9, 30)}
RECOGNIZED = {**ADMITTED, "recognition_vote_date": D(2026, 10, 22), "recognition_date": D(2026, 10, 30)}


class RulesTestCase(TestCase):
    """Helpers: judge a record with the stored rule sets, and change the rule set in force on a day."""

    def judge(self, c: Candidate, today: datetime.date = TODAY) -> list[Problem]:
        ctx = rules.Context.load(today)
        rules.derive(c, ctx)
        return rules.check_record(c, ctx)

    def errors(self, c: Candidate, today: datetime.date = TODAY) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for problem in self.judge(c, today):
            if problem.is_error:
                found.setdefault(problem.field, []).append(problem.message)
        return found

    def warnings(self, c: Candidate, today: datetime.date = TODAY) -> dict[WarningCode, Problem]:
        return {p.warning: p for p in self.judge(c, today) if p.warning is not None}

    def assert_clean(self, c: Candidate, today: datetime.date = TODAY) -> None:
        self.assertEqual(self.judge(c, today), [])

    def set_rules(self, day: datetime.date, **values: Any) -> RuleSet:
        """Change the rule set in force on `day`, as an administrator would after a new regulation."""
        rule_set = RuleBook.load().at(day)
        RuleSet.objects.filter(pk=rule_set.pk).update(**values)
        rule_set.refresh_from_db()
        return rule_set

    def rules_at(self, day: datetime.date) -> RuleSet:
        return RuleBook.load().at(day)


class MonthsTestCase(TestCase):
    def test_add_months_keeps_the_day(self) -> None:
        self.assertEqual(add_months(D(2025, 9, 10), 216), D(2043, 9, 10))
        self.assertEqual(add_months(D(2025, 9, 10), -60), D(2020, 9, 10))

    def test_add_months_falls_back_to_the_last_day_of_a_short_month(self) -> None:
        self.assertEqual(add_months(D(2025, 1, 31), 1), D(2025, 2, 28))
        self.assertEqual(add_months(D(2024, 1, 31), 1), D(2024, 2, 29))
        self.assertEqual(add_months(D(2024, 2, 29), 12), D(2025, 2, 28))
        self.assertEqual(add_months(D(2025, 3, 31), -1), D(2025, 2, 28))

    def test_months_between_counts_full_months_only(self) -> None:
        self.assertEqual(months_between(D(2007, 9, 10), D(2025, 9, 10)), 216)
        self.assertEqual(months_between(D(2007, 9, 10), D(2025, 9, 9)), 215)
        self.assertEqual(months_between(D(2025, 1, 31), D(2025, 2, 28)), 1)
        self.assertEqual(months_between(D(2025, 1, 31), D(2025, 2, 27)), 0)

    def test_months_between_undoes_add_months(self) -> None:
        for start in (D(2008, 2, 29), D(2007, 1, 31), D(2010, 8, 30), D(2001, 12, 31), D(2000, 6, 15)):
            for n in (0, 1, 11, 12, 59, 60, 216, 720, 721):
                end = add_months(start, n)
                with self.subTest(start=start, n=n):
                    self.assertEqual(months_between(start, end), n)
                    if end > start:
                        self.assertEqual(months_between(start, end - ONE_DAY), n - 1)

    def test_months_between_is_negative_when_the_end_comes_first(self) -> None:
        self.assertEqual(months_between(D(2025, 3, 15), D(2025, 3, 14)), -1)
        self.assertEqual(months_between(D(2025, 3, 15), D(2025, 2, 15)), -1)
        self.assertEqual(months_between(D(2025, 3, 15), D(2025, 2, 14)), -2)
        self.assertEqual(months_between(D(2025, 3, 15), D(2025, 3, 15)), 0)

    def test_a_person_born_on_29_february_is_18_on_28_february(self) -> None:
        self.assertEqual(months_between(D(2008, 2, 29), D(2026, 2, 28)), 216)
        self.assertEqual(months_between(D(2008, 2, 29), D(2026, 2, 27)), 215)


class BaselineTestCase(RulesTestCase):
    def test_the_records_the_other_tests_start_from_break_no_rule(self) -> None:
        # Every boundary test below changes one thing; this shows the rest of the record is sound.
        self.assert_clean(person())
        self.assert_clean(person(**ADMITTED))
        self.assert_clean(person(**RECOGNIZED))
        self.assertEqual(person(**RECOGNIZED).stage, Stage.OFFICIAL)


class RuleBookTestCase(RulesTestCase):
    def test_the_migration_seeds_the_three_texts_of_2021_and_2025(self) -> None:
        starts = [r.effective_from for r in RuleBook.load().rule_sets]
        self.assertEqual(starts, [D(2021, 10, 28), D(2025, 1, 20), D(2025, 7, 1)])

    def test_it_picks_the_rule_set_in_force_on_the_day(self) -> None:
        book = RuleBook.load()
        self.assertEqual(book.at(D(2025, 6, 30)).effective_from, D(2025, 1, 20))
        self.assertEqual(book.at(D(2025, 7, 1)).effective_from, D(2025, 7, 1))
        self.assertEqual(book.at(D(2025, 1, 19)).effective_from, D(2021, 10, 28))
        self.assertEqual(book.at(D(2030, 1, 1)).effective_from, D(2025, 7, 1))

    def test_an_act_older_than_every_rule_set_is_judged_by_the_oldest(self) -> None:
        self.assertEqual(RuleBook.load().at(D(2015, 5, 1)).effective_from, D(2021, 10, 28))

    def test_the_order_the_rule_sets_are_given_in_does_not_matter(self) -> None:
        a = RuleSet(effective_from=D(2025, 7, 1), legal_basis="294")
        b = RuleSet(effective_from=D(2021, 10, 28), legal_basis="24")
        self.assertIs(RuleBook([a, b]).at(D(2024, 1, 1)), b)

    def test_it_refuses_to_work_without_any_rule_set(self) -> None:
        with self.assertRaises(RuleSet.DoesNotExist):
            RuleBook([])

    def test_a_vote_before_1_july_2025_is_judged_by_the_older_rule_set(self) -> None:
        # Suppose 294-QĐ/TW had raised the minimum age to 19: a vote on 30/6 still follows 232-QĐ/TW.
        self.set_rules(NEW_RULES, min_age_months=228)
        birth = D(2007, 3, 30)  # 18 years 3 months on 30/6/2025
        self.assertNotIn("birth_date", self.errors(person(vote=D(2025, 6, 30), birth_date=birth)))
        self.assertIn("birth_date", self.errors(person(vote=D(2025, 7, 1), birth_date=birth)))

    def test_a_new_rule_set_governs_acts_from_its_first_day(self) -> None:
        RuleSet.objects.create(effective_from=D(2026, 1, 1), legal_basis="Quy định giả định", probation_months=18)
        ctx = rules.Context.load(TODAY)
        before = Candidate(birth_date=D(1999, 4, 12), stage=Stage.PROBATION, admission_date=D(2025, 12, 31))
        after = Candidate(birth_date=D(1999, 4, 12), stage=Stage.PROBATION, admission_date=D(2026, 1, 1))
        rules.derive(before, ctx)
        rules.derive(after, ctx)
        self.assertEqual(before.probation_end, D(2026, 12, 31))
        self.assertEqual(after.probation_end, D(2027, 7, 1))


class AgeTestCase(RulesTestCase):
    def test_a_person_exactly_18_on_the_day_of_the_vote_is_old_enough(self) -> None:
        self.assertNotIn("birth_date", self.errors(person(birth_date=D(2007, 9, 10))))

    def test_a_person_one_day_short_of_18_is_refused(self) -> None:
        errors = self.errors(person(birth_date=D(2007, 9, 11)))
        self.assertEqual(list(errors), ["birth_date"])

    def test_the_age_is_counted_in_months_not_years(self) -> None:
        # 17 years 11 months and 30 days: still 215 full months.
        self.assertIn("birth_date", self.errors(person(birth_date=D(2007, 10, 11), vote=D(2025, 10, 10))))

    def test_a_person_born_on_29_february_may_be_voted_on_28_february(self) -> None:
        self.assertNotIn("birth_date", self.errors(person(birth_date=D(2008, 2, 29), vote=D(2026, 2, 28))))
        self.assertIn("birth_date", self.errors(person(birth_date=D(2008, 2, 29), vote=D(2026, 2, 27))))

    def test_the_minimum_age_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, min_age_months=228)
        self.assertIn("birth_date", self.errors(person(birth_date=D(2007, 9, 10))))
        self.assertNotIn("birth_date", self.errors(person(birth_date=D(2006, 9, 10))))
        self.set_rules(VOTE, min_age_months=204)
        self.assertNotIn("birth_date", self.errors(person(birth_date=D(2008, 9, 10))))

    def test_the_age_is_taken_on_the_day_of_the_vote_not_today(self) -> None:
        # Old enough today, but not on the day the cell voted.
        self.assertIn("birth_date", self.errors(person(birth_date=D(2007, 9, 11)), today=D(2026, 11, 20)))
        self.assertNotIn("birth_date", self.errors(person(birth_date=D(2007, 9, 10)), today=VOTE))


class MaximumAgeTestCase(RulesTestCase):
    def test_the_consent_is_needed_by_the_decision_not_by_the_vote(self) -> None:
        self.assertNotIn("provincial_consent_no", self.errors(person(birth_date=D(1955, 1, 1))))
        self.assertIn("provincial_consent_no", self.errors(decided(birth_date=D(1955, 1, 1))))

    def test_a_person_of_exactly_720_months_needs_no_consent(self) -> None:
        self.assertNotIn("provincial_consent_no", self.errors(decided(birth_date=D(1965, 9, 10))))

    def test_720_months_and_30_days_is_still_720_months(self) -> None:
        self.assertNotIn("provincial_consent_no", self.errors(decided(birth_date=D(1965, 8, 11))))

    def test_721_months_needs_the_provincial_standing_committees_consent(self) -> None:
        errors = self.errors(decided(birth_date=D(1965, 8, 10)))
        self.assertEqual(list(errors), ["provincial_consent_no"])

    def test_with_the_consent_an_older_person_may_be_admitted(self) -> None:
        # Dated before the decision (issue 15: the consent's date is compared with the decision's).
        consent = {"provincial_consent_no": "215-CV/TU", "provincial_consent_date": D(2025, 9, 30)}
        self.assert_clean(decided(birth_date=D(1955, 1, 1), **consent))

    def test_a_blank_consent_number_is_no_consent(self) -> None:
        self.assertIn(
            "provincial_consent_no", self.errors(decided(birth_date=D(1955, 1, 1), provincial_consent_no=" "))
        )

    def test_the_maximum_age_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, max_age_months=708)
        self.assertIn("provincial_consent_no", self.errors(decided(birth_date=D(1965, 9, 10))))
        self.assertNotIn("provincial_consent_no", self.errors(decided(birth_date=D(1966, 9, 10))))


class EducationTestCase(RulesTestCase):
    def test_the_grade_is_read_from_the_usual_ways_of_writing_it(self) -> None:
        cases = {"9/12": 9, "12/12": 12, "10/10": 10, "7/10": 7, "9": 9, "lớp 9": 9, " 12 / 12 ": 12, "bổ túc": None}
        for text, grade in cases.items():
            with self.subTest(text=text):
                self.assertEqual(rules.education_grade(text), grade)

    def test_lower_secondary_is_enough(self) -> None:
        self.assertNotIn("education", self.errors(person(education="9/12")))

    def test_grade_8_is_not_enough(self) -> None:
        self.assertEqual(list(self.errors(person(education="8/12"))), ["education"])

    def test_an_unreadable_grade_is_refused(self) -> None:
        self.assertIn("education", self.errors(person(education="tốt nghiệp")))

    def test_in_an_exempt_area_primary_school_is_enough(self) -> None:
        area = EducationExemption.AREA
        self.assertNotIn("education", self.errors(person(education="5/12", education_exemption=area)))
        self.assertIn("education", self.errors(person(education="4/12", education_exemption=area)))

    def test_the_area_exemption_does_not_need_provincial_consent(self) -> None:
        self.assert_clean(person(education="5/12", education_exemption=EducationExemption.AREA))

    def test_a_village_elder_needs_the_provincial_consent_whatever_the_grade(self) -> None:
        elder = EducationExemption.ELDER
        self.assertEqual(
            list(self.errors(decided(education="3/12", education_exemption=elder))), ["provincial_consent_no"]
        )
        self.assert_clean(decided(education="3/12", education_exemption=elder, provincial_consent_no="88-CV/TU"))

    def test_the_grades_come_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, min_education_grade=12, exempt_area_min_education_grade=9)
        self.assertIn("education", self.errors(person(education="11/12")))
        self.assertNotIn("education", self.errors(person(education="12/12")))
        area = EducationExemption.AREA
        self.assertIn("education", self.errors(person(education="8/12", education_exemption=area)))
        self.assertNotIn("education", self.errors(person(education="9/12", education_exemption=area)))


def decided(**fields: Any) -> Candidate:
    """person() with the committee's review and the admission decision after the vote."""
    return person(**{**DECIDED, **fields})


def readmitted(**fields: Any) -> Candidate:
    """A readmission that meets every condition: left 36 months before the vote, provincial consent given."""
    values: dict[str, Any] = {
        "birth_date": D(1980, 5, 5),
        "youth_union": False,
        "readmission": True,
        "left_party_date": add_months(VOTE, -36),
        "left_party_reason": LeftPartyReason.LOST_CONTACT,
        "provincial_consent_no": "301-CV/TU",
    }
    return person(**{**values, **fields})


class ReadmissionTestCase(RulesTestCase):
    def test_36_months_after_leaving_is_enough(self) -> None:
        self.assert_clean(readmitted())

    def test_a_day_short_of_36_months_is_refused(self) -> None:
        errors = self.errors(readmitted(left_party_date=add_months(VOTE, -36) + ONE_DAY))
        self.assertEqual(list(errors), ["left_party_date"])

    def test_the_date_of_leaving_must_be_given(self) -> None:
        self.assertIn("left_party_date", self.errors(readmitted(left_party_date=None)))

    def test_after_a_less_serious_crime_60_months_since_the_record_was_cleared_are_needed(self) -> None:
        crime = {"left_party_reason": LeftPartyReason.LESS_SERIOUS_CRIME, "left_party_date": D(2012, 1, 1)}
        self.assert_clean(readmitted(**crime, record_cleared_date=add_months(VOTE, -60)))
        errors = self.errors(readmitted(**crime, record_cleared_date=add_months(VOTE, -60) + ONE_DAY))
        self.assertEqual(list(errors), ["record_cleared_date"])
        self.assertIn("record_cleared_date", self.errors(readmitted(**crime, record_cleared_date=None)))

    def test_the_36_months_apply_after_a_crime_too(self) -> None:
        errors = self.errors(
            readmitted(
                left_party_reason=LeftPartyReason.LESS_SERIOUS_CRIME,
                left_party_date=add_months(VOTE, -30),
                record_cleared_date=D(2015, 1, 1),
            )
        )
        self.assertEqual(list(errors), ["left_party_date"])

    def test_the_barred_reasons_are_refused_for_good(self) -> None:
        barred = [
            LeftPartyReason.QUIT,
            LeftPartyReason.DISUNITY,
            LeftPartyReason.EXPELLED_CORRUPTION,
            LeftPartyReason.SERIOUS_CRIME,
        ]
        self.assertEqual(READMISSION_BARRED, frozenset(barred))
        for reason in barred:
            with self.subTest(reason=reason):
                errors = self.errors(readmitted(left_party_reason=reason, left_party_date=D(2000, 1, 1)))
                self.assertEqual(list(errors), ["left_party_reason"])

    def test_the_other_reasons_are_not_barred(self) -> None:
        for reason in (LeftPartyReason.REMOVED, LeftPartyReason.LOST_CONTACT, LeftPartyReason.OTHER):
            with self.subTest(reason=reason):
                self.assert_clean(readmitted(left_party_reason=reason))

    def test_a_person_is_readmitted_only_once(self) -> None:
        self.assertEqual(list(self.errors(readmitted(previously_readmitted=True))), ["readmission"])

    def test_readmission_needs_the_provincial_consent(self) -> None:
        self.assertEqual(list(self.errors(readmitted(provincial_consent_no="", **DECIDED))), ["provincial_consent_no"])
        self.assertNotIn("provincial_consent_no", self.errors(readmitted(provincial_consent_no="")))

    def test_a_first_admission_ignores_the_readmission_fields(self) -> None:
        self.assert_clean(readmitted(readmission=False, left_party_reason="", provincial_consent_no=""))

    def test_the_waiting_times_come_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, readmission_wait_months=48, readmission_record_cleared_months=72)
        self.assertIn("left_party_date", self.errors(readmitted()))
        self.assert_clean(readmitted(left_party_date=add_months(VOTE, -48)))
        crime = {"left_party_reason": LeftPartyReason.LESS_SERIOUS_CRIME, "left_party_date": D(2012, 1, 1)}
        self.assertIn(
            "record_cleared_date", self.errors(readmitted(**crime, record_cleared_date=add_months(VOTE, -60)))
        )
        self.assert_clean(readmitted(**crime, record_cleared_date=add_months(VOTE, -72)))

    def test_a_shorter_wait_in_the_rule_set_admits_earlier(self) -> None:
        self.set_rules(VOTE, readmission_wait_months=24)
        self.assert_clean(readmitted(left_party_date=add_months(VOTE, -24)))


class AwarenessCertificateTestCase(RulesTestCase):
    def test_a_certificate_issued_60_months_before_the_vote_is_still_valid(self) -> None:
        self.assert_clean(person(awareness_cert_date=add_months(VOTE, -60), source_date=D(2020, 1, 1)))

    def test_a_certificate_one_day_older_has_expired(self) -> None:
        c = person(awareness_cert_date=add_months(VOTE, -60) - ONE_DAY, source_date=D(2020, 1, 1))
        self.assertEqual(list(self.errors(c)), ["awareness_cert_date"])

    def test_the_expiry_is_stored_60_months_after_issue(self) -> None:
        c = person(awareness_cert_date=D(2024, 2, 29))
        self.judge(c)
        self.assertEqual(c.cert_expires, D(2029, 2, 28))

    def test_the_validity_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, awareness_cert_valid_months=6)
        self.assertIn("awareness_cert_date", self.errors(person(awareness_cert_date=add_months(VOTE, -7))))
        self.assertNotIn("awareness_cert_date", self.errors(person(awareness_cert_date=add_months(VOTE, -6))))


class PersonalHistoryTestCase(RulesTestCase):
    def test_a_personal_history_12_months_old_is_still_valid(self) -> None:
        c = person(application_date=add_months(VOTE, -13), personal_history_date=add_months(VOTE, -12))
        self.assert_clean(c)

    def test_a_personal_history_one_day_older_must_be_made_again(self) -> None:
        c = person(application_date=add_months(VOTE, -13), personal_history_date=add_months(VOTE, -12) - ONE_DAY)
        self.assertEqual(list(self.errors(c)), ["personal_history_date"])

    def test_the_validity_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, personal_history_valid_months=3)
        self.assertIn("personal_history_date", self.errors(person(personal_history_date=add_months(VOTE, -4))))
        self.assertNotIn("personal_history_date", self.errors(person(personal_history_date=add_months(VOTE, -3))))


def member(name: str, known_since: datetime.date | None, **fields: Any) -> Introducer:
    values: dict[str, Any] = {
        "kind": IntroducerKind.MEMBER,
        "name": name,
        "known_since": known_since,
        "introduced_on": add_months(VOTE, -2),
        "official_member_here": True,
    }
    return Introducer(**{**values, **fields})


def resolution(kind: str, **fields: Any) -> Introducer:
    values: dict[str, Any] = {"kind": kind, "name": "BCH Đoàn cơ sở", "introduced_on": add_months(VOTE, -2)}
    return Introducer(**{**values, **fields})


KNOWN_12 = add_months(VOTE, -12)


class IntroducersTestCase(RulesTestCase):
    # Two members introduce an applicant outside the Youth Union (or past its age): a Youth Union member of youth
    # age is introduced by the Union's resolution and one member (Charter Điều 4). Before issue 15 these tests
    # introduced the default applicant, a Youth Union member of 26, by two members.
    def introducer_problems(self, c: Candidate, introducers: list[Introducer]) -> list[Problem]:
        return rules.check_introducers(c, introducers, VOTE, self.rules_at(VOTE))

    def test_two_official_members_who_have_known_the_person_12_months_are_enough(self) -> None:
        problems = self.introducer_problems(
            person(youth_union=False), [member("Trần Văn Hùng", KNOWN_12), member("Lê Thị Mai", KNOWN_12)]
        )
        self.assertEqual(problems, [])

    def test_a_member_who_has_known_the_person_a_day_less_than_12_months_cannot_introduce(self) -> None:
        problems = self.introducer_problems(
            person(youth_union=False), [member("Trần Văn Hùng", KNOWN_12), member("Lê Thị Mai", KNOWN_12 + ONE_DAY)]
        )
        self.assertEqual(len(problems), 1)
        self.assertIn("Lê Thị Mai", problems[0].message)
        self.assertEqual(problems[0].field, "introducers")

    def test_one_member_alone_is_not_enough(self) -> None:
        problems = self.introducer_problems(person(youth_union=False), [member("Trần Văn Hùng", KNOWN_12)])
        self.assertEqual([p.field for p in problems], ["introducers"])

    def test_a_youth_union_resolution_and_one_member_introduce_a_youth_union_member(self) -> None:
        introducers = [resolution(IntroducerKind.YOUTH_UNION), member("Trần Văn Hùng", KNOWN_12)]
        self.assertEqual(self.introducer_problems(person(youth_union=True), introducers), [])

    def test_a_youth_union_resolution_cannot_introduce_someone_outside_the_union(self) -> None:
        introducers = [resolution(IntroducerKind.YOUTH_UNION), member("Trần Văn Hùng", KNOWN_12)]
        problems = self.introducer_problems(person(youth_union=False), introducers)
        self.assertEqual(len(problems), 1)

    def test_a_trade_union_resolution_and_one_member_introduce_a_trade_union_member(self) -> None:
        introducers = [resolution(IntroducerKind.TRADE_UNION), member("Trần Văn Hùng", KNOWN_12)]
        self.assertEqual(self.introducer_problems(person(youth_union=False, trade_union=True), introducers), [])
        self.assertEqual(len(self.introducer_problems(person(youth_union=False), introducers)), 1)

    def test_a_union_resolution_still_needs_one_member(self) -> None:
        problems = self.introducer_problems(person(), [resolution(IntroducerKind.YOUTH_UNION)])
        self.assertEqual(len(problems), 1)

    def test_a_replacement_introducer_need_not_have_known_the_person_12_months(self) -> None:
        replacement = member("Đỗ Văn Nam", add_months(VOTE, -1), is_replacement=True)
        self.assertEqual(
            self.introducer_problems(person(youth_union=False), [member("Trần Văn Hùng", KNOWN_12), replacement]), []
        )
        usual = member("Đỗ Văn Nam", add_months(VOTE, -1))
        self.assertEqual(
            len(self.introducer_problems(person(youth_union=False), [member("Trần Văn Hùng", KNOWN_12), usual])), 1
        )

    def test_an_introduction_dated_after_the_vote_does_not_count(self) -> None:
        late = member("Lê Thị Mai", KNOWN_12, introduced_on=VOTE + ONE_DAY)
        problems = self.introducer_problems(person(youth_union=False), [member("Trần Văn Hùng", KNOWN_12), late])
        self.assertEqual(len(problems), 1)
        self.assertIn("Lê Thị Mai", problems[0].message)

    def test_a_union_resolution_dated_after_the_vote_does_not_count(self) -> None:
        late = resolution(IntroducerKind.YOUTH_UNION, introduced_on=VOTE + ONE_DAY)
        problems = self.introducer_problems(person(), [late, member("Trần Văn Hùng", KNOWN_12)])
        self.assertEqual(len(problems), 1)

    def test_an_introduction_on_the_day_of_the_vote_counts(self) -> None:
        introducers = [member("Trần Văn Hùng", KNOWN_12, introduced_on=VOTE), member("Lê Thị Mai", KNOWN_12)]
        self.assertEqual(self.introducer_problems(person(youth_union=False), introducers), [])

    def test_the_months_known_come_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, introducer_known_months=24)
        introducers = [member("Trần Văn Hùng", KNOWN_12), member("Lê Thị Mai", add_months(VOTE, -24))]
        problems = self.introducer_problems(person(youth_union=False), introducers)
        self.assertEqual(len(problems), 1)
        self.assertIn("Trần Văn Hùng", problems[0].message)

    def test_the_number_of_members_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, member_introducers=3, union_member_introducers=2)
        two = [member("Trần Văn Hùng", KNOWN_12), member("Lê Thị Mai", KNOWN_12)]
        self.assertEqual(len(self.introducer_problems(person(youth_union=False), two)), 1)
        self.assertEqual(
            self.introducer_problems(person(youth_union=False), [*two, member("Đỗ Văn Nam", KNOWN_12)]), []
        )
        union = [resolution(IntroducerKind.YOUTH_UNION), member("Trần Văn Hùng", KNOWN_12)]
        self.assertEqual(len(self.introducer_problems(person(), union)), 1)
        self.assertEqual(self.introducer_problems(person(), [*union, member("Lê Thị Mai", KNOWN_12)]), [])


class ReadyForVoteTestCase(RulesTestCase):
    REQUIRED = (
        "awareness_cert_date",
        "application_date",
        "personal_history_date",
        "verification_date",
        "residence_comment_date",
    )

    def ready(self, c: Candidate) -> list[Problem]:
        introducers = [member("Trần Văn Hùng", KNOWN_12), member("Lê Thị Mai", KNOWN_12)]
        c.youth_union = False  # two members introduce an applicant outside the Youth Union (Charter Điều 4)
        return rules.check_ready_for_vote(c, introducers, VOTE, self.rules_at(VOTE))

    def test_a_complete_dossier_is_ready(self) -> None:
        self.assertEqual(self.ready(person()), [])

    def test_each_missing_document_keeps_the_dossier_from_the_vote(self) -> None:
        for field in self.REQUIRED:
            with self.subTest(field=field):
                missing: dict[str, Any] = {field: None}
                self.assertEqual([p.field for p in self.ready(person(**missing))], [field])

    def test_the_application_comes_before_the_personal_history(self) -> None:
        application = D(2025, 3, 3)
        c = person(application_date=application, personal_history_date=application - ONE_DAY)
        self.assertEqual([p.field for p in self.ready(c)], ["personal_history_date"])
        self.assertEqual(self.ready(person(application_date=application, personal_history_date=application)), [])

    def test_the_verification_is_concluded_after_the_personal_history(self) -> None:
        history = D(2025, 3, 10)
        c = person(personal_history_date=history, verification_date=history - ONE_DAY)
        self.assertEqual([p.field for p in self.ready(c)], ["verification_date"])
        self.assertEqual(self.ready(person(personal_history_date=history, verification_date=history)), [])

    def test_the_introducers_are_part_of_the_dossier(self) -> None:
        c = person(youth_union=False)
        problems = rules.check_ready_for_vote(c, [member("Trần Văn Hùng", KNOWN_12)], VOTE, self.rules_at(VOTE))
        self.assertEqual([p.field for p in problems], ["introducers"])


class VoteTestCase(RulesTestCase):
    def test_two_thirds_is_compared_in_whole_numbers(self) -> None:
        rule_set = self.rules_at(VOTE)
        cases = [
            (6, 9, True),
            (5, 9, False),
            (2, 3, True),
            (1, 3, False),
            (5, 7, True),
            (4, 7, False),
            (4, 5, True),
            (3, 5, False),
            (1, 2, False),
            (2, 2, True),
            (0, 0, False),
        ]
        for votes_for, members, passes in cases:
            with self.subTest(votes_for=votes_for, members=members):
                self.assertEqual(rule_set.vote_passes(votes_for, members), passes)

    def test_a_cell_vote_of_exactly_two_thirds_passes(self) -> None:
        self.assert_clean(person(branch_vote_members=9, branch_votes_for=6))

    def test_a_cell_vote_just_below_two_thirds_fails(self) -> None:
        self.assertEqual(list(self.errors(person(branch_vote_members=9, branch_votes_for=5))), ["branch_votes_for"])

    def test_the_grassroots_committee_needs_two_thirds_of_its_members(self) -> None:
        ok = person(**ADMITTED, committee_members=6, committee_votes_for=4)
        self.assert_clean(ok)
        short = person(**ADMITTED, committee_members=6, committee_votes_for=3)
        self.assertEqual(list(self.errors(short)), ["committee_votes_for"])

    def test_recognition_needs_two_thirds_of_the_cells_members(self) -> None:
        self.assert_clean(person(**RECOGNIZED, recognition_vote_members=10, recognition_votes_for=7))
        short = person(**RECOGNIZED, recognition_vote_members=10, recognition_votes_for=6)
        self.assertEqual(list(self.errors(short)), ["recognition_votes_for"])

    def test_the_fraction_comes_from_the_rule_set(self) -> None:
        self.set_rules(VOTE, vote_numerator=3, vote_denominator=4)
        self.assertIn("branch_votes_for", self.errors(person(branch_vote_members=9, branch_votes_for=6)))
        self.assertNotIn("branch_votes_for", self.errors(person(branch_vote_members=9, branch_votes_for=7)))
        with translation.override("en"):
            message = self.errors(person(branch_vote_members=9, branch_votes_for=6))["branch_votes_for"][0]
        self.assertIn("3/4", message)

    def test_each_vote_is_judged_by_the_rule_set_in_force_on_its_day(self) -> None:
        # Suppose 294-QĐ/TW had asked for three quarters: a vote on 2/6/2025 still follows 232-QĐ/TW.
        self.set_rules(NEW_RULES, vote_numerator=3, vote_denominator=4)
        c = person(vote=D(2025, 6, 2), branch_vote_members=9, branch_votes_for=6)
        self.assertNotIn("branch_votes_for", self.errors(c))
        self.assertIn("branch_votes_for", self.errors(person(vote=D(2025, 7, 2), branch_votes_for=6)))


class DecisionDeadlineTestCase(RulesTestCase):
    # Voted Fri 19/12/2025. 60 working days skip 1/1/2026 and Tết Bính Ngọ (16–20/2/2026): due Mon 23/3/2026.
    VOTED = D(2025, 12, 19)

    def decided(self, decision: datetime.date, **fields: Any) -> Candidate:
        return person(vote=self.VOTED, committee_review_date=D(2026, 1, 8), decision_date=decision, **fields)

    def test_the_due_date_counts_working_days_around_new_year_and_tet(self) -> None:
        c = self.decided(D(2026, 3, 23))
        ctx = rules.Context.load(TODAY)
        self.assertEqual(rules.decision_due(c, ctx.book, ctx.calendar), D(2026, 3, 23))

    def test_a_decision_on_the_last_day_is_in_time(self) -> None:
        self.assert_clean(self.decided(D(2026, 3, 23)))

    def test_a_decision_the_next_day_raises_a_warning_not_an_error(self) -> None:
        c = self.decided(D(2026, 3, 24))
        self.assertEqual(self.errors(c), {})
        warning = self.warnings(c)[WarningCode.DECISION_LATE]
        self.assertEqual(
            (warning.due_date, warning.act_date, warning.field), (D(2026, 3, 23), D(2026, 3, 24), "decision_date")
        )

    def test_the_extension_adds_30_working_days(self) -> None:
        # From 23/3/2026, 30 more working days skip Giỗ Tổ (observed Mon 27/4), 30/4 and 1/5: due Thu 7/5/2026.
        self.assert_clean(self.decided(D(2026, 3, 24), decision_extended=True))
        self.assert_clean(self.decided(D(2026, 5, 7), decision_extended=True))
        warning = self.warnings(self.decided(D(2026, 5, 8), decision_extended=True))[WarningCode.DECISION_LATE]
        self.assertEqual(warning.due_date, D(2026, 5, 7))

    def test_the_working_days_come_from_the_rule_set(self) -> None:
        # 40 working days from 19/12/2025: the last is Mon 23/2/2026, the first day back after Tết week.
        self.set_rules(self.VOTED, decision_working_days=40)
        self.assert_clean(self.decided(D(2026, 2, 23)))
        self.assertEqual(
            self.warnings(self.decided(D(2026, 2, 24)))[WarningCode.DECISION_LATE].due_date, D(2026, 2, 23)
        )

    def test_the_extension_comes_from_the_rule_set(self) -> None:
        self.set_rules(self.VOTED, decision_extension_working_days=1)
        self.assert_clean(self.decided(D(2026, 3, 24), decision_extended=True))
        self.assertIn(WarningCode.DECISION_LATE, self.warnings(self.decided(D(2026, 3, 25), decision_extended=True)))


class CeremonyDeadlineTestCase(RulesTestCase):
    # Decided Fri 15/8/2025; 30 working days skip National Day (1–2/9/2025): due Tue 30/9/2025.
    def admitted(self, ceremony: datetime.date, **fields: Any) -> Candidate:
        return person(
            vote=D(2025, 7, 10),
            committee_review_date=D(2025, 7, 25),
            decision_date=D(2025, 8, 15),
            admission_date=ceremony,
            **fields,
        )

    def test_a_ceremony_on_the_30th_working_day_is_in_time(self) -> None:
        self.assert_clean(self.admitted(D(2025, 9, 30)))

    def test_a_later_ceremony_raises_a_warning_and_stays_valid(self) -> None:
        c = self.admitted(D(2025, 10, 1))
        self.assertEqual(self.errors(c), {})
        warning = self.warnings(c)[WarningCode.CEREMONY_LATE]
        self.assertEqual((warning.due_date, warning.act_date), (D(2025, 9, 30), D(2025, 10, 1)))
        self.assertEqual(c.probation_end, D(2026, 10, 1))

    def test_the_superior_committees_consent_excuses_a_late_ceremony(self) -> None:
        self.assert_clean(self.admitted(D(2025, 10, 20), late_ceremony_consent_no="45-CV/ĐU"))

    def test_the_working_days_come_from_the_rule_set(self) -> None:
        # 20 working days from 15/8/2025, skipping 1–2/9: Tue 16/9/2025.
        self.set_rules(D(2025, 8, 15), ceremony_working_days=20)
        self.assert_clean(self.admitted(D(2025, 9, 16)))
        self.assertEqual(
            self.warnings(self.admitted(D(2025, 9, 17)))[WarningCode.CEREMONY_LATE].due_date, D(2025, 9, 16)
        )


class ProbationTestCase(RulesTestCase):
    def derived(self, c: Candidate) -> Candidate:
        rules.derive(c, rules.Context.load(TODAY))
        return c

    def test_probation_lasts_12_months_from_the_ceremony(self) -> None:
        self.assertEqual(self.derived(person(**ADMITTED)).probation_end, D(2026, 10, 20))

    def test_a_ceremony_on_29_february_ends_probation_on_28_february(self) -> None:
        c = self.derived(Candidate(birth_date=D(1999, 4, 12), stage=Stage.PROBATION, admission_date=D(2024, 2, 29)))
        self.assertEqual(c.probation_end, D(2025, 2, 28))

    def test_the_length_comes_from_the_rule_set(self) -> None:
        self.set_rules(ADMITTED["admission_date"], probation_months=18)
        self.assertEqual(self.derived(person(**ADMITTED)).probation_end, D(2027, 4, 20))

    def test_without_a_ceremony_there_is_no_probation_end(self) -> None:
        self.assertIsNone(self.derived(person()).probation_end)


class RecognitionTestCase(RulesTestCase):
    PROBATION_END = D(2026, 10, 20)

    def test_recognition_on_the_day_probation_ends_is_allowed(self) -> None:
        c = person(**ADMITTED, recognition_vote_date=self.PROBATION_END, recognition_date=self.PROBATION_END)
        self.assert_clean(c)
        self.assertEqual(c.official_date, self.PROBATION_END)

    def test_recognition_before_probation_ends_is_refused(self) -> None:
        c = person(**ADMITTED, recognition_vote_date=self.PROBATION_END, recognition_date=D(2026, 10, 19))
        self.assertIn("recognition_date", self.errors(c))

    def test_the_cell_cannot_consider_recognition_before_probation_ends(self) -> None:
        c = person(**ADMITTED, recognition_vote_date=D(2026, 10, 19), recognition_date=D(2026, 10, 30))
        self.assertEqual(list(self.errors(c)), ["recognition_vote_date"])

    def test_the_full_member_date_is_the_end_of_probation_even_when_recognized_late(self) -> None:
        c = person(**RECOGNIZED)
        self.judge(c)
        self.assertEqual(c.official_date, D(2026, 10, 20))
        self.assertEqual(c.official_date, c.probation_end)

    def test_there_is_no_full_member_date_before_recognition(self) -> None:
        c = person(**ADMITTED)
        self.judge(c)
        self.assertIsNone(c.official_date)


class RecognitionDeadlinesTestCase(RulesTestCase):
    # Admitted 15/1/2025, probation ends Thu 15/1/2026. 30 working days skip Tết (16–20/2/2026): due Thu 5/3/2026.
    def recognized(self, vote: datetime.date, decision: datetime.date, **fields: Any) -> Candidate:
        return person(
            vote=D(2024, 11, 27),
            committee_review_date=D(2024, 12, 5),
            decision_date=D(2024, 12, 20),
            admission_date=D(2025, 1, 15),
            recognition_vote_date=vote,
            recognition_date=decision,
            **fields,
        )

    def test_the_cell_considers_recognition_within_30_working_days_after_probation(self) -> None:
        self.assert_clean(self.recognized(D(2026, 3, 5), D(2026, 3, 10)))

    def test_a_later_consideration_raises_a_warning(self) -> None:
        c = self.recognized(D(2026, 3, 6), D(2026, 3, 10))
        self.assertEqual(self.errors(c), {})
        warning = self.warnings(c)[WarningCode.RECOGNITION_VOTE_LATE]
        self.assertEqual((warning.due_date, warning.act_date), (D(2026, 3, 5), D(2026, 3, 6)))
        # Late or not, the person is a full member from the end of probation.
        self.assertEqual(c.official_date, D(2026, 1, 15))

    def test_the_consideration_deadline_comes_from_the_rule_set(self) -> None:
        # 20 working days from 15/1/2026: Thu 12/2/2026, the last working day before Tết.
        self.set_rules(D(2026, 1, 15), recognition_vote_working_days=20)
        self.assert_clean(self.recognized(D(2026, 2, 12), D(2026, 3, 10)))
        warning = self.warnings(self.recognized(D(2026, 2, 23), D(2026, 3, 10)))[WarningCode.RECOGNITION_VOTE_LATE]
        self.assertEqual(warning.due_date, D(2026, 2, 12))

    def test_the_decision_is_due_30_working_days_after_the_cells_consideration(self) -> None:
        # Considered Tue 27/1/2026; 30 working days skip Tết: due Tue 17/3/2026.
        self.assert_clean(self.recognized(D(2026, 1, 27), D(2026, 3, 17)))
        c = self.recognized(D(2026, 1, 27), D(2026, 3, 18))
        self.assertEqual(self.errors(c), {})
        warning = self.warnings(c)[WarningCode.RECOGNITION_LATE]
        self.assertEqual(
            (warning.due_date, warning.act_date, warning.field), (D(2026, 3, 17), D(2026, 3, 18), "recognition_date")
        )

    def test_the_extension_adds_30_working_days(self) -> None:
        # From 17/3/2026, 30 more working days skip Giỗ Tổ (observed Mon 27/4): due Wed 29/4/2026.
        # 30/4 and 1/5 are holidays and 2–3/5 a weekend, so the next working day, Mon 4/5, is late.
        self.assert_clean(self.recognized(D(2026, 1, 27), D(2026, 4, 29), recognition_extended=True))
        c = self.recognized(D(2026, 1, 27), D(2026, 5, 4), recognition_extended=True)
        self.assertEqual(self.warnings(c)[WarningCode.RECOGNITION_LATE].due_date, D(2026, 4, 29))

    def test_the_decision_deadline_comes_from_the_rule_set(self) -> None:
        # 20 working days from 27/1/2026: Tue 3/3/2026.
        self.set_rules(D(2026, 1, 27), recognition_decision_working_days=20, recognition_extension_working_days=5)
        self.assert_clean(self.recognized(D(2026, 1, 27), D(2026, 3, 3)))
        self.assertIn(WarningCode.RECOGNITION_LATE, self.warnings(self.recognized(D(2026, 1, 27), D(2026, 3, 4))))
        # 5 more working days: Tue 10/3/2026.
        self.assert_clean(self.recognized(D(2026, 1, 27), D(2026, 3, 10), recognition_extended=True))
        late = self.recognized(D(2026, 1, 27), D(2026, 3, 11), recognition_extended=True)
        self.assertEqual(self.warnings(late)[WarningCode.RECOGNITION_LATE].due_date, D(2026, 3, 10))


class DueDateTestCase(RulesTestCase):
    def due(self, c: Candidate) -> datetime.date | None:
        rules.derive(c, rules.Context.load(TODAY))
        return c.due_date

    def test_after_the_cell_votes_the_next_deadline_is_the_decision(self) -> None:
        self.assertEqual(self.due(person(vote=D(2025, 12, 19))), D(2026, 3, 23))
        c = person(vote=D(2025, 12, 19), committee_review_date=D(2026, 1, 8))
        self.assertEqual((c.stage, self.due(c)), (Stage.COMMITTEE_REVIEWED, D(2026, 3, 23)))

    def test_after_the_decision_the_next_deadline_is_the_ceremony(self) -> None:
        c = person(vote=D(2025, 7, 10), committee_review_date=D(2025, 7, 25), decision_date=D(2025, 8, 15))
        self.assertEqual((c.stage, self.due(c)), (Stage.DECIDED, D(2025, 9, 30)))

    def test_during_probation_the_next_deadline_is_the_cells_consideration(self) -> None:
        c = person(vote=D(2024, 11, 27), committee_review_date=D(2024, 12, 5), decision_date=D(2024, 12, 20))
        c.admission_date = D(2025, 1, 15)
        c.stage = Stage.PROBATION
        self.assertEqual(self.due(c), D(2026, 3, 5))

    def test_before_the_vote_and_after_recognition_there_is_no_deadline(self) -> None:
        self.assertIsNone(self.due(person(branch_vote_date=None, branch_vote_members=None, branch_votes_for=None)))
        self.assertIsNone(self.due(person(**RECOGNIZED)))


class FutureDatesTestCase(RulesTestCase):
    def test_every_act_dated_after_today_is_refused(self) -> None:
        c = person(**RECOGNIZED)
        dated = [f for f in rules.DATE_FIELDS if getattr(c, f) is not None]
        self.assertGreater(len(dated), 10)
        for field in dated:
            with self.subTest(field=field):
                today = getattr(c, field) - ONE_DAY
                self.assertIn(field, self.errors(person(**RECOGNIZED), today=today))

    def test_acts_dated_today_are_accepted(self) -> None:
        self.assert_clean(person(**RECOGNIZED), today=RECOGNIZED["recognition_date"])

    def test_a_date_far_ahead_is_refused_as_in_the_future_not_counted_from(self) -> None:
        # 31/12/9999 for "not yet": counting 12 months or 60 working days from it runs off the calendar.
        for field in ("awareness_cert_date", "branch_vote_date", "decision_date", "admission_date",
                      "recognition_vote_date"):  # fmt: skip
            with self.subTest(field=field):
                base = ADMITTED if field == "admission_date" else RECOGNIZED  # (the helper counts from it)
                c = person(**{**base, field: D(9999, 12, 31)})
                errors = self.errors(c)
                self.assertIn(field, errors)
                self.assertIn("31/12/9999", " ".join(errors[field]))
                self.assertEqual((c.probation_end, c.due_date, c.cert_expires), (None, None, None))

    def test_the_end_of_probation_may_lie_ahead(self) -> None:
        c = person(**ADMITTED)
        self.assert_clean(c, today=ADMITTED["admission_date"])
        self.assertEqual(c.probation_end, D(2026, 10, 20))


class NumbersTestCase(RulesTestCase):
    def test_a_decision_date_needs_the_decision_number(self) -> None:
        for blank in ("", "   "):
            with self.subTest(number=blank):
                self.assertEqual(list(self.errors(person(**ADMITTED, decision_no=blank))), ["decision_no"])

    def test_a_recognition_date_needs_the_recognition_number(self) -> None:
        self.assertEqual(
            list(self.errors(person(**RECOGNIZED, recognition_decision_no=""))), ["recognition_decision_no"]
        )

    def test_leaving_the_list_needs_a_reason(self) -> None:
        c = person(removal_date=D(2025, 10, 1), removal_reason="")
        self.assertEqual(list(self.errors(c)), ["removal_reason"])
        self.assert_clean(person(removal_date=D(2025, 10, 1), removal_reason="withdrew"))


class DateOrderTestCase(RulesTestCase):
    def test_each_pair_of_dates_the_other_way_round_is_refused(self) -> None:
        ended: dict[str, Any] = {**RECOGNIZED, "removal_date": D(2026, 11, 1), "removal_reason": "other", **RECEIVED}
        self.assert_clean(person(**ended))
        checked = 0
        for earlier, later, strict in DATE_ORDER:
            if "probation_end" in (earlier, later):
                continue  # derived from the ceremony: see RecognitionTestCase
            with self.subTest(earlier=earlier, later=later):
                c = person(**ended)
                # Equal is wrong for a strict pair; otherwise one day after the later date.
                setattr(c, earlier, getattr(c, later) + (datetime.timedelta(0) if strict else ONE_DAY))
                self.assertIn(later, self.errors(c))
                with translation.override("vi"):
                    message = self.errors(c)[later][0]
                self.assertTrue(message[0].isupper(), message)  # it opens with the field's name
                checked += 1
        self.assertEqual(checked, len(DATE_ORDER) - 3)

    def test_the_same_day_is_allowed_where_the_order_is_not_strict(self) -> None:
        ended: dict[str, Any] = {**RECOGNIZED, "removal_date": D(2026, 11, 1), "removal_reason": "other", **RECEIVED}
        for earlier, later, strict in DATE_ORDER:
            if strict or "probation_end" in (earlier, later) or earlier == "source_date":
                continue  # moving the source date forward would break its other pairs
            with self.subTest(earlier=earlier, later=later):
                c = person(**ended)
                setattr(c, earlier, getattr(c, later))
                self.assertNotIn(later, self.errors(c))


class StageFromDatesTestCase(TestCase):
    def stage(self, **fields: Any) -> str:
        return rules.stage_from_dates(Candidate(birth_date=D(1999, 4, 12), **fields))

    def test_the_latest_act_filled_in_gives_the_stage(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({}, Stage.SOURCE),
            ({"source_date": D(2024, 1, 1)}, Stage.SOURCE),
            ({"awareness_cert_date": D(2024, 2, 1)}, Stage.AWARENESS),
            ({"awareness_cert_date": D(2024, 2, 1), "application_date": D(2024, 3, 1)}, Stage.DOSSIER),
            ({"application_date": D(2024, 3, 1), "branch_vote_date": D(2024, 6, 1)}, Stage.BRANCH_VOTED),
            ({"branch_vote_date": D(2024, 6, 1), "committee_review_date": D(2024, 6, 9)}, Stage.COMMITTEE_REVIEWED),
            ({"branch_vote_date": D(2024, 6, 1), "decision_date": D(2024, 7, 1)}, Stage.DECIDED),
            ({"decision_date": D(2024, 7, 1), "admission_date": D(2024, 8, 1)}, Stage.PROBATION),
            ({"admission_date": D(2024, 8, 1), "recognition_date": D(2025, 8, 5)}, Stage.OFFICIAL),
        ]
        for fields, stage in cases:
            with self.subTest(fields=fields):
                self.assertEqual(self.stage(**fields), stage)

    def test_a_removal_date_ends_the_candidacy_by_how_far_it_got(self) -> None:
        removal = {"removal_date": D(2025, 9, 1)}
        self.assertEqual(self.stage(**removal, awareness_cert_date=D(2024, 2, 1)), Stage.REMOVED)
        self.assertEqual(self.stage(**removal, branch_vote_date=D(2024, 6, 1)), Stage.NOT_ADMITTED)
        self.assertEqual(self.stage(**removal, decision_date=D(2024, 7, 1)), Stage.NOT_ADMITTED)
        self.assertEqual(self.stage(**removal, admission_date=D(2024, 8, 1)), Stage.STRUCK_OFF)
        # A full member who then left the cell's list stays a full member.
        self.assertEqual(
            self.stage(**removal, admission_date=D(2024, 8, 1), recognition_date=D(2025, 8, 5)), Stage.OFFICIAL
        )
