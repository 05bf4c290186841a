"""Readers for the R6 reference data shipped in `caremgmt/fee_schedule_data/` (UTF-8 CSV, header row).

The files are the seed of the national fee schedule: tests and the benchmark load them
directly, the Django side can import them into its tables and build the same
`FeeSchedule` from the rows. Column meanings are documented in docs/calc.md.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from billing.calc.schedule import (
    CARE_LEVEL_ORDER,
    Basis,
    CareLevelLimit,
    CodeKind,
    FeeSchedule,
    RegionalUnitPrice,
    ServiceCode,
    ServiceType,
)

# The seed lives with the fee-schedule models in the core app; reading a file is no import.
DATA_DIRECTORY = Path(__file__).resolve().parents[2] / "caremgmt" / "fee_schedule_data"

ELIGIBILITY_LEVELS: dict[str, frozenset[str]] = {
    "care": frozenset({"21", "22", "23", "24", "25"}),
    "support": frozenset({"12", "13"}),
}
"""`eligibility` column of service_types.csv → care levels that may use the type."""


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _date_or_none(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"expected 0 or 1, got {text!r}")
    return text == "1"


def read_service_codes(path: Path | None = None) -> tuple[ServiceCode, ...]:
    """Rows of service_codes_r6.csv as `ServiceCode`s (care_level: space-separated codes)."""
    rows = _rows(path or DATA_DIRECTORY / "service_codes_r6.csv")
    codes = []
    for row in rows:
        care_levels = frozenset(row["care_level"].split())
        unknown = care_levels - set(CARE_LEVEL_ORDER)
        if unknown:
            raise ValueError(f"{row['code']}: unknown care levels {sorted(unknown)}")
        codes.append(
            ServiceCode(
                code=row["code"],
                service_type=row["service_type"],
                name=row["name"],
                units=int(row["units"]),
                basis=Basis(row["basis"]),
                kind=CodeKind(row["kind"]),
                percentage_rate=Decimal(row["percentage_rate"]) if row["percentage_rate"] else None,
                counts_toward_limit=_flag(row["counts_toward_limit"]),
                level_group=row["level_group"] or None,
                care_levels=care_levels,
                valid_from=date.fromisoformat(row["valid_from"]),
                valid_to=_date_or_none(row["valid_to"]),
                confidence=row["confidence"],
            )
        )
    return tuple(codes)


def read_service_types(path: Path | None = None) -> tuple[ServiceType, ...]:
    """Rows of service_types.csv as `ServiceType`s."""
    return tuple(
        ServiceType(
            code=row["service_type"],
            name=row["name"],
            labor_cost_group=row["labor_cost_group"],
            counts_toward_limit=_flag(row["counts_toward_limit"]),
            short_stay=_flag(row["short_stay"]),
            eligible_care_levels=ELIGIBILITY_LEVELS[row["eligibility"]],
            fixed_benefit_rate=int(row["fixed_benefit_rate"])
            if row["fixed_benefit_rate"]
            else None,
            confidence=row["confidence"],
        )
        for row in _rows(path or DATA_DIRECTORY / "service_types.csv")
    )


def read_care_level_limits(path: Path | None = None) -> tuple[CareLevelLimit, ...]:
    """Rows of care_level_limits.csv as `CareLevelLimit`s."""
    return tuple(
        CareLevelLimit(
            care_level=row["care_level"],
            limit_units=int(row["limit_units"]),
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=_date_or_none(row["valid_to"]),
            confidence=row["confidence"],
        )
        for row in _rows(path or DATA_DIRECTORY / "care_level_limits.csv")
    )


def read_regional_unit_prices(path: Path | None = None) -> tuple[RegionalUnitPrice, ...]:
    """Rows of regional_unit_prices.csv as `RegionalUnitPrice`s."""
    return tuple(
        RegionalUnitPrice(
            regional_grade=row["regional_grade"],
            labor_cost_group=row["labor_cost_group"],
            unit_price=Decimal(row["unit_price"]),
            uplift_percent=Decimal(row["uplift_percent"]),
            labor_cost_percent=Decimal(row["labor_cost_percent"]),
            valid_from=date.fromisoformat(row["valid_from"]),
            valid_to=_date_or_none(row["valid_to"]),
            confidence=row["confidence"],
        )
        for row in _rows(path or DATA_DIRECTORY / "regional_unit_prices.csv")
    )


@cache
def load_r6_fee_schedule() -> FeeSchedule:
    """The R6 fee schedule built from the shipped CSV files (read once per process)."""
    return FeeSchedule(
        service_codes=read_service_codes(),
        service_types=read_service_types(),
        care_level_limits=read_care_level_limits(),
        regional_unit_prices=read_regional_unit_prices(),
    )
