from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page names: send them to the static icon."""
    return redirect(static("favicon.svg"), permanent=True)


# A database outage answers 503 with Retry-After, not 500 (config/errors.py).
handler500 = "config.errors.server_error"

urlpatterns = [
    path("", include("reports.urls")),
    path("", include("recruitment.urls")),
    path("", include("reports.documents.urls")),
    path("org/", include("organizations.urls")),
    path("quotas/", include("reports.quota_urls")),
    path("imports/", include("imports.urls")),
    path("accounts/", include("organizations.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]
