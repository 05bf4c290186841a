"""試算 (quote): a JSON client-month in, the 別表 figures and 給付管理票 lines out.

Pure module (no Django): `client_month_from_json` checks the input and names the bad field;
`result_to_json` turns a `ClientMonthResult` into plain JSON. The `quote` management command
and any API reuse both. Schema: docs/quote.md.
"""

from __future__ import annotations

import calendar
import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from billing.calc import (
    CalculationOptions,
    Certification,
    ClientMonth,
    ClientMonthResult,
    OverLimitAllocation,
    Provider,
    ServiceLine,
    ServiceTypeLimit,
)
from billing.calc.schedule import CARE_LEVEL_ORDER, REGIONAL_GRADES

BENEFIT_RATE_BY_BURDEN_RATIO = {1: 90, 2: 80, 3: 70}


class QuoteInputError(ValueError):
    """Bad input; `field` is a JSON path such as `service_lines[2].dates[0]`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _require(data: dict[str, Any], key: str, path: str) -> Any:
    if not isinstance(data, dict) or key not in data or data[key] in (None, ""):
        raise QuoteInputError(f"{path}{key}", "必須の項目です。")
    return data[key]


def _integer(
    value: Any, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuoteInputError(field, f"整数で指定してください: {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise QuoteInputError(field, f"{minimum}〜{maximum} の範囲で指定してください: {value}")
    return value


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise QuoteInputError(field, f"日付は YYYY-MM-DD で指定してください: {value!r}") from error


def _care_level(value: Any, field: str) -> str:
    if value not in CARE_LEVEL_ORDER:
        raise QuoteInputError(
            field,
            f"要介護状態区分コード（{' '.join(CARE_LEVEL_ORDER)}）で指定してください: {value!r}",
        )
    return value


def _list(data: dict[str, Any], key: str, *, required: bool = False) -> list[Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise QuoteInputError(key, "必須の項目です。")
        return []
    if not isinstance(value, list):
        raise QuoteInputError(key, "配列で指定してください。")
    return value


def _certifications(data: dict[str, Any], year: int, month: int) -> list[Certification]:
    """Either full `certifications` or the short form `care_levels` (level + start date)."""
    month_end = date(year, month, calendar.monthrange(year, month)[1])
    if "certifications" in data:
        result = []
        for index, item in enumerate(_list(data, "certifications", required=True)):
            path = f"certifications[{index}]."
            valid_from = _date(_require(item, "valid_from", path), f"{path}valid_from")
            valid_to = _date(_require(item, "valid_to", path), f"{path}valid_to")
            if valid_to < valid_from:
                raise QuoteInputError(f"{path}valid_to", "終了日が開始日より前です。")
            result.append(
                Certification(
                    _care_level(_require(item, "care_level", path), f"{path}care_level"),
                    valid_from,
                    valid_to,
                )
            )
        return result
    levels = _list(data, "care_levels", required=True)
    if not levels:
        raise QuoteInputError("care_levels", "1件以上指定してください。")
    starts = []
    for index, item in enumerate(levels):
        path = f"care_levels[{index}]."
        starts.append(
            (
                _date(_require(item, "from", path), f"{path}from"),
                _care_level(_require(item, "care_level", path), f"{path}care_level"),
            )
        )
    starts.sort()
    result = []
    for index, (start, level) in enumerate(starts):
        end = starts[index + 1][0] - timedelta(days=1) if index + 1 < len(starts) else month_end
        result.append(Certification(level, start, end))
    return result


def _providers(data: dict[str, Any], lines: list[ServiceLine]) -> list[Provider]:
    raw = _require(data, "providers", "")
    if not isinstance(raw, dict):
        raise QuoteInputError("providers", "事業所番号をキーにしたオブジェクトで指定してください。")
    providers = []
    for number, item in sorted(raw.items()):
        path = f"providers.{number}."
        if not (isinstance(number, str) and len(number) == 10 and number.isdigit()):
            raise QuoteInputError(f"providers.{number}", "事業所番号は数字10桁です。")
        if isinstance(item, str):
            item = {"regional_grade": item}
        grade = str(_require(item, "regional_grade", path))
        if grade not in REGIONAL_GRADES:
            raise QuoteInputError(
                f"{path}regional_grade",
                f"地域区分は {' / '.join(REGIONAL_GRADES)} のいずれかです: {grade!r}",
            )
        offered = item.get("service_types")
        if (
            offered is None
        ):  # not given: whatever the lines use (the "not offered" check is skipped)
            offered = sorted(
                {line.service_code[:2] for line in lines if line.provider_number == number}
            )
        if not isinstance(offered, list) or not all(isinstance(code, str) for code in offered):
            raise QuoteInputError(
                f"{path}service_types", "サービス種類コード（文字列）の配列で指定してください。"
            )
        providers.append(Provider(number, str(item.get("name", number)), grade, frozenset(offered)))
    return providers


def _lines(data: dict[str, Any]) -> list[ServiceLine]:
    lines = []
    for index, item in enumerate(_list(data, "service_lines", required=True)):
        path = f"service_lines[{index}]."
        provider = str(_require(item, "provider", path))
        code = str(_require(item, "code", path))
        dates = item.get("dates", [])
        if not isinstance(dates, list):
            raise QuoteInputError(f"{path}dates", "日付の配列で指定してください。")
        price = item.get("rental_price_yen")
        lines.append(
            ServiceLine(
                provider_number=provider,
                service_code=code,
                dates=tuple(_date(day, f"{path}dates[{n}]") for n, day in enumerate(dates)),
                count_per_date=_integer(
                    item.get("count_per_date", 1), f"{path}count_per_date", minimum=1, maximum=99
                ),
                rental_price_yen=None
                if price is None
                else _integer(price, f"{path}rental_price_yen", minimum=0, maximum=10_000_000),
            )
        )
    return lines


def client_month_from_json(data: Any) -> tuple[ClientMonth, CalculationOptions]:
    """Validate the JSON document and build the engine input."""
    if not isinstance(data, dict):
        raise QuoteInputError("(root)", "JSON オブジェクトを指定してください。")
    year = _integer(_require(data, "year", ""), "year", minimum=2000, maximum=2100)
    month = _integer(_require(data, "month", ""), "month", minimum=1, maximum=12)
    if "benefit_rate" in data:
        benefit_rate = _integer(data["benefit_rate"], "benefit_rate", minimum=0, maximum=100)
    else:
        ratio = _integer(_require(data, "burden_ratio", ""), "burden_ratio", minimum=1, maximum=3)
        benefit_rate = BENEFIT_RATE_BY_BURDEN_RATIO[ratio]
    lines = _lines(data)
    allocation = None
    if data.get("over_limit_allocation") is not None:
        allocation = []
        for index, item in enumerate(_list(data, "over_limit_allocation")):
            path = f"over_limit_allocation[{index}]."
            allocation.append(
                OverLimitAllocation(
                    str(_require(item, "provider", path)),
                    str(_require(item, "service_type", path)),
                    _integer(
                        _require(item, "units", path), f"{path}units", minimum=0, maximum=1_000_000
                    ),
                )
            )
    type_limits = [
        ServiceTypeLimit(
            str(_require(item, "service_type", f"service_type_limits[{index}].")),
            _integer(
                _require(item, "limit_units", f"service_type_limits[{index}]."),
                f"service_type_limits[{index}].limit_units",
                minimum=0,
                maximum=1_000_000,
            ),
        )
        for index, item in enumerate(_list(data, "service_type_limits"))
    ]
    option_values = data.get("options") or {}
    known_options = {f.name for f in dataclasses.fields(CalculationOptions)}
    for key, value in option_values.items():
        if key not in known_options or not isinstance(value, bool):
            raise QuoteInputError(
                f"options.{key}",
                f"未知のオプション、または true/false 以外です（{', '.join(sorted(known_options))}）。",
            )
    client_month = ClientMonth(
        year=year,
        month=month,
        certifications=tuple(_certifications(data, year, month)),
        benefit_rate=benefit_rate,
        providers=tuple(_providers(data, lines)),
        service_lines=tuple(lines),
        over_limit_allocation=None if allocation is None else tuple(allocation),
        short_stay_days_before_month=_integer(
            data.get("short_stay_days_before_month", 0),
            "short_stay_days_before_month",
            minimum=0,
            maximum=10_000,
        ),
        short_stay_consecutive_days_before_month=_integer(
            data.get("short_stay_consecutive_days_before_month", 0),
            "short_stay_consecutive_days_before_month",
            minimum=0,
            maximum=10_000,
        ),
        service_type_limits=tuple(type_limits),
    )
    return client_month, CalculationOptions(**option_values)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item) for item in value)
    return value


def result_to_json(result: ClientMonthResult) -> dict[str, Any]:
    """Plain JSON: decimals as strings ("11.40"), dates ISO, every 第7表 column kept."""
    document = _plain(result)
    document["has_errors"] = result.has_errors
    return document
