from django.urls import path

from reports import views

urlpatterns = [
    path("", views.home, name="home"),
    path("report.xlsx", views.export_xlsx, name="report-xlsx"),
    path("report.csv", views.export_csv, name="report-csv"),
]
