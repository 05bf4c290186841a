"""URL patterns of the monitoring app's support_log screens (included by monitoring/urls.py)."""

from django.urls import path

from monitoring.views.support_log import support_log, support_log_correct, support_log_print

urlpatterns: list = [
    path("clients/<int:client_pk>/log/", support_log, name="support_log"),
    path("clients/<int:client_pk>/log/print/", support_log_print, name="support_log_print"),
    path("log/<int:pk>/correct/", support_log_correct, name="support_log_correct"),
]
