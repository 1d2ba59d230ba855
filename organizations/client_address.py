"""The address a request came from, read behind a known number of trusted reverse proxies.

Sign-in lockouts count failures per username *and* client address (django-axes calls `client_ip`). Behind nginx
every connection comes from the proxy, so REMOTE_ADDR alone would give every client the same address. Each proxy
appends the address it received the connection from to X-Forwarded-For (nginx: `$proxy_add_x_forwarded_for`), so
with N trusted proxies the N-th entry from the right was written by the outermost of them and is the client's;
anything further left came from the client itself and may be forged, so it is never read.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR with no trusted proxy, else the entry the outermost proxy wrote."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXIES
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request did not come through all of them, so none of the entries is
        # known to be a proxy's; the connection's own address is the only one not chosen by the client.
        return remote
    return _address(forwarded[-count]) or remote
