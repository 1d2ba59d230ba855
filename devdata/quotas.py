"""Demo quotas and membership counts for the demo province (devdata/tree.py, devdata/people.py).

Everything is computed from the demo people already in the database, so the same people give the
same figures, with no randomness: where the demo needs variety it takes a checksum of the unit's
code and the period.

- Quotas for every year the demo covers and for the term 2020-2025, for the province, the units
  directly under it on the tree of that period (the old district before the 2025 reform, the
  communes after) and the grassroots organizations under those. Each target is the admissions
  that really happened divided by an attainment between 75 and 120 %; the current year, still
  under way, is planned on last year's admissions. A unit gives out at least its own target to
  its units, except the commune SHORT_COMMUNE, whose units fall short (the quota page warns).
- For the current year, the commune RATE_COMMUNE has a rate (a % of its members) instead of a number.
- The province has sub-targets for women and Youth Union members.
- Membership counts on 31 December of every past year, for every unit of the tree of that day:
  each cell starts from the members that voted in it and grows by its admissions, less the
  probationers struck off and about 1 % leaving each year (deaths, moves); a cell formed later
  takes its members from the cells around it; every other unit is the sum of its units.
"""

from __future__ import annotations

import datetime
import statistics
import zlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from devdata.people import CHANGE_REASON
from devdata.tree import ROOT_CODE
from organizations.history import parents_on, recorded_moves
from organizations.models import CELL_KINDS, Organization
from recruitment.models import Candidate, Stage
from recruitment.selectors import CATEGORIES
from reports.attainment import attainment
from reports.forms import Period
from reports.models import MembershipCount, Quota, QuotaCategory, rate_target

TERM = Period(2020, 2025)
SHORT_COMMUNE = "PT.DCH"
RATE_COMMUNE = "PT.VTR"
PROVINCE_SUB_TARGETS = (QuotaCategory.WOMEN, QuotaCategory.YOUTH_UNION)
YEARS_BACK = 7  # the demo people were listed from spring seven years back (devdata/people.py)


def _checksum(key: str) -> int:
    # zlib.crc32 rather than hash(): the same on every run and every machine.
    return zlib.crc32(key.encode())


def _near(admitted: int, key: str) -> int:
    """A target that `admitted` attains at 75 to 120 %, the same for the same key."""
    attained = 75 + _checksum(key) % 46
    return int((Decimal(admitted) * 100 / attained).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _admitted(org: Organization, period: Period, today: datetime.date) -> tuple[int, list[tuple[Organization, int]]]:
    """Admissions of org's subtree and of each direct child's, on the tree of the period (the engine's rows)."""
    result = attainment(org, period, today=today, detail=False)
    return result.total.admitted, [(row.org, row.admitted) for row in result.children]


def _basis(org: Organization, period: Period, today: datetime.date) -> tuple[int, list[tuple[Organization, int]]]:
    """What a quota is planned on: the period's admissions, or for the year under way last year's."""
    total, children = _admitted(org, period, today)
    if period != Period(today.year, today.year):
        return total, children
    last_total, last_children = _admitted(org, Period(today.year - 1, today.year - 1), today)
    last = {child.pk: n for child, n in last_children}
    return last_total, [(child, last.get(child.pk, 0)) for child, _n in children]


def _breakdown(root: Organization, period: Period) -> dict[str, int]:
    """Admissions of the sub-target categories in the province (which never moved) in the period."""
    admitted = Candidate.objects.filter(
        organization__path__startswith=root.path, admission_date__gte=period.start, admission_date__lte=period.end
    )
    return admitted.aggregate(**{c.value: Count("id", filter=CATEGORIES[c.value][1]) for c in PROVINCE_SUB_TARGETS})


def _quota(org: Organization, period: Period, target: int, category: str = "") -> Quota:
    return Quota(
        organization=org, first_year=period.first_year, last_year=period.last_year, category=category, target=target
    )


def _period_quotas(
    root: Organization, period: Period, today: datetime.date, members: dict[tuple[int, int], int]
) -> list[Quota]:
    """The quotas of one period: the province, the units directly under it, and theirs."""
    out: list[Quota] = []
    root_admitted, units = _basis(root, period, today)
    unit_targets = 0
    for unit, admitted in units:
        if not admitted:
            continue
        _unit_admitted, bases = _basis(unit, period, today)
        base_targets = 0
        for base, base_admitted in bases:
            if base_admitted:
                target = _near(base_admitted, f"{base.code}:{period}")
                out.append(_quota(base, period, target))
                base_targets += target
        target = _near(admitted, f"{unit.code}:{period}")
        if unit.code == SHORT_COMMUNE and base_targets:
            target = base_targets + max(2, base_targets // 10)
        elif base_targets:
            target = min(target, base_targets)
        quota = _quota(unit, period, target)
        before = members.get((unit.pk, period.first_year - 1))
        if unit.code == RATE_COMMUNE and period == Period(today.year, today.year) and before:
            # Rounded down, so that the rate does not ask for more than the units were given.
            rate = (Decimal(target) * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
            quota.target, quota.rate = None, min(max(rate, Decimal("0.1")), Decimal(100))
            target = rate_target(quota.rate, before)
        out.append(quota)
        unit_targets += target
    if root_admitted:
        target = _near(root_admitted, f"{root.code}:{period}")
        out.append(_quota(root, period, min(target, unit_targets) if unit_targets else target))
        source = Period(today.year - 1, today.year - 1) if period == Period(today.year, today.year) else period
        breakdown = _breakdown(root, source)
        for category in PROVINCE_SUB_TARGETS:
            if breakdown[category.value]:
                key = f"{root.code}:{period}:{category.value}"
                out.append(_quota(root, period, _near(breakdown[category], key), category.value))
    return out


def _cell_base(code: str, votes: list[int]) -> int:
    """Members of a cell when the demo starts: as many as voted in it, or a plausible number."""
    if votes:
        return round(statistics.median(votes))
    return 12 + _checksum(f"{code}:members") % 25


def _transfer(cell: Organization, wanted: int, others: list[Organization], size: dict[int, int]) -> int:
    """A cell formed during the demo years takes its members from the nearest cells around it
    (a cell keeps at least 3); only what they cannot give comes from outside."""
    donors: list[Organization] = []
    for path in reversed(Organization.ancestor_paths(cell.path)):
        donors = [c for c in others if c.path.startswith(path)]
        if donors:
            break
    if not donors:
        return wanted
    taken = 0
    while taken < wanted:
        donor = max(donors, key=lambda c: (size[c.pk], c.path))
        if size[donor.pk] <= 3:
            break
        size[donor.pk] -= 1
        taken += 1
    return taken


def _exists(org: Organization, day: datetime.date) -> bool:
    return (org.valid_from is None or org.valid_from <= day) and (org.valid_to is None or org.valid_to >= day)


def _children_on(
    orgs: list[Organization],
    by_path: dict[str, Organization],
    moves: Sequence[tuple[int, datetime.date, int | None]],
    day: datetime.date,
) -> dict[int, list[int]]:
    """Organization id → ids of its direct children on `day`: a unit moved later sat under its old parent."""
    parent: dict[int, int | None] = {}
    for org in orgs:
        up = by_path.get(org.parent_path) if org.depth > 1 else None
        parent[org.pk] = up.pk if up else None
    parent.update(parents_on(day, moves))
    children: dict[int, list[int]] = defaultdict(list)
    for org_id, parent_id in parent.items():
        if parent_id is not None:
            children[parent_id].append(org_id)
    return children


def _roll_up(org_id: int, children: dict[int, list[int]], counts: dict[int, int]) -> int | None:
    """The count of org_id: its cells' own, or the sum of its children's; None with nothing below it."""
    if org_id in counts:
        return counts[org_id]
    below = [n for n in (_roll_up(c, children, counts) for c in children[org_id]) if n is not None]
    if not below:
        return None
    counts[org_id] = sum(below)
    return counts[org_id]


def _membership(root: Organization, years: range) -> dict[tuple[int, int], int]:
    """(organization id, year) → party members on 31 December, for every unit on that day's tree."""
    orgs = list(Organization.objects.descendant_of(root).order_by("path"))
    by_path = {o.path: o for o in orgs}
    moves = list(
        recorded_moves(after=datetime.date.min, of=orgs).values_list(
            "organization_id", "effective_date", "from_parent_id"
        )
    )
    people = Candidate.objects.filter(organization__path__startswith=root.path)
    admitted: dict[tuple[int, int], int] = {
        (r["organization_id"], r["y"]): r["n"]
        for r in people.exclude(admission_date=None)
        .values("organization_id", y=ExtractYear("admission_date"))
        .annotate(n=Count("id"))
    }
    struck: dict[tuple[int, int], int] = {
        (r["organization_id"], r["y"]): r["n"]
        for r in people.filter(stage=Stage.STRUCK_OFF)
        .exclude(removal_date=None)
        .values("organization_id", y=ExtractYear("removal_date"))
        .annotate(n=Count("id"))
    }
    votes: dict[int, list[int]] = defaultdict(list)
    for org_id, n in people.exclude(branch_vote_members=None).values_list("organization_id", "branch_vote_members"):
        if n is not None:
            votes[org_id].append(n)

    out: dict[tuple[int, int], int] = {}
    cells = [o for o in orgs if o.kind in CELL_KINDS]
    size = {c.pk: _cell_base(c.code, votes[c.pk]) for c in cells}
    counted: set[int] = set()  # cells that had a count at the end of an earlier year
    for year in years:
        day = datetime.date(year, 12, 31)
        alive = [c for c in cells if _exists(c, day)]
        for cell in alive:
            if cell.pk not in counted and year != years[0]:
                size[cell.pk] = _transfer(cell, size[cell.pk], [c for c in alive if c.pk in counted], size)
        for cell in alive:
            before = size[cell.pk]
            leaving = (before * 10 + _checksum(f"{cell.code}:{year}:left") % 1000) // 1000
            gained = admitted.get((cell.pk, year), 0) - struck.get((cell.pk, year), 0) - leaving
            size[cell.pk] = max(before + gained, 1)
            out[(cell.pk, year)] = size[cell.pk]
            counted.add(cell.pk)
        # Every other unit is the sum of its units on that day.
        year_counts = {pk: n for (pk, y), n in out.items() if y == year}
        _roll_up(root.pk, _children_on(orgs, by_path, moves, day), year_counts)
        out.update({(pk, year): n for pk, n in year_counts.items()})
    return out


@transaction.atomic
def seed_quotas(*, today: datetime.date | None = None) -> int:
    """Create the demo quotas and membership counts; 0 (and nothing done) if the demo province has any,
    or has no people yet to plan them on."""
    today = today or timezone.localdate()
    root = Organization.objects.filter(code=ROOT_CODE).first()
    if root is None:
        return 0
    in_tree = {"organization__path__startswith": root.path}
    if Quota.objects.filter(**in_tree).exists() or MembershipCount.objects.filter(**in_tree).exists():
        return 0
    if not Candidate.objects.filter(**in_tree).exists():
        return 0
    first = today.year - YEARS_BACK
    members = _membership(root, range(first - 1, today.year))
    by_id = Organization.objects.in_bulk([org_id for org_id, _year in members])
    counts = [MembershipCount(organization=by_id[o], year=y, members=n) for (o, y), n in sorted(members.items())]
    quotas: list[Quota] = []
    for period in [*(Period(y, y) for y in range(first, today.year + 1)), TERM]:
        quotas += _period_quotas(root, period, today, members)
    bulk_create_with_history(counts, MembershipCount, batch_size=500, default_change_reason=CHANGE_REASON)
    bulk_create_with_history(quotas, Quota, batch_size=500, default_change_reason=CHANGE_REASON)
    return len(counts) + len(quotas)
