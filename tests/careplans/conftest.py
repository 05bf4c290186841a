"""Fixtures for plan tests: a certified client of the world's care manager with providers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from caremgmt.access import Actor, actor_for


@dataclass
class PlanSetup:
    actor: Actor
    client: object
    certification: object
    home_help: object  # 訪問介護 provider (11)
    day_service: object  # 通所介護 provider (15)
    rental: object  # 福祉用具貸与 provider (17)
    assessment: object


@pytest.fixture
def plan_setup(world) -> PlanSetup:  # noqa: ANN001
    from careplans import services
    from tests.factories import (
        CertificationFactory,
        ClientFactory,
        ServiceProviderFactory,
        ensure_fee_schedule,
    )

    ensure_fee_schedule()

    client = ClientFactory(office=world.office, care_manager=world.care_manager, name="青木 トメ")
    certification = CertificationFactory(
        client=client,
        care_level="21",
        certified_on=dt.date(2026, 3, 20),
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2027, 3, 31),
        committee_opinion="特になし",
    )
    actor = actor_for(world.care_manager)
    assessment = services.assessment_start(
        actor=actor, client=client, assessed_on=dt.date(2026, 4, 3), reason="initial"
    )
    return PlanSetup(
        actor=actor,
        client=client,
        certification=certification,
        home_help=ServiceProviderFactory(
            office=world.office, name="ひまわり訪問介護", service_types=["11"]
        ),
        day_service=ServiceProviderFactory(
            office=world.office, name="あおぞらデイサービス", service_types=["15"]
        ),
        rental=ServiceProviderFactory(
            office=world.office, name="すこやか福祉用具", service_types=["17"]
        ),
        assessment=assessment,
    )


@pytest.fixture
def draft_plan(plan_setup):  # noqa: ANN001, ANN201
    from careplans import services

    return services.careplan_create(
        actor=plan_setup.actor,
        client=plan_setup.client,
        assessment=plan_setup.assessment,
        drafted_on=dt.date(2026, 4, 5),
        starts_on=dt.date(2026, 4, 10),
    )
