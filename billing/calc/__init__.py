"""Pure benefit calculation engine (給付計算): no Django, dataclasses in and out.

    from billing.calc import calculate_client_month, load_r6_fee_schedule
    result = calculate_client_month(client_month, load_r6_fee_schedule())

Rules, defaults and unconfirmed points: docs/calc.md.
"""

from billing.calc.data_files import (
    DATA_DIRECTORY,
    load_r6_fee_schedule,
    read_care_level_limits,
    read_regional_unit_prices,
    read_service_codes,
    read_service_types,
)
from billing.calc.engine import DEFAULT_OPTIONS, calculate_client_month, validate_client_month
from billing.calc.schedule import (
    CARE_LEVEL_NAMES,
    CARE_LEVEL_ORDER,
    LABOR_COST_GROUPS,
    REGIONAL_GRADES,
    Basis,
    CareLevelLimit,
    CodeKind,
    FeeSchedule,
    RegionalUnitPrice,
    ServiceCode,
    ServiceType,
)
from billing.calc.types import (
    BenefitManagementLine,
    CalculationOptions,
    Certification,
    ChargeRow,
    ClientMonth,
    ClientMonthResult,
    DetailRow,
    Issue,
    MonthTotals,
    OverLimitAllocation,
    Provider,
    ProviderTypeSubtotal,
    ServiceLine,
    ServiceTypeLimit,
    ServiceTypeLimitUsage,
    Severity,
    ShortStayDays,
)
from billing.calc.validation import IssueCode, check_over_limit_allocation

__all__ = [
    "CARE_LEVEL_NAMES",
    "CARE_LEVEL_ORDER",
    "DATA_DIRECTORY",
    "DEFAULT_OPTIONS",
    "LABOR_COST_GROUPS",
    "REGIONAL_GRADES",
    "Basis",
    "BenefitManagementLine",
    "CalculationOptions",
    "CareLevelLimit",
    "Certification",
    "ChargeRow",
    "ClientMonth",
    "ClientMonthResult",
    "CodeKind",
    "DetailRow",
    "FeeSchedule",
    "Issue",
    "IssueCode",
    "MonthTotals",
    "OverLimitAllocation",
    "Provider",
    "ProviderTypeSubtotal",
    "RegionalUnitPrice",
    "ServiceCode",
    "ServiceLine",
    "ServiceType",
    "ServiceTypeLimit",
    "ServiceTypeLimitUsage",
    "Severity",
    "ShortStayDays",
    "calculate_client_month",
    "check_over_limit_allocation",
    "load_r6_fee_schedule",
    "read_care_level_limits",
    "read_regional_unit_prices",
    "read_service_codes",
    "read_service_types",
    "validate_client_month",
]
