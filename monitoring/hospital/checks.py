"""Small checks shared by the hospital writes (services.py, liaisons.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

FUTURE_MESSAGE = "未来の日付は入力できません。"


def today_or(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def not_future(errors: dict[str, str], field: str, day: dt.date | None, today: dt.date) -> None:
    if day is not None and day > today and field not in errors:
        errors[field] = FUTURE_MESSAGE
