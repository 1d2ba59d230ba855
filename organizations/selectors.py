"""Reads of the organization tree; each returns in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.db.models.functions import Substr

from organizations import access
from organizations.access import AnyUser
from organizations.models import Organization, OrganizationEvent
from organizations.text import fold

SEARCH_LIMIT = 200


def _children_q(parents: Iterable[Organization]) -> Q:
    q = Q(pk__in=[])
    for parent in parents:
        q |= Q(path__startswith=parent.path, depth=parent.depth + 1)
    return q


def children_of(parents: Iterable[Organization], *, include_inactive: bool = False) -> dict[str, list[Organization]]:
    """Direct children of each parent, by parent path, ordered by code, each with `child_count`.

    Two queries whatever the number of parents and children: the children, and a grouped
    count of their own children.
    """
    parents = list(parents)
    by_parent: dict[str, list[Organization]] = {p.path: [] for p in parents}
    if not parents:
        return by_parent
    children = Organization.objects.filter(_children_q(parents))
    if not include_inactive:
        children = children.active()
    children_list = list(children.order_by("code"))
    annotate_child_counts(children_list, include_inactive=include_inactive)
    for child in children_list:
        by_parent[child.parent_path].append(child)
    return by_parent


def annotate_child_counts(orgs: list[Organization], *, include_inactive: bool = False) -> None:
    """Set `child_count` on each org in one grouped query (orgs may be of mixed depths)."""
    for org in orgs:
        org.child_count = 0  # type: ignore[attr-defined]
    with_children = [o for o in orgs if o.numchild]
    if not with_children:
        return
    counts: dict[str, int] = {}
    for depth in sorted({o.depth for o in with_children}):
        level = [o for o in with_children if o.depth == depth]
        grandchildren = Organization.objects.filter(_children_q(level))
        if not include_inactive:
            grandchildren = grandchildren.active()
        steplen = Organization.steplen
        rows = (
            grandchildren.order_by()
            .annotate(parent=Substr("path", 1, steplen * depth))
            .values("parent")
            .annotate(n=Count("id"))
        )
        counts.update({row["parent"]: row["n"] for row in rows})
    for org in with_children:
        org.child_count = counts.get(org.path, 0)  # type: ignore[attr-defined]


def search(
    user: AnyUser,
    text: str,
    *,
    include_inactive: bool = False,
    where: Q | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[Organization]:
    """Organizations in the user's scope whose code or name contains text, diacritics ignored; `where` narrows
    them further (the cells where the user may add people), `limit` caps them (a picker shows a few).

    Each result carries `trail`, its ancestors within the scope (one more query for all).
    """
    key = fold(text)
    if not key:
        return []
    found = access.visible_organizations(user).filter(search_key__contains=key)
    if where is not None:
        found = found.filter(where)
    if not include_inactive:
        found = found.active()
    results = list(found.order_by("path")[:limit])
    paths = {p for org in results for p in Organization.ancestor_paths(org.path)}
    ancestors = {
        a.path: a
        for a in access.visible_organizations(user).filter(path__in=paths).only("path", "code", "name", "depth")
    }
    for org in results:
        org.trail = [ancestors[p] for p in Organization.ancestor_paths(org.path) if p in ancestors]  # type: ignore[attr-defined]
    return results


def trail_in_scope(user: AnyUser, org: Organization) -> list[Organization]:
    """The ancestors of org that the user may see, from the top down (one query)."""
    ancestors = Organization.objects.ancestor_of(org, inclusive=False).order_by("depth")
    return [a for a in ancestors if access.can_read(user, a)]


def recent_events(org: Organization, *, limit: int = 50) -> list[OrganizationEvent]:
    return list(
        OrganizationEvent.objects.filter(Q(organization=org) | Q(from_parent=org) | Q(to_parent=org))
        .select_related("organization", "from_parent", "to_parent", "acting_user")
        .order_by("-effective_date", "-created_at", "-id")[:limit]
    )
