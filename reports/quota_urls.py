from django.urls import include, path

from reports import congress_views, quota_views, report_views

app_name = "quotas"

quota_urls = [
    path("", quota_views.detail, name="detail"),
    path("members/", quota_views.members, name="members"),
    path("congresses/", congress_views.congresses, name="congresses"),
    path("congresses/<int:pk>/remove/", congress_views.congress_remove, name="congress_remove"),
    path("reports/", report_views.page, name="reports"),
    path("reports/statistics.xlsx", report_views.statistics_download, name="statistics_xlsx"),
    path("reports/report.docx", report_views.report_download, name="report_docx"),
    path("reports/<str:kind>.xlsx", report_views.register_download, name="register_xlsx"),
    path("reports/<str:kind>/print/", report_views.register_print, name="register_print"),
]

urlpatterns = [
    path("<str:code>/", include(quota_urls)),
]
