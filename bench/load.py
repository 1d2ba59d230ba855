"""Fifty users on the deployed app (gunicorn, PostgreSQL, db_worker), with a database restart if asked.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recruitment_load .venv/bin/python bench/load.py \\
        [--users 50] [--ramp 10] [--duration 60] [--workers 4] [--threads 1] [--fault]
    .venv/bin/python bench/load.py --sqlite        # `make run`'s embedded SQLite and worker: 10 users, 30 s

The database in DATABASE_URL is migrated and, if it holds no organization, filled with the province dataset
(`generate_dataset --scale province`). Accounts are made with `add_user` (production's password hashing): an
admin of the province, and staff and viewers of different communes. gunicorn serves on loopback as the README
deploys it (DEBUG off, collected static files, `--workers 4 --timeout 120`), beside `db_worker`.

First, one user alone: each page group requested --baseline-runs times in a row (the single-user baseline of
this same run: machines here differ by 2× from one session to the next, so compare the ratios). Then locust,
headless, on loopback only, bounded in users and time: --users users signing in as the accounts in turn, mixing
the year's and the term's dashboard, the people list with filters, a person's page, the deadlines page, edits of
a person and a step, while one admin imports a workbook in the background; --ramp seconds to start them all, then
--duration seconds measured (locust's --reset-stats). It prints per page group: requests, failures,
p50/p95/p99, beside the baseline, and the CPU seconds spent by the app servers, the worker, the database
and the load generator.

With --fault the app and the worker reach PostgreSQL through a TCP relay (tests/relay.py) that is cut for 10 s,
20 s into the measured window (connections dropped, new ones refused, as when PostgreSQL restarts), while the
users go on. It then reports the answers during the outage by status (503 expected, no 500), how long the app
took to answer again, whether the worker is still running, the import's end, and compares every write the
server acknowledged (a redirect after the POST) with the database: none may be lost.

Targets (issue "Proof under load and faults"): 0 failed requests; p95 dashboard ≤ 300 ms, people list ≤ 500 ms,
person page ≤ 300 ms, a step ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Tai-Thu@2026-nam-muoi-nguoi"  # noqa: S105 (the bench accounts of a throwaway database)
HOST_NAME = "load.example.org"
TARGETS_MS = {"dashboard (year)": 300, "dashboard (term)": 300, "people list": 500, "person page": 300, "step": 500}
GROUPS = [
    "dashboard (year)",
    "dashboard (term)",
    "people list",
    "person page",
    "deadlines",
    "edit person (form)",
    "edit person",
    "step (form)",
    "step",
]


def _env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "load-bench-" + "0123456789abcdefghij" * 3,
        "ALLOWED_HOSTS": HOST_NAME,
        "TASKS_BACKEND": "database",
        "AXES_ENABLED": "False",  # fifty sign-ins from one address are not an attack here
        **extra,
    }


def _manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    proc = subprocess.run(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def _prepare(env: dict[str, str], *, sqlite: bool) -> dict[str, Any]:
    """Migrates, fills, makes the accounts; returns the plan the locust users read."""
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "createcachetable")
    _manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    import django

    django.setup()
    from organizations.models import Kind, Organization
    from recruitment.models import Candidate, Stage

    if not Organization.objects.exists():
        print("filling the database:", "seed_demo" if sqlite else "generate_dataset --scale province", flush=True)
        _manage(env, "seed_demo") if sqlite else _manage(env, "generate_dataset", "--scale", "province")
    root = Organization.objects.get(depth=1, is_active=True)
    communes = list(
        Organization.objects.filter(depth=2, is_active=True).exclude(kind=Kind.DISTRICT).order_by("code")[:12]
    )
    rng = random.Random(7)
    accounts = []
    for i, commune in enumerate(communes):
        role = "staff" if i % 3 else "viewer"
        username = f"load_{role}_{i}"
        _manage(env, "add_user", username, "--org", commune.code, "--role", role, "--password-stdin", stdin=PASSWORD)
        people = list(Candidate.objects.in_subtree(commune).values_list("pk", flat=True)[:2000])
        # Staff of the same commune share its source list: each person goes to one account only.
        source = list(Candidate.objects.in_subtree(commune).filter(stage=Stage.SOURCE).values_list("pk", flat=True))
        accounts.append({"username": username, "password": PASSWORD, "role": role, "org": commune.code,
                         "people": rng.sample(people, min(200, len(people))),
                         "source_people": source if role == "staff" else []})  # fmt: skip
    _manage(env, "add_user", "load_admin", "--org", root.code, "--role", "admin", "--password-stdin", stdin=PASSWORD)
    people = list(Candidate.objects.values_list("pk", flat=True)[:5000])
    accounts.append({"username": "load_admin", "password": PASSWORD, "role": "admin", "org": root.code,
                     "people": rng.sample(people, min(200, len(people)))})  # fmt: skip
    from tests.workbooks import people_workbook

    cell = Organization.objects.filter(kind__in=[Kind.BRANCH, Kind.BASE_BRANCH], is_active=True).order_by("code")[0]
    workbook = Path(tempfile.mkdtemp()) / "load.xlsx"
    workbook.write_bytes(people_workbook(300, start=900_000, branch_code=cell.code))
    today = datetime.date.today()
    return {
        "accounts": accounts,
        "importer": {"username": "load_admin", "password": PASSWORD},
        "workbook": str(workbook),
        "year": today.year,
        "term": "2020-2025",
        "today": today.isoformat(),
        "root": root.code,
    }


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    return [int(p) for p in out.stdout.split()]


def _postgres_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True, check=False)  # noqa: S607
    return [int(p) for p in out.stdout.split()]


class Session:
    """One signed-in user for the single-user baseline and the recovery probe (standard library only)."""

    def __init__(self, port: int, username: str) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        page = self.request("GET", "/accounts/login/")[1]
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}).encode()
        status, _text = self.request("POST", "/accounts/login/", body)
        assert status == 302, f"baseline sign-in answered {status}"

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": HOST_NAME, "X-Forwarded-Proto": "https",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}  # fmt: skip
        if method == "POST":
            headers |= {"Origin": f"https://{HOST_NAME}", "Referer": f"https://{HOST_NAME}{path}",
                        "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        conn.close()
        return response.status, text


def _baseline(port: int, plan: dict[str, Any], runs: int) -> dict[str, tuple[float, float]]:
    staff = next(a for a in plan["accounts"] if a["role"] == "staff")
    session = Session(port, staff["username"])
    paths = {
        "dashboard (year)": f"/?org={staff['org']}&year={plan['year']}",
        "dashboard (term)": f"/?org={staff['org']}&term={plan['term']}",
        "people list": f"/candidates/?org={staff['org']}",
        "person page": f"/candidates/{staff['people'][0]}/",
        "deadlines": "/deadlines/",
        "edit person": f"/candidates/{staff['people'][0]}/edit/",
        "province dashboard (year)": f"/?org={plan['root']}&year={plan['year']}",
    }
    admin = Session(port, "load_admin")
    out = {}
    for name, path in paths.items():
        user = admin if name.startswith("province") else session
        times = []
        for _ in range(runs + 2):
            started = time.perf_counter()
            status, _text = user.request("GET", path)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, f"{path}: {status}"
        times = sorted(times[2:])
        out[name] = (statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)])
    return out


def _locust(plan_path: Path, acks: Path, prefix: Path, args: argparse.Namespace, host: str) -> None:
    env = {**os.environ, "LOAD_PLAN": str(plan_path), "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.users / args.ramp), "--run-time",
        f"{args.ramp + args.duration}s", "--reset-stats", "--csv", str(prefix), "--only-summary",
        "--host", host, "--loglevel", "WARNING", "--stop-timeout", "10",
    ]  # fmt: skip
    with open(f"{prefix}.log", "w", encoding="utf-8") as log:
        subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def _ms(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # "N/A": no request of the kind in the window
        return 0.0


def _read_stats(prefix: Path) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    stats = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                **{key: _ms(row[column]) for key, column in (("p50", "50%"), ("p95", "95%"), ("p99", "99%"))},
            }  # fmt: skip
    by_status: dict[str, int] = {}
    with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            error = row["Error"]
            status = next((code for code in ("503", "500", "502", "504", "429", "403", "404") if code in error), error)
            key = f"{status} ({row['Name']})"
            by_status[key] = by_status.get(key, 0) + int(row["Occurrences"])
    return stats, by_status


def _check_acks(acks: Path) -> tuple[int, int, list[str]]:
    """(acknowledged writes, found in the database, what is missing)."""
    from imports.models import ImportRun
    from recruitment.models import Candidate, Stage

    records = [json.loads(line) for line in acks.read_text(encoding="utf-8").splitlines()] if acks.exists() else []
    last_edit: dict[int, str] = {}
    missing: list[str] = []
    for record in records:
        if record["kind"] == "edit":
            last_edit[record["pk"]] = record["occupation"]
    found = 0
    for pk, value in last_edit.items():
        if Candidate.objects.filter(pk=pk, occupation=value).exists():
            found += 1
        else:
            missing.append(f"edit of person {pk}")
    steps = [r for r in records if r["kind"] == "step"]
    for record in steps:
        if Candidate.objects.filter(pk=record["pk"]).exclude(stage=Stage.SOURCE).exists():
            found += 1
        else:
            missing.append(f"step of person {record['pk']}")
    for record in (r for r in records if r["kind"] == "import"):
        run = ImportRun.objects.get(pk=record["run"])
        found += run.status == record["status"]
    return len(last_edit) + len(steps) + sum(r["kind"] == "import" for r in records), found, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--ramp", type=int, default=10)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--baseline-runs", type=int, default=10)
    parser.add_argument("--fault", action="store_true")
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    if args.sqlite:
        args.users, args.duration = min(args.users, 10), min(args.duration, 30)
        url = f"sqlite:///{tempfile.mkdtemp()}/load.sqlite3"
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            sys.exit("Set DATABASE_URL to a PostgreSQL database (or use --sqlite).")
    env = _env(url)
    plan = _prepare(env, sqlite=args.sqlite)
    work = Path(tempfile.mkdtemp())
    plan |= {"acks": str(work / "acks.jsonl"), "host_name": HOST_NAME}

    relay = None
    app_url = url
    if args.fault:
        from tests.relay import Relay

        parts = urlsplit(url)
        relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
        relay.start()
        app_url = url.replace(f"{parts.hostname}:{parts.port or 5432}", f"127.0.0.1:{relay.port}")
    app_env = _env(app_url, **({"DEBUG": "1"} if args.sqlite else {}))
    port = 18000 + random.randrange(1000)
    plan["host"] = f"http://127.0.0.1:{port}"
    if args.sqlite:  # `make run`: the development server and the worker, on one SQLite file
        server_cmd = [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"]
    else:
        server_cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
                      str(args.workers), "--threads", str(args.threads), "--timeout", "120"]  # fmt: skip
    server = subprocess.Popen(server_cmd, cwd=ROOT, env=app_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    worker = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed program)
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload", "--interval", "0.5"],
        cwd=ROOT, env=app_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_until_up(port)
        print(f"baseline: one user, {args.baseline_runs} requests per page", flush=True)
        baseline = _baseline(port, plan, args.baseline_runs)
        plan_path = work / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        app_pids = [server.pid, *_children(server.pid)]
        cpu_before = {"app": _cpu_seconds(app_pids), "worker": _cpu_seconds([worker.pid]),
                      "database": _cpu_seconds(_postgres_pids())}  # fmt: skip
        fault_log: dict[str, Any] = {}
        if relay is not None:
            threading.Thread(target=_fault, args=(relay, port, args.ramp + 20, fault_log), daemon=True).start()
        print(f"load: {args.users} users, {args.ramp} s ramp, {args.duration} s measured", flush=True)
        started = time.perf_counter()
        locust_cpu_before = _self_children_cpu()
        _locust(plan_path, Path(plan["acks"]), work / "stats", args, plan["host"])
        wall = time.perf_counter() - started
        cpu = {
            "app": _cpu_seconds(app_pids) - cpu_before["app"],
            "worker": _cpu_seconds([worker.pid]) - cpu_before["worker"],
            "database": _cpu_seconds(_postgres_pids()) - cpu_before["database"],
            "load generator": _self_children_cpu() - locust_cpu_before,
        }
        worker_alive = worker.poll() is None
        stats, failures = _read_stats(work / "stats")
        time.sleep(2)
        total, found, missing = _check_acks(Path(plan["acks"]))
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        worker.wait(timeout=30)
        if relay is not None:
            relay.cut()
    _report(args, baseline, stats, failures, cpu, wall, fault_log, worker_alive, (total, found, missing))


def _wait_until_up(port: int) -> None:
    for _ in range(240):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/", headers={"Host": HOST_NAME, "X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    sys.exit(f"the server on port {port} did not answer within 60 s")


def _self_children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def _fault(relay: Any, port: int, after: float, log: dict[str, Any]) -> None:
    """Cuts the database away for 10 s, `after` seconds into the run, then measures how soon a dashboard answers."""
    time.sleep(after)
    probe = Session(port, "load_admin")
    relay.cut()
    log["cut_at"] = time.perf_counter()
    statuses: dict[int, int] = {}
    while time.perf_counter() - log["cut_at"] < 10:
        try:
            status, _text = probe.request("GET", "/deadlines/")
            statuses[status] = statuses.get(status, 0) + 1
        except OSError:
            statuses[0] = statuses.get(0, 0) + 1
        time.sleep(0.2)
    relay.start()
    restored = time.perf_counter()
    while time.perf_counter() - restored < 60:
        status, _text = probe.request("GET", "/deadlines/")
        if status == 200:
            log["recovered_after_s"] = time.perf_counter() - restored
            break
        time.sleep(0.1)
    log["probe_statuses_during_outage"] = statuses


def _report(
    args: argparse.Namespace, baseline: dict[str, tuple[float, float]], stats: dict[str, dict[str, float]],
    failures: dict[str, int], cpu: dict[str, float], wall: float, fault: dict[str, Any], worker_alive: bool,
    acks: tuple[int, int, list[str]],
) -> None:  # fmt: skip
    mode = "SQLite (make run)" if args.sqlite else f"gunicorn {args.workers} workers × {args.threads} threads"
    print(f"\n{mode}, {args.users} users, {args.duration} s measured after a {args.ramp} s ramp"
          f"{', database cut for 10 s' if args.fault else ''}")  # fmt: skip
    print(f"{'page group':<26}{'requests':>9}{'failed':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'alone p50':>11}{'alone p95':>11}{'target p95':>12}")  # fmt: skip
    for name in [*GROUPS, "sign-in", "import", "import (progress)", "Aggregated"]:
        if name not in stats:
            continue
        s = stats[name]
        alone = baseline.get(name)
        target = TARGETS_MS.get(name)
        print(f"{name:<26}{s['requests']:>9.0f}{s['failures']:>8.0f}{s['p50']:>9.0f}{s['p95']:>9.0f}{s['p99']:>9.0f}"
              f"{(f'{alone[0]:.0f}' if alone else ''):>11}{(f'{alone[1]:.0f}' if alone else ''):>11}"
              f"{(f'≤ {target}' + (' ok' if s['p95'] <= target else ' MISSED')) if target else '':>12}")  # fmt: skip
    if "province dashboard (year)" in baseline:
        p50, p95 = baseline["province dashboard (year)"]
        print(f"province year dashboard, one user alone: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    print("failures by status:", failures or "none")
    total_cpu = sum(cpu.values())
    print(
        f"CPU seconds during the run (2 cores × {wall:.0f} s = {2 * wall:.0f} available): "
        + ", ".join(f"{k} {v:.1f} ({v / total_cpu:.0%})" for k, v in cpu.items())
    )
    total, found, missing = acks
    print(f"acknowledged writes: {total}, found in the database: {found}; lost: {missing or 'none'}")
    if "edit person" in stats and stats["edit person"]["requests"] and not total:
        print("NOTE: no edit was acknowledged: the edit form's fields may have changed (bench/locustfile.py)")
    if args.fault:
        print(f"outage probe answers by status: {fault.get('probe_statuses_during_outage')}; "
              f"recovered {fault.get('recovered_after_s', float('nan')):.1f} s after the database came back; "
              f"worker still running: {worker_alive}")  # fmt: skip


if __name__ == "__main__":
    main()
