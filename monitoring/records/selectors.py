"""Reads of the monitoring record screens (fixed query counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from caremgmt.access import Actor
from clients.models import Client, ClientStatus
from clients.selectors import client_list
from monitoring.due import STATE_LABELS, MonthState, client_months, month_status
from monitoring.models import MonitoringRecord


def parse_month(value: str | None, default: dt.date) -> dt.date:
    """ "YYYY-MM" → the 1st of that month; anything else → `default`'s month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 2000 <= year <= 2100:
            return dt.date(year, month, 1)
    except (TypeError, ValueError):
        pass
    return default.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


STATE_CSS = {
    MonthState.DONE: "badge badge-ok",
    MonthState.DUE: "badge badge-warn",
    MonthState.LATE: "badge badge-danger",
    MonthState.EXEMPT_HOSPITAL: "badge",
    MonthState.NOT_REQUIRED: "badge",
}
SHORT_LABELS = {
    MonthState.DONE: "実施済",
    MonthState.DUE: "未実施",
    MonthState.LATE: "月末超過",
    MonthState.EXEMPT_HOSPITAL: "入院中",
    MonthState.NOT_REQUIRED: "対象外",
}


@dataclass
class MonthRow:
    client: Client
    state: MonthState
    last: MonitoringRecord | None

    @property
    def label(self) -> str:
        return SHORT_LABELS[self.state]

    @property
    def title(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def css(self) -> str:
        return STATE_CSS[self.state]


def caseload(actor: Actor | None, month: dt.date) -> QuerySet[Client]:
    """Clients the actor sees who are under contract in `month` (ended before it: left out)."""
    return (
        client_list(actor=actor)
        .exclude(status=ClientStatus.CONSULTING)
        .exclude(status=ClientStatus.ENDED, status_changed_on__lt=month)
        .order_by("name_kana", "pk")
    )


def month_rows(actor: Actor | None, month: dt.date, *, today: dt.date) -> list[MonthRow]:
    """The month list: every client of the caseload with the month's state and the last
    visit up to the month's end. 1 + 4 + 1 queries whatever the caseload."""
    clients = list(caseload(actor, month))
    ids = [client.pk for client in clients]
    states = month_status(ids, month, today=today)
    end = add_months(month, 1)
    last_visits = {
        record.client_id: record
        for record in MonitoringRecord.objects.filter(client_id__in=ids, visited_on__lt=end)
        .order_by("client_id", "-visited_on", "-pk")
        .distinct("client_id")
        .only("pk", "client_id", "visited_on", "place")
    }
    return [MonthRow(client, states[client.pk], last_visits.get(client.pk)) for client in clients]


@dataclass
class HistoryMonth:
    month: dt.date
    state: MonthState
    records: list[MonitoringRecord] = field(default_factory=list)

    @property
    def label(self) -> str:
        return SHORT_LABELS[self.state]

    @property
    def css(self) -> str:
        return STATE_CSS[self.state]


def client_history(client: Client, *, today: dt.date, months: int = 24) -> list[HistoryMonth]:
    """Newest month first: this month and the `months - 1` before it, back to the first
    plan's start month, each with its state and records (5 queries)."""
    current = today.replace(day=1)
    span = [add_months(current, -offset) for offset in range(months)]
    records = list(
        MonitoringRecord.objects.filter(client=client, month__gte=span[-1])
        .select_related("author")
        .order_by("-visited_on", "-pk")
    )
    states = client_months(client.pk, span, today=today)
    first_needed = min(
        (m for m, state in states.items() if state != MonthState.NOT_REQUIRED),
        default=None,
    )
    by_month: dict[dt.date, list[MonitoringRecord]] = {}
    for record in records:
        by_month.setdefault(record.month, []).append(record)
    return [
        HistoryMonth(month, states[month], by_month.get(month, []))
        for month in span
        if first_needed is not None and month >= first_needed or by_month.get(month)
    ]


def previous_record(client_id: int, before: dt.date) -> MonitoringRecord | None:
    """The latest record of a month before `before` (a month's 1st), with its reviews."""
    return (
        MonitoringRecord.objects.filter(client_id=client_id, month__lt=before)
        .prefetch_related("goals__goal", "services__support_item__goal")
        .order_by("-visited_on", "-pk")
        .first()
    )


def next_month_ticket(client_id: int, month: dt.date) -> dict[str, Any]:
    """The next month's 利用票 and its 交付 versions (newest first), for the record form."""
    from billing.models import ServiceTicket, TicketVersion

    ticket = (
        ServiceTicket.objects.filter(client_id=client_id, month=add_months(month, 1))
        .only("pk", "month", "client_id")
        .first()
    )
    versions = (
        list(TicketVersion.objects.filter(ticket=ticket).defer("snapshot").order_by("-number"))
        if ticket
        else []
    )
    return {"ticket": ticket, "versions": versions, "month": add_months(month, 1)}
