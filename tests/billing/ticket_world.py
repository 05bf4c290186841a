"""A client ready for monthly tickets: 要介護3 (2026-04-01〜2027-03-31), 1割, a confirmed
plan from 2026-04-10 with 第3表 rows (訪問介護 Mon/Thu 10:00–11:00 身体介護2, 通所介護 Wed
9:30–16:30 Ⅰ53) and a 特殊寝台 rental, providers in 1級地 (東京都特別区).

    tw = make_ticket_world(world.office, world.care_manager)
    ticket, report = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from careplans.models import CarePlan, MonthlyService, WeeklyService
from clients.models import Certification, Client, ServiceProvider
from tests.factories import (
    BurdenRatioFactory,
    CarePlanFactory,
    CertificationFactory,
    ClientFactory,
    ServiceProviderFactory,
)


@dataclass
class TicketWorld:
    client: Client
    certification: Certification
    plan: CarePlan
    home_help: ServiceProvider
    day_service: ServiceProvider
    rental: ServiceProvider
    home_help_row: WeeklyService
    day_service_row: WeeklyService
    rental_item: MonthlyService


def make_ticket_world(office, care_manager, *, care_level: str = "23") -> TicketWorld:  # noqa: ANN001
    client = ClientFactory(office=office, care_manager=care_manager)
    certification = CertificationFactory(client=client, care_level=care_level)
    BurdenRatioFactory(client=client, ratio=1, valid_from=dt.date(2026, 8, 1))
    home_help = ServiceProviderFactory(
        office=office, name="ヘルパーステーションあおば", service_types=["11"]
    )
    day_service = ServiceProviderFactory(
        office=office, name="デイサービスなごみ", service_types=["15"]
    )
    rental = ServiceProviderFactory(office=office, name="福祉用具ひまわり", service_types=["17"])
    plan = CarePlanFactory(
        client=client,
        certification=certification,
        assessment=None,
        status="confirmed",
        consented_on=dt.date(2026, 4, 8),
        delivered_on=dt.date(2026, 4, 8),
    )
    home_help_row = WeeklyService.objects.create(
        plan=plan,
        weekdays=[1, 4],
        starts_at=dt.time(10),
        ends_at=dt.time(11),
        content="訪問介護（入浴介助）",
        provider=home_help,
        service_code="111211",
    )
    day_code = {"21": "152441", "22": "152442", "23": "152443", "24": "152444", "25": "152445"}
    day_service_row = WeeklyService.objects.create(
        plan=plan,
        weekdays=[3],
        starts_at=dt.time(9, 30),
        ends_at=dt.time(16, 30),
        content="通所介護",
        provider=day_service,
        service_code=day_code.get(care_level, "152443"),
    )
    rental_item = MonthlyService.objects.create(
        plan=plan,
        kind="rental",
        provider=rental,
        service_code="171003",
        content="特殊寝台",
        period_from=dt.date(2026, 4, 10),
        tais_code="00170-000123",
        item_name="楽匠Ｚ",
        rental_price_yen=12000,
    )
    return TicketWorld(
        client=client,
        certification=certification,
        plan=plan,
        home_help=home_help,
        day_service=day_service,
        rental=rental,
        home_help_row=home_help_row,
        day_service_row=day_service_row,
        rental_item=rental_item,
    )
