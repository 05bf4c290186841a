"""What the ticket editor shows, built from the ticket and its figures (no money computed
here: every yen and unit comes from the engine's result via `TicketFigures`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from billing.calc.types import ClientMonthResult
from billing.fee_schedule import cached_fee_schedule
from billing.forms import AllocationForm
from billing.models import ServiceTicket, TicketRow
from billing.tickets.compute import TicketFigures, ticket_figures
from billing.tickets.month import days_in_month, holiday_names
from billing.tickets.rules import code_name, is_month_basis
from caremgmt.access import Actor
from caremgmt.audit import record_access
from caremgmt.choices import CareLevel

WEEKDAY_LABELS = "月火水木金土日"
STALE_MESSAGE = "他の人（または別のタブ）がこの利用票を更新しました。最新の内容を表示しています。"


@dataclass(frozen=True)
class DayHead:
    day: int
    weekday: str
    holiday: str  # 祝日名, "" otherwise
    css: str  # "sat", "sun", "holiday" or ""


@dataclass(frozen=True)
class Cell:
    day: int
    on: bool
    css: str


@dataclass(frozen=True)
class GridRow:
    row: TicketRow
    name: str
    planned: tuple[Cell, ...]
    actual: tuple[Cell, ...]
    planned_count: int
    actual_count: int
    month_basis: bool


def day_heads(month: dt.date) -> list[DayHead]:
    names = holiday_names(month.year, month.month)
    heads = []
    for day in range(1, days_in_month(month) + 1):
        weekday = month.replace(day=day).weekday()
        css = "holiday" if day in names else {5: "sat", 6: "sun"}.get(weekday, "")
        heads.append(DayHead(day, WEEKDAY_LABELS[weekday], names.get(day, ""), css))
    return heads


def grid_row(ticket: ServiceTicket, row: TicketRow, heads: list[DayHead]) -> GridRow:
    planned, actual = set(row.planned_days), set(row.actual_days)
    month_basis = is_month_basis(row.service_code, ticket.month)

    def count(days: set[int]) -> int:
        if month_basis:
            return row.count_per_date if days else 0
        return len(days) * row.count_per_date

    return GridRow(
        row=row,
        name=code_name(row.service_code, ticket.month),
        planned=tuple(Cell(h.day, h.day in planned, h.css) for h in heads),
        actual=tuple(Cell(h.day, h.day in actual, h.css) for h in heads),
        planned_count=count(planned),
        actual_count=count(actual),
        month_basis=month_basis,
    )


def allocation_groups(result: ClientMonthResult) -> list[dict[str, Any]]:
    """Provider × service type groups that can take units over the limit, with the units
    the current (saved or default) allocation puts there."""
    applied = {(a.provider_number, a.service_type): a.units for a in result.allocation}
    groups = []
    for sub in result.subtotals:
        available = sub.within_type_limit_units
        key = (sub.provider_number, sub.service_type)
        if available <= 0 and key not in applied:
            continue
        groups.append(
            {
                "field": f"units_{sub.provider_number}_{sub.service_type}",
                "provider_number": sub.provider_number,
                "service_type": sub.service_type,
                "label": f"{sub.provider_name}・{sub.service_type_name}",
                "available": max(available, applied.get(key, 0)),
                "units": applied.get(key, 0),
            }
        )
    return groups


def allocation_form(
    ticket: ServiceTicket, figures: TicketFigures, data: Any = None
) -> AllocationForm:
    groups = allocation_groups(figures.result)
    initial = {"version": ticket.version, **{g["field"]: g["units"] for g in groups}}
    return AllocationForm(data, groups=groups, initial=initial)


def party_charges(result: ClientMonthResult) -> list[dict[str, Any]]:
    """Each provider × service type: units over the limit and what the client pays there."""
    return [
        {
            "label": f"{sub.provider_name}・{sub.service_type_name}",
            "over_limit_units": sub.over_limit_units + sub.over_type_limit_units,
            "user_copay": sub.user_copay,
            "user_full_pay": sub.user_full_pay,
            "user_total": sub.user_copay + sub.user_full_pay,
        }
        for sub in result.subtotals
    ]


def panel_context(
    ticket: ServiceTicket,
    figures: TicketFigures,
    *,
    form: AllocationForm | None = None,
    preview: TicketFigures | None = None,
    can_plan: bool = False,
) -> dict[str, Any]:
    result = figures.result
    schedule = cached_fee_schedule()
    types = [
        {
            "service_type": usage.service_type,
            "name": getattr(schedule.service_type(usage.service_type), "name", usage.service_type),
            "limit_units": usage.limit_units,
            "total_units": usage.total_units,
            "over_units": usage.over_units,
        }
        for usage in result.service_type_limit_usages
    ]
    short_stay = result.short_stay
    half_period = None
    if short_stay is not None and short_stay.certification_period_days:
        half_period = short_stay.certification_period_days // 2
    return {
        "ticket": ticket,
        "figures": figures,
        "result": result,
        "totals": result.totals,
        "type_usages": types,
        "short_stay": short_stay,
        "half_period": half_period,
        "short_stay_over_half": bool(
            short_stay and half_period is not None and short_stay.cumulative_days > half_period
        ),
        "allocation_form": form or allocation_form(ticket, figures),
        "allocation_explicit": result.allocation_source == "explicit",
        "preview": preview,
        "preview_charges": party_charges(preview.result) if preview else None,
        "charges": party_charges(result),
        "can_plan": can_plan,
    }


def certification_lines(figures: TicketFigures) -> list[str]:
    labels = dict(CareLevel.choices)
    return [
        f"{labels.get(c.care_level, c.care_level)}（{c.valid_from:%Y/%-m/%-d}〜"
        f"{c.effective_to:%Y/%-m/%-d}）"
        for c in figures.register.certifications
    ]


def editor_context(
    actor: Actor,
    ticket: ServiceTicket,
    figures: TicketFigures,
    **extra: Any,
) -> dict[str, Any]:
    heads = day_heads(ticket.month)
    claimed = ticket.is_claimed
    can_plan = actor.can_write_plans and not claimed
    can_actual = actor.can_write and not claimed
    rows = [grid_row(ticket, row, heads) for row in figures.rows]
    period = figures.register.certification_period
    context = {
        "ticket": ticket,
        "client": ticket.client,
        "figures": figures,
        "heads": heads,
        "grid_rows": rows,
        "can_plan": can_plan,
        "can_actual": can_actual,
        "claimed": claimed,
        "certifications": certification_lines(figures),
        "level_changed": len(figures.register.certifications) > 1,
        "certification_period": period,
        "prev_month": _shift(ticket.month, -1),
        "next_month": _shift(ticket.month, 1),
        **panel_context(ticket, figures, can_plan=can_plan),
    }
    context.update(extra)
    return context


def _shift(month: dt.date, months: int) -> str:
    from billing.tickets.month import add_months

    return f"{add_months(month, months):%Y-%m}"


def log_ticket_page(request: HttpRequest, ticket: ServiceTicket, name: str = "") -> None:
    match = request.resolver_match
    route = name or (match.url_name if match is not None else "ticket")
    record_access(
        request,
        subject_type=f"ticket:{route}"[:40],
        subject_id=ticket.pk,
        client_id=ticket.client_id,
    )


def render_editor(
    request: HttpRequest, ticket: ServiceTicket, *, status: int = 200, **extra: Any
) -> HttpResponse:
    figures = ticket_figures(ticket)
    log_ticket_page(request, ticket, "ticket")
    context = editor_context(request.actor, ticket, figures, **extra)
    if request.htmx:
        response = render(request, "billing/ticket.html#editor", context, status=status)
        response["HX-Retarget"] = "#editor"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "billing/ticket.html", context, status=status)
