"""Congress terms (CONTRACT §4, DOMAIN §9): a term runs from its congress to the day before the next,
inherited from the nearest ancestor with a record; two terms of one organization never overlap."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from organizations import services
from organizations.models import Congress, Organization
from organizations.terms import bounds
from recruitment.models import Candidate
from reports import exports
from reports.attainment import attainment
from reports.forms import Period
from reports.terms import resolve
from tests.base import BaseTestCase
from tests.test_attainment import (
    HYPOTHESIS,
    add,
    admit,
    assert_matches_brute_force,
    build_tree,
    parents_on,
    people_specs,
    person,
    quota,
    shapes,
)
from tests.test_exports_attainment import sheet_list

D = datetime.date
TODAY = D(2026, 11, 1)
T2020 = Period(2020, 2025)
T2025 = Period(2025, 2030)


def congress(first: int, last: int, held_on: datetime.date) -> Congress:
    return Congress(first_year=first, last_year=last, held_on=held_on)


def days(b: Any) -> tuple[datetime.date, datetime.date]:
    return b.start, b.end


class BoundsTestCase(SimpleTestCase):
    """The worked examples of CONTRACT §4, on the pure rule."""

    def test_with_nothing_recorded_a_term_runs_from_1_january_to_31_december(self) -> None:
        self.assertEqual(days(bounds((2020, 2025), congresses={})), (D(2020, 1, 1), D(2025, 12, 31)))

    def test_with_nothing_recorded_the_next_term_starts_after_the_previous_ones_last_year(self) -> None:
        found = bounds((2025, 2030), congresses={}, known={(2020, 2025)})
        self.assertEqual(days(found), (D(2026, 1, 1), D(2030, 12, 31)))
        self.assertIsNone(found.opened_by)
        self.assertIsNone(found.closed_by)

    def test_a_recorded_congress_splits_the_shared_year(self) -> None:
        c2025 = congress(2025, 2030, D(2025, 10, 15))
        recorded = {(2025, 2030): c2025}
        before = bounds((2020, 2025), congresses=recorded)
        after = bounds((2025, 2030), congresses=recorded, known={(2020, 2025)})
        self.assertEqual(days(before), (D(2020, 1, 1), D(2025, 10, 14)))
        self.assertEqual(days(after), (D(2025, 10, 15), D(2030, 12, 31)))
        self.assertIs(before.closed_by, c2025)
        self.assertIs(after.opened_by, c2025)

    def test_both_congresses_recorded(self) -> None:
        recorded = {
            (2020, 2025): congress(2020, 2025, D(2020, 6, 10)),
            (2025, 2030): congress(2025, 2030, D(2025, 8, 2)),
        }
        self.assertEqual(days(bounds((2020, 2025), congresses=recorded)), (D(2020, 6, 10), D(2025, 8, 1)))
        self.assertEqual(days(bounds((2025, 2030), congresses=recorded)), (D(2025, 8, 2), D(2030, 12, 31)))

    def test_a_recorded_previous_term_makes_it_the_organizations(self) -> None:
        recorded = {(2020, 2025): congress(2020, 2025, D(2020, 6, 10))}
        self.assertEqual(days(bounds((2025, 2030), congresses=recorded)), (D(2026, 1, 1), D(2030, 12, 31)))

    @given(
        st.lists(st.one_of(st.none(), st.integers(-200, 500)), min_size=6, max_size=6),
        st.sets(st.integers(0, 5)),
        st.lists(st.dates(D(2000, 1, 1), D(2036, 12, 31)), max_size=40),
    )
    def test_no_day_falls_in_two_terms_and_contiguous_terms_leave_no_gap(
        self, offsets: list[int | None], known_idx: set[int], probes: list[datetime.date]
    ) -> None:
        """Six five-year terms 2005-2010 … 2030-2035, a random subset with a congress recorded (days in
        increasing order, around the first year), a random subset otherwise known."""
        terms = [(2005 + 5 * i, 2010 + 5 * i) for i in range(6)]
        recorded: dict[tuple[int, int], Congress] = {}
        last_day = D(1990, 1, 1)
        for term, offset in zip(terms, offsets, strict=True):
            if offset is None:
                continue
            held = max(D(term[0], 3, 1) + datetime.timedelta(days=offset), last_day + datetime.timedelta(days=1))
            recorded[term] = congress(*term, held)
            last_day = held
        known = {terms[i] for i in known_idx}
        found = {t: bounds(t, congresses=recorded, known=known) for t in terms}
        theirs = [t for t in terms if t in recorded or t in known]
        for day in [*probes, *(b.start for b in found.values()), *(b.end for b in found.values())]:
            holding = [t for t in theirs if found[t].start <= day <= found[t].end]
            self.assertLessEqual(len(holding), 1, (day, holding))
        if theirs == terms:  # every term the organization's: one after the other, no gap
            for a, b in itertools.pairwise(terms):
                self.assertEqual(found[a].end + datetime.timedelta(days=1), found[b].start)


class InheritanceTestCase(BaseTestCase):
    def test_a_unit_without_a_record_follows_its_nearest_ancestor_with_one(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        services.congress_record(org=self.orgs["C1"], first_year=2025, last_year=2030, held_on=D(2025, 8, 20))
        quota(self.orgs["P"], T2020, 100)
        for code, start, end_2020 in [
            ("P", D(2025, 10, 15), D(2025, 10, 14)),
            ("C2", D(2025, 10, 15), D(2025, 10, 14)),
            ("C2.B1.01", D(2025, 10, 15), D(2025, 10, 14)),
            ("C1", D(2025, 8, 20), D(2025, 8, 19)),
            ("C1.B1.01", D(2025, 8, 20), D(2025, 8, 19)),
        ]:
            with self.subTest(code):
                self.assertEqual(resolve(self.orgs[code], T2025).start, start)
                self.assertEqual(resolve(self.orgs[code], T2020).end, end_2020)
                self.assertEqual(resolve(self.orgs[code], T2020).start, D(2020, 1, 1))

    def test_a_quota_of_the_previous_term_above_makes_the_next_start_the_year_after(self) -> None:
        self.assertEqual(resolve(self.orgs["C1.B1"], T2025).start, D(2025, 1, 1))
        quota(self.orgs["P"], T2020, 100)
        self.assertEqual(resolve(self.orgs["C1.B1"], T2025).start, D(2026, 1, 1))
        self.assertEqual(resolve(self.orgs["C1.B1"], T2020).end, D(2025, 12, 31))

    def test_a_year_is_not_changed(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        year = resolve(self.orgs["P"], Period(2025, 2025))
        self.assertEqual((year.start, year.end), (D(2025, 1, 1), D(2025, 12, 31)))


class CongressServiceTestCase(BaseTestCase):
    def test_recording_twice_corrects_the_day_and_keeps_one_row_with_its_history(self) -> None:
        org = self.orgs["C1"]
        services.congress_record(org=org, first_year=2025, last_year=2030, held_on=D(2025, 8, 2), acting_user=self.erin)
        c = services.congress_record(
            org=org,
            first_year=2025,
            last_year=2030,
            held_on=D(2025, 8, 3),
            document=" 12-NQ/ĐH ",
            acting_user=self.erin,
        )
        self.assertEqual(Congress.objects.filter(organization=org).count(), 1)
        self.assertEqual((c.held_on, c.document), (D(2025, 8, 3), "12-NQ/ĐH"))
        self.assertEqual([h.history_user for h in c.history.all()], [self.erin, self.erin])

    def test_a_congress_far_from_its_terms_first_year_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.congress_record(org=self.orgs["C1"], first_year=2025, last_year=2030, held_on=D(2028, 1, 1))
        self.assertIn("held_on", caught.exception.message_dict)

    def test_congresses_follow_their_terms_order(self) -> None:
        org = self.orgs["C1"]
        services.congress_record(org=org, first_year=2025, last_year=2030, held_on=D(2025, 3, 2))
        with self.assertRaises(ValidationError) as caught:
            services.congress_record(org=org, first_year=2024, last_year=2025, held_on=D(2025, 3, 2))
        self.assertIn("02/03/2025", str(caught.exception))

    def test_a_term_runs_from_an_earlier_year_to_a_later_one(self) -> None:
        with self.assertRaises(ValidationError):
            services.congress_record(org=self.orgs["C1"], first_year=2025, last_year=2025, held_on=D(2025, 3, 2))

    def test_removing_a_congress_returns_the_term_to_the_level_above(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        own = services.congress_record(org=self.orgs["C1"], first_year=2025, last_year=2030, held_on=D(2025, 8, 20))
        pk = own.pk
        services.congress_remove(congress=own, acting_user=self.alice)
        self.assertEqual(resolve(self.orgs["C1"], T2025).start, D(2025, 10, 15))
        removal = Congress.history.filter(id=pk).latest()
        self.assertEqual((removal.history_type, removal.history_user), ("-", self.alice))


class SplitTestCase(BaseTestCase):
    """2025's admissions split between 2020-2025 and 2025-2030 at the recorded congress, 15/10/2025."""

    def setUp(self) -> None:
        super().setUp()
        quota(self.orgs["P"], T2020, 10)
        quota(self.orgs["P"], T2025, 8)
        cell = self.orgs["C1.B1.01"]
        for day, n in [(D(2025, 1, 1), 1), (D(2025, 10, 1), 2), (D(2025, 10, 14), 2), (D(2025, 10, 15), 3)]:
            admit(cell, n, day)
        admit(self.orgs["C2.B1.01"], 1, D(2025, 12, 31))
        admit(self.orgs["C2.B1.01"], 1, D(2026, 1, 1))

    def admitted(self, code: str, period: Period) -> list[tuple[str, int]]:
        return [(r.org.code, r.admitted) for r in attainment(self.orgs[code], period, today=TODAY).rows]

    def both_ways(self, code: str, period: Period) -> list[tuple[str, int]]:
        """From the tallies with the partial months scanned, and from the people alone: the same."""
        with override_settings(TALLY_DEPTH=3):
            tallied = self.admitted(code, period)
        with override_settings(TALLY_DEPTH=0):
            scanned = self.admitted(code, period)
        self.assertEqual(tallied, scanned)
        return tallied

    def test_with_nothing_recorded_2025_counts_in_the_earlier_term(self) -> None:
        self.assertEqual(self.both_ways("P", T2020), [("P", 9), ("C1", 8), ("C2", 1)])
        self.assertEqual(self.both_ways("P", T2025), [("P", 1), ("C1", 0), ("C2", 1)])

    def test_the_recorded_congress_splits_2025(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        self.assertEqual(self.both_ways("P", T2020), [("P", 5), ("C1", 5), ("C2", 0)])
        self.assertEqual(self.both_ways("P", T2025), [("P", 5), ("C1", 3), ("C2", 2)])
        self.assertEqual(self.both_ways("C1", T2025), [("C1", 3), ("C1.B1", 3), ("C1.B2", 0)])
        year = Candidate.objects.filter(admission_date__year=2025).count()
        self.assertEqual(9, year)
        att = attainment(self.orgs["P"], T2025, today=TODAY)
        self.assertEqual((att.period.start, att.period.end), (D(2025, 10, 15), D(2030, 12, 31)))
        self.assertEqual(att.total.target, 8)
        self.assertEqual(att.months[0][0], D(2025, 10, 1))  # the curve starts in the congress's month
        self.assertEqual([(m.month, n) for m, n, _c in att.months[:4] if n], [(10, 3), (12, 1), (1, 1)])

    def test_a_childs_own_congress_counts_on_its_own_report(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        services.congress_record(org=self.orgs["C1"], first_year=2025, last_year=2030, held_on=D(2025, 10, 1))
        # The province's report counts its own term in every row, so the rows add up.
        self.assertEqual(self.both_ways("P", T2025), [("P", 5), ("C1", 3), ("C2", 2)])
        self.assertEqual(self.both_ways("C1", T2025), [("C1", 7), ("C1.B1", 7), ("C1.B2", 0)])
        self.assertEqual(self.both_ways("C1", T2020), [("C1", 1), ("C1.B1", 1), ("C1.B2", 0)])

    def test_the_command_keeps_its_columns_and_counts_the_term(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        out = io.StringIO()
        call_command("attainment_report", "--org", "P", "--term", "2025-2030", stdout=out)
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        self.assertEqual(rows[0], ["org_code", "org_name", "target", "admitted", "percent"])
        self.assertEqual([r[0] for r in rows[1:]], ["P", "C1", "C2"])
        self.assertEqual(rows[1][2:], ["8", "5", "62.50"])
        out = io.StringIO()
        call_command("attainment_report", "--org", "P", "--term", "2020-2025", "--format", "json", stdout=out)
        records = json.loads(out.getvalue())
        self.assertEqual(list(records[0]), ["org_code", "org_name", "target", "admitted", "percent"])
        self.assertEqual((records[0]["target"], records[0]["admitted"], records[0]["percent"]), (10, 5, 50))

    def test_the_workbook_shows_the_terms_days_and_their_congress(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        note = sheet_list(exports.workbook(attainment(self.orgs["P"], T2025, today=TODAY)))[0].value("A4")
        self.assertIn("15/10/2025", note)
        self.assertIn("31/12/2030", note)
        self.assertIn(self.orgs["P"].name, note)

    def test_as_of_inside_the_congress_month_both_ways(self) -> None:
        services.congress_record(org=self.orgs["P"], first_year=2025, last_year=2030, held_on=D(2025, 10, 15))
        for as_of in (D(2025, 10, 15), D(2025, 10, 31), D(2025, 12, 30), D(2026, 1, 1)):
            with override_settings(TALLY_DEPTH=3):
                a = [(r.org.code, r.admitted) for r in attainment(self.orgs["P"], T2025, as_of=as_of, today=TODAY).rows]
            with override_settings(TALLY_DEPTH=0):
                b = [(r.org.code, r.admitted) for r in attainment(self.orgs["P"], T2025, as_of=as_of, today=TODAY).rows]
            self.assertEqual(a, b, as_of)
        self.assertEqual(a, [("P", 5), ("C1", 3), ("C2", 2)])


def expected_days(
    org: Organization, recorded: dict[tuple[int, int], dict[int, datetime.date]], term: tuple[int, int]
) -> tuple[datetime.date, datetime.date]:
    """The term's days for org, by the words of CONTRACT §4 (the previous term 2024-2025 always known)."""
    parent = parents_on(TODAY)
    chain = [org.pk]
    while (p := parent[chain[-1]]) is not None:
        chain.append(p)

    def held(t: tuple[int, int]) -> datetime.date | None:
        return next((recorded[t][pk] for pk in chain if pk in recorded.get(t, {})), None)

    first, last = term
    start = held(term) or (D(first + 1, 1, 1) if term == (2025, 2026) else D(first, 1, 1))
    nxt = held((2025, 2026)) if term == (2024, 2025) else None
    end = nxt - datetime.timedelta(days=1) if nxt else D(last, 12, 31)
    return start, end


@override_settings(TALLY_DEPTH=99)
class RandomTermsTestCase(HypothesisTestCase):
    """Random trees, people and congresses: each term's report equals the brute force over the term's
    days (from the tallies with the partial months scanned, and from the people alone), and no
    admission counts in both terms."""

    @settings(HYPOTHESIS, max_examples=20)
    @given(
        shapes(max_nodes=15),
        st.data(),
    )
    def test_terms_against_the_brute_force(self, parents: list[int | None], data: st.DataObject) -> None:
        n = len(parents)
        nodes = build_tree(parents, [""] * n)
        specs = data.draw(st.lists(people_specs(n), max_size=30))
        quota(nodes[0], Period(2024, 2025), 10)  # 2024-2025 is the organizations' previous term
        recorded: dict[tuple[int, int], dict[int, datetime.date]] = {}
        for i in data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=3)):
            d1 = data.draw(st.one_of(st.none(), st.dates(D(2024, 1, 1), D(2024, 12, 31))))
            d2 = data.draw(st.one_of(st.none(), st.dates(D(2025, 1, 1), D(2026, 2, 28))))
            for term, day in (((2024, 2025), d1), ((2025, 2026), d2)):
                if day is not None:
                    services.congress_record(org=nodes[i], first_year=term[0], last_year=term[1], held_on=day)
                    recorded.setdefault(term, {})[nodes[i].pk] = day
        as_of = data.draw(st.one_of(st.none(), st.dates(D(2025, 1, 1), D(2027, 1, 31))))
        # People admitted, recognized or struck off around the congresses and the as-of day: the
        # partial months, where the tallies alone cannot count.
        around = [day for by_org in recorded.values() for day in by_org.values()] + ([as_of] if as_of else [])
        for day in around:
            for _ in range(data.draw(st.integers(0, 4))):
                when = day + datetime.timedelta(days=data.draw(st.integers(-20, 20)))
                node = data.draw(st.integers(0, n - 1))
                kind = data.draw(st.sampled_from(["admitted", "recognized", "struck_off"]))
                if kind == "admitted":
                    spec: dict[str, Any] = {"node": node, "admitted": when}
                elif kind == "recognized":
                    spec = {"node": node, "admitted": when - datetime.timedelta(days=400), "recognized": when}
                else:
                    spec = {"node": node, "admitted": when - datetime.timedelta(days=200), "removed": when}
                specs.append(spec)
        add(*(person(nodes[spec.pop("node")], **spec) for spec in [dict(p) for p in specs]))
        inner = nodes[data.draw(st.integers(0, n - 1))]
        for org in {nodes[0].pk: nodes[0], inner.pk: inner}.values():
            admitted = {}
            for term in ((2024, 2025), (2025, 2026)):
                period = resolve(org, Period(*term))
                self.assertEqual((period.start, period.end), expected_days(org, recorded, term))
                for depth in (0, 99):
                    with override_settings(TALLY_DEPTH=depth):
                        att = assert_matches_brute_force(
                            self, org, period, as_of=as_of, today=TODAY, check_targets=False
                        )
                admitted[term] = (att.total.admitted, period)
            # No admission in two terms: together they count each admission of the two terms' span once.
            first, second = admitted[(2024, 2025)][1], admitted[(2025, 2026)][1]
            cutoff = min(second.end, as_of) if as_of else second.end
            under = Candidate.objects.filter(organization__path__startswith=org.path)
            span = under.filter(admission_date__gte=first.start, admission_date__lte=cutoff)
            self.assertEqual(admitted[(2024, 2025)][0] + admitted[(2025, 2026)][0], span.count())
