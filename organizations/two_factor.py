"""Two-factor sign-in (TOTP, django-otp): who must give a code, and the middleware that holds them to it.

A user with a confirmed TOTP device gives a code after the password before the session is theirs (the sign-in
view keeps them pending until then). With OTP_REQUIRED_FOR_ADMINS, users holding the admin role anywhere and
superusers who have no device yet are sent to enrol one before any other page. What a session still owes is
worked out once, when it signs in (whatever the way in: the sign-in page, the Django admin's, a test's
force_login), and kept in the session, so the pages pay no query for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations.models import Membership, Role

STATE_KEY = "two_factor"  # what the signed-in session owes: CODE, ENROL or nothing
PENDING_KEY = "two_factor_pending"  # the user whose password was right, waiting for the code
CODE = "code"
ENROL = "enrol"


def confirmed_device(user: AbstractBaseUser | AnonymousUser) -> TOTPDevice | None:
    if user.pk is None:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def is_verified(request: HttpRequest) -> bool:
    """Whether this session gave a code (django-otp's middleware puts the device that verified it on the user)."""
    return getattr(request.user, "otp_device", None) is not None


def is_required(user: Any) -> bool:
    """Whether the user must use two-factor sign-in: admins and superusers, when the setting asks for it."""
    if not settings.OTP_REQUIRED_FOR_ADMINS:
        return False
    return bool(user.is_superuser) or Membership.objects.filter(user_id=user.pk, role=Role.ADMIN).exists()


def owed(user: Any) -> str:
    if confirmed_device(user) is not None:
        return CODE
    return ENROL if is_required(user) else ""


@receiver(user_logged_in, dispatch_uid="organizations.two_factor.remember_what_is_owed")
def remember_what_is_owed(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = owed(user)


class TwoFactorMiddleware:
    """Sends a signed-in session that owes a code to the code page, and one that owes a device to enrolment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = request.session.get(STATE_KEY)
        if state in (CODE, ENROL) and request.user.is_authenticated and not is_verified(request):
            target = reverse("login_code" if state == CODE else "two_factor")
            allowed = {target, reverse("logout"), reverse("set_language")}
            if request.path not in allowed:
                return redirect(target)
        return self.get_response(request)
