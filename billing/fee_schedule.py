"""The fee schedule from the database, as the calc engine's in-memory `FeeSchedule`."""

from __future__ import annotations

from billing.calc import schedule
from billing.calc.data_files import ELIGIBILITY_LEVELS
from caremgmt import models


def fee_schedule_from_database() -> schedule.FeeSchedule:
    """Every version of every row (the engine picks the one in force per date). 4 queries."""
    return schedule.FeeSchedule(
        service_codes=[
            schedule.ServiceCode(
                code=row.code,
                service_type=row.service_type_id,
                name=row.name,
                units=row.units,
                basis=schedule.Basis(row.basis),
                kind=schedule.CodeKind(row.kind),
                percentage_rate=row.percentage_rate,
                counts_toward_limit=row.counts_toward_limit,
                level_group=row.level_group or None,
                care_levels=frozenset(row.care_levels),
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                confidence=row.confidence,
            )
            for row in models.ServiceCode.objects.all()
        ],
        service_types=[
            schedule.ServiceType(
                code=row.code,
                name=row.name,
                labor_cost_group=row.labor_cost_group,
                counts_toward_limit=row.counts_toward_limit,
                short_stay=row.short_stay,
                eligible_care_levels=ELIGIBILITY_LEVELS[row.eligibility],
                fixed_benefit_rate=row.fixed_benefit_rate,
                confidence=row.confidence,
            )
            for row in models.ServiceType.objects.all()
        ],
        care_level_limits=[
            schedule.CareLevelLimit(
                care_level=row.care_level,
                limit_units=row.limit_units,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                confidence=row.confidence,
            )
            for row in models.CareLevelLimit.objects.all()
        ],
        regional_unit_prices=[
            schedule.RegionalUnitPrice(
                regional_grade=row.regional_grade,
                labor_cost_group=row.labor_cost_group,
                unit_price=row.unit_price,
                uplift_percent=row.uplift_percent,
                labor_cost_percent=row.labor_cost_percent,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                confidence=row.confidence,
            )
            for row in models.RegionalUnitPrice.objects.all()
        ],
    )


# --- process cache --------------------------------------------------------------------------
# The schedule changes only through migrations and `import_fee_schedule` (a few times a year);
# a ticket recompute must not pay 4 queries and ~300 object builds each time. Saves through
# the ORM clear the cache in this process (signals in billing.apps); other processes pick a
# change up within FEE_SCHEDULE_CACHE_SECONDS.
FEE_SCHEDULE_CACHE_SECONDS = 300
_cached: tuple[float, schedule.FeeSchedule] | None = None


def cached_fee_schedule() -> schedule.FeeSchedule:
    import time

    global _cached
    now = time.monotonic()
    if _cached is None or now - _cached[0] > FEE_SCHEDULE_CACHE_SECONDS:
        _cached = (now, fee_schedule_from_database())
    return _cached[1]


def clear_fee_schedule_cache(**_: object) -> None:
    global _cached
    _cached = None
