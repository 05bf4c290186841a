"""Receivers of caremgmt.events.client_event for the work queue.

After the transaction that made the change commits, the client's items are recomputed
(`refresh_client`: eager and small — one client's rules) and, for an admission or discharge
recorded by someone other than the care manager, a notice is written for them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from caremgmt.events import client_event


@receiver(client_event, dispatch_uid="monitoring.work.refresh_client")
def refresh_work_of_client(*, client_id: int, event: str, on: Any, actor: Any, **_: Any) -> None:
    def after_commit() -> None:
        from clients.models import Client
        from monitoring.work.notices import notify_event
        from monitoring.work.refresh import refresh_client

        client = Client.objects.filter(pk=client_id).only("pk", "office_id").first()
        if client is None:
            return
        refresh_client(client, timezone.localdate())
        notify_event(event=event, client_id=client_id, on=on, actor=actor)

    transaction.on_commit(after_commit)
