"""URL patterns of the work queue and the month's monitoring list."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
