"""Tallies: the attainment figures of the upper levels of the tree, counted ahead by month.

A country's dashboard would otherwise scan a million people and join each to its organization
(about 1.5 s on PostgreSQL, see docs/benchmarks.md); with tallies it adds up a few hundred rows.

What is counted is defined once, as `COUNTED`: each measure is counted in the month of one of the
person's dates (admission, recognition, removal), or in the pipeline row (month 0), when the person
meets a condition, a Q object evaluated by the database; the breakdowns' conditions are those of
recruitment.selectors.CATEGORIES (the same Q objects the candidate scan and the candidate list use).
`facts()` reads, per person, the months and the conditions; `roll_up()` adds them up in Python, and
`_contributions()` has the database add them up, in SQL built from the same `facts()` query. Every
figure of a Tally row is the sum of those facts over the people of the organization's subtree now,
so the scan of reports.attainment and the tallies agree by construction; `rebuild_tallies --check`
verifies it.

They are kept up to date in the same transaction as the change, by the code that makes it, through
explicit hooks of the lower apps (recruitment.derived for the people, organizations.derived for the
tree), which `register()` below fills in from ReportsConfig.ready(). No model signal keeps them:
saving a Candidate or an Organization calls nothing, so every writer calls its hook, and a writer
that does not (a shell, raw SQL) is found by `rebuild_tallies --check`. The keepers:
- one person saved by recruitment.services (`person_changing`): the person's facts are read before
  and after (one compiled query each) and the difference is added;
- writes in bulk wrap themselves in `people_changing(queryset)` (`changes()` here), and people
  inserted in bulk are added by `people_created(queryset)` (`created()`): the workbook import; one
  statement each, the database doing the counting;
- a unit whose sector changes (organizations.services.organization_update, the import's bulk
  update) wraps it in `units_changing(ids)`: its people's facts are counted again by `changes()`;
- a moved subtree (organizations.services.organization_move, which dissolve/merge, the workbook
  import and the Django admin's import call) reports `subtree_moved`: the facts of its people move
  from the old ancestors to the new (`organization_moved()`);
- generated and demo data call `rebuild()`.
Only organizations at depth ≤ settings.TALLY_DEPTH (3: country, province, commune) have tallies;
deeper ones are small enough to scan.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router, transaction
from django.db.models import Case, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Cast, ExtractMonth, ExtractYear

from organizations.models import Organization
from recruitment.models import PIPELINE, Candidate, Stage
from recruitment.selectors import CATEGORIES, CREDITED, NOT_STATED, RECOGNITION_CREDITED
from reports.models import Tally

STEP = Organization.steplen
PIPELINE_STAGES = PIPELINE[: PIPELINE.index(Stage.OFFICIAL)]
PIPELINE_MONTH = 0

# What each measure counts: a person who meets the condition (None: everyone) counts in the month of
# the date (None: in the pipeline row, PIPELINE_MONTH). The one definition the Python and the SQL
# additions are both built from.
COUNTED: dict[str, tuple[str | None, Q | None]] = {
    "admitted": ("admission_date", CREDITED),
    "recognized": ("recognition_date", RECOGNITION_CREDITED),
    "struck_off": ("removal_date", Q(stage=Stage.STRUCK_OFF)),
    # A transfer ends the sender's record on the day it left, but nobody left the Party's ranks.
    "removed": ("removal_date", ~Q(stage=Stage.TRANSFERRED)),
    **{f"b_{key}": ("admission_date", CREDITED & q) for key, (_label, q) in CATEGORIES.items()},
    **{f"b_{key}": ("admission_date", CREDITED & q) for key, (_of, _label, q) in NOT_STATED.items()},
    **{f"p_{stage}": (None, Q(stage=stage)) for stage in PIPELINE_STAGES},
}
DATED = [name for name, (date, _q) in COUNTED.items() if date is not None]
NOW = [name for name, (date, _q) in COUNTED.items() if date is None]
MEASURES = DATED + NOW
_INDEX = {name: i for i, name in enumerate(MEASURES)}
_P_INDEX = {stage: _INDEX[f"p_{stage}"] for stage in PIPELINE_STAGES}
_DATES = list(dict.fromkeys(date for date, _q in COUNTED.values() if date is not None))
_CONDITIONED = [name for name, (_date, q) in COUNTED.items() if q is not None]
# For each date, then for the pipeline: (measure index, index of its condition's flag or None).
_BY_DATE = [
    [(_INDEX[name], None if q is None else _CONDITIONED.index(name)) for name, (d, q) in COUNTED.items() if d == date]
    for date in _DATES
]
_PIPELINE = [(_INDEX[name], _CONDITIONED.index(name)) for name in NOW]

assert {f.name for f in Tally._meta.concrete_fields} == {"id", "organization", "month", *MEASURES}
assert all(COUNTED[name][1] is not None for name in NOW), "a pipeline measure counts the people at a stage"

Vector = list[int]


def depth_limit() -> int:
    return int(getattr(settings, "TALLY_DEPTH", 3))


def month_of(day: datetime.date | None) -> int | None:
    return day.year * 100 + day.month if day else None


def _month(field: str) -> Any:
    """A date's month as the number yyyymm (NULL for no date), computed by the database."""
    return Cast(ExtractYear(field) * 100 + ExtractMonth(field), IntegerField())


# ---------------------------------------------------------------------------------------------
# Facts: what each person adds to the tallies of the organizations above them


def _facts(queryset: QuerySet[Candidate]) -> QuerySet[Any]:
    months = {f"tally_m{i}": _month(date) for i, date in enumerate(_DATES)}
    flags = {
        f"tally_f{i}": Case(When(COUNTED[name][1], then=Value(1)), default=Value(0), output_field=IntegerField())
        for i, name in enumerate(_CONDITIONED)
    }
    return queryset.order_by().annotate(**months, **flags).values_list("organization__path", *months, *flags)


def facts(queryset: QuerySet[Candidate]) -> Iterator[tuple[Any, ...]]:
    """(cell path, month of each of _DATES or None, a 0/1 flag for each condition of _CONDITIONED) per person."""
    rows: Iterator[tuple[Any, ...]] = _facts(queryset).iterator(chunk_size=5000)  # type: ignore[assignment]
    return rows


def roll_up(rows: Iterable[tuple[Any, ...]], outer: dict[str, str] | None = None) -> dict[tuple[str, int], Vector]:
    """The facts summed by (path, month) for every ancestor of each person's cell (the cell itself
    included) at depth ≤ the limit. `outer` maps a path prefix to the path that stands for it (used to
    charge a moved subtree's old ancestors): people under the prefix count up the stand-in's chain.

    One pass, with accumulators only for the tallied organizations: the whole country (1.35 million
    people) takes a few hundred MB less than summing by cell first."""
    limit = depth_limit() * STEP
    acc: dict[tuple[str, int], Vector] = {}
    width = len(MEASURES)
    dates = len(_DATES)
    by_date, pipeline = _BY_DATE, _PIPELINE
    for path, *values in rows:
        if outer:
            for prefix, stand_in in outer.items():
                if path.startswith(prefix):
                    path = stand_in
                    break
        flags = values[dates:]
        adds: list[tuple[int, int]] = []  # (month, measure index)
        for month, measures in zip(values[:dates], by_date, strict=True):
            if month is not None:
                adds.extend((month, index) for index, flag in measures if flag is None or flags[flag])
        adds.extend((PIPELINE_MONTH, index) for index, flag in pipeline if flags[flag])
        for end in range(STEP, min(len(path), limit) + 1, STEP):
            prefix = path[:end]
            for month, index in adds:
                vector = acc.get((prefix, month))
                if vector is None:
                    vector = acc[(prefix, month)] = [0] * width
                vector[index] += 1
    return acc


def _contributions(queryset: QuerySet[Candidate], using: str) -> tuple[str, list[Any]] | None:
    """SELECT organization_id, month, v0, v1… (the MEASURES in order): what the people of the queryset
    add to each tallied organization and month (rows with something only), as roll_up() counts it, but
    by the database: from the same facts() query, unfolded by date, summed by cell and month, then up
    the ancestors.
    None when nothing is to be counted: no organization is tallied, or the queryset selects nobody."""
    deepest = Organization.objects.using(using).aggregate(deepest=Max("depth"))["deepest"] or 0
    levels = min(depth_limit(), deepest)
    if levels <= 0:
        return None
    try:
        sql, params = _facts(queryset.using(using)).query.sql_with_params()
    except EmptyResultSet:  # it selects nobody (an empty `__in`)
        return None
    months = [f"m{i}" for i in range(len(_DATES))]
    flags = [f"f{i}" for i in range(len(_CONDITIONED))]
    values = [f"v{i}" for i in range(len(MEASURES))]
    parts = []
    for month, measures in zip(months, _BY_DATE, strict=True):
        counted = {index: "1" if flag is None else flags[flag] for index, flag in measures}
        columns = ", ".join(counted.get(i, "0") for i in range(len(MEASURES)))
        parts.append(f"SELECT path, {month}, {columns} FROM f WHERE {month} IS NOT NULL")  # noqa: S608
    counted = {index: flags[flag] for index, flag in _PIPELINE}
    columns = ", ".join(counted.get(i, "0") for i in range(len(MEASURES)))
    anyone = " + ".join(counted.values())
    parts.append(f"SELECT path, {PIPELINE_MONTH}, {columns} FROM f WHERE {anyone} > 0")  # noqa: S608
    sums = ", ".join(f"CAST(SUM({v}) AS INTEGER)" for v in values)
    ancestors = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, levels + 1))
    organization = connections[using].ops.quote_name(Organization._meta.db_table)
    return (
        f"WITH f (path, {', '.join(months + flags)}) AS ({sql}), "  # noqa: S608 - names are ours
        f"e (path, month, {', '.join(values)}) AS ({' UNION ALL '.join(parts)}), "
        f"g (path, month, {', '.join(values)}) AS (SELECT path, month, {sums} FROM e GROUP BY path, month) "
        f"SELECT a.id AS organization_id, g.month AS month, {', '.join(f'SUM(g.{v}) AS {v}' for v in values)} FROM g "
        f"INNER JOIN ({ancestors}) lv ON lv.k * {STEP} <= LENGTH(g.path) "
        f"INNER JOIN {organization} a ON a.path = SUBSTR(g.path, 1, lv.k * {STEP}) "
        "GROUP BY a.id, g.month",
        list(params),
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _upsert(deltas: dict[tuple[str, int], Vector], using: str) -> None:
    """Add the deltas to the Tally rows (created as needed): one INSERT … ON CONFLICT per batch."""
    deltas = {key: v for key, v in deltas.items() if any(v)}
    if not deltas:
        return
    ids = dict(
        Organization.objects.using(using).filter(path__in={path for path, _m in deltas}).values_list("path", "id")
    )
    table = Tally._meta.db_table
    columns = ", ".join(MEASURES)
    width = 2 + len(MEASURES)
    rows = [[ids[path], month, *vector] for (path, month), vector in deltas.items() if path in ids]
    # SQLite allows 999 parameters per statement (older builds), PostgreSQL 65,535.
    batch = max(1, (60_000 if connections[using].vendor == "postgresql" else 900) // width)
    with connections[using].cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (organization_id, month, {columns}) VALUES {values} "  # noqa: S608 - names are ours
                f"ON CONFLICT (organization_id, month) DO UPDATE SET {_ADDED}",
                [value for row in chunk for value in row],
            )


_ADDED = ", ".join(f"{c} = {Tally._meta.db_table}.{c} + excluded.{c}" for c in MEASURES)


def _add(cursor: Any, select: str, params: list[Any], *, upsert: bool = True) -> None:
    """INSERT the rows of `select` (organization_id, month, then the MEASURES in order) into the tallies,
    adding them to the rows there already. ("WHERE true": SQLite's parser wants it before ON CONFLICT.)"""
    table = Tally._meta.db_table
    with _memory(cursor):
        cursor.execute(
            f"INSERT INTO {table} (organization_id, month, {', '.join(MEASURES)}) "  # noqa: S608 - names are ours
            f"SELECT * FROM ({select}) added WHERE true"
            + (f" ON CONFLICT (organization_id, month) DO UPDATE SET {_ADDED}" if upsert else ""),
            params,
        )


@contextmanager
def _memory(cursor: Any) -> Iterator[None]:
    """On PostgreSQL, room for the statement's sums to be added up in memory (the default 4 MB spills
    50,000 people's to disk); the setting is put back afterwards."""
    if cursor.db.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('work_mem')")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config('work_mem', '64MB', true)")
    yield
    cursor.execute("SELECT set_config('work_mem', %s, true)", [before])


def _subtract(a: dict[tuple[str, int], Vector], b: dict[tuple[str, int], Vector]) -> dict[tuple[str, int], Vector]:
    out = {key: list(v) for key, v in a.items()}
    for key, vector in b.items():
        acc = out.setdefault(key, [0] * len(MEASURES))
        for i, v in enumerate(vector):
            acc[i] -= v
    return out


_temporary = itertools.count(1)


@contextmanager
def changes(queryset: QuerySet[Candidate]) -> Iterator[None]:
    """Keep the tallies right across a bulk change of the people the queryset selects (evaluated
    before and after the block, so it must select the people both before and after: filter on
    their organizations, say, not on a field the block changes).

    The database counts: what the people add before the block is kept in a temporary table, and
    after it the difference goes into the tallies in one statement."""
    using = router.db_for_write(Candidate)
    quote = connections[using].ops.quote_name
    with transaction.atomic(using=using):
        before = _contributions(queryset, using)
        temp = quote(f"tally_before_{next(_temporary)}")
        if before is not None:
            with connections[using].cursor() as cursor, _memory(cursor):
                cursor.execute(f"CREATE TEMPORARY TABLE {temp} AS {before[0]}", before[1])
        yield
        after = _contributions(queryset, using)
        values = [f"v{i}" for i in range(len(MEASURES))]
        sums = [f"SUM({v})" for v in values]
        negated = ", ".join(["organization_id", "month", *(f"-{v}" for v in values)])
        parts = [f"SELECT * FROM ({after[0]}) a"] if after is not None else []  # noqa: S608 - ours
        if before is not None:
            parts.append(f"SELECT {negated} FROM {temp}")  # noqa: S608 - names are ours
        if parts:
            with connections[using].cursor() as cursor:
                _add(
                    cursor,
                    f"SELECT organization_id, month, {', '.join(sums)} FROM ({' UNION ALL '.join(parts)}) d "  # noqa: S608
                    f"GROUP BY organization_id, month HAVING {' OR '.join(f'{s} <> 0' for s in sums)}",
                    after[1] if after is not None else [],
                )
                if before is not None:
                    cursor.execute(f"DROP TABLE {temp}")


def created(queryset: QuerySet[Candidate]) -> None:
    """Add the people the queryset selects, who did not exist before (just inserted in bulk), to the
    tallies: one statement, the database counting."""
    using = router.db_for_write(Candidate)
    added = _contributions(queryset, using)
    if added is not None:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            _add(cursor, *added)


def rebuild(*, using: str | None = None) -> int:
    """Count every tally again from the people (the database counting); returns the number of rows written."""
    using = using or router.db_for_write(Tally)
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql":
            # Writers wait until the recount commits: a change made meanwhile would be lost or, by a
            # second recount, inserted twice. (SQLite has one writer at a time anyway.)
            with connections[using].cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Tally._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        Tally.objects.using(using).all().delete()
        totals = _contributions(Candidate.objects.using(using).all(), using)
        if totals is not None:
            with connections[using].cursor() as cursor:
                _add(cursor, *totals, upsert=False)
    return Tally.objects.using(using).count()


def expected(*, using: str | None = None) -> dict[tuple[int, int], tuple[int, ...]]:
    """The tallies as they should be, by (organization id, month), from the people."""
    using = using or router.db_for_write(Tally)
    totals = roll_up(facts(Candidate.objects.using(using).all()))
    ids = dict(Organization.objects.using(using).filter(depth__lte=depth_limit()).values_list("path", "id"))
    return {(ids[path], month): tuple(v) for (path, month), v in totals.items() if any(v)}


def stored(*, using: str | None = None) -> dict[tuple[int, int], tuple[int, ...]]:
    using = using or router.db_for_write(Tally)
    rows = Tally.objects.using(using).values_list("organization_id", "month", *MEASURES)
    return {(org, month): tuple(values) for org, month, *values in rows if any(values)}


# ---------------------------------------------------------------------------------------------
# Keepers, registered with recruitment.derived and organizations.derived (reports.apps): one person
# saved, people changed or created in bulk, a unit whose sector changed, a moved subtree.


_ONE = -7_777_777_777  # stands for the person's id while the query for one person is compiled
_one_sql: dict[str, tuple[str, list[Any], int]] = {}


def _one(pk: int, using: str) -> dict[tuple[str, int], Vector]:
    """The facts of one person, rolled up: facts() of that person, the query compiled once (compiling its
    conditions takes longer than running it, and it runs twice for each person saved)."""
    if using not in _one_sql:
        compiled, compiled_params = _facts(Candidate.objects.using(using).filter(pk=_ONE)).query.sql_with_params()
        assert list(compiled_params).count(_ONE) == 1
        _one_sql[using] = (compiled, list(compiled_params), list(compiled_params).index(_ONE))
    sql, params, at = _one_sql[using]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*params[:at], pk, *params[at + 1 :]])
        return roll_up(cursor.fetchall())


@contextmanager
def person_changing(candidate: Candidate) -> Iterator[None]:
    """Around the save (or delete) of one person: their facts before (none if new) and after (none if
    deleted), the difference added."""
    using = router.db_for_write(Candidate)
    with transaction.atomic(using=using):
        before = _one(candidate.pk, using) if candidate.pk else {}
        yield
        after = _one(candidate.pk, using) if candidate.pk else {}
        _upsert(_subtract(after, before), using)


def people_changing(queryset: QuerySet[Candidate]) -> AbstractContextManager[None]:
    return changes(queryset)  # looked up when called (bench/import.py switches the upkeep off)


def people_created(queryset: QuerySet[Candidate]) -> None:
    created(queryset)


def units_changing(ids: list[int]) -> AbstractContextManager[None]:
    """Around a change of the units' sector: the residential and private-sector breakdowns of their people."""
    return changes(Candidate.objects.filter(organization_id__in=ids))


def subtree_moved(org: Organization, from_parent: Organization | None) -> None:
    organization_moved(org, from_parent, router.db_for_write(Candidate))


def register() -> None:
    """Keep the tallies: called once by ReportsConfig.ready()."""
    from organizations import derived as tree
    from recruitment import derived as people

    people.register(
        "reports.tally",
        people.PeopleKeeper(
            person_changing=person_changing, people_changing=people_changing, people_created=people_created
        ),
    )
    tree.register("reports.tally", tree.TreeKeeper(units_changing=units_changing, subtree_moved=subtree_moved))


def organization_moved(org: Organization, from_parent: Organization | None, using: str) -> None:
    """After org's subtree moved (its paths already rewritten): take its people's figures from the
    old ancestors, give them to the new ones, and count the subtree's own tallies again (its depth
    may have changed)."""
    people = Candidate.objects.using(using).filter(organization__path__startswith=org.path)
    cells = list(facts(people))
    Tally.objects.using(using).filter(organization__path__startswith=org.path).delete()
    # The old chain: the old parent's path stands for the subtree's prefix, so only the ancestors
    # outside the subtree are charged (its own tallies were deleted above).
    old = roll_up(cells, outer={org.path: from_parent.path}) if from_parent is not None else {}
    _upsert(_subtract(roll_up(cells), old), using)


# ---------------------------------------------------------------------------------------------
# Reading


def read(
    ids: dict[str, int], start: datetime.date, end: datetime.date, *, using: str = "default"
) -> dict[str, tuple[Vector, dict[int, int]]] | None:
    """The period's figures of each organization (given as path → id, keyed by path): (measures
    summed over the period's months, with the pipeline now; admissions by month). None when one has
    no tallies (too deep) or the period does not start and end on month boundaries."""
    paths = set(ids)
    if start.day != 1 or (end + datetime.timedelta(days=1)).day != 1:
        return None
    if any(len(p) > depth_limit() * STEP for p in paths):
        return None
    first, last = month_of(start), month_of(end)
    rows = (
        Tally.objects.using(using)
        .filter(Q(month__gte=first, month__lte=last) | Q(month=PIPELINE_MONTH), organization_id__in=ids.values())
        .values_list("organization_id", "month", *MEASURES)
    )
    path_of = {pk: path for path, pk in ids.items()}
    out: dict[str, tuple[Vector, dict[int, int]]] = {p: ([0] * len(MEASURES), {}) for p in paths}
    admitted = _INDEX["admitted"]
    for org_id, month, *values in rows:
        acc, months = out[path_of[org_id]]
        if month == PIPELINE_MONTH:
            for i in _P_INDEX.values():
                acc[i] += values[i]
            continue
        for i in range(len(DATED)):
            acc[i] += values[i]
        if values[admitted]:
            months[month] = months.get(month, 0) + values[admitted]
    return out


def combine(parts: list[tuple[int, tuple[Vector, dict[int, int]]]]) -> tuple[Vector, dict[int, int]]:
    """Σ sign × part, for the history arithmetic of reports.attainment."""
    total = [0] * len(MEASURES)
    months: dict[int, int] = defaultdict(int)
    for sign, (vector, by_month) in parts:
        for i, v in enumerate(vector):
            total[i] += sign * v
        for month, n in by_month.items():
            months[month] += sign * n
    return total, dict(months)
