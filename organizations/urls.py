from django.urls import include, path

from organizations import views

app_name = "organizations"

organization_urls = [
    path("", views.detail, name="detail"),
    path("children/", views.children, name="children"),
    path("new/", views.create, name="create"),
    path("edit/", views.edit, name="edit"),
    path("move/", views.move, name="move"),
    path("dissolve/", views.dissolve, name="dissolve"),
]

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<str:code>/", include(organization_urls)),
]
