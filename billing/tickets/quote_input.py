"""A ticket as `manage.py quote` input (docs/quote.md), so an office admin can check any
client-month's 別表 from the command line — and a test proves the two agree to the yen."""

from __future__ import annotations

from typing import Any

from billing.models import ServiceTicket
from billing.tickets.inputs import client_month_for, load_register, ticket_rows


def ticket_quote_input(ticket: ServiceTicket) -> dict[str, Any]:
    """The quote JSON of the ticket's 予定 (same engine input as the editor uses)."""
    month = client_month_for(ticket, ticket_rows(ticket), load_register(ticket))
    data: dict[str, Any] = {
        "year": month.year,
        "month": month.month,
        "benefit_rate": month.benefit_rate,
        "certifications": [
            {
                "care_level": c.care_level,
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat(),
            }
            for c in month.certifications
        ],
        "providers": {
            p.number: {
                "name": p.name,
                "regional_grade": p.regional_grade,
                "service_types": sorted(p.service_types),
            }
            for p in month.providers
        },
        "service_lines": [
            {
                "provider": line.provider_number,
                "code": line.service_code,
                "dates": [d.isoformat() for d in line.dates],
                "count_per_date": line.count_per_date,
                **(
                    {"rental_price_yen": line.rental_price_yen}
                    if line.rental_price_yen is not None
                    else {}
                ),
            }
            for line in month.service_lines
        ],
        "short_stay_days_before_month": month.short_stay_days_before_month,
        "short_stay_consecutive_days_before_month": (
            month.short_stay_consecutive_days_before_month
        ),
    }
    if month.over_limit_allocation:
        data["over_limit_allocation"] = [
            {"provider": a.provider_number, "service_type": a.service_type, "units": a.units}
            for a in month.over_limit_allocation
        ]
    return data
