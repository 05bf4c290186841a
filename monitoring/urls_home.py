"""The home page (the work queue), outside the monitoring namespace: `dashboard`."""

from django.urls import path

from monitoring.views.worklist import dashboard

urlpatterns = [path("", dashboard, name="dashboard")]
