from django.urls import path

from careplans import views
from careplans.views import monthly

app_name = "careplans"
urlpatterns = [
    path("", views.plan_index, name="index"),
    path("clients/<int:client_pk>/", views.client_workflow, name="client"),
    path("clients/<int:client_pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("clients/<int:client_pk>/plans/new/", views.plan_new, name="plan_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/needs/new/", views.need_edit, name="need_add"),
    path("plans/<int:pk>/needs/<int:need_pk>/", views.need_edit, name="need_edit"),
    path("needs/<int:need_pk>/goals/new/", views.goal_edit, name="goal_add"),
    path("needs/<int:need_pk>/goals/<int:goal_pk>/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_pk>/items/new/", views.support_item_edit, name="item_add"),
    path("goals/<int:goal_pk>/items/<int:item_pk>/", views.support_item_edit, name="item_edit"),
    path("plans/<int:pk>/item-providers/", views.item_providers, name="item_providers"),
    path("plans/<int:pk>/weekly/new/", views.weekly_edit, name="weekly_add"),
    path("plans/<int:pk>/weekly/<int:weekly_pk>/", views.weekly_edit, name="weekly_edit"),
    path("plans/<int:pk>/activities/new/", views.activity_edit, name="activity_add"),
    path("plans/<int:pk>/activities/<int:activity_pk>/", views.activity_edit, name="activity_edit"),
    path("plans/<int:pk>/monthly/<slug:kind>/new/", monthly.monthly_edit, name="monthly_add"),
    path("plans/<int:pk>/monthly/<int:monthly_pk>/", monthly.monthly_edit, name="monthly_edit"),
    path(
        "plans/<int:pk>/monthly/<int:monthly_pk>/delete/",
        monthly.monthly_delete,
        name="monthly_delete",
    ),
    path(
        "plans/<int:pk>/rows/<slug:kind>/<int:row_pk>/delete/",
        views.row_delete,
        name="row_delete",
    ),
    path("plans/<int:plan_pk>/meetings/new/", views.meeting_edit, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_edit, name="meeting"),
    path("plans/<int:pk>/no-meeting/", views.no_meeting, name="no_meeting"),
    path("plans/<int:pk>/confirm/", views.plan_confirm, name="confirm"),
    path("plans/<int:pk>/revise/", views.plan_revise, name="revise"),
    path("plans/<int:pk>/print/<str:table>/", views.plan_print, name="print"),
    path("plans/<int:pk>/minor-changes/new/", views.minor_change, name="minor_change"),
    path("plans/<int:pk>/exchange/", views.plan_export, name="export"),
    path("clients/<int:client_pk>/plans/import/", views.plan_import, name="import"),
]
