"""The organization tree as it stood on an earlier day, rebuilt from the recorded moves.

Restructuring (the 2025 reform removed the district level) rewrites the paths of whole
subtrees. A report on 2024 must still see each district with its communes, so a report is
drawn on the tree of its own day: the current tree with every move that took effect later
undone. Only the moved subtrees ("move roots") differ from the current tree, and there are
few of them, so the difference is expressed as a handful of path prefixes in one SQL CASE;
the number of queries does not depend on the number of organizations.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Max, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable, Expression
from django.db.models.functions import Substr

from organizations.models import EventAction, Organization, OrganizationEvent

STEP = Organization.steplen


def parents_on(day: datetime.date, moves: Iterable[tuple[int, datetime.date, int | None]]) -> dict[int, int | None]:
    """For each organization moved after `day`, the parent it had on `day`: the one its first move after
    `day` took it from. `moves`: (organization id, effective date, id of the parent it left), in the order
    they took effect (by date, then as recorded). The one rule for where a moved unit sat on an earlier day."""
    parents: dict[int, int | None] = {}
    for org_id, effective, from_parent in moves:
        if effective > day and org_id not in parents:
            parents[org_id] = from_parent
    return parents


# A recorded move as `Moves` holds it: (organization id, effective date, id of the parent it left, the
# organization's path now, the path now of the parent it left).
Move = tuple[int, datetime.date, int | None, str, str | None]


def recorded_moves(*, after: datetime.date, of: Iterable[Organization] | None = None) -> QuerySet[OrganizationEvent]:
    """The recorded moves that took effect after `after` (of these organizations only, if given), in the order
    `parents_on` takes them."""
    events = OrganizationEvent.objects.filter(action=EventAction.MOVED, effective_date__gt=after)
    if of is not None:
        events = events.filter(organization__in=of)
    return events.order_by("effective_date", "id")


def last_moves(org_ids: Iterable[int] | Expression) -> dict[int, datetime.date]:
    """The day each of these organizations' latest recorded move took effect (those that never moved left out):
    a later move may not be dated before it, or `parents_on` would read the moves in another order than they
    were made (organizations.rules.move_date_problem). One query. `org_ids`: ids, or an expression giving them
    (the import's one array on PostgreSQL, `SELECT unnest(%s)`)."""
    ids = org_ids if isinstance(org_ids, Expression) else list(org_ids)
    events = OrganizationEvent.objects.filter(organization_id__in=ids, action=EventAction.MOVED)
    rows = events.order_by().values("organization_id").annotate(last=Max("effective_date"))
    return dict(rows.values_list("organization_id", "last"))


@dataclass
class Moves:
    """The recorded moves after a day, read once (one query), for the trees of that day and of any later one."""

    after: datetime.date
    moves: list[Move]

    @classmethod
    def load(cls, after: datetime.date) -> Moves:
        fields = ("organization_id", "effective_date", "from_parent_id", "organization__path", "from_parent__path")
        return cls(after, list(recorded_moves(after=after).values_list(*fields)))

    def since(self, day: datetime.date) -> list[Move]:
        """The moves that took effect after `day` (no earlier than `after`)."""
        assert day >= self.after, "the moves were read from a later day"
        return [move for move in self.moves if move[1] > day]

    def parents_on(self, day: datetime.date) -> dict[int, int | None]:
        """`parents_on` for these moves."""
        return parents_on(day, (move[:3] for move in self.since(day)))


@dataclass
class TreeAt:
    """The tree on `day`: for each subtree moved after that day, the parent it had then."""

    day: datetime.date
    # id → (current path, id of the parent on `day`) for each organization moved after `day`.
    moved: dict[int, tuple[str, int | None]] = field(default_factory=dict)
    # Every organization the walk may pass through, by id and by current path.
    by_id: dict[int, Organization] = field(default_factory=dict)
    by_path: dict[str, Organization] = field(default_factory=dict)

    @classmethod
    def load(cls, day: datetime.date, moves: Moves | None = None) -> TreeAt:
        """Two queries when something moved after `day` (one otherwise); one query less with the moves read."""
        tree = cls(day)
        events = (moves or Moves.load(day)).since(day)
        if not events:
            return tree
        parents = parents_on(day, (event[:3] for event in events))
        paths: set[str] = set()
        for org_id, _day, _from, path, from_path in events:
            tree.moved[org_id] = (path, parents[org_id])
            paths.add(path)
            paths.update(Organization.ancestor_paths(path))
            if from_path is not None:
                paths.add(from_path)
                paths.update(Organization.ancestor_paths(from_path))
        for org in Organization.objects.filter(path__in=paths).only("id", "path", "code", "name", "depth", "kind"):
            tree.by_id[org.pk] = org
            tree.by_path[org.path] = org
        return tree

    def parent_id(self, org_id: int) -> int | None:
        if org_id in self.moved:
            return self.moved[org_id][1]
        org = self.by_id[org_id]
        if org.depth <= 1:
            return None
        return self.by_path[org.path[:-STEP]].pk

    def chain(self, org_id: int) -> list[int]:
        """The organization and its ancestors on `day`, from itself upwards."""
        out = [org_id]
        seen = {org_id}
        while (parent := self.parent_id(out[-1])) is not None and parent not in seen:
            out.append(parent)
            seen.add(parent)
        return out


@dataclass
class Subtree:
    """How to find and group the rows of an organization's subtree on the tree of `day`."""

    org: Organization
    tree: TreeAt
    # Every moved subtree that matters: current path → path of the child of org (on `day`) it
    # fell under then, or None when it was outside org then.
    roots: dict[str, str | None] = field(default_factory=dict)
    # Organizations that were direct children of org on `day` though they are not now.
    extra_children: list[int] = field(default_factory=list)
    # Current children of org that were not its children on `day`.
    gone_children: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, org: Organization, tree: TreeAt) -> Subtree:
        sub = cls(org, tree)
        child_len = len(org.path) + STEP
        for org_id, (path, _parent) in tree.moved.items():
            if org_id == org.pk:
                continue  # org itself moved: its own subtree is unchanged
            # A unit above org now is kept too: it may have been below org on `day` (moved out, and org
            # later moved under it), and the units between them must then be told apart; when it was
            # not, its bucket is None and org's own rules, deeper, decide for org's rows (`bucket`).
            chain = tree.chain(org_id)
            is_child_now = path.startswith(org.path) and len(path) == child_len
            bucket: str | None = None
            if org.pk in chain:
                child_id = chain[chain.index(org.pk) - 1]
                bucket = tree.by_id[child_id].path
                if child_id == org_id and not is_child_now:
                    sub.extra_children.append(org_id)
            if is_child_now and bucket != path:
                sub.gone_children.add(org_id)
            sub.roots[path] = bucket
        return sub

    @property
    def changed(self) -> bool:
        return bool(self.roots)

    def q(self, prefix: str = "") -> Q:
        """A coarse filter (path prefixes, so indexed): the subtree now and every subtree moved into it.

        When `changed`, rows must also have a bucket (see `bucket`), which drops the moved-out ones.
        """
        key = f"{prefix}path__startswith"
        q = Q(**{key: self.org.path})
        for path, bucket in self.roots.items():
            if bucket is not None and not path.startswith(self.org.path):
                q |= Q(**{key: path})
        return q

    def bucket(self, path_field: str = "path") -> Combinable:
        """The path of the direct child (on `day`) each row falls under; the org's own path for its
        own rows; None for rows of a subtree that was elsewhere on `day`."""
        length = len(self.org.path) + STEP
        default = Substr(path_field, 1, length)
        if not self.changed:
            return default
        # The deepest moved subtree a row is in decides where the row was on `day`; org's own subtree
        # counts as one (its rows under their current child), below the moved units above org now.
        rules: list[tuple[str, Combinable]] = [(path, Value(bucket)) for path, bucket in self.roots.items()]
        rules.append((self.org.path, default))
        whens = [
            When(**{f"{path_field}__startswith": path}, then=then)
            for path, then in sorted(rules, key=lambda rule: -len(rule[0]))
        ]
        return Case(*whens, default=Value(None), output_field=CharField())


def children_on(org: Organization, sub: Subtree) -> list[Organization]:
    """The direct children of org on the subtree's day, ended ones included, by code (one query)."""
    q = Q(path__startswith=org.path, depth=org.depth + 1)
    if sub.extra_children:
        q |= Q(pk__in=sub.extra_children)
    return list(Organization.objects.filter(q).exclude(pk__in=sub.gone_children).order_by("code"))
