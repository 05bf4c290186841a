"""短期入所生活介護 (21/24) moved to the 55 % 人件費割合 group: the database is corrected too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from billing.fee_schedule import fee_schedule_from_database
from caremgmt.models import RegionalUnitPrice, ServiceType
from tests.factories import ensure_fee_schedule

pytestmark = pytest.mark.django_db
CORRECTION = import_module("caremgmt.migrations.0007_short_stay_life_care_labor_cost_55")


def test_seeded_database_prices_short_stay_at_eleven_ten() -> None:
    ensure_fee_schedule()
    groups = dict(
        ServiceType.objects.filter(code__in=["21", "24", "22"]).values_list(
            "code", "labor_cost_group"
        )
    )
    assert groups == {"21": "55", "24": "55", "22": "45"}
    schedule = fee_schedule_from_database()
    assert schedule.service_type("21").labor_cost_group == "55"
    assert schedule.unit_price("1", "55", date(2026, 7, 1)) == Decimal("11.10")


def test_data_migration_corrects_a_database_seeded_with_45() -> None:
    ensure_fee_schedule()
    ServiceType.objects.filter(code__in=["21", "24"]).update(labor_cost_group="45")
    RegionalUnitPrice.objects.filter(labor_cost_group="55", regional_grade="3").update(
        confidence="U"
    )
    CORRECTION.forwards(apps, None)
    groups = dict(
        ServiceType.objects.filter(code__in=["21", "24", "23"]).values_list(
            "code", "labor_cost_group"
        )
    )
    assert groups == {"21": "55", "24": "55", "23": "45"}
    assert (
        RegionalUnitPrice.objects.get(labor_cost_group="55", regional_grade="3").confidence == "C"
    )
    CORRECTION.backwards(apps, None)
    assert set(
        ServiceType.objects.filter(code__in=["21", "24"]).values_list("labor_cost_group", flat=True)
    ) == {"45"}
