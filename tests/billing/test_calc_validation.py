"""Validators: each problem gives a structured issue (code, Japanese message, line, field),
and the engine leaves out exactly what the error concerns."""

from datetime import date

import pytest

from billing.calc import (
    Certification,
    ClientMonth,
    FeeSchedule,
    OverLimitAllocation,
    Provider,
    ServiceLine,
    ServiceTypeLimit,
    calculate_client_month,
    check_over_limit_allocation,
    load_r6_fee_schedule,
    read_care_level_limits,
    read_regional_unit_prices,
    read_service_codes,
    read_service_types,
    validate_client_month,
)
from billing.calc.schedule import Basis, CodeKind, ServiceCode
from billing.calc.validation import MESSAGES, IssueCode

SCHEDULE = load_r6_fee_schedule()
HOME_HELP = "1310000001"
DAY_CARE = "1370000002"
RENTAL = "1370000004"
JULY = [date(2024, 7, d) for d in range(1, 32)]


def client_month(lines, *, level="21", year=2024, month=7, **fields) -> ClientMonth:
    fields.setdefault(
        "certifications", (Certification(level, date(2024, 4, 1), date(2025, 3, 31)),)
    )
    fields.setdefault(
        "providers",
        (
            Provider(HOME_HELP, "ヘルパーステーション", "1", frozenset({"11"})),
            Provider(DAY_CARE, "デイサービス", "1", frozenset({"15"})),
            Provider(RENTAL, "福祉用具", "1", frozenset({"17"})),
        ),
    )
    fields.setdefault("benefit_rate", 90)
    return ClientMonth(year=year, month=month, service_lines=tuple(lines), **fields)


def only_issue(result, code):
    found = [i for i in result.issues if i.code == code]
    assert len(found) == 1, result.issues
    return found[0]


def test_clean_month_has_no_issues():
    result = calculate_client_month(
        client_month([ServiceLine(HOME_HELP, "111211", JULY[:4])]), SCHEDULE
    )
    assert result.issues == ()
    assert not result.has_errors


def test_unknown_code_drops_the_line():
    result = calculate_client_month(
        client_month(
            [ServiceLine(HOME_HELP, "111211", JULY[:2]), ServiceLine(HOME_HELP, "999999", JULY[:2])]
        ),
        SCHEDULE,
    )
    issue = only_issue(result, "unknown_service_code")
    assert (issue.severity, issue.line_index, issue.field) == ("error", 1, "service_code")
    assert issue.message == "サービスコード999999は単位数表にありません。"
    assert result.totals.total_units == 387 * 2


def test_code_not_valid_in_the_month():
    """処遇改善加算 codes start 2024-06-01; a May 2024 month cannot use them."""
    may = [date(2024, 5, 1), date(2024, 5, 2)]
    result = calculate_client_month(
        client_month(
            [ServiceLine(HOME_HELP, "111211", may), ServiceLine(HOME_HELP, "116275")], month=5
        ),
        SCHEDULE,
    )
    issue = only_issue(result, "service_code_not_valid_in_month")
    assert (issue.line_index, issue.field) == (1, "dates")
    assert "116275" in issue.message and "5月31日" in issue.message
    assert [r.service_code for r in result.detail_rows] == ["111211"]


def test_service_type_not_offered_by_provider():
    result = calculate_client_month(
        client_month([ServiceLine(DAY_CARE, "111211", JULY[:2])]), SCHEDULE
    )
    issue = only_issue(result, "service_type_not_offered")
    assert issue.message == "事業所1370000002はサービス種類11（訪問介護）を提供していません。"
    assert result.detail_rows == ()


def test_day_care_code_of_a_heavier_level_is_read_as_the_dates_level():
    """A 要介護3 通所介護 code for a 要介護1 client: billed at 要介護1, with a warning."""
    result = calculate_client_month(
        client_month([ServiceLine(DAY_CARE, "152443", JULY[:3])]), SCHEDULE
    )
    issue = only_issue(result, "care_level_variant_substituted")
    assert (issue.severity, issue.line_index, issue.field) == ("warning", 0, "service_code")
    assert issue.message == (
        "7月1日・7月2日・7月3日は要介護1のため、サービスコード152443を152441として計算しました。"
    )
    assert [(r.service_code, r.unit_value, r.count) for r in result.detail_rows] == [
        ("152441", 658, 3)
    ]


def test_no_variant_for_the_care_level():
    only_level_one = ServiceCode(
        "159901", "15", "要介護1専用", 100, Basis.VISIT, CodeKind.BASE, None, True,
        "15-test", frozenset({"21"}), date(2024, 4, 1),
    )  # fmt: skip
    schedule = FeeSchedule(
        service_codes=[*read_service_codes(), only_level_one],
        service_types=read_service_types(),
        care_level_limits=read_care_level_limits(),
        regional_unit_prices=read_regional_unit_prices(),
    )
    result = calculate_client_month(
        client_month([ServiceLine(DAY_CARE, "159901", JULY[:2])], level="22"), schedule
    )
    issue = only_issue(result, "no_variant_for_care_level")
    assert "要介護2ですが、サービスコード159901には要介護2のコードがありません" in issue.message
    assert result.detail_rows == ()


def test_support_level_cannot_use_care_services():
    result = calculate_client_month(
        client_month([ServiceLine(DAY_CARE, "152441", JULY[:2])], level="12"), SCHEDULE
    )
    issue = only_issue(result, "care_level_not_eligible")
    assert issue.message == (
        "7月1日・7月2日は要支援1のため、サービス種類15（通所介護）は利用できません。"
    )
    assert result.limit_units == 5032


def test_dates_outside_month_and_certification_are_left_out():
    certification = Certification("21", date(2024, 7, 10), date(2025, 1, 31))
    result = calculate_client_month(
        client_month(
            [ServiceLine(HOME_HELP, "111211", (date(2024, 6, 30), JULY[4], JULY[11]))],
            certifications=(certification,),
        ),
        SCHEDULE,
    )
    outside = only_issue(result, "date_outside_month")
    assert outside.message == "6月30日はサービス提供月（2024年7月）の外です。"
    uncertified = only_issue(result, "date_not_certified")
    assert uncertified.message == "7月5日は要介護認定の有効期間外です。"
    assert [(r.service_code, r.count) for r in result.detail_rows] == [("111211", 1)]


def test_unknown_provider_and_bad_provider_number():
    providers = (Provider("13100", "短い番号", "1", frozenset({"11"})),)
    result = calculate_client_month(
        client_month([ServiceLine(HOME_HELP, "111211", JULY[:1])], providers=providers), SCHEDULE
    )
    assert only_issue(result, "invalid_provider_number").field == "providers[0]"
    assert only_issue(result, "unknown_provider").line_index == 0


def test_rental_needs_a_price_and_others_ignore_it():
    result = calculate_client_month(
        client_month(
            [
                ServiceLine(RENTAL, "171001"),
                ServiceLine(HOME_HELP, "111211", JULY[:1], rental_price_yen=500),
            ]
        ),
        SCHEDULE,
    )
    missing = only_issue(result, "rental_price_missing")
    assert (missing.line_index, missing.field) == (0, "rental_price_yen")
    ignored = only_issue(result, "rental_price_not_applicable")
    assert (ignored.severity, ignored.line_index) == ("warning", 1)


def test_missing_dates_duplicates_and_count():
    result = calculate_client_month(
        client_month(
            [
                ServiceLine(HOME_HELP, "111211"),
                ServiceLine(HOME_HELP, "111111", (JULY[0], JULY[0], JULY[1])),
                ServiceLine(HOME_HELP, "111311", JULY[:1], count_per_date=0),
            ]
        ),
        SCHEDULE,
    )
    assert only_issue(result, "missing_dates").line_index == 0
    duplicate = only_issue(result, "duplicate_date")
    assert (duplicate.severity, duplicate.line_index) == ("warning", 1)
    assert only_issue(result, "invalid_count").line_index == 2
    assert [(r.service_code, r.count) for r in result.detail_rows] == [("111111", 2)]


def test_header_problems():
    overlapping = (
        Certification("21", date(2024, 4, 1), date(2024, 7, 20)),
        Certification("23", date(2024, 7, 15), date(2025, 1, 31)),
        Certification("99", date(2024, 4, 1), date(2025, 1, 31)),
    )
    result = calculate_client_month(
        client_month(
            [ServiceLine(HOME_HELP, "111211", (JULY[16],))],
            certifications=overlapping,
            benefit_rate=95 + 10,
        ),
        SCHEDULE,
    )
    assert only_issue(result, "invalid_benefit_rate").field == "benefit_rate"
    assert only_issue(result, "unknown_care_level").field == "certifications[2]"
    assert only_issue(result, "overlapping_certifications").severity == "warning"
    assert result.care_level == "23"
    assert result.subtotals[0].benefit_rate == 100  # clamped


def test_no_certification_in_month():
    result = calculate_client_month(
        client_month([ServiceLine(HOME_HELP, "111211", JULY[:1])], certifications=()), SCHEDULE
    )
    assert only_issue(result, "no_certification_in_month").severity == "error"
    assert result.care_level is None and result.limit_units == 0
    assert result.detail_rows == ()


def test_duplicate_percentage_code_counts_once():
    result = calculate_client_month(
        client_month(
            [
                ServiceLine(HOME_HELP, "111211", JULY[:8]),
                ServiceLine(HOME_HELP, "116275"),
                ServiceLine(HOME_HELP, "116275"),
            ]
        ),
        SCHEDULE,
    )
    assert only_issue(result, "duplicate_percentage_code").line_index == 2
    assert [r.service_units for r in result.detail_rows] == [3096, 759]


def test_invalid_service_type_limit():
    result = calculate_client_month(
        client_month(
            [ServiceLine(HOME_HELP, "111211", JULY[:2])],
            service_type_limits=(ServiceTypeLimit("11", -1),),
        ),
        SCHEDULE,
    )
    assert only_issue(result, "invalid_service_type_limit").field == "service_type_limits[0]"


# -- over-limit allocation ---------------------------------------------------------------------

AVAILABLE = {(HOME_HELP, "11"): 7740, (DAY_CARE, "15"): 9074}


@pytest.mark.parametrize(
    ("allocation", "expected_codes"),
    [
        ([OverLimitAllocation(HOME_HELP, "11", 49)], []),
        ([OverLimitAllocation(HOME_HELP, "11", 20), OverLimitAllocation(DAY_CARE, "15", 29)], []),
        ([OverLimitAllocation(HOME_HELP, "11", 48)], ["allocation_sum_mismatch"]),
        (
            [OverLimitAllocation(RENTAL, "17", 49)],
            ["allocation_unknown_group"],
        ),
        (
            [
                OverLimitAllocation(HOME_HELP, "11", 9000),
                OverLimitAllocation(DAY_CARE, "15", -8951),
            ],
            ["allocation_exceeds_group", "allocation_negative_units", "allocation_sum_mismatch"],
        ),
        (
            [OverLimitAllocation(HOME_HELP, "11", 20), OverLimitAllocation(HOME_HELP, "11", 29)],
            ["allocation_duplicate_group", "allocation_sum_mismatch"],
        ),
    ],
)
def test_check_over_limit_allocation(allocation, expected_codes):
    issues = check_over_limit_allocation(allocation, AVAILABLE, 49)
    assert [i.code for i in issues] == expected_codes
    assert all(i.field and i.field.startswith("over_limit_allocation") for i in issues)


def test_allocation_over_a_group_message():
    (issue,) = check_over_limit_allocation(
        [OverLimitAllocation(HOME_HELP, "11", 7741)], {(HOME_HELP, "11"): 7740}, 7741
    )
    assert issue.message == (
        "超過単位の配分7741単位が、事業所1310000001・サービス種類11の対象単位数7740単位を超えています。"
    )


def test_allocation_when_nothing_is_over_the_limit():
    month_under_limit = client_month(
        [ServiceLine(HOME_HELP, "111211", JULY[:2])],
        over_limit_allocation=(OverLimitAllocation(HOME_HELP, "11", 10),),
    )
    result = calculate_client_month(month_under_limit, SCHEDULE)
    assert only_issue(result, "allocation_sum_mismatch").severity == "error"
    assert result.allocation_source == "none" and result.allocation == ()


def test_validate_client_month_returns_the_engines_issues():
    month_with_problems = client_month(
        [ServiceLine(HOME_HELP, "999999", JULY[:1]), ServiceLine(DAY_CARE, "152443", JULY[:1])]
    )
    issues = validate_client_month(month_with_problems, SCHEDULE)
    assert [i.code for i in issues] == ["unknown_service_code", "care_level_variant_substituted"]
    assert issues == calculate_client_month(month_with_problems, SCHEDULE).issues


def test_unknown_regional_grade_gives_no_unit_price():
    providers = (Provider(HOME_HELP, "ヘルパー", "9", frozenset({"11"})),)
    result = calculate_client_month(
        client_month([ServiceLine(HOME_HELP, "111211", JULY[:1])], providers=providers), SCHEDULE
    )
    assert [i.code for i in result.issues] == ["unknown_regional_grade", "no_unit_price"]
    assert result.subtotals == ()


def test_reference_data_files_are_consistent():
    """Every code's type exists; level groups have one variant per level; limits cover 12–25."""
    types = {t.code: t for t in read_service_types()}
    codes = read_service_codes()
    groups: dict[str, list[str]] = {}
    for code in codes:
        assert code.service_type in types, code.code
        assert code.code.startswith(code.service_type)
        assert (code.kind == CodeKind.PERCENTAGE) == (code.percentage_rate is not None)
        if code.level_group:
            groups.setdefault(code.level_group, []).extend(sorted(code.care_levels))
    for group, levels in groups.items():
        assert len(levels) == len(set(levels)), group
        assert set(levels) <= types[group[:2]].eligible_care_levels
    limits = {limit.care_level: limit.limit_units for limit in read_care_level_limits()}
    assert limits["23"] == 27048 and set(limits) >= {"12", "13", "21", "22", "24", "25"}
    assert types["43"].fixed_benefit_rate == 100


def test_reduction_needs_a_base_service_on_its_date():
    result = calculate_client_month(
        client_month(
            [
                ServiceLine(DAY_CARE, "152441", JULY[:2]),
                ServiceLine(DAY_CARE, "155612", (JULY[1], JULY[2])),  # 送迎減算 −47
            ]
        ),
        SCHEDULE,
    )
    issue = only_issue(result, "reduction_without_base")
    assert (issue.line_index, issue.field) == (1, "dates")
    assert issue.message.startswith("7月3日には減算155612")
    assert [(r.service_code, r.count, r.service_units) for r in result.detail_rows] == [
        ("152441", 2, 1316),
        ("155612", 1, -47),
    ]
    assert result.subtotals[0].limit_target_units == 1269


def test_every_issue_code_has_a_japanese_message():
    assert set(MESSAGES) == set(IssueCode)
