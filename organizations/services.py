"""Writes to the organization tree and to role assignments.

Each service runs in one transaction, validates with full_clean(), and leaves an audit trail:
a history row (django-simple-history, attributed to acting_user) and, for restructuring, an
OrganizationEvent with the day the change took effect. What the apps above derive from the tree
(reports' tallies) is kept in the same transaction through the explicit hooks of
organizations.derived: a change of sector and a move call them. The web pages and the Django admin
write the tree only here; the workbook import creates and renames units in bulk (with the same
events and hooks) and moves them here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from treebeard.exceptions import InvalidMoveToDescendant

from organizations import derived, history, rules
from organizations.models import Congress, Membership, Organization, OrganizationEvent, Role
from organizations.notation import short_date


def attribute(obj: Any, acting_user: User | None) -> None:
    """Name the author of the next history row of obj (shared by every app's services)."""
    # simple-history reads the author from here when there is no request (commands, imports).
    if acting_user is not None:
        obj._history_user = acting_user


def _event(
    *,
    org: Organization,
    action: str,
    acting_user: User | None,
    effective_date: datetime.date | None = None,
    from_parent: Organization | None = None,
    to_parent: Organization | None = None,
    details: dict[str, Any] | None = None,
    note: str = "",
) -> OrganizationEvent:
    return OrganizationEvent.objects.create(
        organization=org,
        action=action,
        effective_date=effective_date or timezone.localdate(),
        from_parent=from_parent,
        to_parent=to_parent,
        details=details or {},
        note=note,
        acting_user=acting_user if acting_user and acting_user.pk else None,
    )


def _refuse(problem: str | None) -> None:
    """What organizations.rules found wrong, raised as the services' refusal."""
    if problem is not None:
        raise ValidationError(problem)


def parent_of(org: Organization) -> Organization | None:
    if org.depth <= 1:
        return None
    return Organization.objects.get(path=org.parent_path)


@transaction.atomic
def organization_create(
    *,
    parent: Organization | None,
    code: str,
    name: str,
    kind: str,
    sector: str = "",
    valid_from: datetime.date | None = None,
    acting_user: User | None = None,
) -> Organization:
    org = Organization(code=code, name=name, kind=kind, sector=sector, valid_from=valid_from)
    org.refresh_search_key()
    # path and depth are set by treebeard; validate everything else first.
    org.full_clean(exclude=["path", "depth", "numchild"])
    attribute(org, acting_user)
    if parent is None:
        org = Organization.objects.add_root(instance=org)
    else:
        _refuse(rules.add_problem(parent_code=parent.code, parent_active=parent.is_active))
        org = Organization.objects.add_child(parent, instance=org)
    _event(
        org=org,
        action=OrganizationEvent.Action.CREATED,
        acting_user=acting_user,
        effective_date=valid_from,
        to_parent=parent,
    )
    return org


@transaction.atomic
def organization_update(
    *,
    org: Organization,
    name: str,
    kind: str,
    sector: str,
    valid_from: datetime.date | None,
    acting_user: User | None = None,
) -> Organization:
    before = {"name": org.name, "kind": org.kind, "sector": org.sector, "valid_from": org.valid_from}
    org.name, org.kind, org.sector, org.valid_from = name, kind, sector, valid_from
    org.refresh_search_key()
    org.full_clean()
    after = {"name": org.name, "kind": org.kind, "sector": org.sector, "valid_from": org.valid_from}
    changed = {k: [str(before[k] or ""), str(after[k] or "")] for k in before if before[k] != after[k]}
    if not changed:
        return org
    attribute(org, acting_user)
    # Its people's breakdowns (residential, private sector) follow the sector of their cell.
    with derived.units_changing([org.pk] if "sector" in changed else []):
        org.save(update_fields=["name", "kind", "sector", "valid_from", "search_key"])
    _event(org=org, action=OrganizationEvent.Action.UPDATED, acting_user=acting_user, details=changed)
    return org


@transaction.atomic
def organization_move(
    *,
    org: Organization,
    new_parent: Organization,
    effective_date: datetime.date,
    note: str = "",
    acting_user: User | None = None,
) -> Organization:
    """Move org and its whole subtree under new_parent (one UPDATE of the paths)."""
    org.refresh_from_db()
    new_parent.refresh_from_db()
    old_parent = parent_of(org)
    _refuse(rules.already_under_problem(path=org.path, target_code=new_parent.code, target_path=new_parent.path))
    _refuse(
        rules.move_problem(
            path=org.path, target_code=new_parent.code, target_path=new_parent.path, target_active=new_parent.is_active
        )
    )
    _refuse(rules.move_date_problem(effective=effective_date, last_move=history.last_moves([org.pk]).get(org.pk)))
    try:
        Organization.objects.move(org, new_parent, "last-child")
    except InvalidMoveToDescendant as exc:  # pragma: no cover - guarded above
        raise ValidationError(str(exc)) from exc
    org.refresh_from_db()
    derived.subtree_moved(org, old_parent)
    _event(
        org=org,
        action=OrganizationEvent.Action.MOVED,
        acting_user=acting_user,
        effective_date=effective_date,
        from_parent=old_parent,
        to_parent=new_parent,
        note=note,
        details={
            "from": old_parent.code if old_parent else None,
            "to": new_parent.code,
        },
    )
    return org


@transaction.atomic
def organization_dissolve(
    *,
    org: Organization,
    effective_date: datetime.date,
    successor: Organization | None = None,
    note: str = "",
    acting_user: User | None = None,
) -> Organization:
    """End an organization; with a successor this is a merge and its active units move there.

    `effective_date` is its last day of activity (the form's label): it becomes `valid_to`, which the model
    reads as the last day the unit existed (`active_on`), and the units it hands over move on the day after,
    so that on its last day it still stands with them. The row is kept (inactive, with its end date), so
    reports on earlier periods still find it.
    """
    org.refresh_from_db()
    if successor is not None:
        successor.refresh_from_db()
    _refuse(
        rules.dissolve_problem(
            path=org.path,
            active=org.is_active,
            valid_from=org.valid_from,
            end=effective_date,
            successor_path=successor.path if successor is not None else None,
            successor_active=successor.is_active if successor is not None else True,
        )
    )
    active_children = list(Organization.objects.child_of(org).active().order_by("code"))
    if successor is not None:
        for child in active_children:
            organization_move(
                org=child,
                new_parent=successor,
                effective_date=effective_date + datetime.timedelta(days=1),
                note=_("Transferred when %(code)s merged into %(successor)s.")
                % {"code": org.code, "successor": successor.code},
                acting_user=acting_user,
            )
    elif active_children:
        raise ValidationError(
            _(
                "%(count)d units under this organization are still active. Dissolve or move them "
                "first, or choose a successor to take them over."
            )
            % {"count": len(active_children)}
        )
    org.refresh_from_db()
    org.is_active = False
    org.valid_to = effective_date
    org.successor = successor
    org.full_clean()
    attribute(org, acting_user)
    org.save(update_fields=["is_active", "valid_to", "successor"])
    _event(
        org=org,
        action=OrganizationEvent.Action.MERGED if successor else OrganizationEvent.Action.DISSOLVED,
        acting_user=acting_user,
        effective_date=effective_date,
        to_parent=None,
        note=note,
        details={
            "successor": successor.code if successor else None,
            "units_moved": len(active_children) if successor else 0,
        },
    )
    return org


@transaction.atomic
def user_grant_role(
    *,
    username: str,
    org: Organization,
    role: str,
    password: str | None = None,
    acting_user: User | None = None,
) -> tuple[User, bool]:
    """Create or update a user whose scope is exactly org's subtree, with the given role.

    Returns (user, created). Any other role assignment the user held is removed.
    """
    role = Role(role)
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
        user.full_clean(exclude=["password"])
    if password is not None:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    attribute(user, acting_user)
    user.save()
    for other in Membership.objects.filter(user=user).exclude(organization=org):
        attribute(other, acting_user)
        other.delete()
    membership = Membership.objects.filter(user=user, organization=org).first()
    if membership is None:
        membership = Membership(user=user, organization=org, role=role)
        attribute(membership, acting_user)
        membership.full_clean()
        membership.save()
    elif membership.role != role:
        membership.role = role
        attribute(membership, acting_user)
        membership.save(update_fields=["role"])
    return user, created


@transaction.atomic
def congress_record(
    *,
    org: Organization,
    first_year: int,
    last_year: int,
    held_on: datetime.date,
    document: str = "",
    note: str = "",
    acting_user: User | None = None,
) -> Congress:
    """Record (or correct) the day of org's congress that opened the term first_year-last_year.

    The term then starts on that day and the previous one ends the day before (organizations.terms);
    the congresses of one organization must follow each other in the order of their terms."""
    congress = (
        Congress.objects.select_for_update()
        .filter(organization=org, first_year=first_year, last_year=last_year)
        .first()
    ) or Congress(organization=org, first_year=first_year, last_year=last_year)
    congress.held_on = held_on
    congress.document = document.strip()
    congress.note = note.strip()
    congress.full_clean()
    congress_check_order(congress)
    attribute(congress, acting_user)
    congress.save()
    return congress


def congress_check_order(congress: Congress) -> None:
    """The congresses of one organization follow the order of their terms (else a term would end
    before it starts): refused, naming the one in the way."""
    others = Congress.objects.filter(organization=congress.organization_id).exclude(pk=congress.pk)
    earlier = others.filter(first_year__lt=congress.first_year, held_on__gte=congress.held_on)
    later = others.filter(first_year__gt=congress.first_year, held_on__lte=congress.held_on)
    clash = earlier.order_by("first_year").first() or later.order_by("first_year").first()
    if clash is not None:
        raise ValidationError(
            {
                "held_on": _(
                    "The congress of the term %(term)s was held on %(date)s: congresses follow their terms' order."
                )
                % {"term": clash.term, "date": short_date(clash.held_on)}
            }
        )


@transaction.atomic
def congress_remove(*, congress: Congress, acting_user: User | None = None) -> None:
    """Remove a recorded congress: the term falls back on the ancestors' congress, or on the calendar."""
    attribute(congress, acting_user)
    congress.delete()
