from __future__ import annotations

import collections
import datetime
import hashlib
import io
import statistics
import subprocess
import sys
from collections.abc import Callable
from unittest.mock import Mock
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import TestCase
from django.utils.translation import gettext as _

from devdata import dataset
from devdata.management.commands.generate_dataset import Command
from organizations import services
from organizations.models import CELL_KINDS, Kind, Organization, OrganizationEvent, Sector
from organizations.notation import num
from organizations.text import fold
from recruitment import rules
from recruitment.ethnicities import ETHNIC_GROUPS
from recruitment.models import Candidate, RuleSet, Stage
from recruitment.particulars import NO_RELIGION
from reports import tally
from reports.attainment import attainment
from reports.forms import Period
from reports.models import MembershipCount, Quota

# A Monday in March: the dataset is built as of this day, so the figures below do not drift with the calendar.
NOW = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TODAY = NOW.date()
FIRST, LAST_FULL = TODAY.year - 6, TODAY.year - 1
SCALE = dataset.SCALES["district"]


def generate(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("generate_dataset", *args, stdout=out)
    return out.getvalue()


def _checksum(rows: object) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def snapshot() -> dict[str, str]:
    """The generated data without database ids or timestamps, to compare two runs."""
    skip = {"id", "created_at", "updated_at", "organization"}
    names = [f.attname for f in Candidate._meta.concrete_fields if f.name not in skip]
    people = Candidate.objects.order_by("national_id", "source_date").values_list("organization__code", *names)
    return {
        "orgs": _checksum(list(Organization.objects.values_list("code", "path", "numchild", "name", "kind", "sector"))),
        "people": _checksum(list(people)),
        "quotas": _checksum(
            list(
                Quota.objects.order_by("organization__code", "first_year", "last_year", "category").values_list(
                    "organization__code", "first_year", "last_year", "category", "target", "rate"
                )
            )
        ),
        "counts": _checksum(
            list(
                MembershipCount.objects.order_by("organization__code", "year").values_list(
                    "organization__code", "year", "members"
                )
            )
        ),
    }


class GenerateDatasetTestCase(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        # The real district scale, generated once for the class (about a second); the tests read, or roll back.
        cls.output = generate("--scale", "district", "--seed", "7")

    def root(self) -> Organization:
        return Organization.objects.get(depth=1)

    def test_it_builds_a_district_sized_province_after_the_reform(self) -> None:
        root = self.root()
        self.assertEqual((root.code, root.kind), ("HS", Kind.PROVINCE))
        kinds = collections.Counter(Organization.objects.values_list("kind", flat=True))
        self.assertEqual(kinds[Kind.PROVINCE], 1)
        self.assertEqual(kinds[Kind.COMMUNE], SCALE.communes)
        self.assertEqual(Organization.objects.child_of(root).exclude(kind=Kind.COMMUNE).count(), 0)
        self.assertFalse(Organization.objects.filter(kind__in=[Kind.DISTRICT, Kind.SUB_COMMITTEE]).exists())
        cells = Organization.objects.filter(kind__in=CELL_KINDS)
        low, high = SCALE.ranges[0]
        self.assertTrue(low <= cells.count() <= high, cells.count())
        # Cells sit under a grassroots committee, or are their own grassroots organization under a commune.
        for cell in cells:
            parent = Organization.objects.get(path=cell.parent_path)
            expected = Kind.BASE_COMMITTEE if cell.kind == Kind.BRANCH else Kind.COMMUNE
            self.assertEqual(parent.kind, expected, cell.code)
        self.assertGreater(kinds[Kind.BRANCH], kinds[Kind.BASE_BRANCH])
        self.assertGreater(kinds[Kind.BASE_BRANCH], 0)
        # Residential cells are the most; every commune has its agencies, schools, police and military.
        sectors = collections.Counter(cells.values_list("sector", flat=True))
        self.assertGreater(sectors[Sector.RESIDENTIAL], cells.count() / 2)
        for sector in (Sector.STATE_AGENCY, Sector.SCHOOL, Sector.POLICE, Sector.ARMY, Sector.PUBLIC_SERVICE):
            self.assertGreaterEqual(sectors[sector], SCALE.communes, sector)
        self.assertGreater(sectors[Sector.PRIVATE_ENTERPRISE], 0)
        self.assertEqual(
            Organization.objects.filter(sector="").exclude(kind__in=[Kind.PROVINCE, Kind.COMMUNE]).count(), 0
        )

    def test_the_dashboards_tallies_agree_with_the_people(self) -> None:
        self.assertGreater(len(tally.stored()), 100)
        self.assertEqual(tally.stored(), tally.expected())

    def test_every_path_is_valid(self) -> None:
        self.assertEqual([len(p) for p in Organization.objects.find_problems()], [0, 0, 0, 0, 0])
        for org in Organization.objects.all():
            self.assertEqual(org.depth, len(org.path) // Organization.steplen)
            self.assertEqual(org.numchild, Organization.objects.child_of(org).count(), org.code)
            self.assertEqual(org.search_key, fold(f"{org.code} {org.name}"))
        below = Organization.objects.descendant_of(self.root(), inclusive=False)
        self.assertEqual(below.count(), Organization.objects.count() - 1)
        self.assertEqual(Organization.objects.filter(code__startswith="HS.").count(), Organization.objects.count() - 1)

    def test_it_counts_the_members_of_every_organization_each_year_and_a_parent_is_the_sum_of_its_children(
        self,
    ) -> None:
        counts = {(o, y): m for o, y, m in MembershipCount.objects.values_list("organization_id", "year", "members")}
        orgs = list(Organization.objects.all())
        years = range(FIRST - 1, LAST_FULL + 1)
        self.assertEqual(len(counts), len(orgs) * len(years))
        by_parent = collections.defaultdict(list)
        for org in orgs:
            by_parent[org.parent_path].append(org)
        for org in orgs:
            children = by_parent.get(org.path, [])
            for year in years:
                self.assertGreaterEqual(counts[(org.pk, year)], 3)
                if children:
                    self.assertEqual(counts[(org.pk, year)], sum(counts[(c.pk, year)] for c in children), org.code)
        root = self.root()
        low, high = SCALE.ranges[1]
        self.assertTrue(low <= counts[(root.pk, LAST_FULL)] <= high)
        # The party grows a little each year, as it did nationally (5.1 million in 2021, 5.6 in 2026).
        growth = [counts[(root.pk, y + 1)] / counts[(root.pk, y)] for y in range(FIRST - 1, LAST_FULL)]
        self.assertTrue(all(1.0 < g < 1.04 for g in growth), growth)

    def test_about_two_to_three_percent_of_the_members_are_admitted_each_year(self) -> None:
        admitted = collections.Counter(
            d.year for d in Candidate.objects.exclude(admission_date=None).values_list("admission_date", flat=True) if d
        )
        members = dict(MembershipCount.objects.filter(organization=self.root()).values_list("year", "members"))
        low, high = SCALE.ranges[2]
        for year in range(FIRST, LAST_FULL + 1):
            self.assertTrue(low <= admitted[year] <= high, (year, admitted[year]))
            self.assertTrue(0.018 <= admitted[year] / members[year - 1] <= 0.032, year)
        # This year's ceremonies so far, none after today.
        self.assertTrue(0 < admitted[TODAY.year] < low)
        self.assertFalse(Candidate.objects.filter(admission_date__gt=TODAY).exists())

    def test_every_candidate_passes_the_rules_with_the_derived_fields_the_services_compute(self) -> None:
        ctx = rules.Context.load(TODAY)
        for c in Candidate.objects.select_related("organization"):
            self.assertIn(c.organization.kind, CELL_KINDS)
            derived = (c.probation_end, c.official_date, c.cert_expires, c.due_date, c.search_key, c.sort_name)
            rules.derive(c, ctx)
            self.assertEqual(
                (c.probation_end, c.official_date, c.cert_expires, c.due_date, c.search_key, c.sort_name), derived
            )
            self.assertEqual(rules.check_record(c, ctx), [], c)
            self.assertEqual(rules.stage_from_dates(c), c.stage if c.stage != Stage.TRANSFERRED else Stage.REMOVED)
            c.clean_fields()
            self.assertEqual(c.version, 1)
            if c.organization.kind == Kind.BASE_BRANCH:
                self.assertIsNone(c.committee_review_date)
            elif c.decision_date:
                self.assertIsNotNone(c.committee_review_date)

    def test_the_stages_are_in_realistic_proportions(self) -> None:
        stages = collections.Counter(Candidate.objects.values_list("stage", flat=True))
        for stage in Stage:
            self.assertGreater(stages[stage], 0, stage)
        total = sum(stages.values())
        # Most people listed years ago are full members; a year's admissions are on probation.
        self.assertGreater(stages[Stage.OFFICIAL], 0.5 * total)
        self.assertGreater(stages[Stage.OFFICIAL], 3 * stages[Stage.PROBATION])
        ended = sum(stages[s] for s in (Stage.REMOVED, Stage.NOT_ADMITTED, Stage.TRANSFERRED, Stage.STRUCK_OFF))
        self.assertTrue(0.04 <= ended / total <= 0.14, ended / total)
        waiting = sum(stages[s] for s in (Stage.SOURCE, Stage.AWARENESS, Stage.DOSSIER))
        self.assertTrue(0.08 <= waiting / total <= 0.3, waiting / total)
        self.assertLess(stages[Stage.STRUCK_OFF], 0.02 * total)
        # The pipeline's dates are all in the past; the next deadlines of open cases are not overdue.
        self.assertFalse(Candidate.objects.filter(stage_date__gt=TODAY).exists())
        self.assertFalse(Candidate.objects.filter(due_date__lt=TODAY).exists())

    def test_the_people_look_like_party_recruits(self) -> None:
        people = list(Candidate.objects.exclude(admission_date=None))
        n = len(people)

        def share(test: Callable[[Candidate], bool]) -> float:
            return sum(1 for c in people if test(c)) / n

        self.assertTrue(0.38 <= share(lambda c: c.gender == "female") <= 0.5)
        self.assertTrue(0.55 <= share(lambda c: c.youth_union) <= 0.75)
        self.assertTrue(0.003 <= share(lambda c: c.religion not in ("", NO_RELIGION)) <= 0.04)
        self.assertEqual(share(lambda c: c.religion == ""), 0)  # every religion stated, none included
        self.assertTrue(0.03 <= share(lambda c: c.ethnicity != "Kinh") <= 0.3)
        ages = [(c.admission_date - c.birth_date).days / 365.25 for c in people if c.admission_date]
        self.assertGreaterEqual(min(ages), 18)
        self.assertGreaterEqual(sum(1 for a in ages if a < 36) / n, 0.8)
        self.assertTrue(22 <= statistics.median(ages) <= 30)
        everyone = Candidate.objects.all()
        self.assertTrue(set(everyone.values_list("ethnicity", flat=True)) <= set(ETHNIC_GROUPS))
        # Vietnamese names that fit the gender: Nguyễn the commonest family, "Thị" only for women.
        families = collections.Counter(name.split()[0] for name in everyone.values_list("full_name", flat=True))
        self.assertEqual(families.most_common(1)[0][0], "Nguyễn")
        self.assertFalse(everyone.filter(gender="male", full_name__contains=" Thị ").exists())
        self.assertGreater(everyone.filter(gender="female", full_name__contains=" Thị ").count(), 0)
        # Citizen IDs: 12 digits, unique, the century-and-sex digit matching the person.
        ids = list(everyone.values_list("national_id", "birth_date", "gender"))
        self.assertEqual(len({i for i, _b, _g in ids}), len(ids))
        for number, birth, gender in ids:
            self.assertRegex(number, r"^\d{12}$")
            digit = (0 if birth.year < 2000 else 2) + (gender == "female")
            self.assertEqual((int(number[3]), number[4:6]), (digit, f"{birth.year % 100:02d}"), number)
        police = everyone.filter(organization__sector=Sector.POLICE).exclude(occupation_group="armed_forces")
        self.assertFalse(police.exists())
        self.assertEqual(set(everyone.values_list("education", flat=True)), {"9/12", "12/12"})

    def test_quotas_make_attainment_spread_around_a_hundred_percent(self) -> None:
        root = self.root()
        spread = []
        shortfalls = 0
        for year in range(FIRST, LAST_FULL + 1):
            result = attainment(root, Period(year, year), today=TODAY)
            self.assertIsNotNone(result.total.percent)
            self.assertTrue(75 <= result.total.percent <= 125, (year, result.total.percent))  # type: ignore[operator]
            spread += [float(r.percent) for r in result.children if r.percent is not None]
            shortfalls += result.children_short is not None
            for commune in result.children:
                below = attainment(commune.org, Period(year, year), today=TODAY, detail=False)
                shortfalls += below.children_short is not None
                target = commune.target or 0
                self.assertTrue(0.85 * below.children_target_sum <= target <= 1.15 * below.children_target_sum)
        self.assertTrue(85 <= statistics.median(spread) <= 115, statistics.median(spread))
        # Some parents set more than their children's quotas add up to: the dashboard warns of those.
        self.assertGreater(shortfalls, 0)
        term = attainment(root, Period(FIRST, LAST_FULL), today=TODAY)
        self.assertTrue(80 <= term.total.percent <= 120)  # type: ignore[operator]
        self.assertEqual((term.total.target or 1) % 50, 0)  # a congress resolution's round number
        self.assertEqual(
            Quota.objects.filter(first_year=FIRST, last_year=LAST_FULL).count(), 1 + SCALE.communes
        )  # the province and its communes
        # Sub-targets on some organizations, and some quotas given as a rate of the members.
        categories = collections.Counter(Quota.objects.values_list("category", flat=True))
        self.assertGreater(categories["women"], 0)
        self.assertGreater(categories["youth_union"], 0)
        rated = Quota.objects.filter(rate__isnull=False)
        self.assertGreater(rated.count(), 0)
        self.assertFalse(rated.exclude(first_year=F("last_year")).exists())
        self.assertTrue(Quota.objects.filter(first_year=TODAY.year, last_year=TODAY.year, category="").exists())

    def test_it_reports_what_it_created(self) -> None:
        cells = Organization.objects.filter(kind__in=CELL_KINDS).count()
        self.assertIn(
            _(
                "Organizations: %(total)s (%(communes)s communes and wards, %(grassroots)s grassroots "
                "organizations, %(cells)s party cells)."
            )
            % {
                "total": num(Organization.objects.count()),
                "communes": num(SCALE.communes),
                "grassroots": num(
                    Organization.objects.filter(kind__in=[Kind.BASE_COMMITTEE, Kind.BASE_BRANCH]).count()
                ),
                "cells": num(cells),
            },
            self.output,
        )
        admitted = Candidate.objects.exclude(admission_date=None).count()
        self.assertIn(
            _("Candidacies: %(total)s, of whom %(admitted)s admitted since 1 January %(first)d.")
            % {"total": num(Candidate.objects.count()), "admitted": num(admitted), "first": FIRST},
            self.output,
        )
        self.assertIn("HS – Đảng bộ tỉnh Hòa Sơn", self.output)

    def test_it_marks_the_dataset_and_writes_no_history(self) -> None:
        event = OrganizationEvent.objects.get()
        self.assertEqual(event.organization, self.root())
        self.assertEqual(event.details, {"generated_by": "generate_dataset", "scale": "district", "seed": 7})
        self.assertEqual(Candidate.history.count(), 0)
        self.assertEqual(Organization.history.count(), 0)

    def test_it_refuses_to_generate_over_a_generated_dataset_without_replace(self) -> None:
        before = snapshot()
        with self.assertRaises(CommandError) as ctx:
            generate("--scale", "province")
        self.assertEqual(ctx.exception.returncode, 1)
        self.assertIn("--replace", str(ctx.exception))
        self.assertEqual(snapshot(), before)

    def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(self) -> None:
        before = snapshot()
        out = generate("--scale", "district", "--seed", "7", "--replace")
        self.assertIn(_("Deleted the earlier generated dataset."), out)
        self.assertEqual(snapshot(), before)
        self.assertEqual(OrganizationEvent.objects.count(), 1)
        generate("--scale", "district", "--seed", "8", "--replace")
        after = snapshot()
        for key in before:
            self.assertNotEqual(after[key], before[key], key)

    def test_replace_refuses_when_the_database_also_holds_other_organizations(self) -> None:
        services.organization_create(parent=None, code="REAL", name="Đảng bộ tỉnh Thật", kind=Kind.PROVINCE)
        people = Candidate.objects.count()
        with self.assertRaises(CommandError) as ctx:
            generate("--scale", "district", "--replace")
        self.assertEqual(ctx.exception.returncode, 1)
        self.assertEqual(Candidate.objects.count(), people)
        self.assertTrue(Organization.objects.filter(code="HS").exists())


class GenerateDatasetRefusalTestCase(TestCase):
    def test_it_refuses_a_database_with_organizations_it_did_not_create(self) -> None:
        services.organization_create(parent=None, code="P", name="Đảng bộ tỉnh Thử Nghiệm", kind=Kind.PROVINCE)
        for args in (("--scale", "district"), ("--scale", "district", "--replace")):
            with self.assertRaises(CommandError) as ctx:
                generate(*args)
            self.assertEqual(ctx.exception.returncode, 1)
            self.assertIn("generate_dataset", str(ctx.exception))
        self.assertEqual(Organization.objects.count(), 1)
        self.assertFalse(Candidate.objects.exists())

    def test_without_a_rule_set_it_is_a_data_error_and_nothing_is_saved(self) -> None:
        RuleSet.objects.all().delete()
        with self.assertRaises(CommandError) as ctx:
            generate("--scale", "district")
        self.assertEqual(ctx.exception.returncode, 1)
        self.assertFalse(Organization.objects.exists())

    def test_a_seed_out_of_range_is_a_usage_error(self) -> None:
        with self.assertRaises(CommandError) as ctx:
            generate("--scale", "district", "--seed", "-1")
        self.assertEqual(ctx.exception.returncode, 2)
        self.assertFalse(Organization.objects.exists())

    def test_handle_can_be_called_directly(self) -> None:
        stdout = Mock()
        with time_machine.travel(NOW, tick=False):
            Command(stdout=stdout).handle(scale="district", seed=3, replace=False)
        self.assertTrue(Organization.objects.filter(code="HS").exists())
        self.assertGreater(Candidate.objects.count(), 1000)
        self.assertTrue(stdout.write.called)

    def test_a_bad_scale_exits_with_2(self) -> None:
        proc = subprocess.run(
            [sys.executable, "manage.py", "generate_dataset", "--scale", "city"],
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--scale", proc.stderr)

    def test_every_ethnic_group_in_the_tables_is_one_of_the_54(self) -> None:
        groups = {g for p in dataset.PROVINCES for g in p.ethnic}
        self.assertTrue(groups <= set(ETHNIC_GROUPS), groups - set(ETHNIC_GROUPS))
        self.assertEqual(len({p.code for p in dataset.PROVINCES}), 34)
        self.assertEqual(sum(p.communes for p in dataset.PROVINCES), 3_321)
