from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from recruitment import selectors


def deadlines(request: HttpRequest) -> dict[str, Any]:
    """The deadline counts for the navigation, computed (one query) only if a template shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"deadline_counts": SimpleLazyObject(lambda: selectors.deadline_counts(user, timezone.localdate()))}
