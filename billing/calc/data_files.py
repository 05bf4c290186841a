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


SERVICE_CODE_COLUMNS: tuple[str, ...] = (
    "code",
    "service_type",
    "name",
    "units",
    "basis",
    "kind",
    "percentage_rate",
    "counts_toward_limit",
    "level_group",
    "care_level",
    "valid_from",
    "valid_to",
)
"""Columns of a service-code CSV (`confidence` is optional); see docs/fee_schedule.md."""


class RowError(ValueError):
    """A bad value in one column of a service-code row, with a Japanese message."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


def _parse_date(row: dict[str, str], column: str, *, required: bool) -> date | None:
    text = (row.get(column) or "").strip()
    if not text:
        if required:
            raise RowError(column, "日付を入力してください（YYYY-MM-DD）。")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise RowError(column, f"日付の形式が正しくありません: {text!r}（YYYY-MM-DD）") from error


def parse_service_code_row(row: dict[str, str]) -> ServiceCode:
    """One CSV row → `ServiceCode`, or `RowError` naming the bad column (first one found)."""
    value = {column: (row.get(column) or "").strip() for column in SERVICE_CODE_COLUMNS}
    code = value["code"]
    if len(code) != 6 or not code.isascii() or not code.isalnum() or code != code.upper():
        raise RowError("code", f"サービスコードは英数字6桁です: {code!r}")
    if value["service_type"] != code[:2]:
        raise RowError(
            "service_type", f"サービス種類はコードの先頭2桁（{code[:2]}）と一致しません。"
        )
    if not value["name"]:
        raise RowError("name", "サービス内容略称を入力してください。")
    try:
        units = int(value["units"] or "0")
    except ValueError as error:
        raise RowError("units", f"単位数は整数です: {value['units']!r}") from error
    try:
        basis = Basis(value["basis"])
    except ValueError as error:
        raise RowError(
            "basis", f"算定単位は visit / day / month のいずれかです: {value['basis']!r}"
        ) from error
    try:
        kind = CodeKind(value["kind"])
    except ValueError as error:
        choices = " / ".join(member.value for member in CodeKind)
        raise RowError("kind", f"種別は {choices} のいずれかです: {value['kind']!r}") from error
    rate: Decimal | None = None
    if value["percentage_rate"]:
        try:
            rate = Decimal(value["percentage_rate"])
        except ArithmeticError as error:
            raise RowError(
                "percentage_rate", f"率は数値です: {value['percentage_rate']!r}"
            ) from error
    if kind == CodeKind.PERCENTAGE and rate is None:
        raise RowError("percentage_rate", "率による加算・減算には率(%)が必要です。")
    try:
        counts_toward_limit = _flag(value["counts_toward_limit"])
    except ValueError as error:
        raise RowError("counts_toward_limit", "区分支給限度額の対象は 1 または 0 です。") from error
    care_levels = frozenset(value["care_level"].split())
    unknown = care_levels - set(CARE_LEVEL_ORDER)
    if unknown:
        raise RowError("care_level", f"要介護状態区分コードが不正です: {' '.join(sorted(unknown))}")
    valid_from = _parse_date(value, "valid_from", required=True)
    valid_to = _parse_date(value, "valid_to", required=False)
    assert valid_from is not None
    if valid_to is not None and valid_to < valid_from:
        raise RowError("valid_to", "適用終了日は適用開始日以降にしてください。")
    return ServiceCode(
        code=code,
        service_type=value["service_type"],
        name=value["name"],
        units=units,
        basis=basis,
        kind=kind,
        percentage_rate=rate,
        counts_toward_limit=counts_toward_limit,
        level_group=value["level_group"] or None,
        care_levels=care_levels,
        valid_from=valid_from,
        valid_to=valid_to,
        confidence=(row.get("confidence") or "C").strip() or "C",
    )


def read_service_codes(path: Path | None = None) -> tuple[ServiceCode, ...]:
    """Rows of service_codes_r6.csv as `ServiceCode`s (care_level: space-separated codes)."""
    return tuple(
        parse_service_code_row(row)
        for row in _rows(path or DATA_DIRECTORY / "service_codes_r6.csv")
    )


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
