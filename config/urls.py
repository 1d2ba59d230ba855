from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("reports.urls")),
    path("", include("recruitment.urls")),
    path("org/", include("organizations.urls")),
    path("quotas/", include("reports.quota_urls")),
    path("imports/", include("recruitment.import_urls")),
    path("accounts/", include("organizations.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
