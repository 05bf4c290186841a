"""和暦 formatting — the single helper every screen and print uses.

Japanese care forms write dates in the Japanese era calendar: 令和8年12月1日. The first
year of an era is written 元年 (令和元年5月1日).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class Era(NamedTuple):
    name: str
    letter: str
    start: dt.date


# Newest first. 明治 is counted from the Gregorian switch (明治6年1月1日).
ERAS: tuple[Era, ...] = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("明治", "M", dt.date(1873, 1, 1)),
)


def era_of(day: dt.date) -> tuple[Era, int]:
    """The era and era year of `day`."""
    for era in ERAS:
        if day >= era.start:
            return era, day.year - era.start.year + 1
    raise ValueError(f"{day} is before the Meiji era's Gregorian calendar")


def _year_label(year: int) -> str:
    return "元" if year == 1 else str(year)


def _era_parts(day: object) -> tuple[Era, int, dt.date] | None:
    """(era, era year, date) of `day`; None for anything that is not a date of the Meiji era
    or later (None, "", a string, a pre-1873 date). The formatters are total: a missing or
    invalid date prints as "" instead of raising mid-render."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if not isinstance(day, dt.date) or day < ERAS[-1].start:
        return None
    era, year = era_of(day)
    return era, year, day


def wareki_date(day: dt.date | dt.datetime | None) -> str:
    """令和8年12月1日 ("" for None, "" or anything else that is not a date)."""
    parts = _era_parts(day)
    if parts is None:
        return ""
    era, year, day = parts
    return f"{era.name}{_year_label(year)}年{day.month}月{day.day}日"


def wareki_month(day: dt.date | None) -> str:
    """令和8年12月 (service months, 対象年月); "" for a non-date."""
    parts = _era_parts(day)
    if parts is None:
        return ""
    era, year, day = parts
    return f"{era.name}{_year_label(year)}年{day.month}月"


def wareki_short(day: dt.date | None) -> str:
    """R8.12.1 — compact form for dense tables; "" for a non-date."""
    parts = _era_parts(day)
    if parts is None:
        return ""
    era, year, day = parts
    return f"{era.letter}{year}.{day.month}.{day.day}"


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in completed years on `day` (a 2/29 birthday counts on 3/1 in common years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
