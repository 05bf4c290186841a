"""第3表 time bands against the duration a サービスコード is defined for (plain functions).

A code's duration band comes from the fee schedule's own data: its name. Full names of the
national code table spell it out (「４時間以上５時間未満」, 「20分未満」); the short names of
`caremgmt/fee_schedule_data` follow fixed patterns (身体介護2 = 30分以上1時間未満,
通所介護Ⅰ21 = 4時間以上5時間未満 要介護1, ・時減 = 2時間以上3時間未満). Codes whose
duration is not known this way are not checked.

A band whose end is before its start runs past midnight (22:00〜翌6:00 = 8 hours).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import jaconv


@dataclass(frozen=True)
class DurationBand:
    """`min_minutes` ≤ duration < `max_minutes` (None: open)."""

    min_minutes: int | None
    max_minutes: int | None

    def contains(self, minutes: int) -> bool:
        if self.min_minutes is not None and minutes < self.min_minutes:
            return False
        return self.max_minutes is None or minutes < self.max_minutes

    @property
    def label(self) -> str:
        low = _duration_label(self.min_minutes) + "以上" if self.min_minutes else ""
        high = _duration_label(self.max_minutes) + "未満" if self.max_minutes else ""
        return low + high


def _duration_label(minutes: int | None) -> str:
    if minutes is None:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}時間{rest}分"
    return f"{hours}時間" if hours else f"{rest}分"


def band_minutes(starts_at: dt.time, ends_at: dt.time) -> int:
    """Length of a time band in minutes; an end before the start is on the next day."""
    start = starts_at.hour * 60 + starts_at.minute
    end = ends_at.hour * 60 + ends_at.minute
    return end - start if end > start else end + 24 * 60 - start


# 通所介護 short names: 通所介護Ⅰ<band><care level>; band 1 = 3–4 h … 6 = 8–9 h (R6 table).
_DAY_SERVICE_HOURS = {1: 3, 2: 4, 3: 5, 4: 6, 5: 7, 6: 8}


def _home_help_physical(number: str) -> DurationBand | None:
    if number == "01":
        return DurationBand(None, 20)
    n = int(number)
    if n == 1:
        return DurationBand(20, 30)
    if n == 2:
        return DurationBand(30, 60)
    return DurationBand(30 * n - 30, 30 * n)  # 3: 60–90, 4: 90–120, +30 each


def _day_service(band: str) -> DurationBand | None:
    hours = _DAY_SERVICE_HOURS.get(int(band))
    return DurationBand(hours * 60, hours * 60 + 60) if hours else None


# (service types, pattern on the short name, band from the first group)
_SHORT_NAME_RULES: list[tuple[set[str], re.Pattern[str], Callable[[str], DurationBand | None]]] = [
    ({"11"}, re.compile(r"^身体介護(0?\d)$"), _home_help_physical),
    (
        {"11"},
        re.compile(r"^生活援助([23])$"),
        lambda n: {"2": DurationBand(20, 45), "3": DurationBand(45, None)}[n],
    ),
    (
        {"13", "63"},
        re.compile(r"^(?:予)?訪看Ⅰ([1-4])$"),
        lambda n: {
            "1": DurationBand(None, 20),
            "2": DurationBand(None, 30),
            "3": DurationBand(30, 60),
            "4": DurationBand(60, 90),
        }[n],
    ),
    ({"15", "78"}, re.compile(r"^(?:地域)?通所介護Ⅰ?([1-6])[1-5]$"), _day_service),
]
_TIME_REDUCED = re.compile(r"・時減$")
_HOURS_RANGE = re.compile(r"(\d+)時間以上(\d+)時間未満")
_HOURS_MIN = re.compile(r"(\d+)時間以上")
_MINUTES_RANGE = re.compile(r"(\d+)分以上(\d+)分未満")
_MINUTES_MAX = re.compile(r"(\d+)分未満")
_MINUTES_MIN = re.compile(r"(\d+)分以上")


def code_duration_band(service_type: str, name: str) -> DurationBand | None:
    """The duration a code is defined for, read from its name; None when it has none."""
    text = jaconv.z2h(name or "", kana=False, ascii=True, digit=True).strip()
    if match := _HOURS_RANGE.search(text):
        return DurationBand(int(match[1]) * 60, int(match[2]) * 60)
    if match := _MINUTES_RANGE.search(text):
        return DurationBand(int(match[1]), int(match[2]))
    if match := _MINUTES_MAX.search(text):
        return DurationBand(None, int(match[1]))
    if match := _HOURS_MIN.search(text):
        return DurationBand(int(match[1]) * 60, None)
    if match := _MINUTES_MIN.search(text):
        return DurationBand(int(match[1]), None)
    if service_type in {"15", "78"} and _TIME_REDUCED.search(text):
        return DurationBand(120, 180)  # 2時間以上3時間未満 (billed on the 4–5 h code)
    base = text.split("・", 1)[0]  # 身体介護2・夜 → 身体介護2
    for types, pattern, rule in _SHORT_NAME_RULES:
        if service_type in types and (match := pattern.match(base)):
            return rule(match[1])
    return None


def time_band_mismatch(
    *, starts_at: dt.time, ends_at: dt.time, code: str, service_type: str, name: str
) -> str | None:
    """A Japanese message when the band's length is outside the code's duration band."""
    band = code_duration_band(service_type, name)
    if band is None or band.contains(minutes := band_minutes(starts_at, ends_at)):
        return None
    prefix = "翌" if ends_at < starts_at else ""
    return (
        f"時間帯 {starts_at:%H:%M}〜{prefix}{ends_at:%H:%M}（{_duration_label(minutes)}）が"
        f"サービスコード「{code}」（{name}：{band.label}）の所要時間と合いません。"
        "時間帯かサービスコードを確かめてください。"
    )
