from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from organizations import access


def scope(request: HttpRequest) -> dict[str, Any]:
    """The user's scope for the header, read only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope_roots": SimpleLazyObject(lambda: access.scope_roots(user))}
