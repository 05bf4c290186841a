"""Calendar helpers for one service month: its dates, weekdays and public holidays."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

import jpholiday


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_of_month(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def days_in_month(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def month_dates(month: dt.date) -> list[dt.date]:
    first = first_of_month(month)
    return [first.replace(day=day) for day in range(1, days_in_month(first) + 1)]


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@lru_cache(maxsize=256)
def holidays_in_month(year: int, month: int) -> frozenset[int]:
    """Day numbers that are public holidays (祝日・振替休日・国民の休日) per jpholiday."""
    return frozenset(day.day for day, _name in jpholiday.month_holidays(year, month))


def holiday_names(year: int, month: int) -> dict[int, str]:
    return {day.day: name for day, name in jpholiday.month_holidays(year, month)}


def iso_weekday(month: dt.date, day: int) -> int:
    """1 月 … 7 日, the 第3表 / CSV 曜日 numbering."""
    return month.replace(day=day).isoweekday()


def parse_month(text: str) -> dt.date:
    """'2026-12' or '202612' → 2026-12-01; ValueError otherwise."""
    cleaned = text.replace("-", "").strip()
    if len(cleaned) != 6 or not cleaned.isdigit():
        raise ValueError(text)
    year, month = int(cleaned[:4]), int(cleaned[4:])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValueError(text)
    return dt.date(year, month, 1)
