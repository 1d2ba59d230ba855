from django.urls import include, path

from recruitment import correction_views, search_views, transfer_views, views

app_name = "recruitment"

candidate_urls = [
    path("", views.candidate_detail, name="detail"),
    path("edit/", views.candidate_edit, name="edit"),
    path("step/<str:step>/", views.candidate_step, name="step"),
    path("introducers/add/", views.introducer_add, name="introducer_add"),
    path("introducers/<int:introducer_pk>/edit/", views.introducer_edit, name="introducer_edit"),
    path("introducers/<int:introducer_pk>/delete/", views.introducer_delete, name="introducer_delete"),
    path("warnings/<int:warning_pk>/resolve/", views.warning_resolve, name="warning_resolve"),
    path("transfer/", transfer_views.transfer_send, name="transfer_send"),
    path("transfers/<int:transfer_pk>/cancel/", transfer_views.transfer_cancel, name="transfer_cancel"),
    path("events/<int:event_pk>/correct/", correction_views.step_correct, name="step_correct"),
    path("events/<int:event_pk>/undo/", correction_views.step_undo, name="step_undo"),
]

urlpatterns = [
    path("candidates/", views.candidate_list, name="list"),
    path("candidates/export.xlsx", views.candidate_export, name="export"),
    path("candidates/new/", search_views.candidate_new, name="new"),
    path("candidates/units/", search_views.unit_picker, name="units"),
    path("search/", search_views.search, name="search"),
    path("candidates/<int:pk>/", include(candidate_urls)),
    path("org/<str:code>/candidates/new/", views.candidate_create, name="create"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("transfers/", transfer_views.transfer_inbox, name="transfers"),
    path("transfers/<int:pk>/register/", transfer_views.transfer_register, name="transfer_register"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export.csv", views.access_log_export, {"fmt": "csv"}, name="access_log_csv"),
    path("access-log/export.xlsx", views.access_log_export, {"fmt": "xlsx"}, name="access_log_xlsx"),
]
