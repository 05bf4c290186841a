"""Chunk loading for the batch: the rows and the register of many tickets of one month in a
fixed number of queries (the same selection as `billing.tickets.inputs.load_register` and
`ticket_rows`, which load one ticket), so the batch's query count does not grow with the
number of clients in a chunk. `tests/billing/test_benefit.py` checks both give equal figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Prefetch

from billing.models import ServiceTicket, TicketRow
from billing.tickets.inputs import Register, _certification_period
from billing.tickets.month import last_of_month
from clients.coverage import by_priority
from clients.models import (
    BenefitRestriction,
    BurdenRatio,
    Certification,
    ProviderRegionalGrade,
    PublicExpense,
)


def rows_by_ticket(tickets: Sequence[ServiceTicket]) -> dict[int, list[TicketRow]]:
    """Each ticket's rows with providers and grade history (2 queries for the chunk)."""
    rows: dict[int, list[TicketRow]] = {ticket.pk: [] for ticket in tickets}
    queryset = (
        TicketRow.objects.filter(ticket_id__in=list(rows))
        .select_related("provider")
        .prefetch_related(
            Prefetch(
                "provider__regional_grades",
                queryset=ProviderRegionalGrade.objects.order_by("-valid_from"),
            )
        )
        .order_by("ticket", "order", "starts_at", "pk")
    )
    for row in queryset:
        rows[row.ticket_id].append(row)
    return rows


def _grouped(queryset, order: Sequence[str]) -> dict[int, list]:  # noqa: ANN001
    grouped: dict[int, list] = defaultdict(list)
    for item in queryset.order_by("client_id", *order):
        grouped[item.client_id].append(item)
    return grouped


def registers_by_ticket(tickets: Sequence[ServiceTicket], month: dt.date) -> dict[int, Register]:
    """Each ticket's register for `month` (5 queries for the chunk)."""
    client_ids = [ticket.client_id for ticket in tickets]
    first, last = month, last_of_month(month)
    certifications = _grouped(
        Certification.objects.filter(client_id__in=client_ids).overlapping(first, last),
        ("valid_from", "pk"),
    )
    burdens = _grouped(
        BurdenRatio.objects.filter(client_id__in=client_ids).overlapping(first, last),
        ("valid_from", "-pk"),
    )
    restrictions = _grouped(
        BenefitRestriction.objects.filter(client_id__in=client_ids).overlapping(first, last),
        ("-valid_from", "-pk"),
    )
    expenses = _grouped(
        PublicExpense.objects.filter(client_id__in=client_ids).overlapping(first, last),
        ("-valid_from", "-pk"),
    )
    earlier: dict[int, list[tuple[dt.date, int, int]]] = defaultdict(list)
    for client_id, earlier_month, days, run in (
        ServiceTicket.objects.filter(client_id__in=client_ids, month__lt=month)
        .order_by("client_id", "month")
        .values_list("client_id", "month", "short_stay_counted_days", "short_stay_last_run_days")
    ):
        earlier[client_id].append((earlier_month, days, run))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    registers = {}
    for ticket in tickets:
        client_id = ticket.client_id
        certs = tuple(certifications.get(client_id, ()))
        period = _certification_period(certs, first)
        before = consecutive = 0
        if period is not None:
            history = [e for e in earlier.get(client_id, ()) if e[0] >= period[0].replace(day=1)]
            before = sum(days for _month, days, _run in history)
            if history and history[-1][0] == previous:
                consecutive = history[-1][2]
        registers[ticket.pk] = Register(
            certifications=certs,
            burden_ratio=next(iter(burdens.get(client_id, ())), None),
            restriction=next(iter(restrictions.get(client_id, ())), None),
            public_expenses=tuple(by_priority(expenses.get(client_id, ()))),
            short_stay_days_before_month=before,
            short_stay_consecutive_days_before_month=consecutive,
            certification_period=period,
        )
    return registers
