"""Candidate pages at 100,000 people: server time and queries of the list, filters, deadlines, detail and export.

Usage:  .venv/bin/python bench/candidates.py [--people 100000] [--runs 20]
It builds its own database (a temporary SQLite file, or DATABASE_URL's server with a
`_bench` suffix on the name), so it never touches your data. Prints one line per page.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _configure() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        os.environ["DATABASE_URL"] = url.rstrip("/") + "_bench"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # DEBUG serves static files without a collectstatic run; the test client's host must be allowed.
    os.environ.setdefault("DEBUG", "1")
    os.environ["ALLOWED_HOSTS"] = "testserver"


def _create_database() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')


def _build(people: int) -> tuple[Any, int]:
    import random

    from django.contrib.auth.models import User

    from organizations.models import Kind, Membership, Organization, Role
    from recruitment import rules
    from recruitment.models import ENDED_STAGES, PIPELINE, Candidate, Stage, reasons_ending_in
    from tests.trees import bulk_tree

    root = bulk_tree(root_code="B", communes=50, bases_per_commune=60)
    cells = list(Organization.objects.filter(kind=Kind.BASE_BRANCH))
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, organization=root, role=Role.STAFF)
    ctx = rules.Context.load(datetime.date(2026, 11, 22))
    rng = random.Random(7)
    stages = [*PIPELINE, *sorted(ENDED_STAGES)]
    # A reason each ended stage can have (models.REMOVAL_OUTCOMES).
    reason_of = {stage: reasons_ending_in(stage)[0] for stage in ENDED_STAGES}
    batch: list[Candidate] = []
    for i in range(people):
        stage = rng.choice(stages)
        start = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1500))
        c = Candidate(
            organization=rng.choice(cells),
            full_name=f"Nguyễn Văn {i}",
            birth_date=datetime.date(1995, 1, 1),
            gender=rng.choice(["male", "female"]),
            ethnicity="Kinh",
            national_id=f"{i:012d}",
            stage=stage,
            stage_date=start,
            source_date=start,
        )
        if stage in (Stage.BRANCH_VOTED, Stage.DECIDED, Stage.PROBATION, Stage.OFFICIAL, Stage.STRUCK_OFF):
            c.branch_vote_date = start + datetime.timedelta(days=200)
        if stage in (Stage.DECIDED, Stage.PROBATION, Stage.OFFICIAL, Stage.STRUCK_OFF):
            c.decision_date, c.decision_no = start + datetime.timedelta(days=240), "1-QĐ"
        if stage in (Stage.PROBATION, Stage.OFFICIAL, Stage.STRUCK_OFF):
            c.admission_date = start + datetime.timedelta(days=250)
        if stage == Stage.OFFICIAL:
            c.recognition_date = start + datetime.timedelta(days=640)
            c.recognition_decision_no = "2-QĐ"
        if stage in ENDED_STAGES:
            c.removal_date, c.removal_reason = start + datetime.timedelta(days=700), reason_of[stage]
        rules.derive(c, ctx)
        batch.append(c)
        if len(batch) == 5000:
            Candidate.objects.bulk_create(batch)
            batch = []
    Candidate.objects.bulk_create(batch)
    return user, Candidate.objects.order_by("pk").values_list("pk", flat=True)[people // 2]


def _time(client: object, url: str, runs: int) -> tuple[float, float, int, int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # type: ignore[attr-defined]  # warm
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)  # type: ignore[attr-defined]
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    where = slowest["sql"].split("FROM", 1)[-1][:60].replace("\n", " ")
    slow = f"{float(slowest['time']) * 1000:.0f} ms: …{where}"
    return statistics.median(times), p95, len(queries.captured_queries), len(response.content), slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    _configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    _create_database()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    started = time.perf_counter()
    user, sample = _build(args.people)
    print(f"{connection.vendor}: {args.people:,} candidates built in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    pages = [
        ("list, first page", "/candidates/"),
        ("list, page 1000", "/candidates/?page=1000"),
        ("list, open + women + sorted by stage", "/candidates/?stage=open&category=women&o=stage"),
        ("list, name search", "/candidates/?q=van+4242"),
        ("list, overdue", "/candidates/?overdue=on"),
        ("deadlines", "/deadlines/"),
        ("candidate page", f"/candidates/{sample}/"),
    ]
    print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}   slowest query")
    for label, url in pages:
        median, p95, queries, _size, slow = _time(client, url, args.runs)
        print(f"{label:<40} {median:>10.0f} {p95:>8.0f} {queries:>8}   {slow}")
    median, p95, queries, size, _slow = _time(client, "/candidates/export.xlsx", 1)
    print(f"{'export, all rows (.xlsx)':<40} {median:>10.0f} {p95:>8.0f} {queries:>8}   {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
