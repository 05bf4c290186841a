"""Shared helpers of the care-plan views: visible lookups, access log, form errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caremgmt.access import get_visible_or_404
from caremgmt.audit import record_access
from careplans.models import (
    CarePlan,
)
from clients.models import Client

PLAN_RELATED = ("client", "client__office", "client__care_manager", "author", "assessment")


PLAN_RELATED = ("client", "client__office", "client__care_manager", "author", "assessment")


def visible_client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related("care_manager", "office"), request.actor, pk=pk
    )


def visible_plan(request: HttpRequest, pk: int) -> CarePlan:
    return get_visible_or_404(
        CarePlan.objects.select_related(*PLAN_RELATED, "certification"), request.actor, pk=pk
    )


def log_access(request: HttpRequest, subject_type: str, subject_id: int, client_id: int) -> None:
    record_access(request, subject_type=subject_type, subject_id=subject_id, client_id=client_id)


def add_service_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def render_form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "careplans/form.html", context)
