"""Template filters of people's personal data; the rules live in recruitment.access."""

from __future__ import annotations

from typing import Any

from django import template

from recruitment.access import shown_national_id
from recruitment.models import Candidate

register = template.Library()


@register.filter
def national_id_for(candidate: Candidate, user: Any) -> str:
    """{{ c|national_id_for:request.user }}: the citizen ID whole, or its last four digits for a viewer."""
    return shown_national_id(user, candidate)
