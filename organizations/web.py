"""Helpers that the views of every app share (the acting user, a service's errors on a form)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind @login_required (never anonymous there)."""
    assert isinstance(request.user, User)
    return request.user


def add_errors(form: object, exc: ValidationError) -> None:
    """A service's validation errors on the form: on the matching field when there is one, else on the form."""
    for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        target = field if field in form.fields else None  # type: ignore[attr-defined]
        for error in errors:
            form.add_error(target, error)  # type: ignore[attr-defined]
