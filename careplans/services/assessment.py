"""Assessment (課題分析) writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model

from caremgmt.access import Actor, require_plan_writer
from careplans.assessment_items import CURRENT_ITEM_SET, clean_answers
from careplans.models import (
    Assessment,
    PlanStatus,
)
from careplans.services.common import (
    _refuse_future,
    _w,
)
from clients.models import Client

# --- assessment --------------------------------------------------------------------------


def _next_sequence(model: type[Model], client: Client) -> int:
    current = model.objects.filter(client=client).aggregate(top=Max("sequence"))["top"]
    return (current or 0) + 1


@transaction.atomic
def assessment_start(
    *,
    actor: Actor,
    client: Client,
    assessed_on: dt.date,
    reason: str,
    reason_note: str = "",
    place: str = "",
) -> Assessment:
    """A new assessment, starting from the answers of the client's last one (same item set)."""
    require_plan_writer(actor)
    _refuse_future(assessed_on=assessed_on)
    Client.objects.select_for_update().get(pk=client.pk)
    previous = (
        Assessment.objects.filter(client=client).order_by("-assessed_on", "-sequence").first()
    )
    answers: dict[str, Any] = {}
    if previous is not None and previous.item_set == CURRENT_ITEM_SET:
        answers = clean_answers(CURRENT_ITEM_SET, previous.answers)
    return Assessment.objects.create(
        client=client,
        sequence=_next_sequence(Assessment, client),
        assessed_on=assessed_on,
        assessor=actor.staff,
        reason=reason,
        reason_note=reason_note,
        place=place,
        item_set=CURRENT_ITEM_SET,
        answers=answers,
        copied_from=previous,
    )


@transaction.atomic
def assessment_update(
    *,
    actor: Actor,
    assessment: Assessment,
    expected_version: int,
    assessed_on: dt.date,
    reason: str,
    reason_note: str,
    place: str,
    answers: Mapping[str, Any],
) -> Assessment:
    """Save the 23 items. Refused once a confirmed plan rests on it, or when its date would
    fall after the draft date of a plan built on it."""
    require_plan_writer(actor)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != expected_version:
        raise ValidationError(
            {"__all__": "他の職員がこのアセスメントを先に保存しました。画面を開き直してください。"}
        )
    _refuse_future(assessed_on=assessed_on)
    plans = list(locked.plans.all())
    if any(plan.status in (PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED) for plan in plans):
        raise ValidationError(
            {
                "__all__": "確定した計画の根拠となったアセスメントは変更できません。"
                "新しいアセスメントを作成してください。"
            }
        )
    for plan in plans:
        if assessed_on > plan.drafted_on:
            raise ValidationError(
                {
                    "assessed_on": f"実施日はこのアセスメントを使う原案の作成日"
                    f"（{_w(plan.drafted_on)}）以前の日付にしてください。"
                }
            )
    Assessment.objects.filter(pk=locked.pk).update(
        assessed_on=assessed_on,
        reason=reason,
        reason_note=reason_note,
        place=place,
        answers=clean_answers(locked.item_set, dict(answers)),
        version=F("version") + 1,
    )
    return Assessment.objects.get(pk=locked.pk)
