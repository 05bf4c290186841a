"""Status of each provider's 実績 for a client-month: lazy creation, receipt, reason, 確定.

* `ensure_provider_actuals(tickets)` — one `ProviderActuals` per ticket × provider on its
  rows (created lazily, two queries whatever the number of tickets);
* `receive(...)` — 受領, or 差異あり when that provider's 実績 differs from 予定;
* `copy_planned(...)` — 「予定どおり」: 予定 → 実績 for one row or every row of a provider,
  under the ticket's version lock, then received as 画面入力;
* `save_reason(...)` / `confirm(...)` — under `ProviderActuals.version` (and the ticket's
  version for 確定): 確定 is refused while 実績 ≠ 予定 without a recorded reason.
* `confirm` / `unconfirm` emit the client event `actuals_confirmed` / `actuals_unconfirmed`
  (caremgmt.events): the work queue refreshes the client after commit, 第5表 gets its entry.

Writers: 事務, 管理者 and the client's care managers (`require_writer`; the caller looked the
ticket up through `caremgmt.access.visible`). A claimed month is read-only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.actuals.reconcile import rows_differ
from billing.models import ServiceTicket, TicketRow
from billing.models.actuals import ActualsImport, ActualsSource, ActualsStatus, ProviderActuals
from billing.tickets.compute import CLAIMED_MESSAGE, recompute_and_cache
from caremgmt.access import Actor, require_writer
from caremgmt.events import emit
from caremgmt.locking import StaleEditError, changes_since

PA_LOCK_FIELDS = ("status", "difference_reason", "confirmed_at")
TICKET_LOCK_FIELDS = ("status", "total_units", "user_total_yen")
CONFIRMED_MESSAGE = "この事業所の実績は確定済みです。変更するには確定を取り消してください。"


def ensure_provider_actuals(ticket_ids: Iterable[int]) -> None:
    """Create the missing ProviderActuals of these tickets (one per provider on their rows)."""
    ids = list(ticket_ids)
    if not ids:
        return
    pairs = set(
        TicketRow.objects.filter(ticket_id__in=ids)
        .values_list("ticket_id", "provider_id")
        .distinct()
    )
    existing = set(
        ProviderActuals.objects.filter(ticket_id__in=ids).values_list("ticket_id", "provider_id")
    )
    missing = pairs - existing
    if missing:
        ProviderActuals.objects.bulk_create(
            [ProviderActuals(ticket_id=t, provider_id=p) for t, p in sorted(missing)],
            ignore_conflicts=True,
        )


def _lock_ticket(ticket: ServiceTicket, expected_version: int | None) -> ServiceTicket:
    locked = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
    if locked.is_claimed:
        raise ValidationError(CLAIMED_MESSAGE)
    if expected_version is None or locked.version != expected_version:
        raise StaleEditError(
            locked, changes_since(locked, expected_version or 0, TICKET_LOCK_FIELDS)
        )
    return locked


def _lock_pa(pa: ProviderActuals, expected_version: int | None) -> ProviderActuals:
    locked = ProviderActuals.objects.select_for_update().get(pk=pa.pk)
    if expected_version is None or locked.version != expected_version:
        raise StaleEditError(locked, changes_since(locked, expected_version or 0, PA_LOCK_FIELDS))
    return locked


def _touch_ticket(ticket: ServiceTicket, actor: Actor | None) -> None:
    ticket.version += 1
    ticket.updated_by = actor.staff if actor is not None else None
    ticket.save(update_fields=["version", "updated_by", "updated_at"])


def refuse_confirmed(ticket: ServiceTicket, provider_ids: Iterable[int]) -> None:
    confirmed = ProviderActuals.objects.filter(
        ticket=ticket, provider_id__in=list(provider_ids), status=ActualsStatus.CONFIRMED
    ).exists()
    if confirmed:
        raise ValidationError(CONFIRMED_MESSAGE)


def receive(
    ticket: ServiceTicket,
    provider_ids: Iterable[int],
    *,
    source: str,
    source_import: ActualsImport | None = None,
) -> list[ProviderActuals]:
    """Mark these providers' 実績 received: 受領, or 差異あり when 実績 ≠ 予定.

    Runs inside the caller's transaction (the ticket is already locked)."""
    ids = sorted(set(provider_ids))
    ensure_provider_actuals([ticket.pk])
    rows = list(TicketRow.objects.filter(ticket=ticket, provider_id__in=ids))
    now = timezone.now()
    updated = []
    for pa in ProviderActuals.objects.select_for_update().filter(
        ticket=ticket, provider_id__in=ids
    ):
        mine = [row for row in rows if row.provider_id == pa.provider_id]
        pa.status = ActualsStatus.DIFFERS if rows_differ(mine) else ActualsStatus.RECEIVED
        pa.source = source
        pa.source_import = source_import
        pa.received_at = now
        pa.version += 1
        pa.save(update_fields=["status", "source", "source_import", "received_at", "version"])
        updated.append(pa)
    return updated


@transaction.atomic
def copy_planned(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    expected_version: int | None,
    row_id: int | None = None,
    provider_id: int | None = None,
) -> ServiceTicket:
    """「予定どおり」: the 実績 of one row (or of every row of one provider) becomes its 予定."""
    require_writer(actor)
    locked = _lock_ticket(ticket, expected_version)
    rows = locked.rows.select_for_update()
    if row_id is not None:
        rows = rows.filter(pk=row_id)
    elif provider_id is not None:
        rows = rows.filter(provider_id=provider_id)
    else:
        raise ValidationError("行または事業所を選んでください。")
    chosen = list(rows)
    if not chosen:
        raise ValidationError("対象の行がありません。")
    providers = {row.provider_id for row in chosen}
    refuse_confirmed(locked, providers)
    for row in chosen:
        row.actual_days = list(row.planned_days)
        row.actual_recorded = True
        row.save(update_fields=["actual_days", "actual_recorded"])
    _touch_ticket(locked, actor)
    locked.figures = recompute_and_cache(locked)
    receive(locked, providers, source=ActualsSource.TYPED)
    return locked


@transaction.atomic
def mark_received(
    *, actor: Actor, ticket: ServiceTicket, provider_id: int, expected_version: int | None
) -> ProviderActuals:
    """The 実績 typed with the editor's toggles is complete: 受領 / 差異あり (画面入力)."""
    require_writer(actor)
    locked = _lock_ticket(ticket, expected_version)
    refuse_confirmed(locked, [provider_id])
    if not locked.rows.filter(provider_id=provider_id).exists():
        raise ValidationError("この事業所の行がありません。")
    return receive(locked, [provider_id], source=ActualsSource.TYPED)[0]


@transaction.atomic
def save_reason(
    *, actor: Actor, pa: ProviderActuals, reason: str, expected_version: int | None
) -> ProviderActuals:
    require_writer(actor)
    locked = _lock_pa(pa, expected_version)
    if locked.status == ActualsStatus.CONFIRMED:
        raise ValidationError(CONFIRMED_MESSAGE)
    reason = reason.strip()
    if len(reason) > 300:
        raise ValidationError({"difference_reason": "差異の理由は300文字以内で入力してください。"})
    locked.difference_reason = reason
    locked.version += 1
    locked.save(update_fields=["difference_reason", "version"])
    return locked


@transaction.atomic
def confirm(
    *,
    actor: Actor,
    pa: ProviderActuals,
    expected_version: int | None,
    expected_ticket_version: int | None,
) -> ProviderActuals:
    """確定: refused before receipt, and while 実績 ≠ 予定 without a recorded reason."""
    require_writer(actor)
    _lock_ticket(pa.ticket, expected_ticket_version)
    locked = _lock_pa(pa, expected_version)
    if locked.status == ActualsStatus.CONFIRMED:
        raise ValidationError("この事業所の実績は確定済みです。")
    if locked.status == ActualsStatus.PENDING:
        raise ValidationError(
            "実績をまだ受領していません。「予定どおり」か実績の入力の後で確定してください。"
        )
    rows = TicketRow.objects.filter(ticket_id=locked.ticket_id, provider_id=locked.provider_id)
    if rows_differ(rows) and not locked.difference_reason.strip():
        raise ValidationError(
            {
                "difference_reason": "実績が予定と異なります。差異の理由を入力してから確定してください。"
            }
        )
    locked.status = ActualsStatus.CONFIRMED
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = actor.staff
    locked.version += 1
    locked.save(update_fields=["status", "confirmed_at", "confirmed_by", "version"])
    _emit("actuals_confirmed", actor, locked, "を確定した。")
    return locked


def _emit(event: str, actor: Actor, pa: ProviderActuals, done: str) -> None:
    """The client event of a 確定 / its undo: the work queue refreshes the client after
    commit (the 「実績が未確定」 item clears or comes back). A work-queue event only: it
    writes no 第5表 entry (caremgmt.events maps it to None)."""
    ticket = ServiceTicket.objects.only("client_id", "month").get(pk=pa.ticket_id)
    provider = pa.provider.name
    emit(
        event,
        client_id=ticket.client_id,
        on=timezone.localdate(),
        summary=f"{ticket.month.year}年{ticket.month.month}月分のサービス提供実績（{provider}）{done}",
        source=pa,
        actor=actor.staff,
    )


@transaction.atomic
def unconfirm(
    *, actor: Actor, pa: ProviderActuals, expected_version: int | None
) -> ProviderActuals:
    """Undo 確定 (before the month is claimed): back to 受領 / 差異あり."""
    require_writer(actor)
    if ServiceTicket.objects.select_for_update().get(pk=pa.ticket_id).is_claimed:
        raise ValidationError(CLAIMED_MESSAGE)
    locked = _lock_pa(pa, expected_version)
    if locked.status != ActualsStatus.CONFIRMED:
        raise ValidationError("確定されていません。")
    rows = TicketRow.objects.filter(ticket_id=locked.ticket_id, provider_id=locked.provider_id)
    locked.status = ActualsStatus.DIFFERS if rows_differ(rows) else ActualsStatus.RECEIVED
    locked.confirmed_at = None
    locked.confirmed_by = None
    locked.version += 1
    locked.save(update_fields=["status", "confirmed_at", "confirmed_by", "version"])
    _emit("actuals_unconfirmed", actor, locked, "の確定を取り消した。")
    return locked


def client_month_confirmed(actuals: Iterable[ProviderActuals]) -> bool:
    items = list(actuals)
    return bool(items) and all(pa.status == ActualsStatus.CONFIRMED for pa in items)
