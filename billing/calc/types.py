"""Input and output dataclasses of the benefit calculation (all frozen).

Money is `int` yen, units are `int`, unit prices are `Decimal` with 2 places, rates are
`Decimal` (percent) or `int` percent for the 給付率. Nothing here is a float.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

# ---------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certification:
    """A 要介護認定 whose 有効期間 overlaps the service month (used per date)."""

    care_level: str
    valid_from: date
    valid_to: date


@dataclass(frozen=True, slots=True)
class Provider:
    """A サービス事業所: 10-digit 事業所番号, 地域区分, and the service types it offers."""

    number: str
    name: str
    regional_grade: str
    service_types: Collection[str]


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One row of the サービス利用票 (第6表): a code from a provider on some dates.

    Visit- and day-based codes are counted `count_per_date` times on each date. Month-based
    codes (加算 per month, 居宅介護支援, 福祉用具貸与, 処遇改善) are counted `count_per_date`
    times in the month; their dates, if any, are only checked. `rental_price_yen` is the
    monthly price of a 福祉用具貸与 item (type 17).
    """

    provider_number: str
    service_code: str
    dates: Sequence[date] = ()
    count_per_date: int = 1
    rental_price_yen: int | None = None


@dataclass(frozen=True, slots=True)
class OverLimitAllocation:
    """区分支給限度基準を超える単位数 the care manager puts on one provider × service type."""

    provider_number: str
    service_type: str
    units: int


@dataclass(frozen=True, slots=True)
class ServiceTypeLimit:
    """種類支給限度基準額 (units per month) a municipality sets for a service type."""

    service_type: str
    limit_units: int


@dataclass(frozen=True, slots=True)
class ClientMonth:
    """Everything the engine needs about one client in one service month.

    `benefit_rate` is the 給付率 in percent (90/80/70 for 負担割合 1/2/3割).
    `short_stay_days_before_month` is 前月までの短期入所利用日数 of the certification period;
    `short_stay_consecutive_days_before_month` is the length of a short stay still running on
    the last day of the previous month (for the 30-consecutive-day rule).
    """

    year: int
    month: int
    certifications: Sequence[Certification]
    benefit_rate: int
    providers: Sequence[Provider]
    service_lines: Sequence[ServiceLine]
    over_limit_allocation: Sequence[OverLimitAllocation] | None = None
    short_stay_days_before_month: int = 0
    short_stay_consecutive_days_before_month: int = 0
    service_type_limits: Sequence[ServiceTypeLimit] = ()


@dataclass(frozen=True, slots=True)
class CalculationOptions:
    """Rules REFERENCE leaves unconfirmed; the defaults are documented in docs/calc.md.

    `out_of_limit_additions_charged_separately` (Unconfirmed #8): True computes 費用総額 etc.
    on each 区分支給限度対象外 加算 row of a limit-managed type on its own, as the official
    記載例 does; False folds them into the provider × type total.
    `short_stay_count_restarts_after_self_pay_day` (Unconfirmed #14): True (default, the
    evidence REFERENCE now gives) makes day 31 of a continuous stay self-pay and starts a new
    30-day count the next day; False keeps every day from 31 self-pay while the stay is
    continuous.
    """

    out_of_limit_additions_charged_separately: bool = True
    short_stay_count_restarts_after_self_pay_day: bool = True


# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------


class Severity(StrEnum):
    """How bad an issue is: errors drop the input they concern, warnings only inform."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """A structured validation finding with a Japanese message for the screen.

    `line_index` points into `ClientMonth.service_lines`; `field` names the input field
    (e.g. "dates", "service_code", "over_limit_allocation[1]").
    """

    code: str
    message: str
    severity: str = Severity.ERROR
    line_index: int | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True)
class DetailRow:
    """A service row of 第7表: one code of one provider with its count and units.

    `unit_value` is the 単位数 per occurrence (for a percentage row, the computed units);
    `service_units` = unit_value × count. `beyond_thirty_days` marks 30日超 short-stay rows
    (never counted toward the limit).
    """

    provider_number: str
    provider_name: str
    service_type: str
    service_code: str
    service_name: str
    kind: str
    unit_value: int
    count: int
    service_units: int
    counts_toward_limit: bool
    beyond_thirty_days: bool = False
    percentage_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ChargeRow:
    """A row of 第7表 on which yen are computed.

    `kind`: "total" (the provider × type 合計 row), "out_of_limit_addition" (a 区分支給限度
    対象外 加算 charged on its own) or "beyond_thirty_days" (30日超, all self-pay).
    `insured_units` are priced into 費用総額; `self_pay_units` into 利用者負担(全額負担分).
    """

    kind: str
    service_code: str | None
    name: str
    insured_units: int
    self_pay_units: int
    unit_price: Decimal
    total_cost: int
    benefit_rate: int
    insurance_claim: int
    user_copay: int
    user_full_pay: int


@dataclass(frozen=True, slots=True)
class ProviderTypeSubtotal:
    """The 合計 of one provider × service type with every 第7表 column.

    Units: total = limit_target + outside_limit + beyond_thirty_days;
    limit_target = over_type_limit + within_type_limit;
    within_type_limit = over_limit + within_limit.
    `outside_limit_self_pay_units` is the part of out-of-limit 加算 (処遇改善) that follows
    over-limit units into self-pay. Yen are the sums of `charges`.
    """

    provider_number: str
    provider_name: str
    service_type: str
    service_type_name: str
    total_units: int
    limit_target_units: int
    outside_limit_units: int
    beyond_thirty_days_units: int
    over_type_limit_units: int
    within_type_limit_units: int
    over_limit_units: int
    within_limit_units: int
    outside_limit_self_pay_units: int
    unit_price: Decimal
    benefit_rate: int
    total_cost: int
    insurance_claim: int
    user_copay: int
    user_full_pay: int
    charges: tuple[ChargeRow, ...]


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """Month totals over all provider × type subtotals (第7表 合計 and 利用者負担 合計)."""

    total_units: int
    limit_target_units: int
    over_type_limit_units: int
    over_limit_units: int
    within_limit_units: int
    total_cost: int
    insurance_claim: int
    user_copay: int
    user_full_pay: int
    user_total: int


@dataclass(frozen=True, slots=True)
class BenefitManagementLine:
    """A detail line of the 給付管理票: 給付計画単位数 (within-limit units) of a provider × type."""

    provider_number: str
    service_type: str
    planned_units: int


@dataclass(frozen=True, slots=True)
class ServiceTypeLimitUsage:
    """種類別支給限度管理: a type's limit, its units, and the units over it."""

    service_type: str
    limit_units: int
    total_units: int
    over_units: int


@dataclass(frozen=True, slots=True)
class ShortStayDays:
    """要介護認定期間中の短期入所利用日数 and the 30-consecutive-day outcome.

    `planned_days`: insured stay days this month (30日超 days excluded);
    `counted_days`: days counted toward the half-period rule after the 区分 over-limit
    adjustment; `cumulative_days` = days_before_month + counted_days.
    """

    days_before_month: int
    planned_days: int
    counted_days: int
    cumulative_days: int
    certification_period_days: int | None
    beyond_thirty_days_dates: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class ClientMonthResult:
    """第7表 figures, 給付管理票 lines and issues for one client-month.

    `care_level` is the heaviest level of the month and `limit_units` its 区分支給限度基準額.
    `allocation` is the 区分 over-limit allocation applied; `allocation_source` is
    "explicit", "default" or "none" (nothing over the limit).
    """

    year: int
    month: int
    care_level: str | None
    limit_units: int
    detail_rows: tuple[DetailRow, ...]
    subtotals: tuple[ProviderTypeSubtotal, ...]
    totals: MonthTotals
    benefit_management_lines: tuple[BenefitManagementLine, ...]
    service_type_limit_usages: tuple[ServiceTypeLimitUsage, ...]
    short_stay: ShortStayDays | None
    allocation: tuple[OverLimitAllocation, ...]
    allocation_source: str
    issues: tuple[Issue, ...]

    @property
    def has_errors(self) -> bool:
        return any(issue.severity == Severity.ERROR for issue in self.issues)
