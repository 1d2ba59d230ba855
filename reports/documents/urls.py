from django.urls import path

from reports.documents import views

app_name = "documents"

urlpatterns = [
    path("candidates/<int:pk>/documents/<slug:key>.docx", views.person_document, name="person"),
]
