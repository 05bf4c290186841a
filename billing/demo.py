"""Demo tickets: next month's (and this month's) 利用票 for every client with a confirmed plan.

Idempotent: an existing ticket is refreshed (generated rows only; hand edits are kept). The
demo plans' 福祉用具貸与 (特殊寝台) becomes a 週単位以外 rental item with a TAIS code and price.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from billing.tickets.generate import generate_ticket
from billing.tickets.month import add_months, first_of_month
from careplans.models import CarePlan, MonthlyService, MonthlyServiceKind, PlanStatus
from clients.models import ServiceProvider

DEMO_RENTAL = {
    "service_code": "171003",
    "content": "特殊寝台（3モーター）",
    "tais_code": "00170-000123",
    "item_name": "楽匠Ｚ 3モーション",
    "rental_price_yen": 12000,
}


def _rental_items() -> None:
    for plan in CarePlan.objects.filter(status=PlanStatus.CONFIRMED).select_related("client"):
        if plan.monthly_services.exists():
            continue
        provider = (
            ServiceProvider.objects.filter(
                office=plan.client.office, service_types__contains=["17"], is_active=True
            )
            .order_by("pk")
            .first()
        )
        if provider is None:
            continue
        MonthlyService.objects.create(
            plan=plan,
            kind=MonthlyServiceKind.RENTAL,
            provider=provider,
            period_from=plan.starts_on,
            **DEMO_RENTAL,
        )


@transaction.atomic
def load_demo_tickets() -> None:
    _rental_items()
    today = timezone.localdate()
    months = (first_of_month(today), add_months(first_of_month(today), 1))
    for plan in CarePlan.objects.filter(status=PlanStatus.CONFIRMED).select_related("client"):
        for month in months:
            generate_ticket(client=plan.client, month=month)
