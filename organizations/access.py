"""Who may see and change what. Every view reaches organization-owned data through here.

A role granted on an organization covers its whole subtree. An object outside the user's
scope does not exist for them (404); a role too weak for the action is refused (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from organizations import rules
from organizations.models import ROLE_RANK, Membership, Organization, OrganizationQuerySet, Role

AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class Grant:
    path: str
    role: Role
    organization: Organization


def grants(user: AnyUser) -> list[Grant]:
    """The user's role assignments, read once per user object (that is, once per request)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_scope_grants", None)
    if cached is None:
        rows = Membership.objects.filter(user=user).select_related("organization")
        cached = [Grant(m.organization.path, Role(m.role), m.organization) for m in rows]
        cached.sort(key=lambda g: g.path)
        setattr(user, "_scope_grants", cached)  # noqa: B010 (a per-request cache on the user object)
    return cached


def is_global(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_superuser", False))


def role_on(user: AnyUser, org: Organization) -> Role | None:
    """The strongest role the user holds on org through any ancestor (or org itself)."""
    return role_on_path(user, org.path)


def role_on_path(user: AnyUser, path: str) -> Role | None:
    if not user.is_authenticated or not user.is_active:
        return None
    if is_global(user):
        return Role.ADMIN
    best: Role | None = None
    for grant in grants(user):
        if not path.startswith(grant.path):
            continue
        if best is None or ROLE_RANK[grant.role] > ROLE_RANK[best]:
            best = grant.role
    return best


def can_read(user: AnyUser, org: Organization) -> bool:
    return role_on(user, org) is not None


def can_write(user: AnyUser, org: Organization) -> bool:
    role = role_on(user, org)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[Role.STAFF]


def can_manage(user: AnyUser, org: Organization) -> bool:
    return role_on(user, org) == Role.ADMIN


def decides_for(user: AnyUser, org: Organization) -> bool:
    """Whether the user decides what is decided one level up for org (moving or closing it, its own
    admission quota): an administrator of its parent; for a top-level unit, a system administrator."""
    decided = rules.decided_at(org.path)
    if not decided:
        return is_global(user)
    return role_on_path(user, decided) == Role.ADMIN


def can_restructure(user: AnyUser, org: Organization) -> bool:
    """Moving or closing a unit is decided one level up: the user must manage its parent."""
    return decides_for(user, org)


def can_set_own_quota(user: AnyUser, org: Organization) -> bool:
    """A unit's own admission quota is given by the level above: the user must manage its parent."""
    return decides_for(user, org)


def scope_roots(user: AnyUser) -> list[Organization]:
    """The top organizations of the user's scope, none inside another; all roots for superusers.

    Read once per request: the user object is the request's, and pages and the header both ask."""
    cached = getattr(user, "_scope_roots", None)
    if cached is not None:
        return list(cached)
    if is_global(user):
        roots = list(Organization.objects.filter(depth=1).order_by("code"))
    else:
        roots = []
        for grant in grants(user):  # sorted by path, so an ancestor comes before its descendants
            if not any(grant.path.startswith(r.path) for r in roots):
                roots.append(grant.organization)
    user._scope_roots = roots  # type: ignore[union-attr]
    return list(roots)


def scope_q(user: AnyUser, *, prefix: str = "") -> Q:
    """A filter for rows whose organization (reached through prefix) is within the user's scope.

    Use prefix="organization__" on models that belong to an organization.
    """
    if is_global(user):
        return Q()
    roots = scope_roots(user)
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= Q(**{f"{prefix}path__startswith": root.path})
    return q


def visible_organizations(user: AnyUser) -> OrganizationQuerySet:
    return Organization.objects.filter(scope_q(user))


def get_organization_for_user(
    user: AnyUser, code: str, *, write: bool = False, manage: bool = False, restructure: bool = False
) -> Organization:
    """The organization with this code, if the user may see it (else 404) and act as asked (else 403)."""
    org = Organization.objects.filter(code=code).select_related("successor").first()
    if org is None:
        raise Http404
    role = role_on(user, org)
    if role is None:
        raise Http404
    if write and ROLE_RANK[role] < ROLE_RANK[Role.STAFF]:
        raise PermissionDenied(read_only_message())
    if manage and role != Role.ADMIN:
        raise PermissionDenied(_("This is done by an administrator of this organization."))
    if restructure and not can_restructure(user, org):
        raise PermissionDenied(
            _("Moving, merging or dissolving this unit is decided by an administrator of the level above it.")
        )
    return org


def read_only_message() -> str:
    """What a refused change says to someone whose role here is to read."""
    return _("Your role here lets you read, not change: ask an administrator for the staff role if you need it.")


def filter_in_scope(user: AnyUser, queryset: Any, *, prefix: str = "organization__") -> Any:
    """Any queryset of organization-owned rows, cut down to the user's scope."""
    return queryset.filter(scope_q(user, prefix=prefix))
