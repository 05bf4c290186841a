"""Every edit of a ticket: version-locked, refused on a claimed month, recomputed.

Each service locks the ticket row, checks `expected_version` (raising
`caremgmt.locking.StaleEditError` when someone saved in between — nothing is written),
applies the change, bumps `version`, recomputes the 別表 through the engine and refreshes
the cached totals. 予定 and the over-limit allocation are plan content (介護支援専門員・主任・
管理者); the 実績 line may also be typed by 事務 (billing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.calc import OverLimitAllocation
from billing.models import RowSource, ServiceTicket, TicketRow
from billing.tickets.compute import CLAIMED_MESSAGE, recompute_and_cache, ticket_figures
from billing.tickets.inputs import allocation_to_json
from billing.tickets.month import days_in_month
from caremgmt.access import Actor, require_plan_writer, require_writer
from caremgmt.locking import StaleEditError, changes_since

LOCK_FIELDS = ("status", "over_limit_allocation", "total_units", "user_total_yen")


def _lock(ticket: ServiceTicket, expected_version: int | None) -> ServiceTicket:
    locked = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
    if locked.is_claimed:
        raise ValidationError(CLAIMED_MESSAGE)
    if expected_version is None or locked.version != expected_version:
        raise StaleEditError(locked, changes_since(locked, expected_version or 0, LOCK_FIELDS))
    return locked


def _touch(ticket: ServiceTicket, actor: Actor) -> None:
    ticket.version += 1
    ticket.updated_by = actor.staff
    ticket.save(update_fields=["version", "updated_by", "updated_at"])


def _valid_days(ticket: ServiceTicket, days: Iterable[int]) -> list[int]:
    last = days_in_month(ticket.month)
    result = sorted({int(day) for day in days})
    for day in result:
        if not 1 <= day <= last:
            raise ValidationError(
                {"days": f"{ticket.month:%Y年%-m月}は1〜{last}日です（{day}日）。"}
            )
    return result


@transaction.atomic
def ticket_set_day(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    row_id: int,
    day: int,
    on: bool,
    line: str = "planned",
    expected_version: int | None,
) -> ServiceTicket:
    """Mark (or clear) one day of one row on the 予定 or 実績 line."""
    if line == "actual":
        require_writer(actor)
    else:
        require_plan_writer(actor)
    locked = _lock(ticket, expected_version)
    row = locked.rows.select_for_update().get(pk=row_id)
    _valid_days(locked, [day])
    field_name = "actual_days" if line == "actual" else "planned_days"
    days = set(getattr(row, field_name))
    days.add(day) if on else days.discard(day)
    setattr(row, field_name, sorted(days))
    update = [field_name]
    if line == "actual":
        row.actual_recorded = True
        update.append("actual_recorded")
    else:
        row.edited = True
        update.append("edited")
    row.save(update_fields=update)
    _touch(locked, actor)
    recompute_and_cache(locked)
    return locked


ROW_EDIT_FIELDS = (
    "provider",
    "service_code",
    "content",
    "starts_at",
    "ends_at",
    "count_per_date",
    "tais_code",
    "notified_code",
    "item_name",
    "rental_price_yen",
)


@transaction.atomic
def ticket_row_save(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    row: TicketRow | None,
    fields: dict,
    planned_days: Sequence[int] | None = None,
    expected_version: int | None,
) -> TicketRow:
    """Add a row (row=None) or change one; the provider must be in the office's directory
    (the form restricts the choice)."""
    require_plan_writer(actor)
    locked = _lock(ticket, expected_version)
    if row is None:
        row = TicketRow(
            ticket=locked,
            source=RowSource.MANUAL,
            order=(locked.rows.order_by("-order").values_list("order", flat=True).first() or 0) + 1,
        )
    else:
        row = locked.rows.select_for_update().get(pk=row.pk)
        row.edited = True
    for name in ROW_EDIT_FIELDS:
        if name in fields:
            setattr(row, name, fields[name])
    if planned_days is not None:
        row.planned_days = _valid_days(locked, planned_days)
    row.full_clean(exclude=["ticket"])
    row.save()
    _touch(locked, actor)
    recompute_and_cache(locked)
    return row


@transaction.atomic
def ticket_row_delete(
    *, actor: Actor, ticket: ServiceTicket, row_id: int, expected_version: int | None
) -> None:
    require_plan_writer(actor)
    locked = _lock(ticket, expected_version)
    locked.rows.filter(pk=row_id).delete()
    _touch(locked, actor)
    recompute_and_cache(locked)


@transaction.atomic
def ticket_row_copy_to_weekdays(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    row_id: int,
    weekdays: Iterable[int],
    expected_version: int | None,
) -> TicketRow:
    """Add to the row every date of the month falling on `weekdays` (1 月 … 7 日)."""
    require_plan_writer(actor)
    locked = _lock(ticket, expected_version)
    row = locked.rows.select_for_update().get(pk=row_id)
    wanted = {int(w) for w in weekdays}
    if not wanted or not wanted <= set(range(1, 8)):
        raise ValidationError({"weekdays": "曜日を選んでください。"})
    days = set(row.planned_days)
    for day in range(1, days_in_month(locked.month) + 1):
        if locked.month.replace(day=day).isoweekday() in wanted:
            days.add(day)
    row.planned_days = sorted(days)
    row.edited = True
    row.save(update_fields=["planned_days", "edited"])
    _touch(locked, actor)
    recompute_and_cache(locked)
    return row


ALLOCATION_ISSUES = {
    "allocation_unknown_group",
    "allocation_negative_units",
    "allocation_duplicate_group",
    "allocation_exceeds_group",
    "allocation_sum_mismatch",
}


def allocation_problems(
    ticket: ServiceTicket, allocation: Sequence[OverLimitAllocation]
) -> list[str]:
    """Japanese messages (with the figures) when `allocation` does not fit the month: the
    engine checks it against the groups that can absorb units and the excess."""
    figures = ticket_figures(ticket, allocation=list(allocation))
    return [issue.message for issue in figures.issues if issue.code in ALLOCATION_ISSUES]


@transaction.atomic
def ticket_allocation_save(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    allocation: Sequence[OverLimitAllocation] | None,
    expected_version: int | None,
) -> ServiceTicket:
    """Record which provider × service absorbs the units over the 区分支給限度基準額
    (None: back to the engine's default order). Refused with the figures when it does not
    sum to the excess."""
    require_plan_writer(actor)
    locked = _lock(ticket, expected_version)
    if allocation is not None:
        problems = allocation_problems(locked, allocation)
        if problems:
            raise ValidationError({"allocation": problems})
    locked.over_limit_allocation = allocation_to_json(allocation)
    locked.save(update_fields=["over_limit_allocation"])
    _touch(locked, actor)
    recompute_and_cache(locked)
    return locked
