"""入院時情報連携加算 day arithmetic and the 退院・退所加算 variant (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.hospital.additions import (
    admission_info_addition,
    admission_info_deadlines,
    discharge_addition_variant,
    discharge_variant_label,
)

D = dt.date


@pytest.mark.parametrize(
    ("provided_on", "after_hours", "expected"),
    [
        (D(2026, 10, 25), False, "hospital_1"),  # before admission: counts for Ⅰ
        (D(2026, 10, 31), False, "hospital_1"),  # the admission day
        (D(2026, 11, 1), False, "hospital_2"),  # the day after
        (D(2026, 11, 2), False, "hospital_2"),  # the day after next (next month)
        (D(2026, 11, 3), False, None),
        (D(2026, 11, 1), True, "hospital_1"),  # after hours: each deadline one day later
        (D(2026, 11, 3), True, "hospital_2"),
        (D(2026, 11, 4), True, None),
        (None, False, None),
    ],
)
def test_admission_addition_across_the_month_boundary(provided_on, after_hours, expected) -> None:  # noqa: ANN001
    assert (
        admission_info_addition(D(2026, 10, 31), provided_on, after_hours=after_hours) == expected
    )


def test_deadlines() -> None:
    assert admission_info_deadlines(D(2026, 12, 31)) == (D(2026, 12, 31), D(2027, 1, 2))
    assert admission_info_deadlines(D(2028, 2, 28), after_hours=True) == (
        D(2028, 2, 29),
        D(2028, 3, 2),
    )


@given(
    admitted=st.dates(min_value=D(2024, 4, 1), max_value=D(2030, 12, 31)),
    offset=st.integers(min_value=-30, max_value=30),
    after_hours=st.booleans(),
)
def test_addition_depends_only_on_the_day_offset(admitted, offset, after_hours) -> None:  # noqa: ANN001
    shift = 1 if after_hours else 0
    result = admission_info_addition(
        admitted, admitted + dt.timedelta(days=offset), after_hours=after_hours
    )
    if offset <= shift:
        assert result == "hospital_1"
    elif offset <= 2 + shift:
        assert result == "hospital_2"
    else:
        assert result is None


@pytest.mark.parametrize(
    ("liaisons", "expected"),
    [
        ([], None),
        (["other"], None),  # phone / writing only does not count
        (["interview"], "1i"),
        (["conference"], "1ro"),
        (["interview", "other"], "1i"),
        (["interview", "interview"], "2i"),
        (["interview", "conference"], "2ro"),
        (["interview", "interview", "interview"], "2i"),
        (["interview", "interview", "conference"], "3"),
        (["conference", "conference", "conference", "interview"], "3"),
    ],
)
def test_discharge_addition_variant(liaisons, expected) -> None:  # noqa: ANN001
    assert discharge_addition_variant(liaisons) == expected


def test_variant_label() -> None:
    assert discharge_variant_label("2ro") == "退院・退所加算（Ⅱロ）750単位"
    assert discharge_variant_label(None) == ""
