"""URL patterns of the monitoring app's hospital screens (included by monitoring/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
