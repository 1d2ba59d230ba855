"""A large import takes the planner's statistics again once it has committed (imports.pipeline, organizations.bulk)."""

from __future__ import annotations

from unittest import mock

from organizations.bulk import ANALYZE_AFTER_ROWS
from recruitment.models import Candidate
from tests.test_workbook_pipeline import ImportTestCase, Status
from tests.workbooks import people_workbook


class ImportStatisticsTestCase(ImportTestCase):
    def test_an_import_of_many_rows_analyzes_the_tables_it_wrote(self) -> None:
        with mock.patch("imports.pipeline.analyze") as analyze:
            run = self.run_import(people_workbook(ANALYZE_AFTER_ROWS, branch_code="C1.B2"))
        self.assert_done(run)
        analyze.assert_called_once()
        self.assertIn(Candidate, analyze.call_args.args)

    def test_a_small_import_leaves_it_to_autovacuum(self) -> None:
        with mock.patch("imports.pipeline.analyze") as analyze:
            run = self.run_import(people_workbook(ANALYZE_AFTER_ROWS - 1, branch_code="C1.B2"))
        self.assert_done(run)
        analyze.assert_not_called()

    def test_a_refused_import_analyzes_nothing(self) -> None:
        data = people_workbook(ANALYZE_AFTER_ROWS, branch_code="NO-SUCH-CELL")
        with mock.patch("imports.pipeline.analyze") as analyze:
            run = self.run_import(data)
        self.assertEqual(run.status, Status.INVALID)
        analyze.assert_not_called()

    def test_analyze_runs_on_this_database(self) -> None:
        from organizations.bulk import analyze

        analyze(Candidate)  # no error on SQLite nor PostgreSQL, inside a transaction too
        self.assertEqual(Candidate.objects.count(), 0)
