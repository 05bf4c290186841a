"""The month list, the client-month entry point and the ticket editor page with its day
toggle. Row forms, the allocation and regeneration are in `editor_rows.py`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import selectors
from billing.models import ServiceTicket
from billing.tickets.compute import ticket_figures
from billing.tickets.generate import generate_ticket
from billing.tickets.month import add_months, last_of_month, parse_month
from billing.tickets.services import ticket_set_day
from billing.views import editor_rows
from billing.views.editor_context import (
    STALE_MESSAGE,
    day_heads,
    grid_row,
    log_ticket_page,
    panel_context,
    render_editor,
)
from caremgmt.access import require_plan_writer, visible
from caremgmt.audit import record_access, record_search
from caremgmt.locking import StaleEditError
from careplans.models import CarePlan, PlanStatus
from clients.models import Client
from clients.models.client import ACTIVE_STATUSES

STATUS_FILTERS = (
    ("", "すべて"),
    ("missing", "未作成"),
    ("draft", "作成中"),
    ("delivered", "交付済"),
    ("over_limit", "限度超過"),
    ("warning", "警告あり"),
)


def default_month(today: dt.date) -> dt.date:
    """From the 20th the care manager works on next month's tickets."""
    month = today.replace(day=1)
    return add_months(month, 1) if today.day >= 20 else month


def _month_from(request: HttpRequest) -> dt.date:
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return parse_month(raw)
    except ValueError:
        return default_month(timezone.localdate())


def ticket_warning_flags(ticket: ServiceTicket) -> list[str]:
    """Warnings readable from the cached totals alone (the list never recomputes)."""
    flags = []
    if ticket.limit_units == 0:
        flags.append("認定なし")
    if ticket.total_units == 0:
        flags.append("予定なし")
    return flags


# --- month list ------------------------------------------------------------------------


def _caseload_clients(request: HttpRequest, month: dt.date):  # noqa: ANN202
    """Visible clients active in the month (or with a ticket for it), with a flag saying
    whether a confirmed plan is in force by the month's end (1 query)."""
    last = last_of_month(month)
    has_plan = CarePlan.objects.filter(
        client=OuterRef("pk"),
        status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED],
        starts_on__lte=last,
    )
    has_ticket = ServiceTicket.objects.filter(client=OuterRef("pk"), month=month)
    return (
        visible(Client.objects.all(), request.actor)
        .select_related("care_manager")
        .annotate(has_plan=Exists(has_plan), has_ticket=Exists(has_ticket))
        .filter(Q(status__in=ACTIVE_STATUSES) | Q(has_ticket=True))
        .order_by("name_kana", "pk")
    )


@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    month = _month_from(request)
    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS):
        status = ""
    clients = list(_caseload_clients(request, month))
    tickets = {
        t.client_id: t
        for t in ServiceTicket.objects.filter(month=month, client_id__in=[c.pk for c in clients])
    }
    lines = []
    counts = dict.fromkeys(dict(STATUS_FILTERS), 0)
    for client in clients:
        ticket = tickets.get(client.pk)
        flags = ticket_warning_flags(ticket) if ticket else []
        keys = {""}
        if ticket is None:
            keys.add("missing")
        else:
            keys.add(ticket.status)
            if ticket.over_limit_units:
                keys.add("over_limit")
            if flags:
                keys.add("warning")
        for key in keys:
            counts[key] += 1
        if status in keys:
            lines.append({"client": client, "ticket": ticket, "flags": flags})
    record_search(
        request, subject_type="billing:tickets", query={"month": f"{month:%Y-%m}", "status": status}
    )
    return render(
        request,
        "billing/tickets.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "prev_month": f"{add_months(month, -1):%Y-%m}",
            "next_month": f"{add_months(month, 1):%Y-%m}",
            "status": status,
            "filters": [(key, label, counts[key]) for key, label in STATUS_FILTERS],
            "lines": lines,
            "can_plan": request.actor.can_write_plans,
            "missing_with_plan": sum(
                1 for c in clients if c.pk not in tickets and c.has_plan and _own(request, c)
            ),
        },
    )


def _own(request: HttpRequest, client: Client) -> bool:
    """ "My clients": the caseload (担当・代理); an office manager's whole visible office."""
    staff = request.actor.staff
    if request.actor.is_manager:
        return True
    return staff.pk in (client.care_manager_id, client.deputy_care_manager_id)


@require_POST
def ticket_generate_all(request: HttpRequest) -> HttpResponse:
    """Create the month's ticket from the plan for each of my clients who has none yet."""
    require_plan_writer(request.actor)
    month = _month_from(request)
    created, failed = 0, []
    for client in _caseload_clients(request, month):
        if client.has_ticket or not client.has_plan or not _own(request, client):
            continue
        try:
            generate_ticket(client=client, month=month, actor_staff=request.actor.staff)
        except ValidationError as error:
            failed.append(f"{client.name}：{'、'.join(error.messages)}")
        else:
            created += 1
    if created:
        messages.success(request, f"{month:%Y年%-m月}分の利用票を{created}件作成しました。")
    else:
        messages.info(request, "新しく作成する利用票はありませんでした。")
    for line in failed:
        messages.error(request, line)
    return redirect(f"{reverse('billing:tickets')}?month={month:%Y-%m}")


# --- one client ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ticket_client_month(
    request: HttpRequest, client_pk: int, year: int, month: int
) -> HttpResponse:
    """Open a client-month: its ticket when it exists; otherwise offer 「計画から作成」
    (a POST; a GET never writes)."""
    client = selectors.client_for(request.actor, client_pk)
    try:
        first = dt.date(year, month, 1)
    except ValueError as error:
        raise Http404("見つかりません。") from error
    ticket = ServiceTicket.objects.filter(client=client, month=first).first()
    if ticket is not None:
        return redirect("billing:ticket", pk=ticket.pk)
    if request.method == "POST":
        require_plan_writer(request.actor)
        try:
            ticket, report = generate_ticket(
                client=client, month=first, actor_staff=request.actor.staff
            )
        except ValidationError as error:
            messages.error(request, "、".join(error.messages))
        else:
            for line in report.lines:
                messages.info(request, line)
            messages.success(request, "計画から利用票を作成しました。")
            return redirect("billing:ticket", pk=ticket.pk)
    record_access(request, subject_type="ticket:new", subject_id=client.pk, client_id=client.pk)
    has_plan = CarePlan.objects.filter(
        client=client,
        status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED],
        starts_on__lte=last_of_month(first),
    ).exists()
    return render(
        request,
        "billing/ticket_new.html",
        {
            "client": client,
            "month": first,
            "has_plan": has_plan,
            "can_plan": request.actor.can_write_plans,
        },
    )


@require_GET
def client_tickets(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client page's 利用票 tab (htmx) or page: the client's tickets by month."""
    client = selectors.client_for(request.actor, client_pk)
    record_access(
        request, subject_type="ticket:client_tickets", subject_id=client.pk, client_id=client.pk
    )
    tickets = list(ServiceTicket.objects.filter(client=client).order_by("-month"))
    months = {t.month for t in tickets}
    upcoming = default_month(timezone.localdate())
    context = {
        "client": client,
        "tickets": tickets,
        "upcoming": upcoming if upcoming not in months else None,
        "can_plan": request.actor.can_write_plans,
    }
    if request.htmx:
        return render(request, "billing/client_tickets.html#panel", context)
    return render(request, "billing/client_tickets.html", context)


# --- the editor ------------------------------------------------------------------------


@require_GET
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_for(request.actor, pk)
    return render_editor(request, ticket)


def _parse_cell(raw: str) -> tuple[int, str, int]:
    try:
        row_text, line, day_text = raw.split(":")
        row_id, day = int(row_text), int(day_text)
    except ValueError as error:
        raise ValidationError("押された日付を読み取れませんでした。") from error
    if line not in ("planned", "actual"):
        raise ValidationError("予定か実績かを読み取れませんでした。")
    return row_id, line, day


@require_POST
def ticket_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on a day: 予定 (plan writers) or 実績 (writers incl. 事務) on/off."""
    ticket = selectors.ticket_for(request.actor, pk)
    try:
        row_id, line, day = _parse_cell(request.POST.get("cell", ""))
        expected = int(request.POST.get("version", ""))
    except (ValidationError, ValueError) as error:
        message = getattr(error, "messages", ["入力を読み取れませんでした。"])[0]
        return render_editor(request, ticket, error_message=message)
    if not request.actor.can_write_plans and line == "planned":
        raise PermissionDenied("予定の変更は介護支援専門員・主任介護支援専門員・管理者が行います。")
    row = ticket.rows.filter(pk=row_id).first()
    if row is None:
        raise Http404("見つかりません。")
    days = row.actual_days if line == "actual" else row.planned_days
    try:
        ticket = ticket_set_day(
            actor=request.actor,
            ticket=ticket,
            row_id=row.pk,
            day=day,
            on=day not in days,
            line=line,
            expected_version=expected,
        )
    except StaleEditError:
        ticket.refresh_from_db()
        return render_editor(request, ticket, stale_message=STALE_MESSAGE)
    except ValidationError as error:
        ticket.refresh_from_db()
        return render_editor(request, ticket, error_message="、".join(error.messages))
    if not request.htmx:
        return redirect(reverse("billing:ticket", args=[ticket.pk]) + f"#row-{row.pk}")
    # The service already recomputed the 別表 for the cached totals: reuse it (one recompute
    # per toggle, bench/ticket_recompute.py).
    figures = getattr(ticket, "figures", None) or ticket_figures(ticket)
    log_ticket_page(request, ticket, "ticket")
    heads = day_heads(ticket.month)
    fresh = next(r for r in figures.rows if r.pk == row.pk)
    context = {
        **panel_context(ticket, figures, can_plan=request.actor.can_write_plans),
        "heads": heads,
        "grid": grid_row(ticket, fresh, heads),
        "can_plan": request.actor.can_write_plans and not ticket.is_claimed,
        "can_actual": request.actor.can_write and not ticket.is_claimed,
        "oob": True,
    }
    response = render(request, "billing/ticket_toggle.html", context)
    response["HX-Trigger"] = "ticketChanged"  # the delivery panel refreshes (交付後に変更あり)
    return response


urlpatterns = [
    path("tickets/", ticket_list, name="tickets"),
    path("tickets/generate/", ticket_generate_all, name="tickets_generate"),
    path(
        "tickets/clients/<int:client_pk>/<int:year>/<int:month>/",
        ticket_client_month,
        name="ticket_client_month",
    ),
    path("clients/<int:client_pk>/tickets/", client_tickets, name="client_tickets"),
    path("tickets/<int:pk>/", ticket_detail, name="ticket"),
    path("tickets/<int:pk>/toggle/", ticket_toggle, name="ticket_toggle"),
    *editor_rows.urlpatterns,
]

__all__ = ["urlpatterns"]
