"""URL patterns of the monthly monitoring records (included by monitoring/urls.py)."""

from django.urls import path

from monitoring.views import records, records_extra

urlpatterns: list = [
    path("", records.month_index, name="index"),
    path("clients/<int:client_pk>/records/", records.client_records, name="client_records"),
    path("clients/<int:client_pk>/records/new/", records.record_new, name="record_new"),
    path("records/<int:pk>/", records.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", records.record_edit, name="record_edit"),
    path("records/<int:pk>/review/", records.record_review, name="record_review"),
    path(
        "clients/<int:client_pk>/video-consent/",
        records_extra.video_consent,
        name="video_consent",
    ),
    path(
        "video-consents/<int:pk>/edit/",
        records_extra.video_consent_edit,
        name="video_consent_edit",
    ),
    path(
        "clients/<int:client_pk>/reports/upload/",
        records_extra.report_upload,
        name="report_upload",
    ),
    path("reports/<int:pk>/", records_extra.report_download, name="report_download"),
    path("reports/<int:pk>/delete/", records_extra.report_delete, name="report_delete"),
]
