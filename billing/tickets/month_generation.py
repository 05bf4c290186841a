"""Next month's tickets for every client with a confirmed plan, created ahead of the
month (Celery beat, `billing.generate_next_month_tickets`), so a care manager opening next
month finds them generated. Only missing tickets are created: an existing one (maybe edited
or handed over already) is never touched here — regeneration is the care manager's action.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from billing.models import ServiceTicket
from billing.tickets.generate import generate_ticket
from billing.tickets.month import last_of_month
from careplans.models import CarePlan, PlanStatus
from clients.models import ACTIVE_STATUSES, Client

logger = logging.getLogger(__name__)


@dataclass
class MonthGeneration:
    month: dt.date
    created: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def clients_needing_tickets(month: dt.date):  # noqa: ANN201
    """Active clients with a confirmed plan started by the month's end and no ticket yet."""
    return (
        Client.objects.filter(status__in=ACTIVE_STATUSES)
        .filter(
            Exists(
                CarePlan.objects.filter(
                    client=OuterRef("pk"),
                    status=PlanStatus.CONFIRMED,
                    starts_on__lte=last_of_month(month),
                )
            )
        )
        .exclude(Exists(ServiceTicket.objects.filter(client=OuterRef("pk"), month=month)))
        .order_by("office_id", "pk")
    )


def generate_missing_tickets(month: dt.date) -> MonthGeneration:
    """Create every missing ticket of `month`, one transaction per client (a failure —
    e.g. a claimed month — is logged by id and skipped)."""
    outcome = MonthGeneration(month=month)
    for client in clients_needing_tickets(month).iterator(chunk_size=200):
        try:
            generate_ticket(client=client, month=month)
        except ValidationError:
            logger.warning("ticket generation refused: client_id=%s month=%s", client.pk, month)
            outcome.failed.append(client.pk)
        else:
            outcome.created.append(client.pk)
    return outcome
