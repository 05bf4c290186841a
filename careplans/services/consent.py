"""説明・同意・交付 → 確定, and 軽微な変更."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from caremgmt.access import Actor, require_plan_writer
from caremgmt.events import emit
from careplans.models import (
    CarePlan,
    MinorChange,
    PlanDelivery,
    PlanDoctorDelivery,
    PlanStatus,
    SupportItem,
)
from careplans.service_kinds import (
    EQUIPMENT_RENTAL_SERVICE_TYPES,
    MEDICAL_SERVICE_TYPES,
    is_equipment_rental,
    is_medical,
)
from careplans.services.common import (
    CONFIRMED_READ_ONLY_MESSAGE,
    LIVING_SUPPORT_REASON_MESSAGE,
    NO_ASSESSMENT_MESSAGE,
    NO_MEETING_MESSAGE,
    NO_NEEDS_MESSAGE,
    NO_PRIMARY_DOCTOR_MESSAGE,
    InvalidTransitionError,
    _lock_plan,
    _refuse_future,
    _transition,
    _w,
)
from clients.models import Doctor, ServiceProvider

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


def plan_places_medical_services(plan: CarePlan) -> bool:
    """True when 第2表 or 第3表 names a 医療系サービス (`MEDICAL_SERVICE_TYPES`)."""
    if SupportItem.objects.filter(
        goal__need__plan=plan, service_type__in=MEDICAL_SERVICE_TYPES
    ).exists():
        return True
    codes = plan.weekly_services.exclude(service_code="").values_list("service_code", flat=True)
    return any(is_medical(code) for code in codes)


def plan_doctor(plan: CarePlan) -> Doctor | None:
    """The 主治医 the plan goes to, when it places 医療系サービス (else None)."""
    if not plan_places_medical_services(plan):
        return None
    return plan.client.primary_doctor


def equipment_rental_reason_gaps(plan: CarePlan) -> list[str]:
    """Japanese messages for 福祉用具貸与 lines without 「福祉用具貸与が必要な理由」
    (運営基準 第13条第22号): each such 第2表 援助内容, and each 第3表 rental row whose
    linked 援助内容 has no reason (an unlinked row needs some 第2表 rental line with one)."""
    items = list(
        SupportItem.objects.filter(
            goal__need__plan=plan, service_type__in=EQUIPMENT_RENTAL_SERVICE_TYPES
        ).order_by("goal__need__order", "goal__order", "order", "pk")
    )
    gaps = [
        f"第2表「{item.content[:30]}」（福祉用具貸与）に「福祉用具貸与が必要な理由」を書いてください。"
        for item in items
        if not item.equipment_rental_reason.strip()
    ]
    has_reason = any(item.equipment_rental_reason.strip() for item in items)
    for weekly in plan.weekly_services.select_related("support_item"):
        if not is_equipment_rental(weekly.service_code):
            continue
        linked = weekly.support_item
        if linked is None and not has_reason:
            gaps.append(
                f"第3表「{weekly.content}」（福祉用具貸与）の理由がありません。第2表の福祉用具貸与の"
                "援助内容に結び付け、「福祉用具貸与が必要な理由」を書いてください。"
            )
        elif (
            linked is not None
            and not is_equipment_rental(linked.service_type)  # rental items are listed above
            and not linked.equipment_rental_reason.strip()
        ):
            gaps.append(
                f"第3表「{weekly.content}」（福祉用具貸与）が結び付いている第2表"
                f"「{linked.content[:30]}」に「福祉用具貸与が必要な理由」を書いてください。"
            )
    return list(dict.fromkeys(gaps))


@transaction.atomic
def careplan_confirm(
    *,
    actor: Actor,
    plan: CarePlan,
    consented_on: dt.date,
    delivered_on: dt.date,
    consented_by: str = "",
    provider_deliveries: Mapping[int, dt.date] | None = None,
    doctor_delivered_on: dt.date | None = None,
) -> CarePlan:
    """説明・同意・交付: 会議済 → 確定. The previously confirmed version becomes 改訂済.

    Two rules of the 運営基準 第13条 are enforced here (refused, not only warned):

    1. 第19号の2: a plan placing 医療系サービス is delivered to the client's 主治医 "when the
       plan is made" — so at confirmation, like the providers' delivery; no later delivery
       is allowed for. The register must name the 主治医 and `doctor_delivered_on` is
       required (≥ 説明・同意日); a `PlanDoctorDelivery` row is written.
    2. 第22号: every 福祉用具貸与 line carries 「福祉用具貸与が必要な理由」
       (`equipment_rental_reason_gaps`).
    """
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
    errors.setdefault("__all__", []).extend(equipment_rental_reason_gaps(locked))
    if not errors["__all__"]:
        del errors["__all__"]
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
    doctor = plan_doctor(locked)
    if plan_places_medical_services(locked):
        if doctor is None:
            raise ValidationError({"__all__": NO_PRIMARY_DOCTOR_MESSAGE})
        if doctor_delivered_on is None:
            raise ValidationError(
                {
                    "doctor_delivered_on": f"主治医（{doctor}）への交付日を入力してください。"
                    "医療系サービスを位置付けた計画は主治医にも交付します。"
                }
            )
        if doctor_delivered_on < consented_on:
            raise ValidationError(
                {
                    "doctor_delivered_on": "主治医への交付日は説明・同意日"
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
    if doctor is not None and doctor_delivered_on is not None:
        PlanDoctorDelivery.objects.create(
            plan=locked, doctor=doctor, delivered_on=doctor_delivered_on
        )
    emit(
        "plan_confirmed",
        client_id=locked.client_id,
        on=consented_on,
        summary=f"居宅サービス計画（第{locked.sequence}版）を説明し、同意を得て交付した"
        f"（同意日 {_w(consented_on)}・交付日 {_w(delivered_on)}"
        + (f"・事業所{len(deliveries)}か所へ交付" if deliveries else "")
        + "）。",
        source=locked,
        actor=actor.staff,
        counterpart=consented_by,
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
    emit(
        "plan_minor_change",
        client_id=locked.client_id,
        on=changed_on,
        summary=f"居宅サービス計画（第{locked.sequence}版）の軽微な変更：{content}\n"
        f"軽微な変更とした理由：{reason}",
        source=change,
        actor=actor.staff,
    )
    return change
