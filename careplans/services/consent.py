"""説明・同意・交付 → 確定, and 軽微な変更."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from caremgmt.access import Actor, require_plan_writer
from careplans.models import (
    CarePlan,
    MinorChange,
    PlanDelivery,
    PlanStatus,
    SupportItem,
)
from careplans.services.common import (
    CONFIRMED_READ_ONLY_MESSAGE,
    LIVING_SUPPORT_REASON_MESSAGE,
    NO_ASSESSMENT_MESSAGE,
    NO_MEETING_MESSAGE,
    NO_NEEDS_MESSAGE,
    InvalidTransitionError,
    _lock_plan,
    _refuse_future,
    _transition,
    _w,
)
from clients.models import ServiceProvider

# --- 説明・同意・交付 → 確定 ----------------------------------------------------------------


def plan_providers(plan: CarePlan) -> list[ServiceProvider]:
    """Providers named anywhere in 第2表 or 第3表 (they get the plan delivered)."""
    ids = set(
        SupportItem.objects.filter(goal__need__plan=plan, provider__isnull=False).values_list(
            "provider_id", flat=True
        )
    ) | set(
        plan.weekly_services.filter(provider__isnull=False).values_list("provider_id", flat=True)
    )
    return list(ServiceProvider.objects.filter(pk__in=ids).order_by("name_kana", "name"))


@transaction.atomic
def careplan_confirm(
    *,
    actor: Actor,
    plan: CarePlan,
    consented_on: dt.date,
    delivered_on: dt.date,
    consented_by: str = "",
    provider_deliveries: Mapping[int, dt.date] | None = None,
) -> CarePlan:
    """説明・同意・交付: 会議済 → 確定. The previously confirmed version becomes 改訂済."""
    require_plan_writer(actor)
    locked = _lock_plan(plan)
    if locked.status in (PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED):
        raise ValidationError({"__all__": CONFIRMED_READ_ONLY_MESSAGE})
    errors: dict[str, list[str]] = {}
    if locked.assessment_id is None:
        errors.setdefault("__all__", []).append(NO_ASSESSMENT_MESSAGE)
    last_meeting = locked.meetings.order_by("-held_on").first()
    if last_meeting is None and not locked.no_meeting_reason:
        errors.setdefault("__all__", []).append(NO_MEETING_MESSAGE)
    if not locked.needs.exists():
        errors.setdefault("__all__", []).append(NO_NEEDS_MESSAGE)
    if errors:
        raise ValidationError(errors)
    if locked.status != PlanStatus.MET:
        raise InvalidTransitionError(
            {"__all__": "担当者会議の結論で原案が了承されていません（会議済になっていません）。"}
        )
    if (
        not locked.living_support_reason
        and locked.weekly_services.filter(insured=True, service_code__startswith="117").exists()
    ):
        raise ValidationError({"__all__": LIVING_SUPPORT_REASON_MESSAGE})
    floor, floor_label = locked.drafted_on, "原案作成日"
    if last_meeting is not None and last_meeting.held_on >= floor:
        floor, floor_label = last_meeting.held_on, "担当者会議の開催日"
    elif locked.no_meeting_recorded_on and locked.no_meeting_recorded_on >= floor:
        floor, floor_label = locked.no_meeting_recorded_on, "会議を開催しない理由の記録日"
    if consented_on < floor:
        raise ValidationError(
            {
                "consented_on": f"説明・同意日は{floor_label}（{_w(floor)}）以降の日付にしてください。"
            }
        )
    if delivered_on < consented_on:
        raise ValidationError(
            {
                "delivered_on": f"交付日は説明・同意日（{_w(consented_on)}）以降の日付にしてください。"
            }
        )
    deliveries = dict(provider_deliveries or {})
    _refuse_future(
        consented_on=consented_on,
        delivered_on=delivered_on,
        **{f"provider_{provider_id}": day for provider_id, day in deliveries.items()},
    )
    known = {provider.pk: provider for provider in plan_providers(locked)}
    for provider_id, day in deliveries.items():
        if provider_id not in known:
            raise ValidationError({"__all__": "この計画にない事業所への交付は記録できません。"})
        if day < consented_on:
            raise ValidationError(
                {
                    f"provider_{provider_id}": f"{known[provider_id].name}への交付日は説明・同意日"
                    f"（{_w(consented_on)}）以降の日付にしてください。"
                }
            )
    previous = (
        CarePlan.objects.select_for_update()
        .filter(client=locked.client, status=PlanStatus.CONFIRMED)
        .exclude(pk=locked.pk)
        .first()
    )
    if previous is not None:
        _transition(previous, PlanStatus.SUPERSEDED)
        previous.superseded_on = consented_on
        previous.version += 1
        previous.save(update_fields=["status", "superseded_on", "version"])
    _transition(locked, PlanStatus.CONFIRMED)
    locked.consented_on = consented_on
    locked.consented_by = consented_by
    locked.delivered_on = delivered_on
    locked.version += 1
    locked.save()
    PlanDelivery.objects.bulk_create(
        PlanDelivery(plan=locked, provider_id=provider_id, delivered_on=day)
        for provider_id, day in deliveries.items()
    )
    return locked


@transaction.atomic
def minor_change_record(
    *, actor: Actor, plan: CarePlan, changed_on: dt.date, content: str, reason: str
) -> MinorChange:
    """軽微な変更 on the confirmed version itself (append-only; REFERENCE §9)."""
    require_plan_writer(actor)
    locked = _lock_plan(plan)
    if locked.status != PlanStatus.CONFIRMED:
        raise ValidationError({"__all__": "軽微な変更は確定した計画にだけ記録できます。"})
    if changed_on < locked.consented_on:
        raise ValidationError(
            {
                "changed_on": f"変更日は説明・同意日（{_w(locked.consented_on)}）以降の日付にしてください。"
            }
        )
    _refuse_future(changed_on=changed_on)
    change = MinorChange.objects.create(
        plan=locked, changed_on=changed_on, content=content, reason=reason, recorded_by=actor.staff
    )
    CarePlan.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    return change
