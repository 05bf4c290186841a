"""Reads of client data — always through the access helper."""

from __future__ import annotations

from django.db.models import QuerySet

from caremgmt.access import Actor, visible
from clients.models import Client


def client_list(*, actor: Actor | None) -> QuerySet[Client]:
    return visible(Client.objects.select_related("care_manager", "deputy_care_manager"), actor)
