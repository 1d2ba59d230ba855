"""Both generators fill issue 17's particulars (home town, residence, phone, the two levels) for part of the
people, blank for the rest and more often for older records; and adding them changed nothing else they make
(the particulars come from a random stream of their own)."""

from __future__ import annotations

import datetime
import io
from unittest import mock

import time_machine
from django.core.management import call_command
from django.test import TestCase

from devdata import population
from recruitment.models import Candidate, PoliticalTheory, ProfessionalLevel, phone_validator
from tests.test_command_generate_dataset import NOW, generate, snapshot

NEW = ("home_town", "residence", "phone", "professional_level", "political_theory")
THREE_YEARS = datetime.timedelta(days=3 * 365)


def _others() -> list[tuple[object, ...]]:
    """Every candidate's columns but the particulars, ids and timestamps, in a fixed order."""
    skip = {"id", "created_at", "updated_at", "previous_id", *NEW}
    names = [f.attname for f in Candidate._meta.concrete_fields if f.attname not in skip]
    return list(Candidate.objects.order_by("national_id", "source_date").values_list(*names))


def _not_stated(*_args: object, **_kwargs: object) -> population.Particulars:
    return population.NOT_STATED


class ParticularsTestCase(TestCase):
    def assert_plausible(self, province: str | None = None) -> None:
        people = list(Candidate.objects.values("source_date", *NEW))
        total = len(people)
        for name in NEW:
            stated = sum(1 for p in people if p[name])
            with self.subTest(field=name):
                self.assertTrue(0.15 * total < stated < 0.85 * total, (name, stated, total))
        for p in people:
            if p["phone"]:
                phone_validator(p["phone"])
            self.assertIn(p["professional_level"], ["", *ProfessionalLevel.values])
            self.assertIn(p["political_theory"], ["", *PoliticalTheory.values])
            if province and p["home_town"]:
                self.assertTrue(p["home_town"].endswith(f", {province}"), p["home_town"])
        # Older records lack them more often.
        recent = NOW.date() - THREE_YEARS
        old = [p for p in people if p["source_date"] < recent]
        new = [p for p in people if p["source_date"] >= recent]
        self.assertTrue(old and new)
        blank_share = {
            k: sum(1 for p in g if not p["professional_level"]) / len(g) for k, g in (("old", old), ("new", new))
        }
        self.assertGreater(blank_share["old"], blank_share["new"] + 0.2)


class SeedDemoParticularsTestCase(ParticularsTestCase):
    def seed(self) -> None:
        with time_machine.travel(NOW, tick=False):
            call_command("seed_demo", stdout=io.StringIO())

    def test_part_of_the_demo_people_have_them(self) -> None:
        self.seed()
        self.assert_plausible("tỉnh Phú Thọ")
        self.assertTrue(Candidate.objects.filter(home_town="xã Dân Chủ, tỉnh Phú Thọ").exists())

    def test_they_change_nothing_else_of_the_demo(self) -> None:
        self.seed()
        with_them = _others()
        Candidate.objects.all().delete()
        with mock.patch.object(population, "particulars", _not_stated):
            self.seed()
        self.assertFalse(Candidate.objects.exclude(home_town="").exists())
        self.assertEqual(_others(), with_them)


class GenerateDatasetParticularsTestCase(ParticularsTestCase):
    def test_part_of_the_generated_people_have_them_and_nothing_else_changed(self) -> None:
        generate("--scale", "district", "--seed", "7")
        self.assert_plausible()
        with_them = snapshot()
        people = _others()
        with mock.patch.object(population, "particulars", _not_stated):
            generate("--scale", "district", "--seed", "7", "--replace")
        self.assertFalse(Candidate.objects.exclude(phone="").exists())
        self.assertEqual(_others(), people)
        without = snapshot()
        self.assertEqual(
            {k: v for k, v in without.items() if k != "people"}, {k: v for k, v in with_them.items() if k != "people"}
        )
