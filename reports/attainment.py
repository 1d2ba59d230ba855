"""Attainment (CONTRACT §4): admissions in a period against the quota, rolled up the tree.

One grouped query counts every figure of an organization and of each direct child at once;
quotas, membership counts, the month-by-month curve and the idle units take one query each.
The number of queries does not depend on the number of organizations or people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connections
from django.db.models import Case, Count, IntegerField, Q, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.functional import Promise

from organizations.history import STEP, Moves, Subtree, TreeAt, children_on
from organizations.models import Organization
from recruitment.models import BEFORE_ADMISSION, PIPELINE, Candidate, Stage
from recruitment.selectors import CATEGORIES, CREDITED, NOT_STATED, NOT_STATED_OF, RECOGNITION_CREDITED, stage_on
from reports import edges, tally, terms
from reports.forecast import Forecast, forecast
from reports.forms import Period
from reports.models import MembershipCount, Quota, QuotaCategory

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
IDLE_LIMIT = 20


# The breakdowns of admissions are the candidate list's categories, so each figure drills down to its people.
BREAKDOWNS: dict[str, tuple[Promise, Q]] = CATEGORIES
assert set(BREAKDOWNS) == set(QuotaCategory.values) - {""}

# The pipeline today: every stage a candidacy can be in before and during probation.
PIPELINE_STAGES = PIPELINE[: PIPELINE.index(Stage.OFFICIAL)]


def percent(part: int, whole: int | None) -> Decimal | None:
    """part / whole × 100, rounded half up to 2 decimals; None without a positive whole."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def months_left(today: datetime.date, end: datetime.date) -> int:
    """Months from today's month to the period's last month, both counted; 0 once it is over."""
    if today > end:
        return 0
    return (end.year - today.year) * 12 + end.month - today.month + 1


@dataclass
class Figures:
    """The counts of one organization's subtree."""

    admitted: int = 0
    recognized: int = 0
    struck_off: int = 0
    breakdown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BREAKDOWNS, 0))
    # Of those admitted, whose answer a breakdown needs is not stated (recruitment.selectors.NOT_STATED).
    not_stated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NOT_STATED, 0))
    pipeline: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PIPELINE_STAGES, 0))

    def add(self, other: Figures) -> None:
        self.admitted += other.admitted
        self.recognized += other.recognized
        self.struck_off += other.struck_off
        for key, value in other.breakdown.items():
            self.breakdown[key] += value
        for key, value in other.not_stated.items():
            self.not_stated[key] += value
        for key, value in other.pipeline.items():
            self.pipeline[key] += value


@dataclass
class Row:
    """Attainment of one organization (its whole subtree) in the period."""

    org: Organization
    figures: Figures
    quota: Quota | None = None
    sub_quotas: dict[str, Quota] = field(default_factory=dict)
    members_at_start: int | None = None  # party members on 31 December of the year before the period

    @property
    def admitted(self) -> int:
        return self.figures.admitted

    @property
    def target(self) -> int | None:
        return self.quota.resolve(self.members_at_start) if self.quota else None

    @property
    def percent(self) -> Decimal | None:
        return percent(self.admitted, self.target)

    @property
    def still_needed(self) -> int | None:
        target = self.target
        return None if target is None else max(target - self.admitted, 0)

    @property
    def admission_rate(self) -> Decimal | None:
        """Admissions as % of the members at the start of the period (DOMAIN §5)."""
        return percent(self.admitted, self.members_at_start)

    @property
    def in_pipeline(self) -> int:
        return sum(self.figures.pipeline[s] for s in BEFORE_ADMISSION)

    def breakdown_rows(self) -> list[dict[str, object]]:
        """Each breakdown: its count, its share of the people whose answer is known (those whose answer is
        not stated counted apart: `not_stated`, None where the answer is always known), its sub-target."""
        rows = []
        for key, (label, _q) in BREAKDOWNS.items():
            count = self.figures.breakdown[key]
            quota = self.sub_quotas.get(key)
            target = quota.resolve(self.members_at_start) if quota else None
            unknown_key = NOT_STATED_OF.get(key)
            not_stated = self.figures.not_stated[unknown_key] if unknown_key else None
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "admitted": count,
                    "share": percent(count, self.admitted - (not_stated or 0)),
                    "known": self.admitted - (not_stated or 0),
                    "not_stated": not_stated,
                    "not_stated_key": unknown_key,
                    "target": target,
                    "percent": percent(count, target),
                }
            )
        return rows


@dataclass
class Attainment:
    org: Organization
    period: Period
    cutoff: datetime.date  # last day counted: the period's end, or --as-of when earlier
    tree_day: datetime.date  # the day whose tree the rows follow
    today: datetime.date
    total: Row
    children: list[Row]
    months: list[tuple[datetime.date, int, int]] = field(default_factory=list)  # (month, admitted, cumulative)
    idle_count: int = 0
    idle_units: list[dict[str, object]] = field(default_factory=list)
    # The forecast of an open period counted to today or later (reports.forecast), else None.
    outlook: Forecast | None = None

    @property
    def rows(self) -> list[Row]:
        """CONTRACT §4: the organization itself, then each direct child by code."""
        return [self.total, *self.children]

    @property
    def children_target_sum(self) -> int:
        return sum(row.target or 0 for row in self.children)

    @property
    def children_short(self) -> int | None:
        """How far the children's quotas fall short of the organization's own (None if they do not)."""
        target = self.total.target
        if target is None or not self.children:
            return None
        gap = target - self.children_target_sum
        return gap if gap > 0 else None

    @property
    def months_left(self) -> int:
        return months_left(max(self.today, self.period.start), self.period.end)

    @property
    def is_open(self) -> bool:
        return self.today <= self.period.end

    @property
    def pace(self) -> Decimal | None:
        """Admissions needed per remaining month to reach the target."""
        needed, left = self.total.still_needed, self.months_left
        if needed is None or not left or not self.is_open:
            return None
        return (Decimal(needed) / left).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def forecast(self) -> tuple[int, int] | None:
        """The low and high figures of `outlook` (reports.forecast), None when there is no forecast."""
        return (self.outlook.low, self.outlook.high) if self.outlook is not None else None

    @property
    def pipeline_day(self) -> datetime.date | None:
        """The day the pipeline figures stand on when it is not today: the last day counted, already past."""
        return self.cutoff if self.cutoff < self.today else None

    @property
    def members_on(self) -> datetime.date:
        """1 January of the period's first year: the members counted on 31 December of the year before."""
        return datetime.date(self.period.start.year, 1, 1)

    def target_curve(self) -> list[tuple[datetime.date, Decimal]]:
        """The target spread evenly over the months, cumulated: the line the curve is measured against."""
        target = self.total.target
        if target is None or not self.months:
            return []
        n = len(self.months)
        return [(m, (Decimal(target) * (i + 1) / n).quantize(CENT)) for i, (m, _a, _c) in enumerate(self.months)]


def _in_period(field_name: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lte": end})


def _admitted(start: datetime.date, end: datetime.date) -> Q:
    """Admissions of the period credited to the unit of the record (not carried in by a transfer)."""
    return _in_period("admission_date", start, end) & CREDITED


def _aggregates(start: datetime.date, end: datetime.date, *, detail: bool) -> dict[str, Count]:
    admitted = _admitted(start, end)
    out = {"admitted": Count("id", filter=admitted)}
    if not detail:
        return out
    out["recognized"] = Count("id", filter=_in_period("recognition_date", start, end) & RECOGNITION_CREDITED)
    out["struck_off"] = Count("id", filter=Q(stage=Stage.STRUCK_OFF) & _in_period("removal_date", start, end))
    for key, (_label, q) in BREAKDOWNS.items():
        out[f"b_{key}"] = Count("id", filter=admitted & q)
    for key, (_of, _label, q) in NOT_STATED.items():
        out[f"b_{key}"] = Count("id", filter=admitted & q)
    for stage in PIPELINE_STAGES:
        out[f"p_{stage}"] = Count("id", filter=Q(stage=stage))
    return out


def _counted(start: datetime.date, end: datetime.date) -> Q:
    """The rows that can count for anything: the scan skips the years of settled members.

    The same with or without detail: the rows found decide which children are listed, and the
    report (detail=False) must list the same children as the dashboard (CONTRACT §5).
    """
    return (
        _admitted(start, end)
        | _in_period("recognition_date", start, end)
        | _in_period("removal_date", start, end)
        | Q(stage__in=PIPELINE_STAGES)
    )


def _grouped(qs: Any, start: datetime.date, end: datetime.date, *, detail: bool) -> Any:
    """The one scan: every figure by child, and with detail also by month of admission (yyyymm)."""
    keys = ["bucket"]
    if detail:
        qs = qs.annotate(
            month_key=Case(
                When(
                    _admitted(start, end),
                    then=ExtractYear("admission_date") * 100 + ExtractMonth("admission_date"),
                ),
                default=None,
                output_field=IntegerField(),
            )
        )
        keys.append("month_key")
    return qs.filter(_counted(start, end)).order_by().values(*keys).annotate(**_aggregates(start, end, detail=detail))


def _sum_rows(grouped: Any) -> tuple[dict[str, dict[str, int]], dict[int, int]]:
    """Run the grouped query and add up its rows by child, and the admissions by month.

    A province's dashboard gets a thousand rows (children × months); read as plain tuples and
    summed as lists they cost a few milliseconds, where model converters and per-row objects cost
    tens (measured in bench/dashboard.py).
    """
    sql, params = grouped.query.sql_with_params()
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        rows = cursor.fetchall()
    bucket_at = names.index("bucket")
    month_at = names.index("month_key") if "month_key" in names else None
    admitted_at = names.index("admitted")
    counts = [i for i, name in enumerate(names) if i not in (bucket_at, month_at)]
    acc: dict[str, list[int]] = {}
    by_month: dict[int, int] = {}
    for row in rows:
        values = [row[i] or 0 for i in counts]
        bucket = row[bucket_at]
        if bucket in acc:
            acc[bucket] = [a + b for a, b in zip(acc[bucket], values, strict=True)]
        else:
            acc[bucket] = values
        if month_at is not None and row[month_at] is not None:
            key = int(row[month_at])
            by_month[key] = by_month.get(key, 0) + int(row[admitted_at] or 0)
    keys = [names[i] for i in counts]
    return {bucket: dict(zip(keys, map(int, values), strict=True)) for bucket, values in acc.items()}, by_month


def _figures(row: dict[str, int], *, detail: bool) -> Figures:
    fig = Figures(admitted=row["admitted"])
    if detail:
        fig.recognized = row["recognized"]
        fig.struck_off = row["struck_off"]
        fig.breakdown = {key: row[f"b_{key}"] for key in BREAKDOWNS}
        fig.not_stated = {key: row[f"b_{key}"] for key in NOT_STATED}
        fig.pipeline = {stage: row[f"p_{stage}"] for stage in PIPELINE_STAGES}
    return fig


def existed(org: Organization, start: datetime.date, end: datetime.date) -> bool:
    return (org.valid_from is None or org.valid_from <= end) and (org.valid_to is None or org.valid_to >= start)


def closed_on(org: Organization) -> datetime.date | None:
    """The last day an ended unit stood with its units: its end date (`valid_to`), the last day it existed
    (`OrganizationQuerySet.active_on`); the units it handed over moved the day after
    (organizations.services.organization_dissolve). None while it lasts."""
    return org.valid_to


def candidates_of(sub: Subtree) -> Any:
    """The candidates of a subtree on its day, each annotated with `bucket`: the path of the child
    (on that day) it counts under, or the organization's own path."""
    qs: Any = Candidate.objects.filter(sub.q("organization__")).annotate(bucket=sub.bucket("organization__path"))
    if sub.changed:
        qs = qs.filter(bucket__isnull=False)
    return qs


def grouped_queryset(
    org: Organization, period: Period, *, as_of: datetime.date | None = None, today: datetime.date | None = None
) -> object:
    """The one aggregate query behind a dashboard, for benchmarks to time on its own."""
    period = terms.resolve(org, period)
    cutoff, _day, sub = _span(org, period, as_of, today or timezone.localdate())
    return _grouped(candidates_of(sub), period.start, cutoff, detail=True)


def _span(
    org: Organization, period: Period, as_of: datetime.date | None, today: datetime.date, moves: Moves | None = None
) -> tuple[datetime.date, datetime.date, Subtree]:
    """The last day counted, the day whose tree the rows follow, and org's subtree on that day.

    A unit that has ended (dissolved, or merged into another) during the period is counted up to its last
    day, on its tree as it stood then (`closed_on`).
    """
    cutoff = min(period.end, as_of) if as_of else period.end
    last = closed_on(org)
    if last is not None and last >= period.start:
        cutoff = min(cutoff, last)
    tree_day = min(cutoff, today)
    return cutoff, tree_day, Subtree.of(org, TreeAt.load(tree_day, moves))


def _members(orgs: list[Organization], year: int, moves: Moves) -> dict[int, int]:
    """Party members on 31 December of `year` by organization id: its own count, or else the sum of
    the counts of its children on that day (two queries at most; `moves` from 31 December on).

    The children are those of the tree of that day: an organization moved since counts under the
    parent it had then (the parent its first later move took it from), not under today's.
    """
    ids = [o.pk for o in orgs]
    counts = dict(
        MembershipCount.objects.filter(organization_id__in=ids, year=year).values_list("organization_id", "members")
    )
    missing = {o.pk: o for o in orgs if o.pk not in counts}
    if not missing:
        return counts
    then = moves.parents_on(datetime.date(year, 12, 31))
    q = Q(organization_id__in=[org_id for org_id, parent in then.items() if parent in missing])
    for org in missing.values():
        q |= Q(organization__path__startswith=org.path, organization__depth=org.depth + 1)
    rows = MembershipCount.objects.filter(q, year=year).values_list("organization_id", "organization__path", "members")
    by_path = {o.path: o.pk for o in missing.values()}
    for org_id, path, members in rows:
        parent = then[org_id] if org_id in then else by_path.get(path[:-STEP])
        if parent is not None and parent in missing:
            counts[parent] = counts.get(parent, 0) + members
    return counts


def _quotas(orgs: Iterable[Organization], period: Period) -> dict[int, dict[str, Quota]]:
    out: dict[int, dict[str, Quota]] = {}
    ids = [o.pk for o in orgs]
    rows = Quota.objects.filter(organization_id__in=ids, first_year=period.first_year, last_year=period.last_year)
    for quota in rows:
        out.setdefault(quota.organization_id, {})[quota.category] = quota
    return out


def attainment(
    org: Organization,
    period: Period,
    *,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
    detail: bool = True,
) -> Attainment:
    """Attainment of org and each of its direct children in the period.

    `as_of` stops the count at that day; the rows follow the tree as it stood on the last day
    counted (or today, if that is earlier), so reports on years before a restructuring add up.
    `detail=False` computes only what CONTRACT §4 needs (target and admitted).
    """
    today = today or timezone.localdate()
    period = terms.resolve(org, period)  # a term's real first and last day for org (CONTRACT §4)
    # The moves after the day of the members at the start (or the tree's day, if earlier), read once for both.
    members_day = datetime.date(period.start.year - 1, 12, 31)
    moves = Moves.load(min(members_day, today, as_of or today))
    cutoff, tree_day, sub = _span(org, period, as_of, today, moves)
    children = children_on(org, sub)

    qs = candidates_of(sub)
    # The whole months from the tallies, the days of a partial first or last month by a scan of them.
    tallied = _from_tallies(org, sub, children, *edges.whole_months(period.start, cutoff), using=qs.db)
    if tallied is not None:
        edges.add(*tallied, edges.scan(qs, period.start, cutoff))
    sums, by_month = tallied if tallied is not None else _sum_rows(_grouped(qs, period.start, cutoff, detail=detail))
    by_child = {bucket: _figures(row, detail=detail) for bucket, row in sums.items()}
    total = Figures()
    for fig in by_child.values():
        total.add(fig)

    orgs = [org, *children]
    quotas = _quotas(orgs, period)
    members = _members(orgs, period.start.year - 1, moves)

    def make(o: Organization, fig: Figures) -> Row:
        q = quotas.get(o.pk, {})
        subs = {k: v for k, v in q.items() if k}
        return Row(o, fig, quota=q.get(""), sub_quotas=subs, members_at_start=members.get(o.pk))

    result = Attainment(
        org=org,
        period=period,
        cutoff=cutoff,
        tree_day=tree_day,
        today=today,
        total=make(org, total),
        # A child shows if it existed during the period, or if anything of the period is found under
        # it (people or a quota), so that the children always add up to the total.
        children=[
            make(c, by_child.get(c.path, Figures()))
            for c in children
            if existed(c, period.start, tree_day) or c.path in by_child or c.pk in quotas
        ],
    )
    if detail:
        result.months = _months(by_month, period)
        result.idle_count, result.idle_units = _idle(sub, period.start, cutoff, qs.db, result.pipeline_day)
        if result.pipeline_day is not None:
            _pipeline_on(result, sub, result.pipeline_day, qs.db)
        elif result.is_open:
            # Its subtree as a list of units, not a join of every person to their unit (a province: 0.16 → 0.05 s).
            people = Candidate.objects.using(qs.db).filter(organization__in=_units_of(sub))
            result.outlook = forecast(people, admitted=total.admitted, today=today, start=period.start, end=period.end)
    return result


def _units_of(sub: Subtree) -> Any:
    """The ids of the units of a subtree on its day, as a subquery."""
    orgs = Organization.objects.filter(sub.q()).order_by()
    if sub.changed:
        orgs = orgs.annotate(bucket=sub.bucket("path")).filter(bucket__isnull=False)
    return orgs.values("id")


def _pipeline_on(result: Attainment, sub: Subtree, day: datetime.date, using: str) -> None:
    """The pipeline figures of the rows as they stood on `day` (recruitment.selectors.stage_on), in one query:
    the people counted by unit and stage, then the units' counts added up by the child they fell under on the
    subtree's day. Counting by unit first spares joining every person to their unit (a province: 0.14 → 0.05 s).
    """
    people = (
        Candidate.objects.using(using)
        .filter(organization__in=_units_of(sub))
        .filter(Q(removal_date__isnull=True) | Q(removal_date__gt=day))
        .filter(Q(recognition_date__isnull=True) | Q(recognition_date__gt=day))
        .annotate(stage_then=stage_on(day))  # not filtered on: the stage is worked out once, in the grouping
        .order_by()
        .values("organization_id", "stage_then")
        .annotate(n=Count("id"))
    )
    orgs = Organization.objects.using(using).filter(sub.q()).order_by().annotate(b=sub.bucket("path"))
    people_sql, people_params = people.query.sql_with_params()
    org_sql, org_params = orgs.values("id", "b").query.sql_with_params()
    sql = f"""
        WITH c AS ({people_sql}), o AS ({org_sql})
        SELECT o.b, c.stage_then, SUM(c.n) FROM c JOIN o ON o.id = c.organization_id
        WHERE o.b IS NOT NULL AND c.stage_then IS NOT NULL GROUP BY o.b, c.stage_then
    """  # noqa: S608 - SQL compiled by Django, values as parameters
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*people_params, *org_params])
        rows = cursor.fetchall()
    empty: dict[str, int] = dict.fromkeys(map(str, PIPELINE_STAGES), 0)
    by_bucket: dict[str, dict[str, int]] = {}
    for bucket, stage, n in rows:
        by_bucket.setdefault(bucket, dict(empty))[stage] = int(n)
    result.total.figures.pipeline = dict(empty)
    for row in result.children:
        row.figures.pipeline = dict(by_bucket.get(row.org.path, empty))
    for counts in by_bucket.values():
        for stage, n in counts.items():
            result.total.figures.pipeline[stage] += n


def _from_tallies(
    org: Organization,
    sub: Subtree,
    children: list[Organization],
    start: datetime.date,
    end: datetime.date,
    *,
    using: str,
) -> tuple[dict[str, dict[str, int]], dict[int, int]] | None:
    """The same sums as the candidate scan (`_sum_rows`), from the tallies of org, its children and
    the subtrees moved since the tree's day (one query); None when one of them is too deep to have
    tallies, or the period is not whole months.

    On the tree of an earlier day a row counts under the deepest moved subtree it is in (that
    subtree's bucket then), else under its current child. So each moved subtree R contributes its
    tally minus those of the moved subtrees right inside it, and each current child C its tally
    minus those of the moved subtrees right inside it (C itself included).
    """
    child_len = len(org.path) + STEP
    roots = sub.roots
    relevant = {p for p, b in roots.items() if p.startswith(org.path) or b is not None}
    # Moved subtrees nested in a relevant one decide for their own rows, wherever they went.
    considered = {p for p in roots if p in relevant or any(p.startswith(r) and p != r for r in relevant)}
    current = {c.path for c in children if c.path.startswith(org.path) and len(c.path) == child_len}
    current |= {p for p in considered if p.startswith(org.path) and len(p) == child_len}
    ids = {o.path: o.pk for o in (org, *children)} | {p: sub.tree.by_path[p].pk for p in considered}
    found = tally.read(ids, start, end, using=using)
    if found is None:
        return None

    # Org's own subtree decides for its rows too: a subtree moved out of org on `day` that org now lies
    # inside (org moved under one of its former units) must not count org's rows again.
    deciders = considered | {org.path}

    def right_inside(prefix: str, *, strict: bool) -> list[str]:
        inside = [p for p in deciders if p.startswith(prefix) and not (strict and p == prefix)]
        return [p for p in inside if not any(p != q and p.startswith(q) for q in inside)]

    regions: dict[str, list[tuple[int, tuple[list[int], dict[int, int]]]]] = {}
    for path in current:
        parts = [(1, found[path])] + [(-1, found[r]) for r in right_inside(path, strict=False)]
        regions.setdefault(path, []).extend(parts)
    for path in considered:
        bucket = roots[path]
        if bucket is not None:
            parts = [(1, found[path])] + [(-1, found[r]) for r in right_inside(path, strict=True)]
            regions.setdefault(bucket, []).extend(parts)
    regions.setdefault(org.path, []).extend([(1, found[org.path])] + [(-1, found[c]) for c in current])

    sums: dict[str, dict[str, int]] = {}
    by_month: dict[int, int] = {}
    for bucket, parts in regions.items():
        vector, months = tally.combine(parts)
        if any(vector):
            sums[bucket] = dict(zip(tally.MEASURES, vector, strict=True))
        for month, n in months.items():
            if n:
                by_month[month] = by_month.get(month, 0) + n
    return sums, by_month


def _months(by_month: dict[int, int], period: Period) -> list[tuple[datetime.date, int, int]]:
    """Admissions by month over the whole period (from its first day's month to its last day's),
    cumulated, from the grouped query's month keys."""
    out: list[tuple[datetime.date, int, int]] = []
    running = 0
    first, last = tally.month_of(period.start), tally.month_of(period.end)
    assert first is not None and last is not None
    for key in range(first, last + 1):
        if not 1 <= key % 100 <= 12:
            continue
        n = by_month.get(key, 0)
        running += n
        out.append((datetime.date(key // 100, key % 100, 1), n, running))
    return out


def _idle(
    sub: Subtree, start: datetime.date, end: datetime.date, using: str, day: datetime.date | None = None
) -> tuple[int, list[dict[str, object]]]:
    """Cells that have candidates in the pipeline but admitted no one in the period: how many, and the
    ones with the most people waiting. One query: the people waiting in the subtree's cells, counted
    by cell, in the cells with no admission in the period (an anti-join read off two covering
    indexes), with the number of cells as a window. A country's: about 0.4 s.

    With `day` (a past day: the pipeline of a past period or an ended unit, `Attainment.pipeline_day`) the
    people waiting are those whose stage on that day (recruitment.selectors.stage_on) was before admission,
    in the same query; without it, those waiting today (their stage now)."""
    # Unordered: the model's ordering (by path) kept in the CTE stops PostgreSQL from looking each waiting
    # cell up by its key, and it scanned the whole subtree once per cell instead (a province: 1.3 s → 18 ms).
    orgs = Organization.objects.using(using).filter(sub.q()).order_by()
    if sub.changed:
        orgs = orgs.annotate(bucket=sub.bucket("path")).filter(bucket__isnull=False)
    org_sql, org_params = orgs.values("id", "code", "name").query.sql_with_params()
    table = Candidate._meta.db_table
    stages = ", ".join(["%s"] * len(BEFORE_ADMISSION))
    if day is None:
        source, c, stage_sql, stage_params = f"{table} c", "c", "c.stage", []
    else:
        # stage_on's SQL names the candidates' table itself (its subquery looks the previous record up by it),
        # so the outer rows go by that name rather than an alias.
        people = Candidate.objects.using(using).annotate(stage_then=stage_on(day)).values("stage_then")
        stage_sql, stage_params = people.query.get_compiler(using).compile(people.query.annotations["stage_then"])
        c = source = connections[using].ops.quote_name(table)
    # A root's subtree is (nearly) everyone: filtering first would cost a join of every person (a
    # country's: 0.4 → 0.8 s); below the root it saves scanning the rest of the country (HCM: 0.35 → 0.2 s).
    restrict = "" if sub.org.depth == 1 else f"JOIN o ON o.id = {c}.organization_id"
    sql = f"""
        WITH o AS ({org_sql}), waiting AS (
            SELECT {c}.organization_id, COUNT(*) AS n FROM {source} {restrict}
            WHERE ({stage_sql}) IN ({stages}) AND NOT EXISTS (
                SELECT 1 FROM {table} a
                WHERE a.admission_date >= %s AND a.admission_date <= %s AND a.organization_id = {c}.organization_id
                AND a.admission_carried = %s
            )
            GROUP BY {c}.organization_id
        )
        SELECT o.code, o.name, waiting.n, COUNT(*) OVER ()
        FROM waiting JOIN o ON o.id = waiting.organization_id
        ORDER BY waiting.n DESC, o.code
        LIMIT {IDLE_LIMIT}
    """  # noqa: S608 - table names from the models, values as parameters
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*org_params, *stage_params, *BEFORE_ADMISSION, start, end, False])
        top = cursor.fetchall()
    if not top:
        return 0, []
    return top[0][3], [{"code": code, "name": name, "waiting": n} for code, name, n, _units in top]
