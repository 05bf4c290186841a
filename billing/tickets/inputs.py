"""A ticket as the engine's `ClientMonth`: rows + the register (認定, 負担割合, 給付制限) +
the short-stay days of earlier months. A fixed number of queries, whatever the row count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch

from billing.calc import (
    Certification as CalcCertification,
)
from billing.calc import (
    ClientMonth,
    OverLimitAllocation,
    Provider,
    ServiceLine,
)
from billing.models import ServiceTicket, TicketRow
from billing.tickets.month import last_of_month
from clients.coverage import by_priority
from clients.models import (
    BenefitRestriction,
    BurdenRatio,
    Certification,
    ProviderRegionalGrade,
    PublicExpense,
)

BENEFIT_RATE_BY_BURDEN_RATIO = {1: 90, 2: 80, 3: 70}
DEFAULT_BENEFIT_RATE = 90  # no 負担割合証 recorded yet: 1割 until the card is entered (warned)


@dataclass(frozen=True)
class Register:
    """What the register says about the client for the month (one load per recompute)."""

    certifications: tuple[Certification, ...]
    burden_ratio: BurdenRatio | None
    restriction: BenefitRestriction | None
    public_expenses: tuple[PublicExpense, ...]
    short_stay_days_before_month: int
    short_stay_consecutive_days_before_month: int
    certification_period: tuple[dt.date, dt.date] | None

    @property
    def benefit_rate(self) -> int:
        if self.restriction is not None and self.restriction.benefit_rate:
            return self.restriction.benefit_rate
        if self.burden_ratio is None:
            return DEFAULT_BENEFIT_RATE
        return BENEFIT_RATE_BY_BURDEN_RATIO[self.burden_ratio.ratio]

    def certification_on(self, day: dt.date) -> Certification | None:
        found = None
        for certification in self.certifications:
            if certification.valid_from <= day <= certification.effective_to:
                found = certification
        return found


def load_register(ticket: ServiceTicket) -> Register:
    """5 queries: certifications, 負担割合, 給付制限, 公費, earlier tickets."""
    client_id = ticket.client_id
    first, last = ticket.month, last_of_month(ticket.month)
    certifications = tuple(
        Certification.objects.filter(client_id=client_id)
        .overlapping(first, last)
        .order_by("valid_from", "pk")
    )
    # 負担割合証 runs 8/1–7/31, so the month has one ratio; the one on the 1st (else the first
    # that starts in the month) applies.
    burden = (
        BurdenRatio.objects.filter(client_id=client_id)
        .overlapping(first, last)
        .order_by("valid_from", "-pk")
        .first()
    )
    restriction = (
        BenefitRestriction.objects.filter(client_id=client_id)
        .overlapping(first, last)
        .order_by("-valid_from", "-pk")
        .first()
    )
    public_expenses = tuple(
        by_priority(
            PublicExpense.objects.filter(client_id=client_id)
            .overlapping(first, last)
            .order_by("-valid_from", "-pk")
        )
    )
    period = _certification_period(certifications, first)
    before, consecutive = _short_stay_history(ticket, period)
    return Register(
        certifications=certifications,
        burden_ratio=burden,
        restriction=restriction,
        public_expenses=public_expenses,
        short_stay_days_before_month=before,
        short_stay_consecutive_days_before_month=consecutive,
        certification_period=period,
    )


def _certification_period(
    certifications: Sequence[Certification], first: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The 認定有効期間 the month's short stays count against: the certification in force on
    the 1st (else the first one of the month). A 区分変更 ends a period early; the new one
    starts its own count."""
    chosen = None
    for certification in certifications:
        if certification.valid_from <= first <= certification.effective_to:
            chosen = certification
    if chosen is None and certifications:
        chosen = certifications[0]
    if chosen is None:
        return None
    return (chosen.valid_from, chosen.effective_to)


def _short_stay_history(
    ticket: ServiceTicket, period: tuple[dt.date, dt.date] | None
) -> tuple[int, int]:
    """前月までの短期入所利用日数 within the certification period (cached per ticket by its
    last recompute) and the run still going on the last day of the previous month."""
    if period is None:
        return 0, 0
    earlier = list(
        ServiceTicket.objects.filter(
            client_id=ticket.client_id,
            month__lt=ticket.month,
            month__gte=period[0].replace(day=1),
        )
        .order_by("month")
        .values_list("month", "short_stay_counted_days", "short_stay_last_run_days")
    )
    before = sum(days for _month, days, _run in earlier)
    consecutive = 0
    if earlier:
        last_month, _days, run = earlier[-1]
        previous = (ticket.month - dt.timedelta(days=1)).replace(day=1)
        if last_month == previous:
            consecutive = run
    return before, consecutive


def ticket_rows(ticket: ServiceTicket) -> list[TicketRow]:
    """The rows with their providers and the providers' grade history (2 queries)."""
    return list(
        ticket.rows.select_related("provider").prefetch_related(
            Prefetch(
                "provider__regional_grades",
                queryset=ProviderRegionalGrade.objects.order_by("-valid_from"),
            )
        )
    )


def _grade_on(provider: object, day: dt.date) -> str:
    for row in provider.regional_grades.all():  # prefetched, newest first
        if row.valid_from <= day and (row.valid_to is None or row.valid_to >= day):
            return row.grade
    return provider.regional_grade


def row_dates(ticket: ServiceTicket, days: Sequence[int]) -> list[dt.date]:
    last = last_of_month(ticket.month).day
    return [ticket.month.replace(day=day) for day in sorted(set(days)) if 1 <= day <= last]


def allocation_from_json(data: object) -> list[OverLimitAllocation] | None:
    if not data:
        return None
    return [
        OverLimitAllocation(
            provider_number=str(item["provider_number"]),
            service_type=str(item["service_type"]),
            units=int(item["units"]),
        )
        for item in data  # type: ignore[union-attr]
    ]


def allocation_to_json(allocation: Sequence[OverLimitAllocation] | None) -> list[dict] | None:
    if allocation is None:
        return None
    return [
        {"provider_number": a.provider_number, "service_type": a.service_type, "units": a.units}
        for a in allocation
        if a.units
    ]


def client_month_for(
    ticket: ServiceTicket,
    rows: Sequence[TicketRow],
    register: Register,
    *,
    use_actual: bool = False,
    allocation: Sequence[OverLimitAllocation] | None | str = "ticket",
) -> ClientMonth:
    """The engine input. `use_actual` prices the 実績 line instead of the 予定 line;
    `allocation` "ticket" uses the ticket's saved choice, else the given one (None = the
    engine's default order)."""
    providers: dict[str, Provider] = {}
    lines: list[ServiceLine] = []
    for row in rows:
        provider = row.provider
        if provider.provider_number not in providers:
            providers[provider.provider_number] = Provider(
                number=provider.provider_number,
                name=provider.name,
                regional_grade=_grade_on(provider, ticket.month),
                service_types=frozenset(provider.service_types),
            )
        days = row.actual_days if use_actual else row.planned_days
        lines.append(
            ServiceLine(
                provider_number=provider.provider_number,
                service_code=row.service_code,
                dates=tuple(row_dates(ticket, days)),
                count_per_date=row.count_per_date,
                rental_price_yen=row.rental_price_yen,
            )
        )
    chosen = (
        allocation_from_json(ticket.over_limit_allocation) if allocation == "ticket" else allocation
    )
    return ClientMonth(
        year=ticket.month.year,
        month=ticket.month.month,
        certifications=[
            CalcCertification(
                care_level=c.care_level, valid_from=c.valid_from, valid_to=c.effective_to
            )
            for c in register.certifications
        ],
        benefit_rate=register.benefit_rate,
        providers=list(providers.values()),
        service_lines=lines,
        over_limit_allocation=chosen,  # type: ignore[arg-type]
        short_stay_days_before_month=register.short_stay_days_before_month,
        short_stay_consecutive_days_before_month=register.short_stay_consecutive_days_before_month,
    )


def inpatient_days(ticket: ServiceTicket) -> set[int]:
    """Day numbers strictly inside a hospital stay this month (1 query)."""
    from clients.models import HospitalStay

    first, last = ticket.month, last_of_month(ticket.month)
    days: set[int] = set()
    for stay in HospitalStay.objects.filter(client_id=ticket.client_id).overlapping(first, last):
        days |= {day.day for day in stay.inpatient_days(first, last)}
    return days


__all__ = [
    "Register",
    "allocation_from_json",
    "allocation_to_json",
    "client_month_for",
    "inpatient_days",
    "load_register",
    "row_dates",
    "ticket_rows",
]
