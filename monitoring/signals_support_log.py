"""The automatic 支援経過 (第5表) entries: one receiver of caremgmt.events.client_event.

Every event in caremgmt.events.EVENTS is filed under its 種別 with the caller's summary, on
the day it happened, linked to its source record; written once per (client, event, source)
inside the caller's transaction (monitoring.support_log.services.support_log_auto).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from caremgmt.events import client_event
from monitoring.support_log.services import support_log_auto


@receiver(client_event, dispatch_uid="monitoring.support_log_entry")
def write_support_log_entry(
    sender: Any,
    *,
    event: str,
    client_id: int,
    on: Any,
    summary: str,
    source: str,
    actor: Any = None,
    counterpart: str = "",
    **kwargs: Any,
) -> None:
    support_log_auto(
        event=event,
        client_id=client_id,
        on=on,
        summary=summary,
        source=source,
        actor=actor,
        counterpart=counterpart,
    )
