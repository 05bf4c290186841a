"""取扱件数 bands (billing.office_claim.bands): thresholds, 要支援 × 1/3, part-time staff,
and the stable [U] assignment order. Pure functions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.office_claim.bands import Case, compute_bands, format_count

CM = [(1, "担当 花子")]


def _cases(care: int, support: int = 0) -> list[Case]:
    """`care` 要介護 cases then `support` 要支援 ones, contracts one day apart."""
    start = dt.date(2020, 1, 1)
    cases = [
        Case(
            client_id=n + 1,
            care_manager_id=1,
            care_level="22",
            contracted_on=start + dt.timedelta(n),
        )
        for n in range(care)
    ]
    cases += [
        Case(
            client_id=1000 + n,
            care_manager_id=1,
            care_level="12",
            contracted_on=start + dt.timedelta(care + n),
        )
        for n in range(support)
    ]
    return cases


def _band_counts(result) -> dict[str, int]:  # noqa: ANN001
    return {band: len(result.clients_in(band)) for band in ("i", "ii", "iii")}


@pytest.mark.parametrize(
    ("cases", "category", "expected"),
    [
        (44, "1", {"i": 44, "ii": 0, "iii": 0}),
        (45, "1", {"i": 44, "ii": 1, "iii": 0}),
        (49, "1", {"i": 44, "ii": 5, "iii": 0}),
        (50, "1", {"i": 44, "ii": 6, "iii": 0}),
        (59, "1", {"i": 44, "ii": 15, "iii": 0}),
        (60, "1", {"i": 44, "ii": 15, "iii": 1}),
        (49, "2", {"i": 49, "ii": 0, "iii": 0}),
        (50, "2", {"i": 49, "ii": 1, "iii": 0}),
        (60, "2", {"i": 49, "ii": 10, "iii": 1}),
    ],
)
def test_thresholds_per_full_time_care_manager(cases: int, category: str, expected: dict) -> None:
    result = compute_bands(
        fee_category=category, cases=_cases(cases), care_managers=CM, fte_by_staff={1: Decimal(1)}
    )
    assert _band_counts(result) == expected
    assert result.total_cases == cases
    assert result.warnings == ()


def test_support_cases_count_one_third() -> None:
    # 43 要介護 + 6 要支援 = 45 cases → the running count reaches 45 with the last 要支援.
    result = compute_bands(
        fee_category="1", cases=_cases(43, 6), care_managers=CM, fte_by_staff={1: Decimal(1)}
    )
    assert result.total_cases == 45
    assert result.cases_display == "45"
    assert _band_counts(result) == {"i": 48, "ii": 1, "iii": 0}
    assert result.bands[1005] == "ii"  # the 6th 要支援 brings the count to 45
    # 44 要介護 + 1 要支援: 44⅓ < 45 → all (ⅰ)
    result = compute_bands(
        fee_category="1", cases=_cases(44, 1), care_managers=CM, fte_by_staff={1: Decimal(1)}
    )
    assert result.total_cases == Fraction(133, 3)
    assert result.cases_display == "44.33"
    assert _band_counts(result)["i"] == 45


def test_part_time_staff_and_missing_fte_row() -> None:
    cms = [(1, "担当 花子"), (2, "非常勤 次郎")]
    # 1.00 + 0.50 = 1.5 FTE → (ⅰ) under 67.5, (ⅱ) under 90
    result = compute_bands(
        fee_category="1",
        cases=_cases(70),
        care_managers=cms,
        fte_by_staff={1: Decimal("1.00"), 2: Decimal("0.50")},
    )
    assert result.total_fte == Decimal("1.50")
    assert _band_counts(result) == {"i": 67, "ii": 3, "iii": 0}
    assert result.per_fte_display == "46.66"
    # no row for the part-timer: counted 1.00, with a warning naming them
    result = compute_bands(
        fee_category="1", cases=_cases(70), care_managers=cms, fte_by_staff={1: Decimal("1.00")}
    )
    assert result.total_fte == Decimal("2.00")
    assert _band_counts(result) == {"i": 70, "ii": 0, "iii": 0}
    assert result.warnings == ("非常勤 次郎さんの常勤換算が未登録のため1.00として数えています。",)
    assert [load.fte_recorded for load in result.loads] == [True, False]


def test_assignment_order_is_contract_date_then_client_id() -> None:
    day = dt.date(2024, 5, 1)
    cases = [
        Case(client_id=n, care_manager_id=1, care_level="21", contracted_on=day)
        for n in range(1, 45)
    ]
    late = Case(
        client_id=500, care_manager_id=1, care_level="21", contracted_on=dt.date(2025, 1, 1)
    )
    tie_low = Case(
        client_id=7000, care_manager_id=1, care_level="21", contracted_on=dt.date(2024, 12, 1)
    )
    tie_high = Case(
        client_id=7001, care_manager_id=1, care_level="21", contracted_on=dt.date(2024, 12, 1)
    )
    no_contract = Case(client_id=9999, care_manager_id=1, care_level="21", contracted_on=None)
    cases = [late, tie_high, no_contract, *cases[1:], tie_low, cases[0]]
    result = compute_bands(
        fee_category="1", cases=cases, care_managers=CM, fte_by_staff={1: Decimal(1)}
    )
    # 44 early contracts are (ⅰ); then 7000, 7001 (same day, by id), 500, then no contract
    assert result.order[-4:] == (7000, 7001, 500, 9999)
    assert [result.bands[c] for c in (7000, 7001, 500, 9999)] == ["ii", "ii", "ii", "ii"]
    assert result.clients_in("ii") == [7000, 7001, 500, 9999]


@given(
    st.lists(
        st.tuples(st.sampled_from(["12", "13", "21", "23", "25"]), st.dates(dt.date(2000, 1, 1))),
        max_size=120,
    ),
    st.sampled_from(["1", "2"]),
)
def test_bands_are_monotone_and_independent_of_input_order(rows, category) -> None:  # noqa: ANN001
    cases = [
        Case(client_id=n, care_manager_id=1, care_level=level, contracted_on=day)
        for n, (level, day) in enumerate(rows)
    ]
    fte = {1: Decimal("1.00")}
    result = compute_bands(fee_category=category, cases=cases, care_managers=CM, fte_by_staff=fte)
    reverse = compute_bands(
        fee_category=category, cases=cases[::-1], care_managers=CM, fte_by_staff=fte
    )
    assert result.bands == reverse.bands
    rank = {"i": 0, "ii": 1, "iii": 2}
    ranks = [rank[result.bands[c]] for c in result.order]
    assert ranks == sorted(ranks)
    # the (ⅰ) cases never reach the threshold
    weight = sum(
        (Fraction(1, 3) if c.care_level in ("12", "13") else 1)
        for c in cases
        if result.bands[c.client_id] == "i"
    )
    assert weight < result.first_limit


def test_format_count() -> None:
    assert format_count(Fraction(133, 3)) == "44.33"
    assert format_count(Fraction(45)) == "45"
