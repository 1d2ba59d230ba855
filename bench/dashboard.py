"""Dashboard at province and national scale: server time and queries of `/?org=…&year=…` beside the raw aggregate.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recruitment_province .venv/bin/python bench/dashboard.py \\
        [--runs 50] [--national-url postgres://postgres@127.0.0.1:5432/recruitment_national] [--national-runs 10]

The database in DATABASE_URL is used as it is (migrated if needed); if it holds no organization, the province
dataset (`generate_dataset --scale province`) is generated into it first. Without DATABASE_URL a temporary SQLite
file is used. With --national-url (or NATIONAL_DATABASE_URL) a second process measures that database too, if it
holds data. The superuser and its sessions live in a transaction that is rolled back: nothing is left behind.

For the root and for its largest child, in the year with the most admissions, it prints: the page's server time
(median and p95 of --runs requests, or --national-runs at national scale, after 3 warm ones, through Django's
test client, DEBUG off as in production) and its number of queries; the time of the single aggregate query the page
needs (`reports.attainment.grouped_queryset`, executed and fetched on its own); and the time of
`reports.attainment.attainment()` alone. Targets: a page's median within twice the raw query's median plus
20 ms; at national scale, under one second.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WARM = 3


def _configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # As in production: DEBUG off (no query log, cached templates); plain HTTP through the test client.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"


def _stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def _timed(fn: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _page(client: Any, url: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = None
    for _ in range(WARM):
        response = client.get(url)
    if response is None or response.status_code != 200:
        return {"error": f"HTTP {getattr(response, 'status_code', '?')}"}
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            return {"error": f"HTTP {response.status_code}"}
    median, p95 = _stats(times)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    return {"median": median, "p95": p95, "queries": len(queries.captured_queries), "slowest": float(slowest["time"])}


def _measure(org: Any, year: int, client: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from recruitment.models import Candidate
    from reports.attainment import _from_tallies, _span, attainment, children_on, grouped_queryset
    from reports.forms import Period

    period = Period(year, year)
    row: dict[str, Any] = {
        "org": f"{org.code} – {org.name}",
        "year": year,
        "people": Candidate.objects.in_subtree(org).count(),
    }
    try:
        row["page"] = _page(client, f"/?org={org.code}&year={year}", runs)
    except Exception as exc:  # the page may still be under construction: report it and go on
        row["page"] = {"error": f"{type(exc).__name__}: {exc}"[:80]}
    sql, params = grouped_queryset(org, period).query.sql_with_params()  # type: ignore[attr-defined]

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    raw()
    row["raw"] = _stats(_timed(raw, runs))
    # What the page reads instead of that scan when the organizations have tallies (reports.tally).
    cutoff, _day, sub = _span(org, period, None, timezone.localdate())
    children = children_on(org, sub)
    if _from_tallies(org, sub, children, period.start, cutoff, using=connection.alias) is None:
        row["tallies"] = None
    else:
        row["tallies"] = _stats(
            _timed(lambda: _from_tallies(org, sub, children, period.start, cutoff, using=connection.alias), runs)
        )
    attainment(org, period)
    row["attainment"] = _stats(_timed(lambda: attainment(org, period), runs))
    return row


def run_here(runs: int, *, generate: bool) -> tuple[str, list[dict[str, Any]]]:
    """Measure the database of DATABASE_URL: its root and the root's largest child."""
    import django

    django.setup()
    from django.conf import settings

    # Without a collectstatic run the manifest storage of production cannot name the static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.db.models.functions import ExtractYear, Substr
    from django.test import Client

    from devdata.dataset import dataset_generate
    from organizations.models import Organization
    from recruitment.models import Candidate

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    note = ""
    if not Organization.objects.exists():
        if not generate:
            return "empty", []
        summary = dataset_generate(scale="province", seed=1)
        note = f"generated the province dataset in {summary.seconds:.0f} s; "
    root = Organization.objects.filter(depth=1).order_by("path").first()
    assert root is not None
    people = Candidate.objects.in_subtree(root)
    by_year = (
        people.exclude(admission_date=None)
        .annotate(y=ExtractYear("admission_date"))
        .values("y")
        .annotate(n=Count("id"))
        .order_by("-n", "-y")
    )
    year = by_year[0]["y"] if by_year else 2025
    # The child with the most people: one grouped query on the path prefix of the root's children.
    prefix = Substr("organization__path", 1, len(root.path) + Organization.steplen)
    top = people.annotate(b=prefix).values("b").annotate(n=Count("id")).order_by("-n", "b").first()
    largest = Organization.objects.filter(path=top["b"]).first() if top else None
    total = people.count()
    label = f"{connection.vendor} {connection.settings_dict['NAME']}: {note}{total:,} candidacies"
    rows = []
    with transaction.atomic():
        user = User.objects.create_superuser("bench-dashboard", "bench@example.org", None)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for org in (root, largest):
            if org is not None:
                rows.append(_measure(org, year, client, runs))
        transaction.set_rollback(True)
    return label, rows


def _national(url: str, runs: int) -> tuple[str, list[dict[str, Any]]]:
    env = {**os.environ, "DATABASE_URL": url, "NATIONAL_DATABASE_URL": ""}
    proc = subprocess.run(  # noqa: S603 (this very script, with a fixed argument list)
        [sys.executable, __file__, "--runs", str(runs), "--json", "--no-generate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        return f"national: failed ({proc.stderr.strip().splitlines()[-1:]})", []
    label, rows = json.loads(proc.stdout.strip().splitlines()[-1])
    return label, rows


def _print(sections: list[tuple[str, list[dict[str, Any]], bool]]) -> None:
    head = (
        f"{'organization':<46} {'year':>4} {'people':>9} {'page med':>9} {'p95':>7} {'queries':>7} {'slowest':>8} "
        f"{'raw med':>8} {'p95':>7} {'tallies':>8} {'attain.':>8}  target"
    )
    for label, rows, national in sections:
        print(f"\n{label}")
        if not rows:
            continue
        print(head)
        for r in rows:
            page, (raw_med, raw_p95), (att_med, _att_p95) = r["page"], r["raw"], r["attainment"]
            start = f"{r['org'][:46]:<46} {r['year']:>4} {r['people']:>9,}"
            tallies = f"{r['tallies'][0]:>8.1f}" if r.get("tallies") else f"{'—':>8}"
            tail = f"{raw_med:>8.0f} {raw_p95:>7.0f} {tallies} {att_med:>8.0f}"
            if "error" in page:
                print(f"{start} {'—':>9} {'—':>7} {'—':>7} {'—':>8} {tail}  page: {page['error']}")
                continue
            limit = 2 * raw_med + 20
            verdict = "PASS" if page["median"] <= limit else "FAIL"
            target = f"≤ 2×raw+20 = {limit:.0f} ms: {verdict}"
            if national:
                target += f"; < 1000 ms: {'PASS' if page['median'] < 1000 else 'FAIL'}"
            print(
                f"{start} {page['median']:>9.0f} {page['p95']:>7.0f} {page['queries']:>7} "
                f"{page['slowest'] * 1000:>8.0f} {tail}  {target}"
            )
    print(
        "\nTimes in ms: the page through the test client (server side), its slowest query, the raw aggregate "
        "over the people (execute + fetchall: what the page would need without tallies), the tallies read in its "
        "place (query and sums; — when the organization is too deep to have them) and attainment() alone."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--national-url", default=os.environ.get("NATIONAL_DATABASE_URL", ""))
    # A national root's page takes seconds: fewer runs keep the whole benchmark within a few minutes.
    parser.add_argument("--national-runs", type=int, default=10)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _configure(os.environ.get("DATABASE_URL", ""))
    label, rows = run_here(args.runs, generate=not args.no_generate)
    if args.json:
        print(json.dumps([label, rows]))
        return
    sections = [(label, rows, False)]
    if args.national_url:
        n_label, n_rows = _national(args.national_url, args.national_runs)
        sections.append((f"national: {n_label}", n_rows, True))
    _print(sections)


if __name__ == "__main__":
    main()
