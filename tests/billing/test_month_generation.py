"""Next month's tickets are created ahead of time for clients with a confirmed plan."""

from __future__ import annotations

import datetime as dt

import time_machine

from billing.models import ServiceTicket
from billing.tasks import generate_next_month_tickets
from billing.tickets.generate import generate_ticket
from billing.tickets.month_generation import generate_missing_tickets
from billing.tickets.services import ticket_set_day
from caremgmt.access import actor_for
from tests.billing.ticket_world import make_ticket_world
from tests.factories import ClientFactory

DECEMBER = dt.date(2026, 12, 1)


def test_missing_tickets_are_created_and_existing_ones_left_alone(world) -> None:  # noqa: ANN001
    first = make_ticket_world(world.office, world.care_manager)
    second = make_ticket_world(world.office, world.colleague)
    ClientFactory(office=world.office, care_manager=world.care_manager)  # no plan: no ticket
    ticket, _ = generate_ticket(client=first.client, month=DECEMBER)
    row = ticket.rows.get(service_code="111211")
    ticket_set_day(
        actor=actor_for(world.care_manager),
        ticket=ticket,
        row_id=row.pk,
        day=3,
        on=False,
        expected_version=ticket.version,
    )
    version = ServiceTicket.objects.get(pk=ticket.pk).version

    outcome = generate_missing_tickets(DECEMBER)

    assert outcome.created == [second.client.pk]
    assert ServiceTicket.objects.get(pk=ticket.pk).version == version  # untouched
    assert ServiceTicket.objects.filter(month=DECEMBER).count() == 2
    assert generate_missing_tickets(DECEMBER).created == []  # idempotent


def test_beat_task_targets_next_month(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    with time_machine.travel(dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC), tick=False):
        assert generate_next_month_tickets() == "2026-12: created 1, failed 0"
    assert ServiceTicket.objects.get(client=tw.client).month == DECEMBER
