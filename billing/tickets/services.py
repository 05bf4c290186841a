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
from billing.tickets.inputs import Register, allocation_to_json, inpatient_days, load_register
from billing.tickets.month import days_in_month
from billing.tickets.rules import code_on
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


def _uncertified_days(register: Register, ticket: ServiceTicket, days: Iterable[int]) -> list[int]:
    """Days of `days` with no 認定 in force (the register is loaded once per edit and
    reused by the recompute)."""
    return [
        day
        for day in sorted(set(days))
        if register.certification_on(ticket.month.replace(day=day)) is None
    ]


def _refuse_unusable_days(
    ticket: ServiceTicket, days: Iterable[int], field: str, register: Register
) -> None:
    """Bad input: a 予定 on a day outside every 認定 period, or strictly inside a hospital
    stay (the admission and discharge days themselves may carry a visit). 1 query."""
    days = sorted(set(days))
    if not days:
        return
    errors = []
    if uncertified := _uncertified_days(register, ticket, days):
        errors.append(
            f"{_days_label(ticket, uncertified)}は要介護認定の有効期間外のため予定を入れられません。"
        )
    if inpatient := sorted(set(days) & inpatient_days(ticket)):
        errors.append(
            f"{_days_label(ticket, inpatient)}は入院中（入院日の翌日〜退院日の前日）のため"
            "予定を入れられません。"
        )
    if errors:
        raise ValidationError({field: errors})


def _days_label(ticket: ServiceTicket, days: Iterable[int]) -> str:
    return "、".join(f"{ticket.month:%-m}月{day}日" for day in sorted(days))


def _refuse_bad_code(ticket: ServiceTicket, code: str, days: Sequence[int]) -> None:
    """Bad input: a code the fee schedule does not know, or not in force on the row's days
    (any day of the month when the row has none yet)."""
    from billing.fee_schedule import cached_fee_schedule

    code = (code or "").strip().upper()
    if not code:
        return  # the model's own validation names the empty field
    if not cached_fee_schedule().knows_code(code):
        raise ValidationError({"service_code": f"サービスコード「{code}」は単位数表にありません。"})
    dates = [ticket.month.replace(day=day) for day in sorted(set(days))] or [
        ticket.month.replace(day=day) for day in range(1, days_in_month(ticket.month) + 1)
    ]
    invalid = [date for date in dates if code_on(code, date) is None]
    if days and invalid:
        raise ValidationError(
            {
                "service_code": f"サービスコード「{code}」は"
                f"{_days_label(ticket, [d.day for d in invalid])}時点で有効ではありません。"
            }
        )
    if not days and len(invalid) == len(dates):
        raise ValidationError(
            {
                "service_code": f"サービスコード「{code}」は{ticket.month:%Y年%-m月}に有効ではありません。"
            }
        )


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
    register = load_register(locked)  # reused by the recompute below
    if on and line != "actual" and day not in row.planned_days:
        _refuse_unusable_days(locked, [day], "days", register)
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
    locked.figures = recompute_and_cache(locked, register=register)
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
    register = load_register(locked)  # reused by the recompute below
    if planned_days is not None:
        added = set(_valid_days(locked, planned_days)) - set(row.planned_days or [])
        row.planned_days = _valid_days(locked, planned_days)
        _refuse_unusable_days(locked, added, "planned_days", register)
    if "service_code" in fields:
        row.service_code = (row.service_code or "").strip().upper()
        _refuse_bad_code(locked, row.service_code, row.planned_days or [])
    row.full_clean(exclude=["ticket"])
    row.save()
    _touch(locked, actor)
    locked.figures = recompute_and_cache(locked, register=register)
    return row


@transaction.atomic
def ticket_row_delete(
    *, actor: Actor, ticket: ServiceTicket, row_id: int, expected_version: int | None
) -> None:
    require_plan_writer(actor)
    locked = _lock(ticket, expected_version)
    locked.rows.filter(pk=row_id).delete()
    _touch(locked, actor)
    locked.figures = recompute_and_cache(locked)


@transaction.atomic
def ticket_row_copy_to_weekdays(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    row_id: int,
    weekdays: Iterable[int],
    expected_version: int | None,
) -> TicketRow:
    """Add to the row every date of the month falling on `weekdays` (1 月 … 7 日).

    Dates outside every 認定 period or strictly inside a hospital stay are left out (the
    same days a single toggle refuses); `row.skipped_days` names them for the message. When
    no date is left to add, nothing is saved and the reason is raised at the field."""
    require_plan_writer(actor)
    locked = _lock(ticket, expected_version)
    row = locked.rows.select_for_update().get(pk=row_id)
    wanted = {int(w) for w in weekdays}
    if not wanted or not wanted <= set(range(1, 8)):
        raise ValidationError({"weekdays": "曜日を選んでください。"})
    register = load_register(locked)  # reused by the recompute below
    candidates = {
        day
        for day in range(1, days_in_month(locked.month) + 1)
        if locked.month.replace(day=day).isoweekday() in wanted and day not in row.planned_days
    }
    unusable = set(_uncertified_days(register, locked, candidates)) | (
        candidates & inpatient_days(locked)
    )
    added = candidates - unusable
    if not added:
        if unusable:
            raise ValidationError(
                {
                    "weekdays": f"{_days_label(locked, unusable)}は要介護認定の有効期間外か"
                    "入院中のため、追加できる日がありません。"
                }
            )
        raise ValidationError({"weekdays": "選んだ曜日の予定はすでに入っています。"})
    row.planned_days = sorted(set(row.planned_days) | added)
    row.edited = True
    row.save(update_fields=["planned_days", "edited"])
    _touch(locked, actor)
    locked.figures = recompute_and_cache(locked, register=register)
    row.skipped_days = sorted(unusable)
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
    locked.figures = recompute_and_cache(locked)
    return locked
