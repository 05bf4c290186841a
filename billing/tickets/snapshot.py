"""The document data of a client-month 利用票 + 別表, as plain JSON.

One structure feeds everything that shows or sends a ticket: the PDFs (利用票・別表,
提供票・別表), the frozen 交付 versions (`TicketVersion.snapshot`) and the ケアプランデータ
連携 files (UPPLAN / UPSIKYU / UPHOSOKU). Building it costs one recompute; rendering from it
costs no query, so an earlier version prints exactly as it was handed over.

Schema (version 1) — every money figure is int yen, units int, unit prices str "11.40":

    schema, month "YYYY-MM", created_on (作成年月日, "" until delivered), version_number
    client {id, name, name_kana, birth_date, sex, sex_label, insured_number, insurer_number,
            insurer_name, postal_code, address, phone}
    office {id, name, number, care_manager_name, care_manager_number}
    certification {state ("2" 認定済 / "1" 申請中), state_label, care_level, care_level_label,
            limit_units, period_from, period_to, certified_on, changed_care_level,
            changed_care_level_label, changed_on, previous_care_level}
    benefit_rate
    rows [{id, order, provider_id, provider_number, provider_name, service_type, service_code,
           service_name, content, starts_at "HH:MM"|null, ends_at, planned_days, actual_days,
           count_per_date, planned_count, actual_count, tais_code, notified_code, item_name,
           rental_price_yen, detail_discriminator, unit_value}]
    detail_rows, subtotals (with charges), totals, service_type_limit_usages,
    benefit_management_lines, short_stay, allocation, allocation_source — the engine's
            result (billing.calc.types) as dicts, Decimals as strings, dates ISO
    public_expenses [{law_number, label, payer_number, recipient_number, paid_yen}],
    public_expense_yen, user_charge_yen, issues [{code, message, severity}]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from billing.models import ServiceTicket
from billing.tickets.compute import TicketFigures, ticket_figures
from billing.tickets.rules import code_name, is_month_basis
from caremgmt.choices import CareLevel, Sex
from caremgmt.models import Membership

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple, frozenset, set)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def _level_label(level: str | None) -> str:
    return CareLevel(level).label if level else ""


def _certification(figures: TicketFigures, ticket: ServiceTicket) -> dict[str, Any]:
    register = figures.register
    certs = register.certifications
    result = figures.result
    first = certs[0] if certs else None
    last = certs[-1] if certs else None
    changed = last if last is not None and first is not None and last.pk != first.pk else None
    period = register.certification_period
    return {
        "state": "2" if certs else "1",
        "state_label": "認定済" if certs else "申請中",
        "care_level": result.care_level or "",
        "care_level_label": _level_label(result.care_level),
        "limit_units": result.limit_units,
        "period_from": period[0].isoformat() if period else "",
        "period_to": period[1].isoformat() if period else "",
        "certified_on": first.certified_on.isoformat() if first and first.certified_on else "",
        "first_care_level": first.care_level if first else "",
        "first_care_level_label": _level_label(first.care_level if first else None),
        "changed_care_level": changed.care_level if changed else "",
        "changed_care_level_label": _level_label(changed.care_level if changed else None),
        "changed_on": changed.valid_from.isoformat() if changed else "",
    }


def _care_manager(ticket: ServiceTicket) -> tuple[str, str]:
    client = ticket.client
    staff = client.care_manager
    number = (
        Membership.objects.filter(staff=staff, office_id=client.office_id, is_active=True)
        .exclude(care_manager_number="")
        .values_list("care_manager_number", flat=True)
        .first()
    )
    return staff.get_full_name() or staff.username, number or ""


def _rows(figures: TicketFigures, ticket: ServiceTicket) -> list[dict[str, Any]]:
    units_by_code: dict[tuple[str, str], int] = {}
    for detail in figures.result.detail_rows:
        units_by_code.setdefault((detail.provider_number, detail.service_code), detail.unit_value)
    out = []
    for row in figures.rows:
        provider = row.provider
        monthly = is_month_basis(row.service_code, ticket.month)
        planned = len(row.planned_days) * row.count_per_date
        actual = len(row.actual_days) * row.count_per_date
        out.append(
            {
                "id": row.pk,
                "order": row.order,
                "provider_id": provider.pk,
                "provider_number": provider.provider_number,
                "provider_name": provider.name,
                "service_type": row.service_code[:2],
                "service_code": row.service_code,
                "service_name": code_name(row.service_code, ticket.month),
                "content": row.content,
                "starts_at": row.starts_at.strftime("%H:%M") if row.starts_at else None,
                "ends_at": row.ends_at.strftime("%H:%M") if row.ends_at else None,
                "planned_days": sorted(row.planned_days),
                "actual_days": sorted(row.actual_days),
                "actual_recorded": row.actual_recorded,
                "count_per_date": row.count_per_date,
                "month_basis": monthly,
                "planned_count": min(planned, row.count_per_date) if monthly else planned,
                "actual_count": min(actual, row.count_per_date) if monthly else actual,
                "tais_code": row.tais_code,
                "notified_code": row.notified_code,
                "item_name": row.item_name,
                "rental_price_yen": row.rental_price_yen,
                "detail_discriminator": row.detail_discriminator,
                "unit_value": units_by_code.get((provider.provider_number, row.service_code), 0),
            }
        )
    return out


def ticket_snapshot(
    ticket: ServiceTicket,
    figures: TicketFigures | None = None,
    *,
    created_on: dt.date | None = None,
    version_number: int | None = None,
) -> dict[str, Any]:
    """The whole document as JSON-ready data (a recompute when `figures` is not given)."""
    figures = figures if figures is not None else ticket_figures(ticket)
    client = ticket.client
    office = client.office
    manager_name, manager_number = _care_manager(ticket)
    result = figures.result
    return {
        "schema": SCHEMA_VERSION,
        "month": f"{ticket.month:%Y-%m}",
        "ticket_id": ticket.pk,
        "ticket_version": ticket.version,
        "created_on": created_on.isoformat() if created_on else "",
        "version_number": version_number,
        "client": {
            "id": client.pk,
            "name": client.name,
            "name_kana": client.name_kana,
            "birth_date": client.birth_date.isoformat(),
            "sex": client.sex,
            "sex_label": Sex(client.sex).label if client.sex else "",
            "insured_number": client.insured_number,
            "insurer_number": client.insurer_number,
            "insurer_name": client.insurer_name,
            "postal_code": client.postal_code,
            "address": client.address,
            "phone": client.phone,
        },
        "office": {
            "id": office.pk,
            "name": office.name,
            "number": office.office_number,
            "care_manager_name": manager_name,
            "care_manager_number": manager_number,
        },
        "certification": _certification(figures, ticket),
        "benefit_rate": figures.register.benefit_rate,
        "rows": _rows(figures, ticket),
        "detail_rows": _plain(result.detail_rows),
        "subtotals": _plain(result.subtotals),
        "totals": _plain(result.totals),
        "service_type_limit_usages": _plain(result.service_type_limit_usages),
        "benefit_management_lines": _plain(result.benefit_management_lines),
        "short_stay": _plain(result.short_stay),
        "allocation": _plain(result.allocation),
        "allocation_source": result.allocation_source,
        "public_expenses": _plain(figures.public_expenses),
        "public_expense_yen": figures.public_expense_yen,
        "user_charge_yen": figures.user_charge_yen,
        "issues": [
            {"code": i.code, "message": i.message, "severity": str(i.severity)}
            for i in result.issues
        ],
    }


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    """Content hash ignoring bookkeeping keys (ticket_version, created_on, version_number)."""
    content = {
        key: value
        for key, value in snapshot.items()
        if key not in {"ticket_version", "created_on", "version_number"}
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()
