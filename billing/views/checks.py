"""Plan checks of one ticket: the findings panel and acknowledging a warning.

* `billing:ticket_checks` (GET): the panel (htmx partial) or a page with it; logged as a
  client page.
* `billing:ticket_check_ack` (POST): acknowledge one warning (介護支援専門員・主任・管理者);
  answers the refreshed panel to htmx, else redirects to the checks page. Append-only: a
  second acknowledgement of the same warning is refused naming the first.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from billing.selectors import ticket_for
from billing.tickets.acknowledge import acknowledge_warning
from billing.tickets.compute import ticket_figures
from caremgmt.access import require_plan_writer
from caremgmt.audit import record_access

PANEL = "billing/_editor_checks.html"


def _render(request: HttpRequest, ticket, *, status: int = 200, **extra) -> HttpResponse:  # noqa: ANN001, ANN003
    context = {"ticket": ticket, "figures": ticket_figures(ticket), **extra}
    if request.htmx:
        return render(request, PANEL, context, status=status)
    return render(request, "billing/ticket_checks.html", context, status=status)


@require_GET
def ticket_checks(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.actor, pk)
    record_access(
        request, subject_type="service_ticket", subject_id=ticket.pk, client_id=ticket.client_id
    )
    return _render(request, ticket)


@require_POST
def ticket_check_ack(request: HttpRequest, pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    ticket = ticket_for(request.actor, pk)
    try:
        _ack, warning = acknowledge_warning(
            actor=request.actor,
            ticket=ticket,
            rule=request.POST.get("rule", ""),
            subject_key=request.POST.get("subject_key", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages = [
            m
            for msgs in getattr(error, "message_dict", {"": error.messages}).values()
            for m in msgs
        ]
        return _render(request, ticket, status=400, ack_error="　".join(messages))
    ticket.refresh_from_db()
    if request.htmx:
        return _render(request, ticket, ack_done=f"「{warning.rule_name}」を確認済みにしました。")
    return redirect("billing:ticket_checks", pk=ticket.pk)


urlpatterns = [
    path("tickets/<int:pk>/checks/", ticket_checks, name="ticket_checks"),
    path("tickets/<int:pk>/checks/acknowledge/", ticket_check_ack, name="ticket_check_ack"),
]
