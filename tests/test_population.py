"""One synthetic population (devdata.population) for both generators (issue 12 point 4): seed_demo's people and
generate_dataset's are named from the same tables, each generator with its own reproducible random stream."""

from __future__ import annotations

import random

from django.test import SimpleTestCase

from devdata import dataset, people, population
from recruitment.models import Gender

TABLES = ("_KINH_FAMILIES", "_MIDDLE", "_GIVEN", "_MINORITY_FAMILIES", "_GROUP_FAMILIES", "_MONG_GIVEN")
# The ethnic groups of the demo province (people._ETHNICITY) and a few of the country's.
GROUPS = sorted({g for table in people._ETHNICITY.values() for g in table} | {"Ê Đê", "Gia Rai", "Khmer", "Hoa"})


class PopulationTestCase(SimpleTestCase):
    def test_the_generators_keep_no_name_table_of_their_own(self) -> None:
        for module in (people, dataset):
            for table in TABLES:
                self.assertFalse(hasattr(module, table), f"{module.__name__}.{table}")

    def test_both_generators_name_people_through_it(self) -> None:
        for gender in Gender.values:
            for group in GROUPS:
                with self.subTest(gender=gender, group=group):
                    demo = people._Demo.__new__(people._Demo)
                    demo.rng = random.Random(3)
                    generator = dataset._Generator.__new__(dataset._Generator)
                    generator.rng, generator.fold = dataset._Random(3), {}
                    self.assertEqual(demo._name(gender, group), population.full_name(random.Random(3), gender, group))
                    faster = population.full_name(dataset._Random(3), gender, group)
                    self.assertEqual(generator._name(gender, group)[0], faster)

    def test_names_are_reproducible_from_the_seed_and_well_formed(self) -> None:
        for gender in Gender.values:
            for group in GROUPS:
                a = [population.full_name(random.Random(11), gender, group) for _ in range(3)]
                self.assertEqual(len(set(a)), 1)
                rng = random.Random(5)
                for _ in range(200):
                    words = population.name_parts(rng, gender, group)
                    self.assertGreaterEqual(len(words), 2, words)
                    self.assertTrue(all(w.strip() == w and w for w in words), words)
                    if group == "Kinh":
                        self.assertEqual(len(words), 3)
                        self.assertNotEqual(words[1], words[2])  # a middle name is not the given name
