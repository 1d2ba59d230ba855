from django.urls import include, path

from reports import quota_views

app_name = "quotas"

quota_urls = [
    path("", quota_views.detail, name="detail"),
    path("members/", quota_views.members, name="members"),
]

urlpatterns = [
    path("<str:code>/", include(quota_urls)),
]
