"""The ticket core: generation from the plan, the engine's figures, cached totals, locks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from billing.calc import calculate_client_month
from billing.fee_schedule import fee_schedule_from_database
from billing.tickets.compute import ticket_figures
from billing.tickets.generate import generate_ticket
from billing.tickets.inputs import client_month_for, load_register, ticket_rows
from billing.tickets.services import ticket_set_day
from billing.tickets.snapshot import ticket_snapshot
from caremgmt.access import actor_for
from caremgmt.locking import StaleEditError
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    return make_ticket_world(world.office, world.care_manager)


def test_generation_follows_the_weekly_pattern(tw) -> None:  # noqa: ANN001
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    rows = {row.service_code: row for row in ticket.rows.all()}
    # December 2026: Mondays 7 14 21 28, Thursdays 3 10 17 24 31, Wednesdays 2 9 16 23 30
    assert rows["111211"].planned_days == [3, 7, 10, 14, 17, 21, 24, 28, 31]
    assert rows["152443"].planned_days == [2, 9, 16, 23, 30]
    assert rows["171003"].planned_days == [1]
    assert rows["171003"].rental_price_yen == 12000
    assert len(report.added) == 3


def test_figures_equal_the_engine_on_the_same_input(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    figures = ticket_figures(ticket)
    direct = calculate_client_month(
        client_month_for(ticket, ticket_rows(ticket), load_register(ticket)),
        fee_schedule_from_database(),
    )
    assert figures.result == direct
    ticket.refresh_from_db()
    assert ticket.total_units == direct.totals.total_units
    assert ticket.user_total_yen == direct.totals.user_total


def test_regeneration_keeps_hand_edits(world, tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    actor = actor_for(world.care_manager)
    row = ticket.rows.get(service_code="111211")
    ticket = ticket_set_day(
        actor=actor, ticket=ticket, row_id=row.pk, day=3, on=False, expected_version=ticket.version
    )
    _, report = generate_ticket(client=tw.client, month=DECEMBER)
    row.refresh_from_db()
    assert 3 not in row.planned_days
    assert any("111211" in line for line in report.kept)
    _, report = generate_ticket(client=tw.client, month=DECEMBER, reset=True)
    row.refresh_from_db()
    assert 3 in row.planned_days


def test_stale_version_is_refused(world, tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    actor = actor_for(world.care_manager)
    row = ticket.rows.first()
    with pytest.raises(StaleEditError):
        ticket_set_day(
            actor=actor,
            ticket=ticket,
            row_id=row.pk,
            day=5,
            on=True,
            expected_version=ticket.version - 1,
        )


def test_claimed_month_is_read_only(world, tw) -> None:  # noqa: ANN001
    from django.utils import timezone

    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    type(ticket).objects.filter(pk=ticket.pk).update(claimed_at=timezone.now())
    with pytest.raises(ValidationError):
        generate_ticket(client=tw.client, month=DECEMBER)


def test_snapshot_carries_the_document(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    snapshot = ticket_snapshot(ticket)
    assert snapshot["month"] == "2026-12"
    assert snapshot["certification"]["care_level_label"] == "要介護3"
    assert snapshot["totals"]["total_units"] == ticket.total_units
    assert {row["service_code"] for row in snapshot["rows"]} == {"111211", "152443", "171003"}
