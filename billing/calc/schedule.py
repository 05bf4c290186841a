"""The fee schedule in memory: service codes, service types, limits and unit prices.

The engine never reads files or the database. Whoever calls it builds a `FeeSchedule`
from these dataclasses: `billing.calc.data_files.load_r6_fee_schedule()` does it from the
CSV files shipped in `caremgmt/fee_schedule_data/`, the Django side does it from its tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

CARE_LEVEL_ORDER: tuple[str, ...] = ("01", "06", "12", "13", "21", "22", "23", "24", "25")
"""Care level codes (要介護状態区分コード), lightest first."""

CARE_LEVEL_NAMES: dict[str, str] = {
    "01": "非該当",
    "06": "事業対象者",
    "12": "要支援1",
    "13": "要支援2",
    "21": "要介護1",
    "22": "要介護2",
    "23": "要介護3",
    "24": "要介護4",
    "25": "要介護5",
}

CARE_LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(CARE_LEVEL_ORDER)}

REGIONAL_GRADES: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "other")
"""地域区分: "1".."7" for 1級地..7級地, "other" for その他."""

FIXED_TEN_YEN = "fixed10"
LABOR_COST_GROUPS: tuple[str, ...] = ("70", "55", "45", FIXED_TEN_YEN)
"""人件費割合 groups; "fixed10" services are always 10.00 yen per unit."""

TEN_YEN = Decimal("10.00")


class Basis(StrEnum):
    """How often a code is counted (算定単位): per visit, per day, or per month."""

    VISIT = "visit"
    DAY = "day"
    MONTH = "month"


class CodeKind(StrEnum):
    """What a code is: a base service, a fixed 加算/減算, a percentage, or a rental item."""

    BASE = "base"
    ADDITION = "addition"
    REDUCTION = "reduction"
    PERCENTAGE = "percentage"
    RENTAL = "rental"


@dataclass(frozen=True, slots=True)
class ServiceCode:
    """One version of a サービスコード (介護給付費単位数等サービスコード表 row).

    `units` is per visit/day/month before the regional price; 0 for percentage and rental
    codes. `percentage_rate` is in percent (24.5 means 24.5 %). `level_group` ties the
    per-care-level variants of one service together; `care_levels` lists the levels a
    variant is for (empty: any level the service type allows).
    """

    code: str
    service_type: str
    name: str
    units: int
    basis: Basis
    kind: CodeKind
    percentage_rate: Decimal | None
    counts_toward_limit: bool
    level_group: str | None
    care_levels: frozenset[str]
    valid_from: date
    valid_to: date | None = None
    confidence: str = "C"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class ServiceType:
    """A サービス種類 and the facts the calculation needs about it.

    `eligible_care_levels`: the levels that may use it (要介護 services: 21–25).
    `fixed_benefit_rate`: set when the client's 給付率 does not apply (居宅介護支援 = 100).
    `short_stay`: 短期入所 day counting and the 30-day rule apply.
    """

    code: str
    name: str
    labor_cost_group: str
    counts_toward_limit: bool
    short_stay: bool
    eligible_care_levels: frozenset[str]
    fixed_benefit_rate: int | None = None
    confidence: str = "C"


@dataclass(frozen=True, slots=True)
class CareLevelLimit:
    """区分支給限度基準額 (units per month) of one care level for a period."""

    care_level: str
    limit_units: int
    valid_from: date
    valid_to: date | None = None
    confidence: str = "C"


@dataclass(frozen=True, slots=True)
class RegionalUnitPrice:
    """1単位の単価 for one 地域区分 × 人件費割合 group, with the inputs of its formula."""

    regional_grade: str
    labor_cost_group: str
    unit_price: Decimal
    uplift_percent: Decimal
    labor_cost_percent: Decimal
    valid_from: date
    valid_to: date | None = None
    confidence: str = "C"


def _in_force(valid_from: date, valid_to: date | None, day: date) -> bool:
    return valid_from <= day and (valid_to is None or day <= valid_to)


class FeeSchedule:
    """Read-only, indexed fee schedule (単位数表 + 限度額 + 地域単価) for the engine."""

    def __init__(
        self,
        *,
        service_codes: Iterable[ServiceCode],
        service_types: Iterable[ServiceType],
        care_level_limits: Iterable[CareLevelLimit],
        regional_unit_prices: Iterable[RegionalUnitPrice],
    ) -> None:
        self._codes: dict[str, tuple[ServiceCode, ...]] = {}
        self._level_groups: dict[str, tuple[ServiceCode, ...]] = {}
        codes_by_key: dict[str, list[ServiceCode]] = {}
        groups: dict[str, list[ServiceCode]] = {}
        for service_code in service_codes:
            codes_by_key.setdefault(service_code.code, []).append(service_code)
            if service_code.level_group:
                groups.setdefault(service_code.level_group, []).append(service_code)
        for code, versions in codes_by_key.items():
            self._codes[code] = tuple(sorted(versions, key=lambda v: v.valid_from))
        for group, members in groups.items():
            self._level_groups[group] = tuple(sorted(members, key=lambda v: (v.code, v.valid_from)))
        self._types = {service_type.code: service_type for service_type in service_types}
        self._limits: dict[str, tuple[CareLevelLimit, ...]] = {}
        for limit in care_level_limits:
            self._limits[limit.care_level] = (*self._limits.get(limit.care_level, ()), limit)
        self._prices: dict[tuple[str, str], tuple[RegionalUnitPrice, ...]] = {}
        for price in regional_unit_prices:
            key = (price.regional_grade, price.labor_cost_group)
            self._prices[key] = (*self._prices.get(key, ()), price)
        self._variant_cache: dict[tuple[str, str], tuple[ServiceCode, ...]] = {}

    # -- service codes -------------------------------------------------------------------

    def knows_code(self, code: str) -> bool:
        """True when the code exists in any version of the schedule."""
        return code in self._codes

    def code_versions(self, code: str) -> tuple[ServiceCode, ...]:
        """Every version of a code, oldest first (empty when unknown)."""
        return self._codes.get(code, ())

    def service_code(self, code: str, on: date) -> ServiceCode | None:
        """The version of a code in force on a date, or None."""
        for version in self._codes.get(code, ()):
            if version.is_valid_on(on):
                return version
        return None

    def all_service_codes(self) -> tuple[ServiceCode, ...]:
        return tuple(version for versions in self._codes.values() for version in versions)

    def level_variants(self, level_group: str, care_level: str) -> tuple[ServiceCode, ...]:
        """All versions in a level group meant for a care level (any date)."""
        key = (level_group, care_level)
        cached = self._variant_cache.get(key)
        if cached is None:
            cached = tuple(
                member
                for member in self._level_groups.get(level_group, ())
                if care_level in member.care_levels
            )
            self._variant_cache[key] = cached
        return cached

    def level_variant(self, level_group: str, care_level: str, on: date) -> ServiceCode | None:
        """The code of a level group meant for a care level and in force on a date."""
        for member in self.level_variants(level_group, care_level):
            if member.is_valid_on(on):
                return member
        return None

    # -- service types, limits, prices ---------------------------------------------------

    def service_type(self, code: str) -> ServiceType | None:
        return self._types.get(code)

    def all_service_types(self) -> tuple[ServiceType, ...]:
        return tuple(self._types.values())

    def limit_units(self, care_level: str, on: date) -> int | None:
        """区分支給限度基準額 of a care level on a date, or None (e.g. 非該当)."""
        for limit in self._limits.get(care_level, ()):
            if _in_force(limit.valid_from, limit.valid_to, on):
                return limit.limit_units
        return None

    def unit_price(self, regional_grade: str, labor_cost_group: str, on: date) -> Decimal | None:
        """1単位の単価 for a grade × labor-cost group on a date; fixed10 is always 10.00."""
        if labor_cost_group == FIXED_TEN_YEN:
            return TEN_YEN
        for price in self._prices.get((regional_grade, labor_cost_group), ()):
            if _in_force(price.valid_from, price.valid_to, on):
                return price.unit_price
        return None

    def all_regional_unit_prices(self) -> tuple[RegionalUnitPrice, ...]:
        return tuple(price for prices in self._prices.values() for price in prices)

    def knows_regional_grade(self, regional_grade: str) -> bool:
        return any(grade == regional_grade for grade, _group in self._prices)
