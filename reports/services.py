"""Writes to quotas and membership counts.

Each service runs in one transaction, validates with full_clean(), and leaves a history row
attributed to acting_user. Writing the value a row already holds is a no-op: no history row,
no new `updated_at`, so saving an unchanged page or re-running an import changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.services import attribute
from reports.forms import Period
from reports.models import MembershipCount, Quota


def _write_quota(
    *,
    org: Organization,
    period: Period,
    category: str,
    target: int | None,
    rate: Decimal | None,
    note: str,
    acting_user: User | None,
) -> tuple[Quota | None, bool]:
    """The quota after the write and whether anything changed."""
    existing = (
        Quota.objects.select_for_update()
        .filter(organization=org, first_year=period.first_year, last_year=period.last_year, category=category)
        .first()
    )
    if target is None and rate is None:
        if existing is None:
            return None, False
        attribute(existing, acting_user)
        existing.delete()
        return None, True
    if existing is not None and (existing.target, existing.rate, existing.note) == (target, rate, note):
        return existing, False
    quota = existing or Quota(
        organization=org, first_year=period.first_year, last_year=period.last_year, category=category
    )
    quota.target, quota.rate, quota.note = target, rate, note
    quota.full_clean()
    attribute(quota, acting_user)
    quota.save()
    return quota, True


@transaction.atomic
def quota_set(
    *,
    org: Organization,
    period: Period,
    category: str = "",
    target: int | None = None,
    rate: Decimal | None = None,
    note: str = "",
    acting_user: User | None = None,
) -> Quota | None:
    """Create or replace the quota of org for the period and category; no target and no rate deletes it."""
    quota, _changed = _write_quota(
        org=org, period=period, category=category, target=target, rate=rate, note=note, acting_user=acting_user
    )
    return quota


@transaction.atomic
def membership_set(
    *, org: Organization, year: int, members: int | None, acting_user: User | None = None
) -> MembershipCount | None:
    """Create or replace the number of party members of org on 31 December of year; None deletes it."""
    count, _changed = _write_membership(org=org, year=year, members=members, acting_user=acting_user)
    return count


def _write_membership(
    *, org: Organization, year: int, members: int | None, acting_user: User | None
) -> tuple[MembershipCount | None, bool]:
    existing = MembershipCount.objects.select_for_update().filter(organization=org, year=year).first()
    if members is None:
        if existing is None:
            return None, False
        attribute(existing, acting_user)
        existing.delete()
        return None, True
    if existing is not None and existing.members == members:
        return existing, False
    count = existing or MembershipCount(organization=org, year=year)
    count.members = members
    count.full_clean()
    attribute(count, acting_user)
    count.save()
    return count, True


@dataclass(frozen=True)
class QuotaChange:
    """One quota on a quota page: of `org`, counting `category`; no target and no rate deletes it."""

    org: Organization
    category: str = ""
    target: int | None = None
    rate: Decimal | None = None
    note: str = ""

    @property
    def key(self) -> str:
        """How errors name this change: "<org code>:<category>"."""
        return f"{self.org.code}:{self.category}"


def _check_family(parent: Organization, orgs: Iterable[Organization]) -> None:
    # A page edits an organization and its direct children, nothing else.
    for org in orgs:
        is_child = org.path.startswith(parent.path) and org.depth == parent.depth + 1
        if org.pk != parent.pk and not is_child:
            raise ValidationError(
                _("%(code)s is not directly under %(parent)s.") % {"code": org.code, "parent": parent.code}
            )


def _collect(errors: dict[str, list[str]], key: str, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            errors.setdefault(f"{key}:{field}", []).extend(messages)
    else:
        errors.setdefault(f"{key}:__all__", []).extend(exc.messages)


@transaction.atomic
def quotas_save(*, parent: Organization, period: Period, rows: Iterable[QuotaChange], acting_user: User | None) -> int:
    """Write the quotas of a quota page (parent and its direct children) all at once; the number changed.

    If any row is invalid nothing is saved, and the ValidationError maps "<code>:<category>:<field>"
    to the messages of that row.
    """
    rows = list(rows)
    _check_family(parent, (row.org for row in rows))
    errors: dict[str, list[str]] = {}
    changed = 0
    for row in rows:
        try:
            with transaction.atomic():
                _quota, did = _write_quota(
                    org=row.org,
                    period=period,
                    category=row.category,
                    target=row.target,
                    rate=row.rate,
                    note=row.note,
                    acting_user=acting_user,
                )
        except ValidationError as exc:
            _collect(errors, row.key, exc)
        else:
            changed += did
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def memberships_save(
    *,
    parent: Organization,
    year: int,
    rows: Iterable[tuple[Organization, int | None]],
    acting_user: User | None,
) -> int:
    """Write the membership counts of a page (parent and its direct children) at once; the number changed.

    If any row is invalid nothing is saved, and the ValidationError maps "<code>:<field>" to its messages.
    """
    rows = list(rows)
    _check_family(parent, (org for org, _members in rows))
    errors: dict[str, list[str]] = {}
    changed = 0
    for org, members in rows:
        try:
            with transaction.atomic():
                _count, did = _write_membership(org=org, year=year, members=members, acting_user=acting_user)
        except ValidationError as exc:
            _collect(errors, org.code, exc)
        else:
            changed += did
    if errors:
        raise ValidationError(errors)
    return changed
