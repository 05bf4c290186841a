"""The 別表 of a ticket: the engine's result plus what the register adds (公費, 給付制限),
and the cached totals kept on the ticket for lists and the next month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from billing.calc import ClientMonthResult, OverLimitAllocation, calculate_client_month
from billing.calc.types import Issue
from billing.fee_schedule import cached_fee_schedule
from billing.models import ServiceTicket, TicketRow
from billing.tickets.inputs import Register, client_month_for, load_register, ticket_rows
from clients.coverage import WELFARE_LAW_NUMBER, public_expense_law_label

CLAIMED_MESSAGE = "この月は請求済みのため変更できません。訂正は給付管理から行ってください。"


@dataclass(frozen=True)
class PublicExpenseEffect:
    """A 公費 in force in the month and what it pays of the user's insured share.

    Only 生活保護（介護扶助, 法別12）is priced: it pays the whole 利用者負担(保険対象分)
    (REFERENCE open question 13 — other laws are listed, not priced)."""

    law_number: str
    label: str
    payer_number: str
    recipient_number: str
    paid_yen: int


@dataclass(frozen=True)
class TicketFigures:
    result: ClientMonthResult
    register: Register
    rows: tuple[TicketRow, ...]
    public_expenses: tuple[PublicExpenseEffect, ...] = field(default=())

    @property
    def public_expense_yen(self) -> int:
        return sum(effect.paid_yen for effect in self.public_expenses)

    @property
    def user_charge_yen(self) -> int:
        """What the client pays this month: 保険対象分 − 公費 + 全額負担分."""
        totals = self.result.totals
        return totals.user_copay - self.public_expense_yen + totals.user_full_pay

    @property
    def over_limit(self) -> bool:
        return self.result.totals.over_limit_units > 0

    @property
    def remaining_units(self) -> int:
        return self.result.limit_units - self.result.totals.limit_target_units

    @property
    def issues(self) -> tuple[Issue, ...]:
        return self.result.issues


def ticket_figures(
    ticket: ServiceTicket,
    *,
    rows: Sequence[TicketRow] | None = None,
    register: Register | None = None,
    use_actual: bool = False,
    allocation: Sequence[OverLimitAllocation] | None | str = "ticket",
) -> TicketFigures:
    """Recompute the 別表. Pass `rows`/`register` already loaded to skip their queries;
    `allocation` as in `inputs.client_month_for` (a preview of another choice).

    With `use_actual` a row without any 実績 day was not provided and is left out: the
    engine counts a 1月につき code (福祉用具貸与, monthly 加算) whatever its dates, so a
    rental whose provider has sent nothing yet would otherwise count in the 実績 別表 and
    a 給付管理票 from 実績. `figures.rows` are then the rows priced (engine line indexes)."""
    rows = tuple(ticket_rows(ticket) if rows is None else rows)
    if use_actual:
        rows = tuple(row for row in rows if row.actual_days)
    register = load_register(ticket) if register is None else register
    client_month = client_month_for(
        ticket, rows, register, use_actual=use_actual, allocation=allocation
    )
    result = calculate_client_month(client_month, cached_fee_schedule())
    effects = tuple(
        PublicExpenseEffect(
            law_number=expense.law_number,
            label=public_expense_law_label(expense.law_number),
            payer_number=expense.payer_number,
            recipient_number=expense.recipient_number,
            paid_yen=result.totals.user_copay if expense.law_number == WELFARE_LAW_NUMBER else 0,
        )
        for expense in register.public_expenses[:1]
    )
    return TicketFigures(result=result, register=register, rows=rows, public_expenses=effects)


def cache_totals(ticket: ServiceTicket, figures: TicketFigures) -> list[str]:
    """Copy the totals to the ticket's cache fields; returns the changed field names."""
    result = figures.result
    short_stay = result.short_stay
    values = {
        "total_units": result.totals.total_units,
        "limit_units": result.limit_units,
        "over_limit_units": result.totals.over_limit_units,
        "user_total_yen": max(figures.user_charge_yen, 0),
        "short_stay_counted_days": short_stay.counted_days if short_stay else 0,
        "short_stay_last_run_days": _last_run_days(ticket, figures.rows, figures.register),
    }
    changed = []
    for name, value in values.items():
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)
            changed.append(name)
    return changed


def _last_run_days(ticket: ServiceTicket, rows: Sequence[TicketRow], register: Register) -> int:
    """Length of the short stay still running on the month's last day (for next month's
    30-consecutive-day count): consecutive stay days ending on the last day, plus the run
    carried in when the stay covers the whole month."""
    from billing.tickets.month import days_in_month
    from billing.tickets.rules import is_short_stay_code

    stay_days: set[int] = set()
    for row in rows:
        if is_short_stay_code(row.service_code):
            stay_days |= set(row.planned_days)
    last = days_in_month(ticket.month)
    run = 0
    day = last
    while day >= 1 and day in stay_days:
        run += 1
        day -= 1
    if run == last:
        run += register.short_stay_consecutive_days_before_month
    return run


def recompute_and_cache(
    ticket: ServiceTicket, *, register: Register | None = None
) -> TicketFigures:
    figures = ticket_figures(ticket, register=register)
    changed = cache_totals(ticket, figures)
    if changed:
        ServiceTicket.objects.filter(pk=ticket.pk).update(
            **{name: getattr(ticket, name) for name in changed}
        )
    return figures
