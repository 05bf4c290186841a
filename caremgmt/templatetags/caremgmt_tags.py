"""Template filters available in every template (registered as builtins in settings)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from caremgmt import wareki

register = template.Library()


def _local_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    """The local date of `value`; None for anything that is not a date (a missing related
    object's attribute renders as "" in templates, e.g. an imported plan's assessment)."""
    if not isinstance(value, dt.date):
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


@register.filter
def wareki_date(value: dt.date | dt.datetime | None) -> str:
    """{{ day|wareki_date }} → 令和8年12月1日"""
    return wareki.wareki_date(_local_date(value))


@register.filter
def wareki_month(value: dt.date | None) -> str:
    return wareki.wareki_month(_local_date(value))


@register.filter
def wareki_short(value: dt.date | None) -> str:
    return wareki.wareki_short(_local_date(value))


@register.filter
def yen(value: int | None) -> str:
    """12345 → 12,345円"""
    if value is None or value == "":
        return ""
    return f"{int(value):,}円"
