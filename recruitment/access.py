"""The one gate to candidates: outside the user's scope a candidate is not found (404); a viewer cannot write (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from organizations import access
from organizations.access import AnyUser
from recruitment.models import Candidate, CandidateQuerySet, CandidateWarning


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
