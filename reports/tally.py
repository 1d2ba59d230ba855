"""Tallies: the attainment figures of the upper levels of the tree, counted ahead by month.

A country's dashboard would otherwise scan a million people and join each to its organization
(about 1.5 s on PostgreSQL, see docs/benchmarks.md); with tallies it adds up a few hundred rows.

What is counted is defined once, as `facts()`: for each person, the months of their admission,
recognition and removal, their stage, and the breakdown flags from recruitment.selectors.CATEGORIES
(the same Q objects the candidate scan and the candidate list use). Every figure of a Tally row is
the sum of those facts over the people of the organization's subtree now, so the scan of
reports.attainment and the tallies agree by construction; `rebuild_tallies --check` verifies it.

They are kept up to date in the same transaction as the change:
- a person saved or deleted one at a time (the services, the admin): the signals below take the
  person's facts before and after and add the difference;
- writes in bulk (the workbook import) wrap themselves in `changes(queryset)`;
- an organization moved (its event) or whose sector changed: the facts of its people move with it;
- generated and demo data call `rebuild()`.
Only organizations at depth ≤ settings.TALLY_DEPTH (3: country, province, commune) have tallies;
deeper ones are small enough to scan.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from organizations.models import Organization
from recruitment.models import PIPELINE, Candidate, Stage
from recruitment.selectors import CATEGORIES
from reports.models import Tally

STEP = Organization.steplen
PIPELINE_STAGES = PIPELINE[: PIPELINE.index(Stage.OFFICIAL)]
DATED = ["admitted", "recognized", "struck_off", "removed", *(f"b_{key}" for key in CATEGORIES)]
NOW = [f"p_{stage}" for stage in PIPELINE_STAGES]
MEASURES = DATED + NOW
_INDEX = {name: i for i, name in enumerate(MEASURES)}
_B_INDEX = [_INDEX[f"b_{key}"] for key in CATEGORIES]
_P_INDEX = {stage: _INDEX[f"p_{stage}"] for stage in PIPELINE_STAGES}
PIPELINE_MONTH = 0

assert {f.name for f in Tally._meta.concrete_fields} == {"id", "organization", "month", *MEASURES}

Vector = list[int]


def depth_limit() -> int:
    return int(getattr(settings, "TALLY_DEPTH", 3))


def month_of(day: datetime.date | None) -> int | None:
    return day.year * 100 + day.month if day else None


# ---------------------------------------------------------------------------------------------
# Facts: what each person adds to the tallies of the organizations above them


def facts(queryset: QuerySet[Candidate]) -> Iterator[tuple[Any, ...]]:
    """(cell path, stage, admission date, recognition date, removal date, *breakdown flags) per person."""
    flags = {
        f"f_{key}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())
        for key, (_label, q) in CATEGORIES.items()
    }
    rows = (
        queryset.order_by()
        .annotate(**flags)
        .values_list("organization__path", "stage", "admission_date", "recognition_date", "removal_date", *flags.keys())
    )
    return rows.iterator(chunk_size=5000)


def roll_up(rows: Iterable[tuple[Any, ...]], outer: dict[str, str] | None = None) -> dict[tuple[str, int], Vector]:
    """The facts summed by (path, month) for every ancestor of each person's cell (the cell itself
    included) at depth ≤ the limit. `outer` maps a path prefix to the path that stands for it (used to
    charge a moved subtree's old ancestors): people under the prefix count up the stand-in's chain.

    One pass, with accumulators only for the tallied organizations: the whole country (1.35 million
    people) takes a few hundred MB less than summing by cell first."""
    limit = depth_limit() * STEP
    acc: dict[tuple[str, int], Vector] = {}
    width = len(MEASURES)
    admitted, recognized, struck_off, removed = (_INDEX[k] for k in ("admitted", "recognized", "struck_off", "removed"))
    for path, stage, admission, recognition, removal, *flags in rows:
        if outer:
            for prefix, stand_in in outer.items():
                if path.startswith(prefix):
                    path = stand_in
                    break
        adds: list[tuple[int, int]] = []  # (month, measure index)
        if admission:
            month = admission.year * 100 + admission.month
            adds.append((month, admitted))
            adds.extend((month, index) for index, flag in zip(_B_INDEX, flags, strict=True) if flag)
        if recognition:
            adds.append((recognition.year * 100 + recognition.month, recognized))
        if removal:
            month = removal.year * 100 + removal.month
            adds.append((month, removed))
            if stage == Stage.STRUCK_OFF:
                adds.append((month, struck_off))
        if stage in _P_INDEX:
            adds.append((PIPELINE_MONTH, _P_INDEX[stage]))
        for end in range(STEP, min(len(path), limit) + 1, STEP):
            prefix = path[:end]
            for month, index in adds:
                vector = acc.get((prefix, month))
                if vector is None:
                    vector = acc[(prefix, month)] = [0] * width
                vector[index] += 1
    return acc


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
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in MEASURES)
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
                f"ON CONFLICT (organization_id, month) DO UPDATE SET {updates}",
                [value for row in chunk for value in row],
            )


def _subtract(a: dict[tuple[str, int], Vector], b: dict[tuple[str, int], Vector]) -> dict[tuple[str, int], Vector]:
    out = {key: list(v) for key, v in a.items()}
    for key, vector in b.items():
        acc = out.setdefault(key, [0] * len(MEASURES))
        for i, v in enumerate(vector):
            acc[i] -= v
    return out


@contextmanager
def changes(queryset: QuerySet[Candidate]) -> Iterator[None]:
    """Keep the tallies right across a bulk change of the people the queryset selects (evaluated
    before and after the block, so it must select the people both before and after: filter on
    their organizations, say, not on a field the block changes)."""
    using = router.db_for_write(Candidate)
    with transaction.atomic(using=using):
        before = roll_up(facts(queryset.using(using)))
        yield
        after = roll_up(facts(queryset.using(using)))
        _upsert(_subtract(after, before), using)


def rebuild(*, using: str | None = None) -> int:
    """Count every tally again from the people; returns the number of rows written."""
    using = using or router.db_for_write(Tally)
    with transaction.atomic(using=using):
        Tally.objects.using(using).all().delete()
        totals = roll_up(facts(Candidate.objects.using(using).all()))
        _upsert(totals, using)
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
# Signals (connected in reports.apps): one person saved or deleted, an organization moved or
# changed sector.


def _one(pk: int, using: str) -> dict[tuple[str, int], Vector]:
    return roll_up(facts(Candidate.objects.using(using).filter(pk=pk)))


def candidate_pre_save(sender: Any, instance: Candidate, raw: bool = False, using: str = "default", **kw: Any) -> None:
    if raw:
        return
    instance._tally_before = _one(instance.pk, using) if instance.pk else {}  # type: ignore[attr-defined]


def candidate_post_save(sender: Any, instance: Candidate, raw: bool = False, using: str = "default", **kw: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_tally_before", {})
    _upsert(_subtract(_one(instance.pk, using), before), using)
    instance._tally_before = {}  # type: ignore[attr-defined]


def candidate_pre_delete(sender: Any, instance: Candidate, using: str = "default", **kw: Any) -> None:
    _upsert(_subtract({}, _one(instance.pk, using)), using)


def organization_pre_save(
    sender: Any, instance: Organization, raw: bool = False, using: str = "default", **kw: Any
) -> None:
    """A change of sector changes the residential and private-sector breakdowns of its people."""
    instance._tally_before = None  # type: ignore[attr-defined]
    if raw or not instance.pk:
        return
    fields = kw.get("update_fields")
    if fields is not None and "sector" not in fields:
        return
    old = Organization.objects.using(using).filter(pk=instance.pk).values_list("sector", flat=True).first()
    if old is not None and old != instance.sector:
        people = Candidate.objects.using(using).filter(organization_id=instance.pk)
        instance._tally_before = roll_up(facts(people))  # type: ignore[attr-defined]


def organization_post_save(
    sender: Any, instance: Organization, raw: bool = False, using: str = "default", **kw: Any
) -> None:
    before = getattr(instance, "_tally_before", None)
    if raw or before is None:
        return
    people = Candidate.objects.using(using).filter(organization_id=instance.pk)
    _upsert(_subtract(roll_up(facts(people)), before), using)
    instance._tally_before = None  # type: ignore[attr-defined]


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
