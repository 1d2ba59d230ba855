from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from recruitment import audit, selectors


def deadlines(request: HttpRequest) -> dict[str, Any]:
    """The navigation's count of what is due, computed (one query) only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_due": SimpleLazyObject(lambda: selectors.nav_due_count(user, timezone.localdate())),
        # The personal data access log's link, for administrators (their grants are read once per request).
        "nav_access_log": SimpleLazyObject(lambda: audit.can_read_log(user)),
    }
