"""Worked examples of REFERENCE (§5, §7, §8) and the engine's documented rules, exact values."""

from datetime import date
from decimal import Decimal

import pytest

from billing.calc import (
    CalculationOptions,
    Certification,
    ClientMonth,
    FeeSchedule,
    OverLimitAllocation,
    Provider,
    ServiceLine,
    ServiceTypeLimit,
    calculate_client_month,
    load_r6_fee_schedule,
    read_care_level_limits,
    read_regional_unit_prices,
    read_service_codes,
    read_service_types,
)
from billing.calc.rounding import percentage_units, rental_units, unit_price_from_formula, yen_floor
from billing.calc.schedule import Basis, CodeKind, ServiceCode
from billing.calc.short_stay import beyond_thirty_day_numbers

SCHEDULE = load_r6_fee_schedule()
HOME_HELP = "1310000001"  # 訪問介護
DAY_CARE = "1370000002"  # 通所介護
SHORT_STAY = "1370000003"  # 短期入所生活介護
RENTAL = "1370000004"  # 福祉用具貸与
CARE_OFFICE = "1310000005"  # 居宅介護支援


def calculate(client_month, schedule=SCHEDULE, options=None):
    return calculate_client_month(client_month, schedule, options)


def days(year: int, month: int, *day_numbers: int) -> tuple[date, ...]:
    return tuple(date(year, month, d) for d in day_numbers)


def certified(level: str, start=date(2024, 4, 1), end=date(2025, 3, 31)) -> Certification:
    return Certification(level, start, end)


def provider(number: str, *types: str, grade: str = "1") -> Provider:
    return Provider(number, f"事業所{number[-1]}", grade, frozenset(types))


def month(lines, *, level="21", year=2024, month_number=7, providers=None, **fields) -> ClientMonth:
    if providers is None:
        providers = (
            provider(HOME_HELP, "11"),
            provider(DAY_CARE, "15"),
            provider(SHORT_STAY, "21"),
            provider(RENTAL, "17"),
            provider(CARE_OFFICE, "43"),
        )
    fields.setdefault("certifications", (certified(level),))
    fields.setdefault("benefit_rate", 90)
    return ClientMonth(
        year=year, month=month_number, providers=providers, service_lines=tuple(lines), **fields
    )


def subtotal(result, provider_number, service_type):
    (found,) = [
        s
        for s in result.subtotals
        if s.provider_number == provider_number and s.service_type == service_type
    ]
    return found


def yen(charge):
    return (charge.total_cost, charge.insurance_claim, charge.user_copay, charge.user_full_pay)


# -- §7 unit prices ----------------------------------------------------------------------

UNIT_PRICE_TABLE = {  # REFERENCE §7: grade → (70 %, 55 %, 45 %)
    "1": ("11.40", "11.10", "10.90"),
    "2": ("11.12", "10.88", "10.72"),
    "3": ("11.05", "10.83", "10.68"),
    "4": ("10.84", "10.66", "10.54"),
    "5": ("10.70", "10.55", "10.45"),
    "6": ("10.42", "10.33", "10.27"),
    "7": ("10.21", "10.17", "10.14"),
    "other": ("10.00", "10.00", "10.00"),
}


@pytest.mark.parametrize("grade", list(UNIT_PRICE_TABLE))
def test_unit_price_table_matches_reference(grade):
    for group, expected in zip(("70", "55", "45"), UNIT_PRICE_TABLE[grade], strict=True):
        assert SCHEDULE.unit_price(grade, group, date(2024, 7, 1)) == Decimal(expected)
    assert SCHEDULE.unit_price(grade, "fixed10", date(2024, 7, 1)) == Decimal("10.00")


def test_unit_price_formula_reproduces_every_table_row():
    rows = read_regional_unit_prices()
    assert len(rows) == 24
    for row in rows:
        assert unit_price_from_formula(row.uplift_percent, row.labor_cost_percent) == row.unit_price
    # the two half-up cases of the 55 % column: 10.825 → 10.83, 10.165 → 10.17
    assert unit_price_from_formula(Decimal(15), Decimal(55)) == Decimal("10.83")
    assert unit_price_from_formula(Decimal(3), Decimal(55)) == Decimal("10.17")


# -- rounding primitives -----------------------------------------------------------------


def test_rounding_primitives():
    assert percentage_units(3096, Decimal("24.5")) == 759  # 758.52
    assert percentage_units(2, Decimal("25")) == 1  # 0.5 rounds up
    assert yen_floor(1411, Decimal("11.12")) == 15690  # 15,690.32
    assert rental_units(12345) == 1235  # 1,234.5 rounds up
    assert rental_units(12344) == 1234


# -- §8 訪問介護, 1級地 -------------------------------------------------------------------


def test_home_help_example_first_grade():
    """身体介護2 × 8 = 3,096 units → 35,294 / 31,764 / 3,530; 処遇改善Ⅰ 759 units outside."""
    visits = days(2024, 7, 1, 3, 5, 8, 10, 12, 15, 17)
    result = calculate(
        month([ServiceLine(HOME_HELP, "111211", visits), ServiceLine(HOME_HELP, "116275")])
    )
    assert result.issues == ()
    home_help = subtotal(result, HOME_HELP, "11")
    assert home_help.unit_price == Decimal("11.40")
    assert home_help.limit_target_units == 3096
    assert home_help.within_limit_units == 3096
    assert home_help.outside_limit_units == 759
    total_row, treatment_row = home_help.charges
    assert yen(total_row) == (35294, 31764, 3530, 0)
    assert treatment_row.service_code == "116275"
    assert treatment_row.insured_units == 759
    assert yen(treatment_row) == (8652, 7786, 866, 0)
    assert [(r.service_code, r.count, r.service_units) for r in result.detail_rows] == [
        ("111211", 8, 3096),
        ("116275", 1, 759),
    ]
    assert [
        (b.provider_number, b.service_type, b.planned_units)
        for b in result.benefit_management_lines
    ] == [(HOME_HELP, "11", 3096)]
    assert result.limit_units == 16765


# -- 居宅介護支援 yen checks (2級地, 11.12) --------------------------------------------------


@pytest.mark.parametrize(
    ("code", "units", "expected_yen"),
    [("432111", 1411, 15690), ("434001", 300, 3336), ("436125", 250, 2780)],
)
def test_care_management_yen_checks(code, units, expected_yen):
    office = provider(CARE_OFFICE, "43", grade="2")
    result = calculate(month([ServiceLine(CARE_OFFICE, code)], level="23", providers=(office,)))
    care = subtotal(result, CARE_OFFICE, "43")
    assert care.total_units == units
    assert care.unit_price == Decimal("11.12")
    assert care.benefit_rate == 100  # no co-payment, whatever the client's 給付率
    assert (care.total_cost, care.insurance_claim, care.user_copay) == (
        expected_yen,
        expected_yen,
        0,
    )
    assert care.limit_target_units == 0
    assert result.benefit_management_lines == ()  # outside limit management


def test_care_management_uses_month_end_level_variant():
    """432111 entered for a client who is 要介護3 at month end is billed as 432211."""
    certifications = (
        certified("22", end=date(2024, 7, 20)),
        certified("23", start=date(2024, 7, 21), end=date(2025, 1, 31)),
    )
    result = calculate(month([ServiceLine(CARE_OFFICE, "432111")], certifications=certifications))
    assert [(r.service_code, r.service_units) for r in result.detail_rows] == [("432211", 1411)]
    assert [i.code for i in result.issues] == ["care_level_variant_substituted"]


# -- §8 記載例: short stay at 11.10 ---------------------------------------------------------


def example_schedule() -> FeeSchedule:
    """R6 data plus three codes shaped like the 記載例. No price override: 21 is in the 55 %
    group (REFERENCE §7, corrected), so the real 1級地 price is the 記載例's 11.10."""
    extra = [
        ServiceCode(
            "219901",
            "21",
            "記載例 基本",
            725,
            Basis.DAY,
            CodeKind.BASE,
            None,
            True,
            None,
            frozenset(),
            date(2024, 4, 1),
        ),
        ServiceCode(
            "219902",
            "21",
            "記載例 送迎",
            150,
            Basis.VISIT,
            CodeKind.ADDITION,
            None,
            True,
            None,
            frozenset(),
            date(2024, 4, 1),
        ),
        ServiceCode(
            "219903",
            "21",
            "記載例 体制加算",
            18,
            Basis.DAY,
            CodeKind.ADDITION,
            None,
            False,
            None,
            frozenset(),
            date(2024, 4, 1),
        ),
    ]
    return FeeSchedule(
        service_codes=[*read_service_codes(), *extra],
        service_types=read_service_types(),
        care_level_limits=read_care_level_limits(),
        regional_unit_prices=read_regional_unit_prices(),
    )


def test_official_example_short_stay():
    """22,050 units → 244,755 / 220,279 / 24,476; 540-unit 加算 → 5,994 / 5,394 / 600;
    the 31st day (725 units) → 8,047 全額負担."""
    every_day = days(2024, 8, *range(1, 32))
    client_month = month(
        [
            ServiceLine(SHORT_STAY, "219901", every_day),
            ServiceLine(SHORT_STAY, "219902", days(2024, 8, 1, 30)),
            ServiceLine(SHORT_STAY, "219903", every_day[:30]),
        ],
        level="25",
        month_number=8,
    )
    result = calculate(client_month, example_schedule())
    stay = subtotal(result, SHORT_STAY, "21")
    assert stay.unit_price == Decimal("11.10")
    assert stay.within_limit_units == 22050
    assert stay.beyond_thirty_days_units == 725
    assert [(c.kind, c.insured_units, c.self_pay_units, *yen(c)) for c in stay.charges] == [
        ("total", 22050, 0, 244755, 220279, 24476, 0),
        ("out_of_limit_addition", 540, 0, 5994, 5394, 600, 0),
        ("beyond_thirty_days", 0, 725, 0, 0, 0, 8047),
    ]
    assert (stay.total_cost, stay.insurance_claim, stay.user_copay, stay.user_full_pay) == (
        250749,
        225673,
        25076,
        8047,
    )
    beyond_rows = [r for r in result.detail_rows if r.beyond_thirty_days]
    assert [(r.service_code, r.count, r.service_units) for r in beyond_rows] == [("219901", 1, 725)]
    assert result.short_stay.planned_days == 30
    assert result.short_stay.beyond_thirty_days_dates == (date(2024, 8, 31),)
    assert "short_stay_over_thirty_consecutive_days" in [i.code for i in result.issues]


def test_folded_out_of_limit_additions_option():
    """Unconfirmed #8, other reading: the 加算 row joins the type total."""
    every_day = days(2024, 8, *range(1, 32))
    client_month = month(
        [
            ServiceLine(SHORT_STAY, "219901", every_day),
            ServiceLine(SHORT_STAY, "219902", days(2024, 8, 1, 30)),
            ServiceLine(SHORT_STAY, "219903", every_day[:30]),
        ],
        level="25",
        month_number=8,
    )
    folded = CalculationOptions(out_of_limit_additions_charged_separately=False)
    stay = subtotal(calculate(client_month, example_schedule(), folded), SHORT_STAY, "21")
    assert [(c.kind, c.insured_units, *yen(c)) for c in stay.charges] == [
        ("total", 22590, 250749, 225674, 25075, 0),
        ("beyond_thirty_days", 0, 0, 0, 0, 8047),
    ]


# -- 福祉用具貸与 -----------------------------------------------------------------------------


def test_rental_units_round_half_up_at_ten_yen():
    result = calculate(
        month(
            [
                ServiceLine(RENTAL, "171003", rental_price_yen=12345),
                ServiceLine(RENTAL, "171004", rental_price_yen=3344),
            ]
        )
    )
    rental = subtotal(result, RENTAL, "17")
    assert rental.unit_price == Decimal("10.00")  # 1級地, still 10 yen
    assert [(r.service_code, r.unit_value) for r in result.detail_rows] == [
        ("171003", 1235),
        ("171004", 334),
    ]
    assert yen(rental.charges[0]) == (15690, 14121, 1569, 0)


# -- mid-month level change ------------------------------------------------------------------


def test_mid_month_level_change_uses_heaviest_limit_and_per_date_units():
    certifications = (
        certified("21", start=date(2024, 1, 1), end=date(2024, 7, 15)),
        certified("23", start=date(2024, 7, 16), end=date(2025, 1, 31)),
    )
    result = calculate(
        month(
            [ServiceLine(DAY_CARE, "152441", days(2024, 7, 3, 10, 17, 24, 31))],
            certifications=certifications,
        )
    )
    assert result.care_level == "23"
    assert result.limit_units == 27048
    assert [(r.service_code, r.unit_value, r.count) for r in result.detail_rows] == [
        ("152441", 658, 2),
        ("152443", 900, 3),
    ]
    assert subtotal(result, DAY_CARE, "15").limit_target_units == 4016
    (substituted,) = result.issues
    assert substituted.code == "care_level_variant_substituted"
    assert substituted.severity == "warning"
    assert substituted.line_index == 0
    assert "7月17日・7月24日・7月31日は要介護3" in substituted.message


# -- over the 区分 limit -----------------------------------------------------------------------

OVER_LIMIT_LINES = [
    ServiceLine(HOME_HELP, "111211", days(2024, 7, *range(1, 21))),  # 387 × 20 = 7,740
    ServiceLine(HOME_HELP, "116275"),  # 処遇改善Ⅰ 24.5 %
    ServiceLine(DAY_CARE, "152441", days(2024, 7, *range(1, 14))),  # 658 × 13 = 8,554
    ServiceLine(DAY_CARE, "155301", days(2024, 7, *range(1, 14))),  # 40 × 13 = 520
    ServiceLine(DAY_CARE, "156099", days(2024, 7, *range(1, 14))),  # 22 × 13 = 286, outside
    ServiceLine(DAY_CARE, "156108"),  # 処遇改善Ⅰ 9.2 %
]  # limit-counted 16,814 against 要介護1's 16,765 → 49 over


def test_over_limit_default_allocation_goes_to_cheapest_group():
    result = calculate(month(OVER_LIMIT_LINES))
    assert result.allocation_source == "default"
    assert result.allocation == (OverLimitAllocation(DAY_CARE, "15", 49),)
    home_help = subtotal(result, HOME_HELP, "11")
    day_care = subtotal(result, DAY_CARE, "15")
    assert (home_help.within_limit_units, home_help.over_limit_units) == (7740, 0)
    assert (day_care.within_limit_units, day_care.over_limit_units) == (9025, 49)
    # 処遇改善: round(9,360 × 9.2 %) = 861; insured part round(9,311 × 9.2 %) = 857
    assert day_care.outside_limit_self_pay_units == 4
    assert [(c.kind, c.insured_units, c.self_pay_units, *yen(c)) for c in day_care.charges] == [
        ("total", 9025, 49, 98372, 88534, 9838, 534),
        ("out_of_limit_addition", 286, 0, 3117, 2805, 312, 0),
        ("out_of_limit_addition", 857, 4, 9341, 8406, 935, 43),
    ]
    assert [yen(c) for c in home_help.charges] == [(88236, 79412, 8824, 0), (21614, 19452, 2162, 0)]
    assert [b.planned_units for b in result.benefit_management_lines] == [7740, 9025]
    assert sum(b.planned_units for b in result.benefit_management_lines) == 16765
    assert result.totals.over_limit_units == 49
    assert result.totals.user_full_pay == 534 + 43
    assert "over_limit" in [i.code for i in result.issues]


def test_over_limit_explicit_allocation_and_treatment_self_pay_share():
    result = calculate(
        month(OVER_LIMIT_LINES, over_limit_allocation=(OverLimitAllocation(HOME_HELP, "11", 49),))
    )
    assert result.allocation_source == "explicit"
    home_help = subtotal(result, HOME_HELP, "11")
    assert (home_help.within_limit_units, home_help.over_limit_units) == (7691, 49)
    # 処遇改善Ⅰ: round(7,740 × 24.5 %) = 1,896; round(7,691 × 24.5 %) = 1,884 → 12 self-pay
    assert home_help.outside_limit_self_pay_units == 12
    assert [(c.insured_units, c.self_pay_units, *yen(c)) for c in home_help.charges] == [
        (7691, 49, 87677, 78909, 8768, 558),
        (1884, 12, 21477, 19329, 2148, 136),
    ]
    assert subtotal(result, DAY_CARE, "15").over_limit_units == 0
    assert [b.planned_units for b in result.benefit_management_lines] == [7691, 9074]


def test_inconsistent_explicit_allocation_falls_back_to_default():
    result = calculate(
        month(OVER_LIMIT_LINES, over_limit_allocation=(OverLimitAllocation(HOME_HELP, "11", 40),))
    )
    assert result.allocation_source == "default"
    assert result.allocation == (OverLimitAllocation(DAY_CARE, "15", 49),)
    assert "allocation_sum_mismatch" in [i.code for i in result.issues]


def test_default_allocation_counts_the_treatment_improvement_share():
    """Same 単価 (11.40) for 訪問介護 and 訪問看護, but an over-limit 訪問介護 unit also makes
    24.5 % 処遇改善 self-pay: the default puts the excess on 訪問看護 first."""
    nurse = "1360000002"
    providers = (provider(HOME_HELP, "11"), provider(nurse, "13"))
    result = calculate(
        month(
            [
                ServiceLine(HOME_HELP, "111311", days(2024, 7, *range(1, 26))),  # 567 × 25
                ServiceLine(HOME_HELP, "116275"),
                ServiceLine(nurse, "131211", days(2024, 7, 1, 8, 15, 22, 29)),  # 823 × 5
            ],
            providers=providers,
        )
    )
    excess = 567 * 25 + 823 * 5 - 16765  # 1,525
    assert result.allocation == (OverLimitAllocation(nurse, "13", excess),)
    assert subtotal(result, HOME_HELP, "11").outside_limit_self_pay_units == 0


# -- 種類支給限度 -------------------------------------------------------------------------------


def test_service_type_limit_excess_is_reported_and_self_pay():
    result = calculate(
        month(
            [ServiceLine(HOME_HELP, "111211", days(2024, 7, *range(1, 11)))],  # 3,870
            service_type_limits=(ServiceTypeLimit("11", 3500),),
        )
    )
    home_help = subtotal(result, HOME_HELP, "11")
    assert (home_help.over_type_limit_units, home_help.within_type_limit_units) == (370, 3500)
    assert (home_help.over_limit_units, home_help.within_limit_units) == (0, 3500)
    assert yen(home_help.charges[0]) == (39900, 35910, 3990, 4218)  # 370 × 11.40 = 4,218
    (usage,) = result.service_type_limit_usages
    assert (usage.service_type, usage.limit_units, usage.total_units, usage.over_units) == (
        "11",
        3500,
        3870,
        370,
    )
    assert [b.planned_units for b in result.benefit_management_lines] == [3500]


# -- short-stay day counting -------------------------------------------------------------------


def short_stay_month(consecutive_before: int, before: int, options=None):
    lines = [
        ServiceLine(SHORT_STAY, "212131", days(2024, 7, *range(1, 16))),  # 併設Ⅰ 要介護3, 745
        ServiceLine(SHORT_STAY, "219200", days(2024, 7, 1, 15)),  # 送迎 184 each way
    ]
    return calculate(
        month(
            lines,
            certifications=(certified("23", date(2024, 4, 1), date(2024, 9, 30)),),  # 183 days
            short_stay_days_before_month=before,
            short_stay_consecutive_days_before_month=consecutive_before,
        ),
        options=options,
    )


NO_RESTART = CalculationOptions(short_stay_count_restarts_after_self_pay_day=False)


def test_thirty_day_rule_without_restart_option():
    """The non-default reading of Unconfirmed #14: every day from 31 stays self-pay."""
    result = short_stay_month(consecutive_before=20, before=81, options=NO_RESTART)
    stay = subtotal(result, SHORT_STAY, "21")
    # July 1–10 are days 21–30 of the stay; July 11–15 (and the 送迎 on the 15th) are 30日超
    assert stay.limit_target_units == 10 * 745 + 184
    assert stay.beyond_thirty_days_units == 5 * 745 + 184
    assert stay.unit_price == Decimal("11.10")
    assert yen(stay.charges[-1]) == (0, 0, 0, 43389)  # floor(3,909 × 11.10) = floor(43,389.9)
    assert result.short_stay.beyond_thirty_days_dates == days(2024, 7, 11, 12, 13, 14, 15)
    assert (result.short_stay.planned_days, result.short_stay.cumulative_days) == (10, 91)
    assert result.short_stay.certification_period_days == 183
    codes = [i.code for i in result.issues]
    assert "short_stay_over_thirty_consecutive_days" in codes
    assert "short_stay_over_half_certification_period" not in codes  # 91 × 2 ≤ 183


def test_half_certification_period_warning():
    result = short_stay_month(consecutive_before=20, before=82, options=NO_RESTART)
    (warning,) = [i for i in result.issues if i.code == "short_stay_over_half_certification_period"]
    assert warning.severity == "warning"
    assert "92日" in warning.message and "183日" in warning.message


def test_thirty_day_count_restarts_after_the_self_pay_day_by_default():
    """Unconfirmed #14 default: day 31 is 全額自費, the next day is day 1 of a new count."""
    assert CalculationOptions().short_stay_count_restarts_after_self_pay_day is True
    result = short_stay_month(consecutive_before=20, before=0)
    assert result.short_stay.beyond_thirty_days_dates == (date(2024, 7, 11),)
    stay = subtotal(result, SHORT_STAY, "21")
    assert stay.beyond_thirty_days_units == 745
    assert stay.limit_target_units == 14 * 745 + 2 * 184
    assert yen(stay.charges[-1]) == (0, 0, 0, 8269)  # floor(745 × 11.10) = floor(8,269.5)


def test_forty_day_continuous_stay():
    """Days 1–9 in June, July 1–31 = days 10–40: day 31 (July 22) is self-pay, days 32–40
    (July 23–31) are covered and counted again from 1 (day 31 of the new count would be the
    stay's day 62)."""
    lines = [ServiceLine(SHORT_STAY, "212131", days(2024, 7, *range(1, 32)))]  # 745 a day
    result = calculate(
        month(
            lines,
            level="23",
            certifications=(certified("23", date(2024, 4, 1), date(2025, 3, 31)),),
            short_stay_consecutive_days_before_month=9,
            short_stay_days_before_month=9,
        )
    )
    assert result.short_stay.beyond_thirty_days_dates == (date(2024, 7, 22),)
    assert result.short_stay.planned_days == 30
    stay = subtotal(result, SHORT_STAY, "21")
    assert stay.beyond_thirty_days_units == 745
    assert stay.limit_target_units == 30 * 745
    covered_after = [r for r in result.detail_rows if not r.beyond_thirty_days]
    assert sum(r.count for r in covered_after if r.service_code == "212131") == 30
    # the count really starts again: a 71-day run has self-pay days 31 and 62 only
    assert beyond_thirty_day_numbers(range(1, 41), 0, restart_after_self_pay_day=True) == [31]
    assert beyond_thirty_day_numbers(range(1, 72), 0, restart_after_self_pay_day=True) == [
        31,
        62,
    ]
    assert beyond_thirty_day_numbers(range(1, 41), 0, restart_after_self_pay_day=False) == list(
        range(31, 41)
    )


# -- 短期入所生活介護 at every 級地 (55 % group) ---------------------------------------------

SHORT_STAY_PRICE_BY_GRADE = {  # 10 + 10 × 上乗せ割合 × 55 %, half-up to 2 decimals
    "1": "11.10",  # 10 + 10 × 0.20 × 0.55 = 11.10
    "2": "10.88",  # 10.88
    "3": "10.83",  # 10.825 → 10.83
    "4": "10.66",  # 10.66
    "5": "10.55",  # 10.55
    "6": "10.33",  # 10.33
    "7": "10.17",  # 10.165 → 10.17
    "other": "10.00",
}
SHORT_STAY_SEVEN_DAYS_YEN = {  # floor(5,215 × price)
    "1": 57886,  # 57,886.5
    "2": 56739,  # 56,739.2
    "3": 56478,  # 56,478.45
    "4": 55591,  # 55,591.9
    "5": 55018,  # 55,018.25
    "6": 53870,  # 53,870.95
    "7": 53036,  # 53,036.55
    "other": 52150,
}


@pytest.mark.parametrize("grade", list(SHORT_STAY_PRICE_BY_GRADE))
def test_short_stay_priced_in_the_55_percent_group_at_every_grade(grade):
    """要介護3 併設型Ⅰ 745 units × 7 days (was 10.90 at 1級地 while 21 sat in the 45 % group)."""
    providers = (provider(SHORT_STAY, "21", grade=grade),)
    client_month = month(
        [ServiceLine(SHORT_STAY, "212131", days(2024, 7, *range(1, 8)))],
        level="23",
        providers=providers,
    )
    stay = subtotal(calculate(client_month), SHORT_STAY, "21")
    assert stay.unit_price == Decimal(SHORT_STAY_PRICE_BY_GRADE[grade])
    assert stay.within_limit_units == 5215
    assert stay.total_cost == SHORT_STAY_SEVEN_DAYS_YEN[grade]


@pytest.mark.parametrize("code", ["21", "24"])
def test_short_stay_life_care_types_are_in_the_55_percent_group(code):
    groups = {t.code: t.labor_cost_group for t in read_service_types()}
    assert groups[code] == "55"


def test_labour_cost_groups_match_reference_section_7():
    groups = {t.code: t.labor_cost_group for t in read_service_types()}
    expected = {
        "70": {"11", "12", "13", "43", "46", "62", "63", "71", "76"},
        "55": {"14", "16", "21", "24", "64", "66", "68", "69", "72", "73", "74", "75", "77", "79"},
        "45": {"15", "22", "23", "2A", "25", "26", "2B", "27", "28", "38", "39", "78"},
        "fixed10": {"17", "31", "34", "67"},
    }
    assert {g: {c for c, v in groups.items() if v == g} for g in expected} == expected


def test_short_stay_days_partly_over_limit_count_proportionally():
    """Days counted toward the half-period rule: floor(within ÷ total × days)."""
    result = calculate(
        month(
            [ServiceLine(SHORT_STAY, "212121", days(2024, 7, *range(1, 31)))],  # 672 × 30
            level="22",
        )
    )
    stay = subtotal(result, SHORT_STAY, "21")
    assert (stay.limit_target_units, stay.within_limit_units) == (20160, 19705)
    assert result.short_stay.planned_days == 30
    assert result.short_stay.counted_days == 19705 * 30 // 20160  # 29
