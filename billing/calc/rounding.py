"""Rounding rules of the 介護報酬 calculation (端数処理).

Every rounding in the engine goes through this module so the rules stay in one place
(REFERENCE §8):

* units, when a percentage 加算・減算 is applied: half-up to an integer, each time;
* yen: floor (円未満切り捨て) of units × 単価, and of 費用総額 × 給付率;
* 1単位の単価: 10円 × (1 + 上乗せ割合 × 人件費割合), half-up to 2 decimals.
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

_ONE = Decimal(1)
_HUNDREDTH = Decimal("0.01")
_TEN = Decimal(10)
_HUNDRED = Decimal(100)


def round_half_up(value: Decimal) -> int:
    """Round to an integer, halves away from zero (四捨五入)."""
    return int(value.quantize(_ONE, rounding=ROUND_HALF_UP))


def percentage_units(base_units: int, rate_percent: Decimal) -> int:
    """Units of a percentage 加算/減算: round_half_up(base × rate ÷ 100)."""
    return round_half_up(base_units * rate_percent / _HUNDRED)


def yen_floor(units: int, unit_price: Decimal) -> int:
    """Yen for units at a unit price, fractions of a yen cut off (円未満切り捨て)."""
    return int((units * unit_price).to_integral_value(rounding=ROUND_FLOOR))


def insurance_claim_yen(total_cost_yen: int, benefit_rate: int) -> int:
    """保険請求額 = floor(費用総額 × 給付率 ÷ 100); integers only, so exact."""
    return total_cost_yen * benefit_rate // 100


def rental_units(price_yen: int) -> int:
    """福祉用具貸与 units: the monthly rental price ÷ 10, rounded half-up."""
    return round_half_up(Decimal(price_yen) / _TEN)


def unit_price_from_formula(uplift_percent: Decimal, labor_cost_percent: Decimal) -> Decimal:
    """1単位の単価 = 10 × (1 + 上乗せ割合 × 人件費割合), half-up to 2 decimals."""
    value = _TEN * (_ONE + uplift_percent / _HUNDRED * labor_cost_percent / _HUNDRED)
    return value.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
