"""Sign-in with an optional second step (a TOTP code), and enrolling a TOTP device.

Wrong codes count as failed sign-ins for django-axes (the same username-and-address lockout as wrong passwords),
on top of django-otp's own throttling of the device (each wrong code doubles the wait before the next try).
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations.forms import LoginForm, TwoFactorCodeForm, TwoFactorEnrolForm
from organizations.two_factor import CODE, PENDING_KEY, STATE_KEY, confirmed_device, is_verified, owed

PENDING_SECONDS = 5 * 60  # time to type the code after the password


class SignInView(LoginView):
    """Django's sign-in, except that a user with a device is only pending until the code is given."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if confirmed_device(user) is None:
            self.request.session.pop(PENDING_KEY, None)  # someone else's half-done sign-in on this browser
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": int(time.time()),
        }
        return redirect("login_code")


def _failed(request: HttpRequest, username: str) -> HttpResponseBase | None:
    """Counts a failed sign-in for this username from this address; the lockout page if that was one too many."""
    credentials = {"username": username}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        return get_lockout_response(request, None, credentials)
    return None


def _locked(request: HttpRequest, username: str) -> HttpResponseBase | None:
    credentials = {"username": username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return get_lockout_response(request, None, credentials)
    return None


def _throttled(device: TOTPDevice) -> bool:
    allowed, _data = device.verify_is_allowed()
    return not allowed


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponseBase:
    """The second step: the code from the user's authenticator app."""
    pending = request.session.get(PENDING_KEY)
    if request.user.is_authenticated:
        # Signed in some other way (the Django admin's page) while owing a code.
        if is_verified(request) or request.session.get(STATE_KEY) != CODE:
            return redirect("home")
        user: Any = request.user
        next_url, backend = reverse("home"), None
    elif pending and time.time() - pending["since"] <= PENDING_SECONDS:
        user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        next_url, backend = pending["next"], pending["backend"]
    else:
        user = None
    device = confirmed_device(user) if user is not None else None
    if device is None and request.user.is_authenticated:
        # Signed in while owing a code, and the device has gone since (a lost phone's, deleted by a superuser):
        # what the session owes is worked out again (enrolment, where it is required; else nothing), so the
        # sign-in page, which sends a signed-in user on, does not send them back here for ever.
        request.session[STATE_KEY] = owed(request.user)
        return redirect("home")
    if device is None:
        request.session.pop(PENDING_KEY, None)
        if pending:
            messages.warning(request, _("The time to enter the code ran out. Sign in again."))
        return redirect("login")

    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        lockout = _locked(request, username)
        if lockout is not None:
            return lockout
        if device.verify_token(form.cleaned_data["code"]):
            if backend is not None:
                request.session.pop(PENDING_KEY, None)
                login(request, user, backend=backend)
            otp_login(request, device)
            return redirect(next_url)
        lockout = _failed(request, username)
        if lockout is not None:
            return lockout
        if _throttled(device):
            form.add_error("code", _("Wrong code. Too many wrong codes in a row: wait a little before the next try."))
        else:
            form.add_error("code", _("Wrong code. Enter the code that the app shows now."))
    return render(request, "registration/login_code.html", {"form": form})


@sensitive_post_parameters("password", "code")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Turning on two-factor sign-in: scan the QR code (or type the key), then confirm with a code."""
    user: Any = request.user
    if confirmed_device(user) is not None:
        return render(request, "registration/two_factor.html", {"enabled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)

    form = TwoFactorEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        lockout = _locked(request, username)
        if lockout is not None:
            return lockout
        if not user.check_password(form.cleaned_data["password"]):
            lockout = _failed(request, username)
            if lockout is not None:
                return lockout
            form.add_error("password", _("Wrong password."))
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            request.session[STATE_KEY] = CODE
            messages.success(request, _("Two-factor sign-in is on: from now on, signing in asks for a code."))
            return redirect("home")
        else:
            form.add_error("code", _("Wrong code. Enter the code that the app shows now."))

    uri = device.config_url
    context = {
        "enabled": False,
        "form": form,
        "uri": uri,
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "registration/two_factor.html", context)
