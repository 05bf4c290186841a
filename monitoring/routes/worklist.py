"""URL patterns of the work queue: notices and the staff member's notification settings.
(The queue itself is the home page `dashboard`, monitoring/urls_home.py.)"""

from django.urls import path

from monitoring.views.worklist import notice_read, notification_settings

urlpatterns: list = [
    path("notices/<int:pk>/read/", notice_read, name="notice_read"),
    path("settings/notifications/", notification_settings, name="notification_settings"),
]
