from django.urls import include, path

from reports import congress_views, quota_views

app_name = "quotas"

quota_urls = [
    path("", quota_views.detail, name="detail"),
    path("members/", quota_views.members, name="members"),
    path("congresses/", congress_views.congresses, name="congresses"),
    path("congresses/<int:pk>/remove/", congress_views.congress_remove, name="congress_remove"),
]

urlpatterns = [
    path("<str:code>/", include(quota_urls)),
]
