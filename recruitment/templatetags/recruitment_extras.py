"""Template filters of people's personal data; the rules live in recruitment.access."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from recruitment.access import shown_national_id, shown_phone
from recruitment.models import Candidate
from recruitment.particulars import NO_RELIGION

register = template.Library()


@register.filter
def national_id_for(candidate: Candidate, user: Any) -> str:
    """{{ c|national_id_for:request.user }}: the citizen ID whole, or its last four digits for a viewer."""
    return shown_national_id(user, candidate)


@register.filter
def phone_for(candidate: Candidate, user: Any) -> str:
    """{{ c|phone_for:request.user }}: the phone number whole, or its last three digits for a viewer; blank when
    not stated (recruitment.access: the citizen ID's rule)."""
    return shown_phone(user, candidate)


@register.filter
def stated(value: str) -> str:
    """{{ c.ethnicity|stated }}: the answer, or "not stated" for a blank (recruitment.particulars)."""
    return value or str(_("Not stated"))


@register.filter
def religion_text(value: str) -> str:
    """{{ c.religion|religion_text }}: the religion, "no religion", or "not stated" for a blank."""
    if value == NO_RELIGION:
        return str(_("No religion"))
    return stated(value)
