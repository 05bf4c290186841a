"""URL patterns of the monitoring app's hospital screens (included by monitoring/urls.py)."""

from django.urls import path

from monitoring.views import hospital as views
from monitoring.views import hospital_corrections as corrections

urlpatterns: list = [
    path("clients/<int:client_pk>/hospital/", views.hospital_page, name="hospital"),
    path(
        "clients/<int:client_pk>/hospital/admission/new/",
        views.admission_new,
        name="admission_new",
    ),
    path("clients/<int:client_pk>/outpatient/new/", views.outpatient_new, name="outpatient_new"),
    path("stays/<int:pk>/edit/", views.stay_edit, name="stay_edit"),
    path("stays/<int:pk>/discharge/", views.discharge, name="discharge"),
    path("stays/<int:pk>/sheet/", views.admission_sheet, name="admission_sheet"),
    path(
        "stays/<int:pk>/sheet/provided/",
        views.admission_sheet_provided,
        name="admission_sheet_provided",
    ),
    path("stays/<int:pk>/sheet/print/", views.admission_sheet_print, name="admission_sheet_print"),
    path("stays/<int:pk>/conference/new/", views.conference_new, name="conference_new"),
    path("conferences/<int:pk>/edit/", corrections.conference_edit, name="conference_edit"),
    path("conferences/<int:pk>/delete/", corrections.conference_delete, name="conference_delete"),
    path("outpatient/<int:pk>/edit/", corrections.outpatient_edit, name="outpatient_edit"),
    path("outpatient/<int:pk>/delete/", corrections.outpatient_delete, name="outpatient_delete"),
]
