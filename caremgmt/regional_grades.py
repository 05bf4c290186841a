"""地域区分 as of a date, for an office (caremgmt.Office) or a provider
(clients.ServiceProvider): both keep a `regional_grades` history and the `regional_grade`
field, which stays as the fallback for dates the history does not cover (and is kept equal
to the latest history row's grade, so lists showing "the" grade stay right)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q

from caremgmt.access import Actor, require_writer
from caremgmt.wareki import wareki_date

PERIOD_ORDER_MESSAGE = "適用終了日は適用開始日以降の日付にしてください。"


def regional_grade_on(entity: Any, day: dt.date) -> str:
    """The grade of `entity` valid on `day`: the history row covering `day`, else the
    entity's `regional_grade` field."""
    row = (
        entity.regional_grades.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return row.grade if row is not None else entity.regional_grade


def _period_text(row: Any) -> str:
    end = wareki_date(row.valid_to) if row.valid_to else ""
    return f"{wareki_date(row.valid_from)}〜{end}"


@transaction.atomic
def regional_grade_add(
    *,
    actor: Actor,
    entity: Model,
    grade: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> Model:
    """Record the grade valid from `valid_from` (a new 告示).

    1. Lock the entity so two saves cannot both pass the overlap check.
    2. An open-ended row that started earlier is closed the day before `valid_from`.
    3. Any other overlap is refused with the clashing period (nothing written).
    4. When the new row is the latest, the entity's `regional_grade` field follows it.
    """
    require_writer(actor)
    locked = type(entity).objects.select_for_update().get(pk=entity.pk)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": PERIOD_ORDER_MESSAGE})
    history = locked.regional_grades.all()
    overlapping = history.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    to_close = []
    for other in overlapping.order_by("valid_from"):
        if other.valid_to is None and other.valid_from < valid_from:
            to_close.append(other)
            continue
        raise ValidationError(
            {"valid_from": f"適用期間が既存の地域区分（{_period_text(other)}）と重なっています。"}
        )
    for other in to_close:
        history.filter(pk=other.pk).update(valid_to=valid_from - dt.timedelta(days=1))
    row = locked.regional_grades.create(
        grade=grade, valid_from=valid_from, valid_to=valid_to, created_by=actor.staff
    )
    if not history.filter(valid_from__gt=valid_from).exists():
        type(locked).objects.filter(pk=locked.pk).update(regional_grade=grade)
    return row
