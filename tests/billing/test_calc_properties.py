"""Properties of the engine over generated client-months (hypothesis)."""

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.calc import (
    CalculationOptions,
    Certification,
    ClientMonth,
    Provider,
    ServiceLine,
    ServiceTypeLimit,
    calculate_client_month,
    load_r6_fee_schedule,
)

SCHEDULE = load_r6_fee_schedule()
PROVIDERS = {
    "11": "1310000001",
    "13": "1360000002",
    "15": "1370000003",
    "17": "1370000004",
    "21": "1370000005",
    "43": "1310000006",
}
# (code, needs dates) — bases of every level group, 加算, percentages, rentals, 居宅介護支援
CODE_POOL = [
    ("111211", True), ("111111", True), ("114111", True), ("117311", True), ("114001", False),
    ("116275", False), ("116271", False),
    ("131211", True), ("131010", True), ("133001", False), ("134001", False),
    ("152441", True), ("152243", True), ("152145", True), ("155301", True), ("156099", True),
    ("155612", True), ("156108", False),
    ("171001", False), ("171003", False), ("171007", False),
    ("211121", True), ("212141", True), ("219200", True), ("216108", False),
    ("432111", False), ("434001", False),
]  # fmt: skip
MONTHS = [(2024, 7), (2024, 9), (2025, 2), (2025, 3)]
LEVELS = ["21", "22", "23", "24", "25"]


@st.composite
def client_months(draw) -> ClientMonth:
    year, month = draw(st.sampled_from(MONTHS))
    last_day = {7: 31, 9: 30, 2: 28, 3: 31}[month]
    first_level = draw(st.sampled_from(LEVELS))
    if draw(st.booleans()):
        change_day = draw(st.integers(2, last_day))
        certifications = (
            Certification(first_level, date(year - 1, 10, 1), date(year, month, change_day - 1)),
            Certification(
                draw(st.sampled_from(LEVELS)), date(year, month, change_day), date(year + 1, 3, 31)
            ),
        )
    else:
        certifications = (Certification(first_level, date(year - 1, 10, 1), date(year + 1, 3, 31)),)
    grade = draw(st.sampled_from(["1", "2", "5", "7", "other"]))
    providers = tuple(
        Provider(number, f"事業所{service_type}", grade, frozenset({service_type}))
        for service_type, number in PROVIDERS.items()
    )
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        code, dated = draw(st.sampled_from(CODE_POOL))
        dates = ()
        if dated:
            start = draw(st.integers(1, last_day))
            day_numbers = draw(  # scattered visits, or a run to the month end (long stays)
                st.sets(st.integers(1, last_day), min_size=1, max_size=last_day)
                | st.just(set(range(start, last_day + 1)))
            )
            dates = tuple(date(year, month, d) for d in sorted(day_numbers))
        price = draw(st.integers(1, 30000)) if code.startswith("17") else None
        lines.append(ServiceLine(PROVIDERS[code[:2]], code, dates, draw(st.integers(1, 2)), price))
    type_limits = ()
    if draw(st.booleans()):
        type_limits = (
            ServiceTypeLimit(
                draw(st.sampled_from(["11", "15", "21"])), draw(st.integers(0, 20000))
            ),
        )
    return ClientMonth(
        year=year,
        month=month,
        certifications=certifications,
        benefit_rate=draw(st.sampled_from([90, 80, 70])),
        providers=providers,
        service_lines=tuple(lines),
        short_stay_days_before_month=draw(st.integers(0, 120)),
        short_stay_consecutive_days_before_month=draw(st.integers(0, 40)),
        service_type_limits=type_limits,
    )


def options():
    return st.builds(CalculationOptions, st.booleans(), st.booleans())


def figures(result):
    """Everything but the issues' line indexes."""
    issues = sorted((i.code, i.message, i.severity, i.field or "") for i in result.issues)
    return replace(result, issues=()), issues


@settings(max_examples=300, deadline=None)
@given(client_months(), options())
def test_units_add_up_and_yen_balance(client_month, calculation_options):
    result = calculate_client_month(client_month, SCHEDULE, calculation_options)
    for row in result.detail_rows:
        assert row.service_units == row.unit_value * row.count
    for subtotal in result.subtotals:
        assert subtotal.within_limit_units >= 0 and subtotal.over_limit_units >= 0
        assert (
            subtotal.within_limit_units + subtotal.over_limit_units + subtotal.over_type_limit_units
            == subtotal.limit_target_units
        )
        assert subtotal.within_type_limit_units == (
            subtotal.limit_target_units - subtotal.over_type_limit_units
        )
        assert subtotal.total_units == (
            subtotal.limit_target_units
            + subtotal.outside_limit_units
            + subtotal.beyond_thirty_days_units
        )
        rows = [
            r
            for r in result.detail_rows
            if (r.provider_number, r.service_type)
            == (subtotal.provider_number, subtotal.service_type)
        ]
        assert sum(r.service_units for r in rows) == subtotal.total_units
        for charge in subtotal.charges:
            assert charge.insurance_claim + charge.user_copay == charge.total_cost
            assert charge.user_copay >= 0 and charge.insurance_claim >= 0
        assert subtotal.total_cost == sum(c.total_cost for c in subtotal.charges)
        assert subtotal.insurance_claim + subtotal.user_copay == subtotal.total_cost
        self_pay = sum(c.self_pay_units for c in subtotal.charges)
        assert self_pay == (
            subtotal.over_limit_units
            + subtotal.over_type_limit_units
            + subtotal.outside_limit_self_pay_units
            + subtotal.beyond_thirty_days_units
        )
    totals = result.totals
    assert totals.insurance_claim + totals.user_copay == totals.total_cost
    assert totals.user_total == totals.user_copay + totals.user_full_pay


@settings(max_examples=300, deadline=None)
@given(client_months())
def test_planned_units_stay_within_the_limit(client_month):
    result = calculate_client_month(client_month, SCHEDULE)
    planned = sum(line.planned_units for line in result.benefit_management_lines)
    assert planned <= result.limit_units
    within_type = sum(s.within_type_limit_units for s in result.subtotals if s.limit_target_units)
    assert result.totals.over_limit_units == max(0, within_type - result.limit_units)
    assert sum(a.units for a in result.allocation) == result.totals.over_limit_units
    assert {line.service_type for line in result.benefit_management_lines} <= {
        "11", "13", "15", "17", "21",
    }  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(client_months(), st.randoms(use_true_random=False), options())
def test_line_and_provider_order_do_not_matter(client_month, random, calculation_options):
    lines = list(client_month.service_lines)
    providers = list(client_month.providers)
    random.shuffle(lines)
    random.shuffle(providers)
    shuffled = replace(client_month, service_lines=tuple(lines), providers=tuple(providers))
    assert figures(calculate_client_month(shuffled, SCHEDULE, calculation_options)) == figures(
        calculate_client_month(client_month, SCHEDULE, calculation_options)
    )


@settings(max_examples=100, deadline=None)
@given(client_months())
def test_rerunning_gives_identical_output(client_month):
    assert calculate_client_month(client_month, SCHEDULE) == calculate_client_month(
        client_month, SCHEDULE
    )


@settings(max_examples=200, deadline=None)
@given(client_months())
def test_default_allocation_given_back_explicitly_gives_the_same_figures(client_month):
    default = calculate_client_month(client_month, SCHEDULE)
    explicit = calculate_client_month(
        replace(client_month, over_limit_allocation=default.allocation), SCHEDULE
    )
    assert explicit.subtotals == default.subtotals
    assert explicit.allocation == default.allocation
    assert explicit.allocation_source == ("explicit" if default.allocation else "none")
