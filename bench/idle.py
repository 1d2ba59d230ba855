"""The dashboard's idle-cells query at province scale: its shape now, beside the shape it had (an ordered CTE).

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recruitment_province .venv/bin/python bench/idle.py [--runs 10]

The database must hold the province dataset (`generate_dataset --scale province`). For the root's year, it runs
reports.attainment._idle as it is, and the same SQL with the organizations' CTE ordered by path (the model's default
ordering, which the query kept until December 2026), each --runs times after a warm one, and prints the medians.
With the ordered CTE PostgreSQL expected one waiting cell, chose a nested loop and scanned the subtree once per
cell; unordered, it looks each cell up by its key.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organizations.history import Subtree, TreeAt
    from organizations.models import Organization
    from reports.attainment import _idle

    root = Organization.objects.get(depth=1, is_active=True)
    today = datetime.date.today()
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    sub = Subtree.of(root, TreeAt.load(min(end, today)))
    with CaptureQueriesContext(connection) as queries:
        _idle(sub, start, end, "default")
    # On PostgreSQL the captured text is the statement with its values (psycopg's mogrify).
    sql = next(q["sql"] for q in queries.captured_queries if "waiting AS" in q["sql"])
    marker = ") , waiting AS" if ") , waiting AS" in sql else "), waiting AS"
    head, tail = sql.split(marker, 1)
    ordered_sql = f'{head} ORDER BY "organizations_organization"."path" ASC{marker}{tail}'

    def timed(statement: str) -> float:
        times = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(statement)
                cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times[1:])

    now, before = timed(sql), timed(ordered_sql)
    units = Organization.objects.count()
    print(f"idle cells of {root.code}, {today.year}, {units:,} organizations, median of {args.runs}:")
    print(f"  now (unordered CTE):            {now:8.1f} ms")
    print(f"  before (CTE ordered by path):   {before:8.1f} ms   ({before / now:.0f}× slower)")


if __name__ == "__main__":
    main()
