"""billing views: 実績 intake and reconciliation (issue 11 §1–§2).

* `actuals_board`   the month-start board: every visible client-month × provider and its
                    実績 status (未受領/受領/差異あり/確定), counts, filters, imports
* `actuals_import`  POST: one 実績 file (simple CSV or UPJSK), applied whole or rejected whole
* `ticket_actuals`  one client-month: 予定 vs 実績 per row and day, the 別表 from 実績 beside
                    the planned one, 「予定どおり」, receipt, reason and 確定 per provider
* `ticket_actuals_copy|receive|reason|confirm|unconfirm`  POST actions of that page

Writes go through `billing.actuals.services` (version-locked). The board writes a SEARCH row,
the reconciliation page a VIEW row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.actuals import services
from billing.actuals.csv_import import HEADER, import_csv
from billing.actuals.reconcile import by_provider
from billing.actuals.upjsk import import_dltjsk, import_upjsk
from billing.models import ServiceTicket
from billing.models.actuals import ActualsImport, ActualsStatus, ProviderActuals
from billing.selectors import ticket_for, tickets_of_month
from billing.tickets.compute import ticket_figures
from billing.tickets.inputs import ticket_rows
from billing.tickets.month import add_months, days_in_month, first_of_month, parse_month
from billing.views.editor_context import STALE_MESSAGE
from caremgmt.access import require_writer, visible
from caremgmt.audit import record_access, record_search
from caremgmt.locking import StaleEditError

SUBJECT = "service_ticket:actuals"
IMPORTERS = {"csv": import_csv, "upjsk": import_upjsk, "dltjsk": import_dltjsk}


def _month(request: HttpRequest) -> dt.date:
    try:
        return parse_month(request.GET.get("month", "") or request.POST.get("month", ""))
    except ValueError:
        return add_months(first_of_month(timezone.localdate()), -1)


@require_GET
def actuals_board(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    status = request.GET.get("status", "")
    if status not in ActualsStatus.values:
        status = ""
    tickets = tickets_of_month(request.actor, month)
    services.ensure_provider_actuals(tickets.values_list("pk", flat=True))
    actuals = visible(ProviderActuals.objects.all(), request.actor).filter(ticket__month=month)
    counts = dict(actuals.values_list("status").annotate(n=Count("pk")).order_by())
    shown = actuals.select_related("ticket__client", "provider", "confirmed_by").order_by(
        "ticket__client__name_kana", "ticket__client_id", "provider__name", "pk"
    )
    if status:
        shown = shown.filter(status=status)
    imports = ActualsImport.objects.filter(office=request.actor.office, month=month)
    if not request.actor.sees_whole_office:
        imports = imports.filter(uploaded_by=request.user)
    record_search(
        request, subject_type=SUBJECT, query={"month": f"{month:%Y-%m}", "status": status}
    )
    return render(
        request,
        "billing/actuals_board.html",
        {
            "month": month,
            "status": status,
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in ActualsStatus.choices
            ],
            "total": sum(counts.values()),
            "actuals": list(shown),
            "imports": list(imports.select_related("uploaded_by")[:10]),
            "previous_month": f"{add_months(month, -1):%Y-%m}",
            "next_month": f"{add_months(month, 1):%Y-%m}",
            "can_write": request.actor.can_write,
            "csv_header": ",".join(HEADER),
        },
    )


@require_POST
def actuals_import(request: HttpRequest) -> HttpResponse:
    require_writer(request.actor)
    month = _month(request)
    back = reverse("billing:actuals_board") + f"?month={month:%Y-%m}"
    kind = request.POST.get("kind", "csv")
    upload = request.FILES.get("file")
    if kind not in IMPORTERS:
        raise Http404("見つかりません。")
    if upload is None:
        messages.error(request, "ファイルを選んでください。")
        return redirect(back)
    record = IMPORTERS[kind](
        actor=request.actor, month=month, filename=upload.name, data=upload.read()
    )
    if record.applied:
        messages.success(
            request, f"「{record.filename}」を取り込みました（{record.row_count}行）。"
        )
    else:
        messages.error(
            request,
            f"「{record.filename}」は取り込みませんでした（{len(record.errors)}件の問題）。"
            "何も変更していません。下の取り込み履歴で問題の行を確認してください。",
        )
    return redirect(back)


def _page(request: HttpRequest, ticket: ServiceTicket, **extra: Any) -> HttpResponse:
    services.ensure_provider_actuals([ticket.pk])
    rows = ticket_rows(ticket)  # providers and their grades prefetched (no N+1)
    actuals = list(
        ticket.provider_actuals.select_related("provider", "confirmed_by").order_by(
            "provider__name", "pk"
        )
    )
    groups = by_provider(rows, days_in_month(ticket.month))
    planned = ticket_figures(ticket, rows=rows)
    actual = ticket_figures(ticket, rows=rows, register=planned.register, use_actual=True)
    providers = [
        {"pa": pa, "diff": groups.get(pa.provider_id), "error": extra.get(f"error_{pa.pk}", "")}
        for pa in actuals
    ]
    record_access(request, subject_type=SUBJECT, subject_id=ticket.pk, client_id=ticket.client_id)
    writable = request.actor.can_write and not ticket.is_claimed
    return render(
        request,
        "billing/actuals_ticket.html",
        {
            "ticket": ticket,
            "client": ticket.client,
            "providers": providers,
            "days": range(1, days_in_month(ticket.month) + 1),
            "planned": planned,
            "actual": actual,
            "actual_over": actual.result.totals.over_limit_units,
            "confirmed": services.client_month_confirmed(actuals),
            "can_write": writable,
            "stale_message": extra.get("stale_message", ""),
            "error_message": extra.get("error_message", ""),
        },
        status=extra.get("status", 200),
    )


@require_GET
def ticket_actuals(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, ticket_for(request.actor, pk))


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _pa_of(ticket: ServiceTicket, provider_pk: int) -> ProviderActuals:
    services.ensure_provider_actuals([ticket.pk])
    pa = ticket.provider_actuals.filter(provider_id=provider_pk).first()
    if pa is None:
        raise Http404("見つかりません。")
    pa.ticket = ticket
    return pa


def _run(
    request: HttpRequest, ticket: ServiceTicket, action: Any, anchor: str, pa_pk: int = 0
) -> HttpResponse:
    require_writer(request.actor)
    try:
        action()
    except StaleEditError:
        ticket.refresh_from_db()
        return _page(request, ticket, stale_message=STALE_MESSAGE, status=409)
    except ValidationError as error:
        ticket.refresh_from_db()
        message = "、".join(error.messages)
        return _page(
            request, ticket, error_message=message, status=400, **{f"error_{pa_pk}": message}
        )
    return redirect(reverse("billing:ticket_actuals", args=[ticket.pk]) + anchor)


@require_POST
def ticket_actuals_copy(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.actor, pk)
    row_id = _int(request.POST.get("row"))
    provider_id = _int(request.POST.get("provider"))
    if row_id is not None and not ticket.rows.filter(pk=row_id).exists():
        raise Http404("見つかりません。")
    return _run(
        request,
        ticket,
        lambda: services.copy_planned(
            actor=request.actor,
            ticket=ticket,
            row_id=row_id,
            provider_id=None if row_id is not None else provider_id,
            expected_version=_int(request.POST.get("version")),
        ),
        f"#provider-{provider_id}" if provider_id else "",
    )


@require_POST
def ticket_actuals_receive(request: HttpRequest, pk: int, provider_pk: int) -> HttpResponse:
    ticket = ticket_for(request.actor, pk)
    pa = _pa_of(ticket, provider_pk)
    return _run(
        request,
        ticket,
        lambda: services.mark_received(
            actor=request.actor,
            ticket=ticket,
            provider_id=provider_pk,
            expected_version=_int(request.POST.get("version")),
        ),
        f"#provider-{provider_pk}",
        pa.pk,
    )


@require_POST
def ticket_actuals_reason(request: HttpRequest, pk: int, provider_pk: int) -> HttpResponse:
    ticket = ticket_for(request.actor, pk)
    pa = _pa_of(ticket, provider_pk)
    return _run(
        request,
        ticket,
        lambda: services.save_reason(
            actor=request.actor,
            pa=pa,
            reason=request.POST.get("difference_reason", ""),
            expected_version=_int(request.POST.get("pa_version")),
        ),
        f"#provider-{provider_pk}",
        pa.pk,
    )


@require_POST
def ticket_actuals_confirm(request: HttpRequest, pk: int, provider_pk: int) -> HttpResponse:
    ticket = ticket_for(request.actor, pk)
    pa = _pa_of(ticket, provider_pk)
    return _run(
        request,
        ticket,
        lambda: services.confirm(
            actor=request.actor,
            pa=pa,
            expected_version=_int(request.POST.get("pa_version")),
            expected_ticket_version=_int(request.POST.get("version")),
        ),
        f"#provider-{provider_pk}",
        pa.pk,
    )


@require_POST
def ticket_actuals_unconfirm(request: HttpRequest, pk: int, provider_pk: int) -> HttpResponse:
    ticket = ticket_for(request.actor, pk)
    pa = _pa_of(ticket, provider_pk)
    return _run(
        request,
        ticket,
        lambda: services.unconfirm(
            actor=request.actor, pa=pa, expected_version=_int(request.POST.get("pa_version"))
        ),
        f"#provider-{provider_pk}",
        pa.pk,
    )


urlpatterns: list[Any] = [
    path("actuals/", actuals_board, name="actuals_board"),
    path("actuals/import/", actuals_import, name="actuals_import"),
    path("tickets/<int:pk>/actuals/", ticket_actuals, name="ticket_actuals"),
    path("tickets/<int:pk>/actuals/copy/", ticket_actuals_copy, name="ticket_actuals_copy"),
    path(
        "tickets/<int:pk>/actuals/<int:provider_pk>/receive/",
        ticket_actuals_receive,
        name="ticket_actuals_receive",
    ),
    path(
        "tickets/<int:pk>/actuals/<int:provider_pk>/reason/",
        ticket_actuals_reason,
        name="ticket_actuals_reason",
    ),
    path(
        "tickets/<int:pk>/actuals/<int:provider_pk>/confirm/",
        ticket_actuals_confirm,
        name="ticket_actuals_confirm",
    ),
    path(
        "tickets/<int:pk>/actuals/<int:provider_pk>/unconfirm/",
        ticket_actuals_unconfirm,
        name="ticket_actuals_unconfirm",
    ),
]
