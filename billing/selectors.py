"""Authorised lookups for tickets: everything goes through `caremgmt.access.visible`."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from billing.models import ServiceTicket
from caremgmt.access import Actor, get_visible_or_404, visible
from clients.models import Client


def ticket_for(actor: Actor | None, pk: int) -> ServiceTicket:
    """One visible ticket (404 otherwise), with its client and office."""
    return get_visible_or_404(
        ServiceTicket.objects.select_related("client", "client__office", "client__care_manager"),
        actor,
        pk=pk,
    )


def client_for(actor: Actor | None, client_id: int) -> Client:
    return get_visible_or_404(Client, actor, pk=client_id)


def tickets_of_month(actor: Actor | None, month: dt.date) -> QuerySet[ServiceTicket]:
    return visible(ServiceTicket.objects.filter(month=month), actor).select_related("client")
