"""Periods of 第2表 as other vendors write them (careplans.exchange.periods), and 24:00."""

from __future__ import annotations

import datetime as dt

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caremgmt.wareki import wareki_date, wareki_short
from careplans.exchange.periods import PeriodError, format_period, parse_date, parse_period
from careplans.exchange_import import parse_hhmm
from careplans.exchange_mapping import END_OF_DAY, _hhmm

APRIL_TO_MARCH = (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


@pytest.mark.parametrize(
    "text",
    [
        "R8.4.1～R9.3.31",
        "令和8年4月1日～令和9年3月31日",
        "R8.4.1-R9.3.31",
        "2026/4/1～2027/3/31",
        "20260401～20270331",
        "Ｒ８．４．１〜Ｒ９．３．３１",
        "令和８年４月１日－令和９年３月３１日",
        "R8.4.1~R9.3.31",
        "R8.4.1 ～ R9.3.31",
        "2026-04-01-2027-03-31",
        "2026年4月1日～2027年3月31日",
        "R8.4.1～9.3.31",  # the end leaves out the era
        "令和８年４月１日から令和９年３月３１日まで",
        "R8.4～R9.3",  # month-only: first day / last day
        "令和8年4月～令和9年3月",
        "202604～202703",
        "2026/04/01―2027/03/31",
        "2026/04/01ー2027/03/31",
    ],
)
def test_vendor_shapes_parse(text: str) -> None:
    assert parse_period(text) == APRIL_TO_MARCH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H31.4.1～R2.3.31", (dt.date(2019, 4, 1), dt.date(2020, 3, 31))),
        ("平成31年4月30日～令和元年5月1日", (dt.date(2019, 4, 30), dt.date(2019, 5, 1))),
        ("令和元年5月1日～", (dt.date(2019, 5, 1), None)),
        ("R8.4.1", (dt.date(2026, 4, 1), None)),
        ("2026/04/10～", (dt.date(2026, 4, 10), None)),
        ("", (None, None)),
        ("  ", (None, None)),
    ],
)
def test_eras_open_end_and_empty(text: str, expected: tuple) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("次回更新まで", "日付として読めません"),
        ("R1.4.1～R2.3.31", "令和は2019年5月1日からです"),
        ("R8.4.1～R7.3.31", "終了日が開始日より前です"),
        ("2026/2/30～2026/3/31", "2026年2月30日は存在しない日付です"),
        ("R8.13.1～R9.3.31", "2026年13月1日は存在しない日付です"),
        ("R8.4.1～R9.3.31 予定", "終了日の後ろに読めない文字があります"),
        ("9.3.31～10.3.31", "元号がない日付は読めません"),
        ("R8.4.1 R9.3.31", "開始日の後ろに読めない文字があります"),
    ],
)
def test_unreadable_periods_raise_with_a_japanese_reason(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_period(text)


def test_parse_date_and_our_own_format() -> None:
    assert parse_date("令和元年5月1日") == dt.date(2019, 5, 1)
    assert parse_date("２０２６／４／１") == dt.date(2026, 4, 1)
    assert format_period(*APRIL_TO_MARCH) == "2026/04/01～2027/03/31"
    assert format_period(dt.date(2026, 4, 1), None) == "2026/04/01～"
    assert parse_period(format_period(*APRIL_TO_MARCH)) == APRIL_TO_MARCH


FORMATTERS = [
    wareki_date,  # 令和8年4月1日
    wareki_short,  # R8.4.1
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d:%Y-%m-%d}",
]
SEPARATORS = ["～", "〜", "~", "-", "－", " ～ ", "から"]


@given(
    start=st.dates(dt.date(1989, 1, 8), dt.date(2060, 12, 31)),
    length=st.integers(0, 4000),
    start_format=st.sampled_from(FORMATTERS),
    end_format=st.sampled_from(FORMATTERS),
    separator=st.sampled_from(SEPARATORS),
    full_width=st.booleans(),
)
def test_round_trip_against_the_wareki_formatters(
    start, length, start_format, end_format, separator, full_width
) -> None:  # noqa: ANN001
    end = start + dt.timedelta(days=length)
    text = f"{start_format(start)}{separator}{end_format(end)}"
    if full_width:
        text = jaconv.h2z(text, kana=False, ascii=True, digit=True)
    assert parse_period(text) == (start, end)


def test_2400_is_the_end_of_the_day_not_a_silent_2359() -> None:
    assert parse_hhmm("2400", end=True) == END_OF_DAY == dt.time(23, 59, 59)
    assert parse_hhmm("2400") is None  # not a start time
    assert parse_hhmm("2359", end=True) == dt.time(23, 59)
    assert _hhmm(END_OF_DAY) == "2400"  # written back as sent
    assert _hhmm(dt.time(23, 59)) == "2359"
