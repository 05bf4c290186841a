"""Generate (or refresh) a client-month's 利用票 rows from the care plan.

For each day of the month the plan in force is the latest confirmed (or since superseded)
version whose 計画の開始日 is on or before that day, so a revision confirmed mid-month takes
over from its start date. From that plan:

* 第3表 weekly rows with an insured code → the weekday's dates,
* 週単位以外 rental / monthly items → one 月単位 row while the item's period covers the month,
* 短期入所 date ranges → the stay's dates.

A day gets nothing when no 認定 is in force (or the plan has not started), when the client is
in hospital (strictly between admission and discharge), or when the provider is closed that
weekday or on a public holiday (祝日休み). A code with per-care-level variants follows the
level of each day, so a mid-month 区分変更 splits a row into one per code.

Regeneration keeps rows the care manager edited by hand (and manual rows) unless `reset`; it
reports each row added, changed or removed in Japanese.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.models import RowSource, ServiceTicket, TicketRow
from billing.tickets.compute import CLAIMED_MESSAGE, recompute_and_cache
from billing.tickets.inputs import Register, inpatient_days, load_register
from billing.tickets.month import days_in_month, holidays_in_month, last_of_month
from billing.tickets.rules import code_for_level
from careplans.models import CarePlan, MonthlyService, MonthlyServiceKind, PlanStatus
from clients.models import Client


@dataclass(frozen=True)
class DesiredRow:
    source: str
    source_key: str
    provider_id: int
    service_code: str
    content: str
    starts_at: dt.time | None
    ends_at: dt.time | None
    planned_days: tuple[int, ...]
    order: int
    tais_code: str = ""
    notified_code: str = ""
    item_name: str = ""
    rental_price_yen: int | None = None


@dataclass
class GenerationReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    skipped_days: dict[str, list[int]] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        out = [f"追加：{text}" for text in self.added]
        out += [f"変更：{text}" for text in self.changed]
        out += [f"削除：{text}" for text in self.removed]
        out += [f"手修正を保持：{text}" for text in self.kept]
        for reason, days in self.skipped_days.items():
            if days:
                out.append(f"{reason}のため予定を入れなかった日：{_days_text(days)}")
        return out

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _days_text(days: list[int] | tuple[int, ...]) -> str:
    return "、".join(f"{day}日" for day in sorted(days))


def _row_label(provider_name: str, code: str, content: str, starts_at: dt.time | None) -> str:
    time = f"{starts_at:%H:%M} " if starts_at else ""
    return f"{time}{content or code}（{provider_name}・{code}）"


def plans_for_month(client: Client, month: dt.date) -> list[CarePlan]:
    """Confirmed/superseded plans that may be in force on some day of the month, oldest
    first (2 queries with their rows)."""
    last = last_of_month(month)
    plans = list(
        CarePlan.objects.filter(
            client=client,
            status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED],
            starts_on__lte=last,
        )
        .order_by("-starts_on", "-sequence")
        .prefetch_related("weekly_services__provider", "monthly_services__provider")
    )
    # Only the latest plan starting on/before the 1st and those starting later matter.
    kept: list[CarePlan] = []
    for plan in plans:
        kept.append(plan)
        if plan.starts_on <= month:
            break
    return list(reversed(kept))


def _plan_on(plans: list[CarePlan], day: dt.date) -> CarePlan | None:
    found = None
    for plan in plans:
        if plan.starts_on <= day:
            found = plan
    return found


def desired_rows(
    ticket: ServiceTicket, register: Register, plans: list[CarePlan], inpatient: set[int]
) -> tuple[list[DesiredRow], dict[str, list[int]]]:
    """What the plan asks for this month, and the days left out with the reason."""
    month = ticket.month
    holidays = holidays_in_month(month.year, month.month)
    skipped: dict[str, set[int]] = defaultdict(set)
    level_on: dict[int, str | None] = {}
    for day in range(1, days_in_month(month) + 1):
        certification = register.certification_on(month.replace(day=day))
        level_on[day] = certification.care_level if certification else None

    def usable(day: int, provider, *, closable: bool = True, report: bool = True) -> bool:  # noqa: ANN001
        """`closable` False: a stay or a 1月につき item — the provider's 定休日/祝日休み do
        not apply. `report` False: a 1月につき item (福祉用具貸与) plans no visit on the day,
        so the day is not reported as skipped."""
        if level_on[day] is None:
            if report:
                skipped["認定の有効期間外"].add(day)
            return False
        if day in inpatient:
            if report:
                skipped["入院中"].add(day)
            return False
        if not closable:
            return True
        weekday = month.replace(day=day).isoweekday()
        if weekday in (provider.closed_weekdays or []):
            skipped[f"{provider.name}の定休日"].add(day)
            return False
        if provider.closed_on_holidays and day in holidays:
            skipped[f"{provider.name}の祝日休み"].add(day)
            return False
        return True

    rows: list[DesiredRow] = []
    month_items: set[tuple] = set()
    order = 0
    for plan in plans:
        plan_days = [
            day
            for day in range(1, days_in_month(month) + 1)
            if _plan_on(plans, month.replace(day=day)) is plan
        ]
        if not plan_days:
            continue
        for weekly in sorted(plan.weekly_services.all(), key=lambda w: (w.starts_at, w.pk)):
            if not weekly.insured or weekly.provider is None or not weekly.service_code:
                continue
            by_code: dict[str, list[int]] = defaultdict(list)
            for day in plan_days:
                if month.replace(day=day).isoweekday() not in weekly.weekdays:
                    continue
                if not usable(day, weekly.provider):
                    continue
                code = code_for_level(weekly.service_code, level_on[day], month.replace(day=day))
                by_code[code].append(day)
            for code, days in by_code.items():
                order += 1
                rows.append(
                    DesiredRow(
                        source=RowSource.WEEKLY,
                        source_key=f"w{weekly.pk}:{code}",
                        provider_id=weekly.provider_id,
                        service_code=code,
                        content=weekly.content,
                        starts_at=weekly.starts_at,
                        ends_at=weekly.ends_at,
                        planned_days=tuple(days),
                        order=order,
                    )
                )
        for item in sorted(plan.monthly_services.all(), key=lambda m: (m.kind, m.pk)):
            for row in _monthly_rows(item, plan_days, month, usable, level_on, order):
                # A 1月につき item carried over by a plan revised mid-month is billed once:
                # the row of the earlier plan (from its first day) stands.
                identity = (row.provider_id, row.service_code, row.tais_code,
                            row.notified_code, row.item_name)  # fmt: skip
                if row.source == RowSource.MONTHLY:
                    if identity in month_items:
                        continue
                    month_items.add(identity)
                rows.append(row)
            order += 2
    return rows, {reason: sorted(days) for reason, days in skipped.items()}


def _monthly_rows(  # noqa: PLR0913
    item: MonthlyService,
    plan_days: list[int],
    month: dt.date,
    usable,  # noqa: ANN001
    level_on: dict[int, str | None],
    order: int,
) -> list[DesiredRow]:
    period_days = [
        day
        for day in plan_days
        if item.period_from <= month.replace(day=day)
        and (item.period_to is None or month.replace(day=day) <= item.period_to)
    ]
    # Neither a stay nor a rental is a visit: the provider's closed days do not apply.
    stay = item.kind == MonthlyServiceKind.SHORT_STAY
    days = [day for day in period_days if usable(day, item.provider, closable=False, report=stay)]
    if not days:
        return []
    common = {
        "provider_id": item.provider_id,
        "content": item.content,
        "tais_code": item.tais_code,
        "notified_code": item.notified_code,
        "item_name": item.item_name,
        "rental_price_yen": item.rental_price_yen,
    }
    if item.kind == MonthlyServiceKind.SHORT_STAY:
        by_code: dict[str, list[int]] = defaultdict(list)
        for day in days:
            code = code_for_level(item.service_code, level_on[day], month.replace(day=day))
            by_code[code].append(day)
        return [
            DesiredRow(
                source=RowSource.SHORT_STAY,
                source_key=f"m{item.pk}:{code}",
                service_code=code,
                starts_at=None,
                ends_at=None,
                planned_days=tuple(code_days),
                order=order + 1,
                **common,
            )
            for code, code_days in by_code.items()
        ]
    # 福祉用具貸与 and other 1月につき items: one row, marked on the first day it applies.
    return [
        DesiredRow(
            source=RowSource.MONTHLY,
            source_key=f"m{item.pk}:{item.service_code}",
            service_code=item.service_code,
            starts_at=None,
            ends_at=None,
            planned_days=(days[0],),
            order=order + 1,
            **common,
        )
    ]


ROW_FIELDS = (
    "source",
    "provider_id",
    "service_code",
    "content",
    "starts_at",
    "ends_at",
    "order",
    "tais_code",
    "notified_code",
    "item_name",
    "rental_price_yen",
)


def _apply(ticket: ServiceTicket, desired: list[DesiredRow], reset: bool) -> GenerationReport:
    report = GenerationReport()
    existing = list(ticket.rows.select_related("provider"))
    providers = {row.provider_id: row.provider.name for row in existing}
    if desired:
        from clients.models import ServiceProvider

        providers.update(
            ServiceProvider.objects.filter(pk__in={d.provider_id for d in desired}).values_list(
                "pk", "name"
            )
        )
    wanted = {row.source_key: row for row in desired}
    for row in existing:
        label = _row_label(providers[row.provider_id], row.service_code, row.content, row.starts_at)
        target = wanted.pop(row.source_key, None) if row.source_key else None
        if not reset and (row.edited or row.source == RowSource.MANUAL):
            report.kept.append(label)
            continue
        if target is None:
            row.delete()
            report.removed.append(label)
            continue
        changed = moved = False
        for name in ROW_FIELDS:
            value = getattr(target, name)
            if getattr(row, name) != value:
                setattr(row, name, value)
                if name == "order":
                    moved = True  # a new place alone is not reported as a change
                else:
                    changed = True
        if list(row.planned_days) != list(target.planned_days):
            row.planned_days = list(target.planned_days)
            changed = True
        if changed or row.edited:
            row.edited = False
            row.save()
            report.changed.append(label)
        elif moved:
            row.save(update_fields=["order"])
    for target in wanted.values():
        TicketRow.objects.create(
            ticket=ticket,
            source_key=target.source_key,
            planned_days=list(target.planned_days),
            **{name: getattr(target, name) for name in ROW_FIELDS},
        )
        report.added.append(
            _row_label(
                providers[target.provider_id], target.service_code, target.content, target.starts_at
            )
        )
    return report


@transaction.atomic
def generate_ticket(
    *,
    client: Client,
    month: dt.date,
    actor_staff=None,
    reset: bool = False,  # noqa: ANN001
) -> tuple[ServiceTicket, GenerationReport]:
    """Create the month's ticket or refresh its generated rows. Locks the ticket row."""
    ticket, _created = ServiceTicket.objects.get_or_create(client=client, month=month)
    ticket = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.is_claimed:
        raise ValidationError(CLAIMED_MESSAGE)
    register = load_register(ticket)
    plans = plans_for_month(client, month)
    desired, skipped = desired_rows(ticket, register, plans, inpatient_days(ticket))
    report = _apply(ticket, desired, reset)
    report.skipped_days = skipped
    ticket.plan = plans[-1] if plans else None
    ticket.generated_at = timezone.now()
    ticket.generated_from_plan_version = ticket.plan.version if ticket.plan else None
    ticket.updated_by = actor_staff
    if not report.is_empty or _created:
        ticket.version += 1
    ticket.save()
    recompute_and_cache(ticket, register=register)
    return ticket, report
