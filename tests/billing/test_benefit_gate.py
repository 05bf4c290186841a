"""The month-start batch writes no 給付管理票 file while the pre-submission check blocks."""

from __future__ import annotations

import datetime as dt

from billing.benefit import batch
from billing.models import ActualsStatus, BatchStatus, ClaimSubmission, ProviderActuals
from billing.tickets.generate import generate_ticket
from clients.models import PlanRequestFiling
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)


def test_blocking_problems_stop_the_file_and_fixing_them_lets_it_through(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)

    outcome = batch.run_now(world.office, DECEMBER, actor_staff=world.clerk)

    assert outcome.run.status == BatchStatus.FAILED
    assert "提出前チェック" in outcome.run.error
    assert not ClaimSubmission.objects.exists()

    PlanRequestFiling.objects.create(client=tw.client, filed_on=dt.date(2026, 4, 1))
    for row in ticket.rows.all():
        row.actual_days = list(row.planned_days)
        row.actual_recorded = True
        row.save()
    for provider_id in set(ticket.rows.values_list("provider_id", flat=True)):
        ProviderActuals.objects.create(
            ticket=ticket, provider_id=provider_id, status=ActualsStatus.CONFIRMED
        )
    outcome = batch.run_now(world.office, DECEMBER, actor_staff=world.clerk)
    assert outcome.run.status == BatchStatus.DONE, outcome.run.error
    assert ClaimSubmission.objects.count() == 1
