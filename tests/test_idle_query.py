"""The dashboard's idle cells query keeps a shape whose plan holds at province scale (reports.attainment._idle).

With the organizations' CTE ordered (the model's default ordering, by path), PostgreSQL could not look each
waiting cell up by its key: it expected one cell and scanned the whole subtree once per cell instead (a
province's year dashboard: 1.3 s in that query; 18 ms without the ORDER BY, docs/benchmarks.md).
"""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.history import Subtree, TreeAt
from reports.attainment import _idle
from tests.base import BaseTestCase
from tests.people import make_candidate


class IdleQueryTestCase(BaseTestCase):
    def test_the_organizations_cte_is_not_ordered(self) -> None:
        make_candidate(self.orgs["C1.B1.01"])
        sub = Subtree.of(self.orgs["P"], TreeAt.load(datetime.date(2026, 12, 1)))
        with CaptureQueriesContext(connection) as queries:
            count, units = _idle(sub, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), "default")
        self.assertEqual((count, [u["code"] for u in units]), (1, ["C1.B1.01"]))
        sql = next(q["sql"] for q in queries.captured_queries if "waiting AS" in q["sql"])
        cte = re.search(r"WITH o AS \((.*?)\), waiting AS", sql, re.S)
        assert cte is not None
        self.assertNotIn("ORDER BY", cte.group(1).upper())

    def test_on_a_past_day_it_stays_one_query_with_the_organizations_cte_not_ordered(self) -> None:
        # Review of issue 18: a past day's idle units count the people by their stage on that day
        # (recruitment.selectors.stage_on), in the same one query, keeping its shape.
        make_candidate(self.orgs["C1.B1.01"])
        sub = Subtree.of(self.orgs["P"], TreeAt.load(datetime.date(2026, 12, 1)))
        day = datetime.date(2026, 12, 1)
        with CaptureQueriesContext(connection) as queries:
            count, units = _idle(sub, datetime.date(2026, 1, 1), day, "default", day)
        self.assertEqual((count, [u["code"] for u in units]), (1, ["C1.B1.01"]))
        self.assertEqual(len(queries.captured_queries), 1)
        cte = re.search(r"WITH o AS \((.*?)\), waiting AS", queries.captured_queries[0]["sql"], re.S)
        assert cte is not None
        self.assertNotIn("ORDER BY", cte.group(1).upper())
        # Before the person was put on the list: no one waiting.
        self.assertEqual(
            _idle(sub, datetime.date(2020, 1, 1), datetime.date(2020, 12, 31), "default", datetime.date(2020, 12, 31)),
            (0, []),
        )
