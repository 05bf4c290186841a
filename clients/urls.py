from django.urls import path

from clients import views
from clients.views import coverage as views_coverage

app_name = "clients"
urlpatterns = [
    path("", views.client_index, name="index"),
    path("intake/", views.client_intake, name="intake"),
    path("expiring/", views.expiring, name="expiring"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/tabs/<slug:tab>/", views.client_tab, name="tab"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/contract/", views.client_contract, name="contract"),
    path("<int:pk>/status/", views.client_status, name="status"),
    path("<int:pk>/certifications/new/", views.certification_add, name="certification_add"),
    path(
        "<int:pk>/certifications/<int:certification_pk>/correct/",
        views.certification_correct,
        name="certification_correct",
    ),
    path("<int:pk>/burden-ratios/new/", views.burden_add, name="burden_add"),
    path(
        "<int:pk>/burden-ratios/<int:burden_pk>/correct/",
        views.burden_correct,
        name="burden_correct",
    ),
    path("<int:pk>/filings/new/", views.filing_add, name="filing_add"),
    path(
        "<int:pk>/public-expenses/new/",
        views_coverage.public_expense_add,
        name="public_expense_add",
    ),
    path(
        "<int:pk>/public-expenses/<int:public_expense_pk>/correct/",
        views_coverage.public_expense_correct,
        name="public_expense_correct",
    ),
    path("<int:pk>/restrictions/new/", views_coverage.restriction_add, name="restriction_add"),
    path(
        "<int:pk>/restrictions/<int:restriction_pk>/correct/",
        views_coverage.restriction_correct,
        name="restriction_correct",
    ),
    path("<int:pk>/applications/new/", views.application_add, name="application_add"),
    path(
        "<int:pk>/applications/<int:application_pk>/",
        views.application_edit,
        name="application_edit",
    ),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("providers/", views.provider_index, name="providers"),
    path("providers/new/", views.provider_edit, name="provider_add"),
    path("providers/<int:pk>/", views.provider_edit, name="provider_edit"),
    path(
        "providers/<int:pk>/regional-grades/",
        views_coverage.provider_regional_grades,
        name="provider_regional_grades",
    ),
    path("doctors/", views.doctor_index, name="doctors"),
    path("doctors/new/", views.doctor_edit, name="doctor_add"),
    path("doctors/<int:pk>/", views.doctor_edit, name="doctor_edit"),
    path("resources/", views.resource_index, name="resources"),
    path("resources/new/", views.resource_edit, name="resource_add"),
    path("resources/<int:pk>/", views.resource_edit, name="resource_edit"),
]
