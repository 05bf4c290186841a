"""URL patterns of the monitoring app's evaluation screens (評価表; included by monitoring/urls.py)."""

from django.urls import path

from monitoring.views import evaluation

urlpatterns: list = [
    path(
        "clients/<int:client_pk>/evaluations/",
        evaluation.evaluation_list,
        name="evaluation_list",
    ),
    path(
        "clients/<int:client_pk>/evaluations/new/",
        evaluation.evaluation_new,
        name="evaluation_new",
    ),
    path("evaluations/<int:pk>/", evaluation.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/edit/", evaluation.evaluation_edit, name="evaluation_edit"),
    path("evaluations/<int:pk>/print/", evaluation.evaluation_print, name="evaluation_print"),
    path(
        "goals/<int:goal_pk>/history/",
        evaluation.evaluation_goal_history,
        name="evaluation_goal_history",
    ),
]
