"""billing views: ケアプランデータ連携 files of the month (UPPLAN/UPSIKYU/UPHOSOKU/DLTPLAN).

* `ticket_exchange`          one client-month: recipients, rows left out, warnings, downloads
* `ticket_exchange_download` its ZIP (kind `plan` = 第6・7表 + 補足 units, `delete` = DLTPLAN)
* `exchange_month`           the month's tickets of the caseload / office (a list: SEARCH row)
* `exchange_month_download`  one ZIP of every visible ticket of the month

Exports are reads of client data: the page writes a VIEW row, every download an EXPORT row
per client in the ZIP. Nothing is written otherwise (no lock needed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from billing.exchange.files import (
    FileSet,
    build_delete_files,
    build_file_sets,
    client_month_export,
    month_exports,
    zip_bytes,
)
from billing.selectors import ticket_for, tickets_of_month
from billing.tickets.month import add_months, first_of_month, parse_month
from caremgmt.audit import record_access, record_search
from caremgmt.models.audit import AccessAction

SUBJECT = "service_ticket:exchange"
KINDS = {"plan": build_file_sets, "delete": build_delete_files}


def _now() -> dt.datetime:
    """Local wall-clock time without microseconds: the ファイル連番 of this export."""
    return timezone.localtime().replace(microsecond=0, tzinfo=None)


def _build(kind: str, exports: list, sender: str, sent_at: dt.datetime) -> FileSet:
    return KINDS[kind](exports, sender_office_number=sender, sent_at=sent_at)


def _zip_response(files: dict[str, bytes], filename: str) -> HttpResponse:
    response = HttpResponse(zip_bytes(files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def ticket_exchange(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.actor, pk)
    sent_at = _now()
    export = client_month_export(ticket, today=sent_at.date())
    problems: list[str] = []
    file_set = FileSet()
    try:
        file_set = build_file_sets(
            [export], sender_office_number=ticket.client.office.office_number, sent_at=sent_at
        )
    except ValidationError as error:
        problems = list(error.messages)
    record_access(request, subject_type=SUBJECT, subject_id=ticket.pk, client_id=ticket.client_id)
    return render(
        request,
        "billing/exchange.html",
        {
            "ticket": ticket,
            "client": ticket.client,
            "export": export,
            "file_set": file_set,
            "problems": problems,
        },
    )


@require_GET
def ticket_exchange_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("見つかりません。")
    ticket = ticket_for(request.actor, pk)
    sent_at = _now()
    export = client_month_export(ticket, today=sent_at.date())
    try:
        file_set = _build(kind, [export], ticket.client.office.office_number, sent_at)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("billing:ticket_exchange", pk=ticket.pk)
    record_access(
        request,
        subject_type=SUBJECT,
        subject_id=ticket.pk,
        client_id=ticket.client_id,
        action=AccessAction.EXPORT,
    )
    prefix = "DLTPLAN" if kind == "delete" else "PLAN"
    return _zip_response(
        file_set.files, f"{prefix}_{ticket.month:%Y%m}_{ticket.pk}_{sent_at:%Y%m%d%H%M%S}.zip"
    )


def _month_query(request: HttpRequest) -> tuple[dt.date, bool]:
    try:
        month = parse_month(request.GET.get("month", ""))
    except ValueError:
        month = add_months(first_of_month(timezone.localdate()), 1)
    mine = request.GET.get("scope", "mine") != "office" and request.actor.has_caseload
    return month, mine


@require_GET
def exchange_month(request: HttpRequest) -> HttpResponse:
    month, mine = _month_query(request)
    tickets = (
        tickets_of_month(request.actor, month)
        .select_related("client__care_manager")
        .annotate(latest_version=Max("versions__number"))
        .order_by("client__name_kana", "client_id")
    )
    if mine:
        staff = request.actor.staff
        tickets = tickets.filter(
            Q(client__care_manager=staff) | Q(client__deputy_care_manager=staff)
        )
    record_search(
        request,
        subject_type=SUBJECT,
        query={"month": f"{month:%Y-%m}", "scope": "mine" if mine else "office"},
    )
    return render(
        request,
        "billing/exchange_month.html",
        {
            "month": month,
            "mine": mine,
            "tickets": list(tickets),
            "previous_month": f"{add_months(month, -1):%Y-%m}",
            "next_month": f"{add_months(month, 1):%Y-%m}",
            "can_choose_scope": request.actor.has_caseload and request.actor.sees_whole_office,
        },
    )


@require_GET
def exchange_month_download(request: HttpRequest) -> HttpResponse:
    month, mine = _month_query(request)
    kind = request.GET.get("kind", "plan")
    if kind not in KINDS:
        raise Http404("見つかりません。")
    sent_at = _now()
    exports = month_exports(
        request.actor,
        month,
        today=sent_at.date(),
        caseload_of=request.actor.staff if mine else None,
    )
    back = (
        reverse("billing:exchange_month")
        + f"?month={month:%Y-%m}"
        + ("" if mine else "&scope=office")
    )
    office = request.actor.office
    try:
        file_set = _build(kind, exports, office.office_number, sent_at) if exports else None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    if file_set is None:
        messages.error(request, "この月の利用票がありません。")
        return redirect(back)
    for export in exports:
        record_access(
            request,
            subject_type=SUBJECT,
            subject_id=export.ticket.pk,
            client_id=export.ticket.client_id,
            action=AccessAction.EXPORT,
        )
    prefix = "DLTPLAN" if kind == "delete" else "PLAN"
    return _zip_response(file_set.files, f"{prefix}_{month:%Y%m}_{sent_at:%Y%m%d%H%M%S}.zip")


urlpatterns: list[Any] = [
    path("tickets/<int:pk>/exchange/", ticket_exchange, name="ticket_exchange"),
    path(
        "tickets/<int:pk>/exchange/<str:kind>.zip",
        ticket_exchange_download,
        name="ticket_exchange_download",
    ),
    path("exchange/", exchange_month, name="exchange_month"),
    path("exchange/download/", exchange_month_download, name="exchange_month_download"),
]
