"""The one COPY writer (organizations.bulk): the import, the generated data and the import's benchmark write with
it (issue 12 point 4); its Table keeps the model's defaults, NULLs and empty strings on every database."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.test import TestCase

from organizations import bulk
from organizations.models import Kind, Organization
from recruitment.models import Candidate, Stage

ROOT = Path(__file__).resolve().parent.parent
WRITERS = re.compile(r"copy_expert|copy_from|executemany\(")


class OneWriterTestCase(TestCase):
    def test_no_other_module_writes_rows_in_bulk_of_its_own(self) -> None:
        found = sorted(
            str(path.relative_to(ROOT))
            for folder in ("organizations", "recruitment", "reports", "imports", "devdata", "bench")
            for path in (ROOT / folder).rglob("*.py")
            if "migrations" not in path.parts and WRITERS.search(path.read_text(encoding="utf-8"))
        )
        self.assertEqual(found, ["organizations/bulk.py"])

    def test_the_generators_and_the_bench_use_it(self) -> None:
        from devdata import dataset

        self.assertIs(dataset.Table, bulk.Table)
        bench = (ROOT / "bench" / "import.py").read_text(encoding="utf-8")
        self.assertIn("from organizations.bulk import Table", bench)
        self.assertIn("from organizations import bulk", (ROOT / "imports" / "writes.py").read_text(encoding="utf-8"))


class TableTestCase(TestCase):
    def test_rows_keep_the_defaults_nulls_and_empty_texts(self) -> None:
        cell = Organization.objects.add_root(instance=Organization(code="B1", name="Chi bộ 1", kind=Kind.BASE_BRANCH))
        table = bulk.Table(Candidate, batch=2)
        at = table.at
        for i, (name, cert) in enumerate([("Lê Văn An", None), ("Trần Thị Bình", datetime.date(2023, 5, 4))]):
            row = table.blank()
            row[at["organization_id"]] = cell.pk
            row[at["full_name"]] = name
            row[at["birth_date"]] = datetime.date(1999, 3, 8)
            row[at["gender"]] = "female"
            row[at["ethnicity"]] = "Kinh"
            row[at["national_id"]] = f"00119801234{i}"
            row[at["source_date"]] = datetime.date(2023, 1, 10)
            row[at["awareness_cert_date"]] = cert
            row[at["stage"]] = Stage.AWARENESS if cert else Stage.SOURCE
            row[at["stage_date"]] = cert or datetime.date(2023, 1, 10)
            row[at["youth_union"]] = True
            table.add(row)
        self.assertEqual((table.count, table.rows), (2, []))  # the batch was full: written
        table.flush()
        people = list(Candidate.objects.order_by("national_id"))
        self.assertEqual([p.full_name for p in people], ["Lê Văn An", "Trần Thị Bình"])
        first, second = people
        self.assertIsNone(first.awareness_cert_date)
        self.assertEqual((second.awareness_cert_date, second.stage), (datetime.date(2023, 5, 4), Stage.AWARENESS))
        self.assertEqual((first.religion, first.decision_no), ("", ""))  # empty texts stay empty, not NULL
        self.assertTrue(first.youth_union)
        self.assertEqual(first.version, Candidate._meta.get_field("version").get_default())
        self.assertIsNotNone(first.created_at)
