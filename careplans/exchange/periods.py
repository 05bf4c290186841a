"""Periods (長期期間, 短期期間, 実施期間) of 第2表 as other vendors write them.

The spec leaves these columns free text, so received files carry many shapes:
``R8.4.1～R9.3.31``, ``令和8年4月1日～令和9年3月31日``, ``R8.4.1-R9.3.31``,
``2026/4/1～2027/3/31``, ``20260401～20270331``, ``H31.4.1〜R2.3.31``, month-only
``R8.4～R9.3``, full-width digits and letters, and any of ``～ 〜 ~ - － ー ― から`` between the
two dates. `parse_period` reads all of them or raises `PeriodError` (Japanese message); it
never guesses. An end date may leave out the era (``R8.4.1～9.3.31`` → 令和9年).
Month-only dates mean the first day (start) / the last day (end) of the month.

Pure Python, no Django; `format_period` is what our exporter writes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from caremgmt.wareki import ERAS

#: What our exporter writes between the two dates (U+FF5E, MS932 0x8160).
PERIOD_SEPARATOR = "～"

_ERA_BY_NAME = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}
_ERA = "|".join([*(era.name for era in ERAS), *(era.letter for era in ERAS)])
# after NFKC: digits, letters and ～/－/／/． are half-width already
_DATE = re.compile(
    rf"""
    (?:
        (?P<era>{_ERA})\s*(?P<era_year>\d{{1,2}}|元)\s*[./\-年]\s*
        (?P<era_month>\d{{1,2}})(?!\d)(?:\s*[./\-月]\s*(?P<era_day>\d{{1,2}})(?!\d)\s*日?|\s*月)?
      | (?P<year>\d{{4}})\s*[./\-年]\s*
        (?P<month>\d{{1,2}})(?!\d)(?:\s*[./\-月]\s*(?P<day>\d{{1,2}})(?!\d)\s*日?|\s*月)?
      | (?P<compact>\d{{8}}|\d{{6}})(?!\d)
      | (?P<bare_year>\d{{1,2}}|元)\s*[./\-年]\s*
        (?P<bare_month>\d{{1,2}})(?!\d)(?:\s*[./\-月]\s*(?P<bare_day>\d{{1,2}})(?!\d)\s*日?|\s*月)?
    )
    """,
    re.VERBOSE,
)
_SEPARATOR = re.compile(r"\s*(?:~|-|から)\s*")
_TRAILER = re.compile(r"^\s*(?:まで)?\s*$")
# dashes and waves NFKC leaves alone; all mean "to" between two dates
_TO_TILDE = str.maketrans(dict.fromkeys("〜∼～", "~") | dict.fromkeys("ー―‐‑–—−ｰ", "-"))


class PeriodError(ValueError):
    """The text is not a period we can read; the message is Japanese, for the user."""


class ImpossiblePeriodError(PeriodError):
    """The text is written as dates, but no such date exists (2026/02/30, 令和0年, 13月) or
    the end is before the start: a mistake to correct, not a shape we cannot read."""


def normalize(text: str) -> str:
    """NFKC (full-width digits/letters/～/－ → half-width), one kind of dash and wave."""
    return unicodedata.normalize("NFKC", text or "").translate(_TO_TILDE).strip()


def _day(year: int, month: int, day: int | None, *, end: bool) -> dt.date:
    if day is None:
        if not 1 <= month <= 12:
            raise ImpossiblePeriodError(f"{month}月は存在しません")
        day = calendar.monthrange(year, month)[1] if end else 1
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise ImpossiblePeriodError(f"{year}年{month}月{day}日は存在しない日付です") from error


def _era_year(era_name: str, year_text: str) -> tuple[int, dt.date]:
    era = _ERA_BY_NAME[era_name]
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise ImpossiblePeriodError(f"{era.name}{year}年は存在しません")
    return era.start.year + year - 1, era.start


def _number(text: str | None) -> int | None:
    return int(text) if text else None


def _date_at(text: str, position: int, *, end: bool, era_name: str | None) -> tuple:
    """(date, end position, era name used) of the date starting at `position`."""
    match = _DATE.match(text, position)
    if match is None:
        raise PeriodError("日付として読めません")
    groups = match.groupdict()
    era_start = None
    used_era = None
    if groups["era"]:
        used_era = _ERA_BY_NAME[groups["era"]].name
        year, era_start = _era_year(groups["era"], groups["era_year"])
        month, day = int(groups["era_month"]), _number(groups["era_day"])
    elif groups["year"]:
        year, month, day = int(groups["year"]), int(groups["month"]), _number(groups["day"])
    elif groups["compact"]:
        digits = groups["compact"]
        year, month = int(digits[:4]), int(digits[4:6])
        day = int(digits[6:]) if len(digits) == 8 else None
    else:  # an era-less 和暦 date: only as the end, after a start written with an era
        if era_name is None:
            raise PeriodError("元号がない日付は読めません")
        used_era = era_name
        year, era_start = _era_year(era_name, groups["bare_year"])
        month, day = int(groups["bare_month"]), _number(groups["bare_day"])
    value = _day(year, month, day, end=end)
    if era_start is not None and value < era_start:
        raise ImpossiblePeriodError(
            f"{used_era}は{era_start.year}年{era_start.month}月{era_start.day}日からです"
        )
    return value, match.end(), used_era


def parse_date(text: str) -> dt.date:
    """One date in any of the shapes above (month-only → the 1st); raises `PeriodError`."""
    cleaned = normalize(text)
    value, end, _ = _date_at(cleaned, 0, end=False, era_name=None)
    if cleaned[end:].strip():
        raise PeriodError("日付の後ろに読めない文字があります")
    return value


def parse_period(text: str) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) of a received period. Empty text → (None, None); a start alone or with
    a trailing separator → (start, None). Raises `PeriodError` for anything else unreadable,
    or when the end is before the start."""
    cleaned = normalize(text)
    if not cleaned:
        return None, None
    start, position, era_name = _date_at(cleaned, 0, end=False, era_name=None)
    separator = _SEPARATOR.match(cleaned, position)
    if separator is None:
        if cleaned[position:].strip():
            raise PeriodError("開始日の後ろに読めない文字があります")
        return start, None
    position = separator.end()
    if not cleaned[position:].strip():
        return start, None
    end, position, _ = _date_at(cleaned, position, end=True, era_name=era_name)
    if _TRAILER.sub("", cleaned[position:]):
        raise PeriodError("終了日の後ろに読めない文字があります")
    if end < start:
        raise ImpossiblePeriodError("終了日が開始日より前です")
    return start, end


def format_period(start: dt.date | None, end: dt.date | None) -> str:
    """What our exporter writes: ``2026/04/01～2027/03/31`` (``2026/04/01～`` when open)."""
    if start is None:
        return ""
    return f"{start:%Y/%m/%d}{PERIOD_SEPARATOR}{end:%Y/%m/%d}" if end else f"{start:%Y/%m/%d}～"
