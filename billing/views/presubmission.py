"""The pre-submission check page (返戻予防) of an office-month and acknowledging a warning.

* `billing:presubmission` (GET `?month=YYYY-MM`, default the previous month): 管理者・事務・
  監査 see the office; a care manager sees the problems of their own caseload. One SEARCH
  access-log row (a list of clients).
* `billing:presubmission_ack` (POST): record that a warning was checked (writers; the ticket
  must be visible); blocking problems cannot be acknowledged.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.models import ServiceTicket
from billing.presubmission import acknowledge_problem, check_month
from billing.selectors import ticket_for
from billing.tickets.month import add_months, first_of_month, parse_month
from caremgmt.access import visible
from caremgmt.audit import record_search


def _month(request: HttpRequest) -> dt.date:
    try:
        return parse_month(request.GET.get("month") or request.POST.get("month") or "")
    except ValueError:
        return add_months(first_of_month(timezone.localdate()), -1)


def _deadline(month: dt.date) -> tuple[dt.date, int]:
    """The 10th of the month after the service month, and the days left until it."""
    deadline = add_months(month, 1).replace(day=10)
    return deadline, (deadline - timezone.localdate()).days


@require_GET
def presubmission(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor is None or actor.office is None or not actor.roles:
        raise PermissionDenied("事業所に所属していません。")
    month = _month(request)
    result = check_month(actor.office, month)
    if not actor.sees_whole_office:
        mine = set(
            visible(ServiceTicket.objects.filter(month=month), actor).values_list("pk", flat=True)
        )
        result.problems = [p for p in result.problems if p.ticket_id in mine]
        result.ticket_count = len(mine)
    record_search(request, subject_type="presubmission", query={"month": f"{month:%Y-%m}"})
    deadline, days_left = _deadline(month)
    return render(
        request,
        "billing/presubmission.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "prev_month": f"{add_months(month, -1):%Y-%m}",
            "next_month": f"{add_months(month, 1):%Y-%m}",
            "check": result,
            "deadline": deadline,
            "days_left": days_left,
            "can_write": actor.can_write,
        },
    )


@require_POST
def presubmission_ack(request: HttpRequest) -> HttpResponse:
    try:
        ticket_id = int(request.POST.get("ticket", ""))
    except ValueError:
        ticket_id = 0
    ticket = ticket_for(request.actor, ticket_id)
    back = f"{reverse('billing:presubmission')}?month={ticket.month:%Y-%m}"
    try:
        acknowledge_problem(
            actor=request.actor,
            ticket=ticket,
            rule=request.POST.get("rule", ""),
            subject_key=request.POST.get("subject_key", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"{ticket.client.name}：{message}")
    else:
        messages.success(request, f"{ticket.client.name}：確認済みにしました。")
    return redirect(back)


urlpatterns = [
    path("presubmission/", presubmission, name="presubmission"),
    path("presubmission/ack/", presubmission_ack, name="presubmission_ack"),
]
