"""The server-error page, and the one case it is not a server error: the database is down.

While PostgreSQL restarts (a few seconds to a minute), every request fails on its first query. That
is not a fault of the page the user asked for: they get a 503 with Retry-After, in Vietnamese first,
saying to try again in a moment, and the app recovers by itself when the database answers
(persistent connections are health-checked, settings.DATABASES' conn_health_checks). Everything else
stays a 500 and is logged as one.

Both pages are static templates rendered without a request, so that neither needs the database.
"""

from __future__ import annotations

import sys

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 10


def database_unavailable(error: BaseException | None) -> bool:
    """The error says the database cannot be reached or is busy, not that a query was wrong.

    A dropped or refused connection (InterfaceError, or an OperationalError that leaves no usable
    connection), or SQLite's lock held past its timeout. A missing table is an OperationalError too,
    on a connection that still works: that is a fault to fix (a migration not run), a 500.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    if "is locked" in str(error).lower():
        return True
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.connection is None:
        return True
    try:
        return not connection.is_usable()
    except Exception:
        return True


def _chain(error: BaseException | None) -> list[BaseException]:
    """The error and those it was raised while handling: a failed query is often the context of a
    later error (the session middleware reading a session that could not be loaded)."""
    seen: list[BaseException] = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the exception is being handled (sys.exc_info() holds it)."""
    if any(database_unavailable(error) for error in _chain(sys.exc_info()[1])):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
