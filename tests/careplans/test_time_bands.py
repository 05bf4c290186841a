"""第3表 time band length against the サービスコード's duration band (plain functions)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careplans.time_bands import (
    DurationBand,
    band_minutes,
    code_duration_band,
    time_band_mismatch,
)

T = dt.time


@pytest.mark.parametrize(
    ("service_type", "name", "band"),
    [
        ("15", "通所介護Ⅰ21", DurationBand(240, 300)),
        ("15", "通所介護Ⅰ41", DurationBand(360, 420)),
        ("15", "通所介護Ⅰ65", DurationBand(480, 540)),
        ("15", "通所介護Ⅰ21・時減", DurationBand(120, 180)),
        ("11", "身体介護01", DurationBand(None, 20)),
        ("11", "身体介護1", DurationBand(20, 30)),
        ("11", "身体介護2", DurationBand(30, 60)),
        ("11", "身体介護2・夜", DurationBand(30, 60)),
        ("11", "身体介護3", DurationBand(60, 90)),
        ("11", "身体介護4", DurationBand(90, 120)),
        ("11", "生活援助2", DurationBand(20, 45)),
        ("11", "生活援助3", DurationBand(45, None)),
        ("13", "訪看Ⅰ3", DurationBand(30, 60)),
        # full names of the national table spell the band out (full-width digits too)
        ("78", "地域密着型通所介護 ４時間以上５時間未満", DurationBand(240, 300)),
        ("16", "通所リハ 1時間以上2時間未満", DurationBand(60, 120)),
        ("13", "訪看 20分未満", DurationBand(None, 20)),
    ],
)
def test_duration_band_read_from_the_code_name(service_type, name, band) -> None:  # noqa: ANN001
    assert code_duration_band(service_type, name) == band


@pytest.mark.parametrize(
    ("service_type", "name"),
    [
        ("11", "身体1生活1"),  # combined codes: no single band
        ("11", "訪問介護初回加算"),
        ("15", "通所介護入浴介助加算Ⅰ"),
        ("17", "車いす貸与"),
        ("13", "訪看Ⅰ5"),  # PT/OT/ST per 20 minutes
    ],
)
def test_codes_without_a_duration_are_not_checked(service_type, name) -> None:  # noqa: ANN001
    assert code_duration_band(service_type, name) is None
    assert (
        time_band_mismatch(
            starts_at=T(9), ends_at=T(9, 5), code="000000", service_type=service_type, name=name
        )
        is None
    )


def test_day_service_7_hours_on_a_4_to_5_hour_code_is_flagged() -> None:
    assert time_band_mismatch(
        starts_at=T(9, 30), ends_at=T(16, 30), code="152246", service_type="15", name="通所介護Ⅰ21"
    ) == (
        "時間帯 09:30〜16:30（7時間）がサービスコード「152246」（通所介護Ⅰ21：4時間以上5時間未満）"
        "の所要時間と合いません。時間帯かサービスコードを確かめてください。"
    )
    assert (
        time_band_mismatch(
            starts_at=T(9, 30), ends_at=T(14), code="152246", service_type="15", name="通所介護Ⅰ21"
        )
        is None
    )


def test_band_boundaries_lower_inclusive_upper_exclusive() -> None:
    def check(end: dt.time) -> str | None:
        return time_band_mismatch(
            starts_at=T(10), ends_at=end, code="111211", service_type="11", name="身体介護2"
        )

    assert check(T(10, 30)) is None
    assert check(T(10, 59)) is None
    assert check(T(11)) == (
        "時間帯 10:00〜11:00（1時間）がサービスコード「111211」（身体介護2：30分以上1時間未満）"
        "の所要時間と合いません。時間帯かサービスコードを確かめてください。"
    )
    assert check(T(10, 29)) is not None


def test_band_past_midnight_counts_into_the_next_day() -> None:
    assert band_minutes(T(22), T(6)) == 480
    assert band_minutes(T(23, 30), T(0, 10)) == 40

    def check(end: dt.time) -> str | None:
        return time_band_mismatch(
            starts_at=T(23, 30), ends_at=end, code="111311", service_type="11", name="身体介護3"
        )

    assert check(T(0, 30)) is None
    assert check(T(0, 10)) == (
        "時間帯 23:30〜翌00:10（40分）がサービスコード「111311」"
        "（身体介護3：1時間以上1時間30分未満）の所要時間と合いません。"
        "時間帯かサービスコードを確かめてください。"
    )


@given(
    st.integers(min_value=0, max_value=1439),
    st.integers(min_value=1, max_value=1439),
)
def test_band_minutes_is_the_forward_distance(start: int, length: int) -> None:
    end = (start + length) % 1440
    starts_at = T(start // 60, start % 60)
    ends_at = T(end // 60, end % 60)
    assert band_minutes(starts_at, ends_at) == length
