"""In-app notices: what a care manager must see that someone else did to their client.

`notify_event(...)` is called by the client_event receiver (monitoring.signals_work): an
admission or a discharge recorded by someone other than the client's care manager (a
colleague on the phone, the clerk, the office manager, or the system) becomes a `Notice` for
that care manager (and the 代理, when another person). In-app notices may name the client —
they are shown only to the recipient, inside the product; the e-mail digest never does.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from caremgmt.access import Actor
from clients.models import Client
from monitoring.models import Notice

NOTIFIED_EVENTS = {
    "admitted": "入院",
    "discharged": "退院",
    "discharge_conference": "退院前カンファレンス",
}
UNREAD_SHOWN = 20


def notify_event(*, event: str, client_id: int, on, actor) -> list[Notice]:  # noqa: ANN001
    """Notices for an event of `client_id` done by `actor` (None: the system)."""
    label = NOTIFIED_EVENTS.get(event)
    if label is None:
        return []
    client = (
        Client.objects.filter(pk=client_id)
        .only("pk", "name", "office_id", "care_manager_id", "deputy_care_manager_id")
        .first()
    )
    if client is None:
        return []
    actor_id = getattr(actor, "pk", None)
    recipients = [
        staff_id
        for staff_id in dict.fromkeys([client.care_manager_id, client.deputy_care_manager_id])
        if staff_id is not None and staff_id != actor_id
    ]
    if not recipients:
        return []
    by = f"（登録：{actor.full_name}）" if actor is not None else "（自動登録）"
    message = f"{client.name}さんの{label}（{on.month}/{on.day}）が記録されました{by}"
    url = reverse("clients:detail", args=[client.pk])
    return Notice.objects.bulk_create(
        [
            Notice(
                office_id=client.office_id,
                recipient_id=staff_id,
                kind=event,
                message=message[:200],
                url=url,
            )
            for staff_id in recipients
        ]
    )


def notices_for(actor: Actor) -> QuerySet[Notice]:
    """The actor's own notices in the current office, unread first, newest first."""
    return Notice.objects.filter(recipient=actor.staff, office=actor.office).order_by(
        F("read_at").desc(nulls_first=True), "-created_at", "-pk"
    )


@transaction.atomic
def mark_read(notice: Notice) -> Notice:
    """Idempotent: a notice already read keeps its first read time."""
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    notice.refresh_from_db(fields=["read_at"])
    return notice
