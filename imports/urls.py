from django.urls import include, path

from imports import views

app_name = "imports"

run_urls = [
    path("", views.detail, name="detail"),
    path("progress/", views.progress, name="progress"),
    path("confirm/", views.confirm, name="confirm"),
    path("retry/", views.retry, name="retry"),
    path("failed.xlsx", views.failed_rows, name="failed"),
]

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.xlsx", views.template_download, name="template"),
    path("<int:pk>/", include(run_urls)),
]
