"""Working state of one provider × service type while a client-month is calculated."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from billing.calc.allocation import GroupKey
from billing.calc.schedule import CodeKind, ServiceCode, ServiceType
from billing.calc.types import (
    Provider,
)


@lru_cache(maxsize=256)
def days_of_month(year: int, month: int) -> tuple[date, ...]:
    days = calendar.monthrange(year, month)[1]
    return tuple(date(year, month, day) for day in range(1, days + 1))


@dataclass(slots=True)
class PercentageResult:
    code: ServiceCode
    total_units: int
    self_pay_units: int


@dataclass(slots=True)
class Group:
    """Working state of one provider × service type while the month is calculated."""

    provider: Provider
    service_type: ServiceType
    unit_price: Decimal
    benefit_rate: int
    # (code, units per occurrence, beyond 30 days) → [code, count]
    fixed_rows: dict[tuple[str, int, bool], list] = field(default_factory=dict)
    percentage_codes: dict[str, ServiceCode] = field(default_factory=dict)
    base_days: set[int] = field(default_factory=set)
    stay_days: set[int] = field(default_factory=set)
    limit_target_units: int = 0
    outside_fixed_units: int = 0
    beyond_thirty_days_units: int = 0
    qualifying_units: int = 0
    over_type_limit_units: int = 0
    over_limit_units: int = 0
    inside_percentages: list[PercentageResult] = field(default_factory=list)
    outside_percentages: list[PercentageResult] = field(default_factory=list)

    @property
    def key(self) -> GroupKey:
        return (self.provider.number, self.service_type.code)

    @property
    def limit_managed(self) -> bool:
        return self.service_type.counts_toward_limit

    def counts_toward_limit(self, code: ServiceCode) -> bool:
        return self.service_type.counts_toward_limit and code.counts_toward_limit

    @property
    def within_type_limit_units(self) -> int:
        return self.limit_target_units - self.over_type_limit_units

    @property
    def within_limit_units(self) -> int:
        return self.within_type_limit_units - self.over_limit_units

    def over_limit_cost_per_unit(self) -> Decimal:
        """Yen the client pays per unit put over the limit here (処遇改善 share included)."""
        rates = sum(
            (
                code.percentage_rate or 0
                for code in self.percentage_codes.values()
                if not self.counts_toward_limit(code)
            ),
            Decimal(0),
        )
        return self.unit_price * (100 + rates) / 100


# The order of a group's 別表 rows: base services, rentals, additions, reductions, percentages.
KIND_ORDER = {
    CodeKind.BASE: 0,
    CodeKind.RENTAL: 1,
    CodeKind.ADDITION: 2,
    CodeKind.REDUCTION: 3,
    CodeKind.PERCENTAGE: 4,
}
