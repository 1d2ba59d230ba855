"""Workbook import of 20,000 and 50,000 people: ours end to end, django-import-export's default, and the floor.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recruitment_import_bench .venv/bin/python bench/import.py \\
        [--sizes 20000,50000] [--peer-rows 2000]

The database in DATABASE_URL is migrated if needed and, if it holds no organization, filled with the province
dataset (`generate_dataset --scale province`). People workbooks (.xlsx, the people sheet of CONTRACT §3) are
generated onto its party cells: new people with realistic names and dates at every stage (source list, awareness
course, cell vote, admitted, full members, removed or transferred), every row valid. They are kept under
var/bench-import/ and reused.

Each measurement runs in its own process (its peak memory is that process's maximum resident set), and the people
it wrote are deleted afterwards, so every measurement starts from the same database:

- ours: `imports.pipeline.import_file` on the file's bytes, as `import_workbook` runs it: the run
  recorded with the file, reading (python-calamine) and normalising, then in one transaction checking every row
  against the database and the admission rules while the rows already checked are written (COPY), then the
  history rows, stage events and the upkeep of the pre-counted tallies (reports.tally).
- peer: django-import-export's default `ModelResource` for Candidate (the needed columns, national ID as the import
  id, the cell by code), `import_data(dataset, dry_run=False)` with default settings: a row at a time, each saved
  with its history row (simple-history's signal). Its dataset is prepared for it (values read with calamine and
  already converted to the model's codes, the stage and the dates derived from the others given), and only
  import_data is timed; it is slow,
  so it runs on the first --peer-rows rows and is reported in rows per second.
- floor: python-calamine's read of the same file and COPY of the same rows into the candidate table, with nothing
  checked and no history: what any import of this file must at least cost.

Target (issue 5): ours ≥ 10,000 rows/s and ≥ 20× the peer, and ≤ 500 MB peak for 50,000 rows.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FILES = ROOT / "var" / "bench-import"
PREFIX = "99"
TARGET_ROWS = 50_000  # issue 5: ≥ 10,000 rows/s, ≥ 20× the peer and ≤ 500 MB, for this many rows
MODES = ("ours", "ours-tally-off", "ours-again", "floor")
LABELS = {
    "ours": "ours (import_file, end to end)",
    "ours-tally-off": "ours, tally upkeep off",
    "ours-again": "ours, the same file again (all unchanged)",
    "floor": "floor (calamine read + COPY)",
}  # national IDs of the generated people: no province code starts so, so nothing collides


def _configure(url: str) -> None:
    os.environ["DATABASE_URL"] = url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "0"  # as in production: no query log
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)


# ---------------------------------------------------------------------------------------------
# The workbooks

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]  # fmt: skip
MIDDLE = {"Nam": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công"], "Nữ": ["Thị", "Ngọc", "Thu", "Thanh",
          "Kim", "Mai", "Hồng"]}  # fmt: skip
GIVEN = {"Nam": ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phong", "Quân", "Sơn", "Tâm",
                 "Thắng", "Trung", "Tuấn", "Việt"],
         "Nữ": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung",
                "Phương", "Thảo", "Trang", "Yến"]}  # fmt: skip
ETHNIC = ["Kinh"] * 85 + ["Tày", "Thái", "Mường", "Nùng", "Mông", "Dao", "Khmer", "Hoa", "Sán Dìu", "Chăm"] * 1
RELIGION = [""] * 90 + ["Phật giáo"] * 6 + ["Công giáo"] * 3 + ["Cao Đài"]
JOBS = ["Giáo viên", "Công nhân", "Nông dân", "Công chức", "Viên chức", "Bộ đội", "Công an", "Sinh viên",
        "Kinh doanh", "Nhân viên văn phòng", ""]  # fmt: skip
# Reasons for leaving before the cell votes, as codes (CONTRACT §3: a code or the dropdown's label).
REASONS = ["other", "moved_away", "withdrew", "moved_away", "withdrew"]


def _person(rng: random.Random, i: int, cell: str, today: datetime.date) -> dict[str, Any]:
    from recruitment.rules import add_months

    day = datetime.timedelta(days=1)
    gender = rng.choice(["Nam", "Nữ"])
    row: dict[str, Any] = {
        "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}",
        "gender": gender,
        "ethnicity": rng.choice(ETHNIC),
        "religion": rng.choice(RELIGION),
        "national_id": f"{PREFIX}{i:010d}",
        "branch_code": cell,
        "youth_union": "x" if rng.random() < 0.65 else "",
        "occupation": rng.choice(JOBS),
        "education": rng.choice(["12/12", "12/12", "12/12", "9/12"]),
    }
    kind = rng.random()
    if kind < 0.30:  # admitted: every act up to the ceremony, full members after a year
        admission = today - day * rng.randint(30, 6 * 365)
        vote = admission - day * rng.randint(45, 75)
        row.update(
            source_date=admission - day * rng.randint(380, 500),
            awareness_cert_date=admission - day * rng.randint(200, 300),
            branch_vote_date=vote,
            decision_no=f"{rng.randint(1, 999)}-QĐ/ĐU",
            decision_date=admission - day * rng.randint(7, 25),
            admission_date=admission,
        )
        end = add_months(admission, 12)
        if end + day * 40 < today:
            row.update(recognition_date=end + day * rng.randint(5, 20), recognition_decision_no=f"{i % 997}-QĐ/ĐU")
        elif rng.random() < 0.05:
            row.update(removal_date=today - day * rng.randint(1, 20), removal_reason="struck_off")
    elif kind < 0.45:  # the cell has voted
        vote = today - day * rng.randint(5, 40)
        row.update(
            source_date=vote - day * rng.randint(200, 400),
            awareness_cert_date=vote - day * rng.randint(60, 180),
            branch_vote_date=vote,
        )
    elif kind < 0.65:  # awareness course done
        cert = today - day * rng.randint(10, 900)
        row.update(source_date=cert - day * rng.randint(30, 200), awareness_cert_date=cert)
    elif kind < 0.92:  # on the source list
        row.update(source_date=today - day * rng.randint(1, 1500))
    else:  # left the list
        source = today - day * rng.randint(200, 2000)
        row.update(source_date=source, removal_date=source + day * rng.randint(30, 190),
                   removal_reason=rng.choice(REASONS))  # fmt: skip
    vote_or_now = row.get("branch_vote_date") or today
    row["birth_date"] = vote_or_now - day * rng.randint(19 * 366, 45 * 365)
    return row


def _workbook(path: Path, rows: int, cells: list[str], today: datetime.date) -> None:
    import xlsxwriter

    from imports.layout import PEOPLE

    rng = random.Random(rows)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(PEOPLE.name)
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    keys = [c.key for c in PEOPLE.columns]
    for col, column in enumerate(PEOPLE.columns):
        sheet.write_string(0, col, column.header)
    for r in range(1, rows + 1):
        row = _person(rng, r, cells[rng.randrange(len(cells))], today)
        for col, key in enumerate(keys):
            value = row.get(key)
            if value in (None, ""):
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, col, datetime.datetime.combine(value, datetime.time()), dates)
            else:
                sheet.write_string(r, col, str(value))
    book.close()


# ---------------------------------------------------------------------------------------------
# The measurements, each in its own process


def _cleanup() -> None:
    """Delete the people the measurements wrote (and what hangs on them), in a few statements, count the
    tallies again, and compact and checkpoint, so that every measurement starts from the same database,
    laid out as freshly generated: with autovacuum off (as on this server), each run would otherwise
    leave 50,000 dead rows in every index it touched (and counting the tallies again, new ids), and the
    next one would write into larger tables and indexes. The checkpoint: the first change to a page after
    one writes the whole page to the WAL; every measurement pays that, as an import on a quiet server does."""
    from django.db import DatabaseError, connection, transaction

    from imports.models import ImportRun
    from recruitment.models import Candidate, CandidateWarning, StageEvent
    from reports import tally
    from reports.models import Tally

    candidates = Candidate._meta.db_table
    history = Candidate.history.model._meta.db_table  # type: ignore[attr-defined]
    ids = f"SELECT id FROM {candidates} WHERE national_id LIKE '{PREFIX}%%'"  # noqa: S608 (constants only)
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (StageEvent, CandidateWarning):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE candidate_id IN ({ids})")  # noqa: S608
        cursor.execute(f"DELETE FROM {candidates} WHERE national_id LIKE '{PREFIX}%%'")  # noqa: S608
        cursor.execute(f"DELETE FROM {history} WHERE national_id LIKE '{PREFIX}%%'")  # noqa: S608
        ImportRun.objects.filter(filename__startswith="bench-").delete()
    tally.rebuild()  # the people went behind the tallies' back
    if connection.vendor == "postgresql":
        tables = [candidates, history, StageEvent._meta.db_table, CandidateWarning._meta.db_table,
                  Tally._meta.db_table, ImportRun._meta.db_table]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (FULL, ANALYZE) {', '.join(tables)}")
            with contextlib.suppress(DatabaseError):  # CHECKPOINT needs a superuser or pg_checkpoint
                cursor.execute("CHECKPOINT")


def _ours(path: Path, rows: int) -> dict[str, Any]:
    from imports import pipeline
    from imports.management.commands.import_workbook import batch_process
    from imports.models import ImportRun

    started = time.perf_counter()
    with batch_process():  # as import_workbook runs it
        run = pipeline.import_file(path.read_bytes(), f"bench-{path.name}", user=None, dry_run=False)
    done = time.perf_counter()
    created = sum(s["created"] for s in run.summary)
    if run.status != ImportRun.Status.DONE or created != rows:
        raise SystemExit(f"import run ended {run.status}, {created} created: {run.message} {pipeline.issues(run)[:3]}")
    assert run.validated_at is not None
    read = (run.validated_at - run.created_at).total_seconds()
    return {"seconds": done - started, "check": read, "write": done - started - read}


def _calamine_rows(path: Path, limit: int | None = None) -> tuple[list[str], list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    data = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    header = [str(h) for h in data[0]]
    body = data[1 : (limit + 1) if limit else None]
    return header, body


def _peer(path: Path, rows: int) -> dict[str, Any]:
    import tablib
    from import_export import fields, resources, widgets

    from imports.layout import PEOPLE
    from organizations.models import Organization
    from recruitment.models import Candidate
    from recruitment.rules import add_months, stage_from_dates

    # The columns the model stores (the transfer date, say, is read by our import but stored nowhere).
    stored = {f.name for f in Candidate._meta.get_fields()}
    keys = [c.key for c in PEOPLE.columns if c.key == "branch_code" or c.key in stored]
    header, body = _calamine_rows(path, rows)
    by_header = {c.header: c.key for c in PEOPLE.columns}
    at = {by_header[h]: i for i, h in enumerate(header) if h in by_header}
    derived = ["stage", "stage_date", "probation_end", "official_date"]
    dataset = tablib.Dataset(headers=[*keys, *derived])
    for raw in body:
        row = {k: (raw[at[k]] if raw[at[k]] != "" else None) for k in keys}
        row["gender"] = "male" if row["gender"] == "Nam" else "female"
        row["youth_union"] = row["youth_union"] == "x"
        for k in ("religion", "occupation", "education", "decision_no", "recognition_decision_no", "removal_reason"):
            row[k] = row[k] or ""
        probe = Candidate(**{k: v for k, v in row.items() if k != "branch_code"})
        stage = stage_from_dates(probe)
        dates = [row[k] for k in ("removal_date", "recognition_date", "admission_date", "decision_date",
                                  "branch_vote_date", "awareness_cert_date", "source_date") if row[k]]  # fmt: skip
        end = add_months(row["admission_date"], 12) if row["admission_date"] else None
        official = end if row["recognition_date"] else None
        dataset.append([*(row[k] for k in keys), str(stage), dates[0], end, official])

    class CandidateResource(resources.ModelResource):
        organization = fields.Field(
            attribute="organization", column_name="branch_code", widget=widgets.ForeignKeyWidget(Organization, "code")
        )

        class Meta:
            model = Candidate
            fields = ("organization", *[k for k in keys if k != "branch_code"], *derived)
            import_id_fields = ("national_id",)

    started = time.perf_counter()
    result = CandidateResource().import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        errors = [str(e.error) for _n, row in result.row_errors()[:3] for e in row] or result.invalid_rows[:3]
        raise SystemExit(f"import-export failed: {result.base_errors or errors}")
    return {"seconds": seconds}


def _floor(path: Path, rows: int) -> dict[str, Any]:
    from imports.layout import PEOPLE
    from recruitment.models import Candidate, Stage

    started = time.perf_counter()
    header, body = _calamine_rows(path)
    by_header = {c.header: c.key for c in PEOPLE.columns}
    at = {by_header[h]: i for i, h in enumerate(header) if h in by_header}
    from django.db import connection, transaction

    from organizations.bulk import Table
    from organizations.models import Organization

    cells = dict(Organization.objects.values_list("code", "id"))
    table = Table(Candidate)
    pos = table.at
    plain = ["full_name", "ethnicity", "religion", "national_id", "occupation", "education", "decision_no",
             "recognition_decision_no", "removal_reason"]  # fmt: skip
    dated = ["birth_date", "source_date", "awareness_cert_date", "branch_vote_date", "decision_date",
             "admission_date", "recognition_date", "removal_date"]  # fmt: skip
    with transaction.atomic():
        for raw in body:
            row = table.blank()
            for k in plain:
                row[pos[k]] = raw[at[k]]
            for k in dated:
                value = raw[at[k]]
                row[pos[k]] = value if value != "" else None
            row[pos["organization_id"]] = cells[raw[at["branch_code"]]]
            row[pos["gender"]] = "male" if raw[at["gender"]] == "Nam" else "female"
            row[pos["youth_union"]] = raw[at["youth_union"]] == "x"
            admission, recognition = raw[at["admission_date"]], raw[at["recognition_date"]]
            if raw[at["removal_date"]] != "" and recognition == "":
                stage = Stage.STRUCK_OFF if admission != "" else Stage.REMOVED
                day = raw[at["removal_date"]]
            elif recognition != "":
                stage, day = Stage.OFFICIAL, recognition
                end = admission + datetime.timedelta(days=365)
                row[pos["probation_end"]] = row[pos["official_date"]] = end
            elif admission != "":
                stage, day = Stage.PROBATION, admission
            else:
                stage, day = Stage.SOURCE, raw[at["source_date"]]
            row[pos["stage"]] = str(stage)
            row[pos["stage_date"]] = day
            table.add(row)
        table.flush()
    assert connection.vendor
    return {"seconds": time.perf_counter() - started}


def _ours_without_tallies(path: Path, rows: int) -> dict[str, Any]:
    """Ours, with the upkeep of reports.tally's pre-counted figures switched off: the import's own cost."""
    from unittest import mock

    with (
        mock.patch("reports.tally.changes", lambda queryset: contextlib.nullcontext()),
        mock.patch("reports.tally.created", lambda queryset: None),
    ):
        return _ours(path, rows)


def _ours_again(path: Path, rows: int) -> dict[str, Any]:
    """The same file imported a second time: every row unchanged, nothing written (idempotence)."""
    from imports import pipeline
    from imports.models import ImportRun

    _ours(path, rows)
    from imports.management.commands.import_workbook import batch_process

    started = time.perf_counter()
    with batch_process():
        run = pipeline.import_file(path.read_bytes(), f"bench-{path.name}", user=None, dry_run=False)
    seconds = time.perf_counter() - started
    unchanged = sum(s["unchanged"] for s in run.summary)
    if run.status != ImportRun.Status.DONE or unchanged != rows:
        raise SystemExit(f"second import ended {run.status}, {unchanged} unchanged")
    return {"seconds": seconds}


def measure(mode: str, path: Path, rows: int) -> dict[str, Any]:
    import django

    django.setup()
    fn = {
        "ours": _ours,
        "ours-tally-off": _ours_without_tallies,
        "ours-again": _ours_again,
        "peer": _peer,
        "floor": _floor,
    }[mode]
    try:
        result = fn(path, rows)
    finally:
        _cleanup()
    result["rows"] = rows
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _child(mode: str, path: Path, rows: int) -> dict[str, Any]:
    proc = subprocess.run(  # noqa: S603 (this very script, with a fixed argument list)
        [sys.executable, __file__, "--measure", mode, "--file", str(path), "--rows", str(rows)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1][:200]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _setup(sizes: list[int]) -> tuple[str, dict[int, Path]]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from devdata.dataset import dataset_generate
    from organizations.models import CELL_KINDS, Organization
    from recruitment.models import Candidate

    call_command("migrate", verbosity=0)
    note = ""
    if not Organization.objects.exists():
        summary = dataset_generate(scale="province", seed=1)
        note = f", generated the province dataset in {summary.seconds:.0f} s"
    _cleanup()
    cells = sorted(Organization.objects.filter(kind__in=CELL_KINDS, is_active=True).values_list("code", flat=True))
    today = datetime.date.today()
    FILES.mkdir(parents=True, exist_ok=True)
    paths = {}
    for size in sizes:
        path = FILES / f"people-{size}-{today:%Y%m%d}-{len(cells)}.xlsx"
        if not path.exists():
            _workbook(path, size, cells, today)
        paths[size] = path
    label = (
        f"{connection.vendor} {connection.settings_dict['NAME']}: {Organization.objects.count():,} organizations, "
        f"{len(cells):,} cells, {Candidate.objects.count():,} candidacies{note}"
    )
    return label, paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,50000")
    parser.add_argument("--peer-rows", type=int, default=2000)
    parser.add_argument("--measure", choices=[*MODES, "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    _configure(os.environ.get("DATABASE_URL", ""))
    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.file), args.rows)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    label, paths = _setup(sizes)
    print(label)
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for size in sizes:
        for mode in MODES:
            results[(mode, size)] = _child(mode, paths[size], size)
    peer = _child("peer", paths[sizes[0]], args.peer_rows)
    _print(sizes, results, peer, args.peer_rows)


def _rate(r: dict[str, Any]) -> float:
    return float(r["rows"] / r["seconds"]) if "seconds" in r else 0.0


def _print(
    sizes: list[int], results: dict[tuple[str, int], dict[str, Any]], peer: dict[str, Any], peer_rows: int
) -> None:
    print(f"\n{'import':<42} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}  notes")
    peer_rate = _rate(peer)
    for size in sizes:
        for mode in MODES:
            r = results[(mode, size)]
            if "error" in r:
                print(f"{LABELS[mode]:<42} {size:>7,} {'—':>8} {'—':>8} {'—':>8}  {r['error']}")
                continue
            notes = ""
            if mode in ("ours", "ours-tally-off"):
                notes = f"read {r['check']:.1f} s, check+write {r['write']:.1f} s"
                if peer_rate:
                    notes += f"; {_rate(r) / peer_rate:.0f}× the peer"
                floor = results.get(("floor", size), {})
                if "seconds" in floor:
                    notes += f"; {r['seconds'] / floor['seconds']:.1f}× the floor's time"
            print(f"{LABELS[mode]:<42} {size:>7,} {r['seconds']:>8.2f} {_rate(r):>8,.0f} {r['peak_mb']:>8.0f}  {notes}")
    if "error" in peer:
        print(f"{'peer (import-export ModelResource)':<42} {peer_rows:>7,} {'—':>8} {'—':>8} {'—':>8}  {peer['error']}")
    else:
        print(
            f"{'peer (import-export ModelResource)':<42} {peer_rows:>7,} {peer['seconds']:>8.2f} {peer_rate:>8,.0f} "
            f"{peer['peak_mb']:>8.0f}  a {peer_rows:,}-row sample; import_data only"
        )
    if TARGET_ROWS not in sizes:
        print(f"\n(The issue's targets are for {TARGET_ROWS:,} rows, which this run did not measure.)")
        return
    big = results.get(("ours", TARGET_ROWS), {})
    if "seconds" in big:
        rate, peak = _rate(big), big["peak_mb"]
        verdicts = [
            f"≥ 10,000 rows/s: {'met' if rate >= 10_000 else 'NOT met'} ({rate:,.0f})",
            f"≤ 500 MB: {'met' if peak <= 500 else 'NOT met'} ({peak:.0f} MB)",
        ]
        if peer_rate:
            verdicts.append(
                f"≥ 20× the peer: {'met' if rate >= 20 * peer_rate else 'NOT met'} ({rate / peer_rate:.0f}×)"
            )
        print(f"\nTarget at {TARGET_ROWS:,} rows: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
