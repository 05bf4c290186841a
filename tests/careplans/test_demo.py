"""The demo loader makes confirmed plans, a draft and one awaiting the meeting; re-running is harmless."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from careplans.models import CarePlan, PlanStatus, WeeklyService

pytestmark = pytest.mark.django_db


def test_demo_plans_are_idempotent() -> None:
    from tests.factories import ensure_fee_schedule

    ensure_fee_schedule()
    call_command("load_demo", verbosity=0)
    statuses = sorted(CarePlan.objects.values_list("status", flat=True))
    assert statuses.count(PlanStatus.CONFIRMED) >= 3
    assert PlanStatus.DRAFT in statuses
    confirmed = CarePlan.objects.filter(status=PlanStatus.CONFIRMED).first()
    assert confirmed.needs.first().text == "自宅で安全に入浴したい"
    assert set(
        WeeklyService.objects.filter(plan=confirmed, insured=True).values_list(
            "service_code", flat=True
        )
    ) >= {"111211"}
    assert confirmed.meetings.get().attendees.filter(attended=False).count() == 1
    before = CarePlan.objects.count()
    call_command("load_demo", verbosity=0)
    assert CarePlan.objects.count() == before
