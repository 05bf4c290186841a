"""Template filters for client screens."""

from __future__ import annotations

import datetime as dt

from django import template

from caremgmt import wareki

register = template.Library()


@register.filter
def age_on(birth_date: dt.date | None, day: dt.date) -> int | str:
    """{{ client.birth_date|age_on:today }} → completed years (caremgmt.wareki.age_on)."""
    if birth_date is None or day is None:
        return ""
    return wareki.age_on(birth_date, day)


@register.filter
def days_left(row: object, day: dt.date) -> int | str:
    """Days from `day` to the end of an effective-dated row (0 = ends today)."""
    method = getattr(row, "days_left", None)
    return method(day) if method is not None and day is not None else ""
