"""The one gate to candidates: outside the user's scope a candidate is not found (404); a viewer cannot write (403)."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, F, Q, Value
from django.db.models.expressions import Case, Combinable, When
from django.db.models.functions import Concat, Right
from django.http import Http404

from organizations import access
from organizations.access import AnyUser
from organizations.models import CELL_KINDS, ROLE_RANK, Organization, Role
from organizations.text import fold
from recruitment.models import Candidate, CandidateQuerySet, CandidateWarning

# A citizen ID as a viewer sees it: its last four digits, the others hidden.
MASK = "\u2022"
SHOWN_DIGITS = 4


def visible_candidates(user: AnyUser) -> CandidateQuerySet:
    return Candidate.objects.filter(access.scope_q(user, prefix="organization__"))


def get_candidate_for_user(user: AnyUser, pk: int, *, write: bool = False) -> Candidate:
    candidate = Candidate.objects.select_related("organization").filter(pk=pk).first()
    if candidate is None:
        raise Http404
    if not access.can_read(user, candidate.organization):
        raise Http404
    if write and not access.can_write(user, candidate.organization):
        raise PermissionDenied(access.read_only_message())
    return candidate


def get_warning_for_user(user: AnyUser, candidate: Candidate, pk: int) -> CandidateWarning:
    """A warning of a candidate the caller already reached through get_candidate_for_user."""
    warning = CandidateWarning.objects.filter(pk=pk, candidate=candidate).first()
    if warning is None:
        raise Http404
    return warning


# ---------------------------------------------------------------------------------------------
# Citizen IDs: whole for staff and administrators of the person's unit (their scope covers the
# person's cell), the last four digits for a viewer. can_see_national_id decides for pages (the
# template filter national_id_for), national_id_expression for querysets (exports); both say
# "staff or stronger on the person's cell", from the same grants.


def can_see_national_id(user: AnyUser, org: Organization) -> bool:
    """Whether the user sees the whole citizen IDs of the people of org (a cell)."""
    return access.can_write(user, org)


def masked_national_id(value: str) -> str:
    """A citizen ID with all but its last four digits hidden: ••••••••1234."""
    return MASK * max(len(value) - SHOWN_DIGITS, 0) + value[-SHOWN_DIGITS:]


def shown_national_id(user: AnyUser, candidate: Candidate) -> str:
    """The candidate's citizen ID as this user may see it."""
    if can_see_national_id(user, candidate.organization):
        return candidate.national_id
    return masked_national_id(candidate.national_id)


def scope_q_with_role(user: AnyUser, role: Role, *, prefix: str = "") -> Q:
    """Like organizations.access.scope_q, for the subtrees where the user holds role or a stronger one."""
    if access.is_global(user):
        return Q()
    paths: list[str] = []
    for grant in access.grants(user):  # sorted by path: an ancestor before its descendants
        if ROLE_RANK[grant.role] >= ROLE_RANK[role] and not any(grant.path.startswith(p) for p in paths):
            paths.append(grant.path)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def whole_national_id_q(user: AnyUser) -> Q | None:
    """Candidates whose whole citizen ID the user sees (can_see_national_id as a filter); None for none."""
    if access.is_global(user):
        return Q()
    q = scope_q_with_role(user, Role.STAFF, prefix="organization__")
    return None if q == Q(pk__in=[]) else q


def national_id_expression(user: AnyUser) -> Combinable:
    """The citizen ID column as the user may see it, for a queryset of candidates (one SQL expression)."""
    masked = Concat(Value(MASK * (12 - SHOWN_DIGITS)), Right("national_id", SHOWN_DIGITS), output_field=CharField())
    whole = whole_national_id_q(user)
    if whole is None:
        return masked
    if whole == Q():
        return F("national_id")
    return Case(When(whole, then=F("national_id")), default=masked, output_field=CharField())


# Phone numbers (issue 17) follow the citizen ID's rule: whole for staff and administrators of the person's unit
# (can_see_national_id), who call the person; a viewer sees only that one is on record and its last digits.
PHONE_SHOWN_DIGITS = 3
PHONE_MASK = MASK * 7  # as many whatever the number's length: the mask tells nothing of it


def masked_phone(value: str) -> str:
    """A phone number with its beginning hidden: •••••••678; blank stays blank (not stated)."""
    if not value:
        return ""
    return PHONE_MASK + value[-PHONE_SHOWN_DIGITS:]


def shown_phone(user: AnyUser, candidate: Candidate) -> str:
    """The candidate's phone number as this user may see it (blank when not stated)."""
    if can_see_national_id(user, candidate.organization):
        return candidate.phone
    return masked_phone(candidate.phone)


def phone_expression(user: AnyUser) -> Combinable:
    """The phone column as the user may see it, for a queryset of candidates (one SQL expression): whole where
    the user sees the citizen ID whole, else seven bullets and the last three characters; blank stays blank."""
    masked = Case(
        When(phone="", then=Value("")),
        default=Concat(Value(PHONE_MASK), Right("phone", PHONE_SHOWN_DIGITS), output_field=CharField()),
        output_field=CharField(),
    )
    whole = whole_national_id_q(user)
    if whole is None:
        return masked
    if whole == Q():
        return F("phone")
    return Case(When(whole, then=F("phone")), default=masked, output_field=CharField())


_DIGITS = re.compile(r"[0-9]")


def split_search(term: str) -> tuple[str, str]:
    """A search as (the name to look for, folded; the digits of a citizen ID). Every digit typed, wherever it
    stands (between letters, after a combining accent), is part of the number and goes through
    national_id_search_q; the name never reaches the digits (the search key ends with the whole ID)."""
    folded = fold(term)
    digits = "".join(_DIGITS.findall(folded))
    name = " ".join(_DIGITS.sub(" ", folded).split())
    return name, digits


def national_id_search_q(user: AnyUser, digits: str) -> Q:
    """A search by citizen ID. The whole number finds the person anywhere in the user's scope: a viewer who
    types it knows it already, and the result shows it masked all the same. Its beginning finds only the
    people whose whole ID the user sees: else a viewer could uncover the hidden digits one by one."""
    exact = Q(national_id=digits)
    whole = whole_national_id_q(user)
    if whole is None:
        return exact
    return exact | (Q(national_id__startswith=digits) & whole)


def addable_cells_q(user: AnyUser) -> Q:
    """The organizations where the user may put people on the source list: the active party cells (chi bộ, chi
    bộ cơ sở) of the subtrees where they hold the staff role or a stronger one (what candidate_create accepts)."""
    return scope_q_with_role(user, Role.STAFF) & Q(kind__in=CELL_KINDS, is_active=True)


def can_add_people(user: AnyUser) -> bool:
    """Whether the user writes anywhere (staff or admin somewhere, or a superuser): read from the grants the
    request holds already, so asking costs no query."""
    return scope_q_with_role(user, Role.STAFF) != Q(pk__in=[])
