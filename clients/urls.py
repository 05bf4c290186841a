from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_index, name="index"),
    path("<int:pk>/", views.client_detail, name="detail"),
]
