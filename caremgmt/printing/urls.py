from django.urls import path

from caremgmt.printing import views

app_name = "printing"
urlpatterns = [
    path("jobs/<int:pk>/", views.print_job_status, name="status"),
    path("jobs/<int:pk>/download/", views.print_job_download, name="download"),
    path("jobs/<int:pk>/retry/", views.print_job_retry, name="retry"),
]
