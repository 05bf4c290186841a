"""Store the rules' answer as `WorkItem` rows, idempotently.

`refresh_office(office, today)` (nightly, and lazily when the queue is opened on a day the
office was not refreshed yet) and `refresh_client(client, today)` (right after an event of
that client) compute the items and replace the stored ones of that scope: new items are
inserted (first_seen_on = today), changed ones updated in place (first_seen_on kept), and
items no longer due deleted. Three writes/reads of WorkItem whatever the number of items,
plus the rules' fixed number of queries.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from clients.models import Client, ClientStatus
from monitoring.models import WorkItem
from monitoring.work.rules import ClientRow, Item, compute_items

UPDATE_FIELDS = ["care_manager", "due_on", "detail", "url", "refreshed_at"]


def _rows(queryset) -> list[ClientRow]:  # noqa: ANN001
    return [
        ClientRow(pk, office_id, care_manager_id)
        for pk, office_id, care_manager_id in queryset.exclude(status=ClientStatus.ENDED)
        .values_list("pk", "office_id", "care_manager_id")
        .order_by("pk")
    ]


@transaction.atomic
def _store(office_id: int, items: list[Item], existing, today: dt.date) -> int:  # noqa: ANN001
    wanted = {item.identity for item in items}
    stale = [pk for pk, kind, client_id, key in existing if (kind, client_id, key) not in wanted]
    if stale:
        WorkItem.objects.filter(pk__in=stale).delete()
    if items:
        WorkItem.objects.bulk_create(
            [
                WorkItem(
                    office_id=office_id,
                    care_manager_id=item.care_manager_id,
                    client_id=item.client_id,
                    kind=item.kind,
                    key=item.key,
                    due_on=item.due_on,
                    detail=item.detail[:200],
                    url=item.url[:300],
                    first_seen_on=today,
                )
                for item in items
            ],
            update_conflicts=True,
            unique_fields=["office", "kind", "client", "key"],
            update_fields=UPDATE_FIELDS,
        )
    return len(items)


def refresh_office(office, today: dt.date | None = None) -> int:  # noqa: ANN001
    """Recompute every item of the office. Returns the number of items."""
    today = today or timezone.localdate()
    items = compute_items(_rows(Client.objects.filter(office=office)), today)
    existing = WorkItem.objects.filter(office=office).values_list("pk", "kind", "client_id", "key")
    count = _store(office.pk, items, list(existing), today)
    cache.set(_marker(office.pk, today), True, 60 * 60 * 26)
    return count


def refresh_client(client: Client, today: dt.date | None = None) -> int:
    """Recompute the items of one client (after an event). An ended client keeps none."""
    today = today or timezone.localdate()
    items = compute_items(_rows(Client.objects.filter(pk=client.pk)), today)
    existing = WorkItem.objects.filter(office_id=client.office_id, client=client).values_list(
        "pk", "kind", "client_id", "key"
    )
    return _store(client.office_id, items, list(existing), today)


def _marker(office_id: int, today: dt.date) -> str:
    return f"work-queue-refreshed:{office_id}:{today:%Y%m%d}"


def ensure_fresh(office, today: dt.date | None = None) -> bool:  # noqa: ANN001
    """Refresh the office when its items are older than today (the nightly run missed it,
    or nothing ran yet). A per-process cache marker makes the check free after the first
    page of the day. Returns whether it refreshed."""
    today = today or timezone.localdate()
    if office is None or cache.get(_marker(office.pk, today)):
        return False
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    scoped = WorkItem.objects.filter(office=office)
    if scoped.exists() and not scoped.filter(refreshed_at__lt=start).exists():
        cache.set(_marker(office.pk, today), True, 60 * 60 * 26)
        return False
    refresh_office(office, today)
    return True
