"""Shared setup for the ticket editor tests: a generated December ticket and an over-limit
variant (要介護3, limit 27,048 units)."""

from __future__ import annotations

import datetime as dt
import re

from billing.models import ServiceTicket, TicketRow
from billing.tickets.generate import generate_ticket
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)


def december_ticket(world) -> tuple[object, ServiceTicket]:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _report = generate_ticket(client=tw.client, month=DECEMBER)
    return tw, ticket


def push_over_limit(ticket: ServiceTicket, tw) -> ServiceTicket:  # noqa: ANN001
    """Add 通所介護 on every other day of the month: about 33,000 units against 27,048."""
    TicketRow.objects.create(
        ticket=ticket,
        order=11,
        provider=tw.day_service,
        service_code="152443",
        content="通所介護（追加）",
        starts_at=dt.time(9, 30),
        ends_at=dt.time(16, 30),
        planned_days=[d for d in range(1, 32) if d not in (2, 9, 16, 23, 30)],
    )
    from billing.tickets.compute import recompute_and_cache

    recompute_and_cache(ticket)
    ticket.refresh_from_db()
    assert ticket.over_limit_units > 0, ticket.total_units
    return ticket


def figure(html: str, name: str) -> str:
    """The text of a `data-figure="name"` element of the limit panel."""
    found = re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', html)
    if found is not None:  # figures are shown with thousands separators (9,798単位)
        return found.group(1).strip().replace(",", "")
    assert found, name
    return found.group(1).strip()


def version_in(html: str) -> int:
    found = re.search(r'id="grid-version" value="(\d+)"', html) or re.search(
        r'name="version" id="grid-version"[^>]*value="(\d+)"', html
    )
    assert found
    return int(found.group(1))
