"""第5表 corrections for hospital liaisons that were edited or deleted.

The automatic 支援経過 entry written when a liaison was recorded (event + source) is never
changed: the 第5表 is append-only. A correction is a new entry whose `corrects` points at the
newest entry of that chain (the automatic one, or the last correction of it, hand-written or
not) — the same shape `monitoring.support_log.services.support_log_correct` writes. When the
liaison has no automatic entry (recorded before the events existed) the entry stands alone.
"""

from __future__ import annotations

import datetime as dt

from caremgmt.access import Actor
from monitoring.models import LogKind, SupportLogEntry
from monitoring.support_log.services import COUNTERPART_MAX


def _newest_in_chain(entry: SupportLogEntry) -> SupportLogEntry:
    """Follow `corrects` forwards to the newest correction (one query per link)."""
    while True:
        newer = SupportLogEntry.objects.filter(corrects=entry).order_by("-pk").first()
        if newer is None:
            return entry
        entry = newer


def support_log_correct_liaison(
    *,
    actor: Actor,
    client_id: int,
    event: str,
    source: str,
    occurred_on: dt.date,
    content: str,
    counterpart: str = "",
) -> SupportLogEntry:
    """Write the correction entry (inside the caller's transaction)."""
    original = SupportLogEntry.objects.filter(
        client_id=client_id, event=event, source=source
    ).first()
    previous = _newest_in_chain(original) if original is not None else None
    return SupportLogEntry.objects.create(
        client_id=client_id,
        occurred_on=occurred_on,
        kind=previous.kind if previous is not None else LogKind.HOSPITAL,
        counterpart=(counterpart or "").strip()[:COUNTERPART_MAX],
        content=content.strip(),
        author=actor.staff,
        corrects=previous,
    )
