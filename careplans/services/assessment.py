"""Assessment (課題分析) writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model

from caremgmt.access import Actor, require_plan_writer
from careplans.assessment_items import CURRENT_ITEM_SET, clean_answers, item_set
from careplans.models import (
    Assessment,
    AssessmentReason,
    CarePlan,
    PlanStatus,
)
from careplans.services.common import (
    _refuse_future,
    _saved_by_self,
    _w,
)
from clients.models import Client, Consultation
from clients.selectors import client_facts_on

# --- prefill from the register -----------------------------------------------------------


def register_answers(*, client: Client, day: dt.date, reason: str) -> dict[str, dict[str, str]]:
    """What the register already knows for items 1, 5, 6, 7, 8 and 9, so it is not asked again.

    1. Item 1 基本情報: 受付日・受付者・相談経路 from the first 相談受付; 計画作成の状況 is
       初回 until the client has had a confirmed plan.
    2. Item 7 主訴: the latest 相談受付's 主訴 (the 意向 are heard at the assessment).
    3. Item 8 認定情報: the 認定 in force on the assessment day (client_facts_on).
    4. Item 9 理由: the assessment's own 理由 (header).
    5. Items 5/6 自立度 「認定時」: the ranks recorded on that 認定 (主治医意見書 or 認定調査票);
       「現在」 stays the care manager's own judgement.
    Empty values are left out so a copied previous answer is kept.
    """
    answers: dict[str, dict[str, str]] = {"1": {}, "5": {}, "6": {}, "7": {}, "8": {}, "9": {}}
    consultations = Consultation.objects.filter(client=client).select_related("taken_by")
    first = consultations.order_by("consulted_on", "pk").first()
    if first is not None:
        route = first.get_route_display()
        answers["1"] = {
            "received_on": _w(first.consulted_on),
            "received_by": first.taken_by.full_name,
            "received_route": f"{route}（{first.route_detail}）" if first.route_detail else route,
        }
    had_plan = CarePlan.objects.filter(
        client=client, status__in=(PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED)
    ).exists()
    answers["1"]["plan_status"] = "初回以外" if had_plan else "初回"
    latest = consultations.order_by("-consulted_on", "-pk").first()
    if latest is not None and latest.chief_complaint:
        answers["7"]["chief_complaint"] = latest.chief_complaint.strip()
    certification = client_facts_on(client=client, day=day).certification
    if certification is not None:
        answers["8"] = {
            "care_level": certification.get_care_level_display(),
            "certified_on": _w(certification.certified_on) if certification.certified_on else "",
            "valid_period": f"{_w(certification.valid_from)}〜{_w(certification.effective_to)}",
            "committee_opinion": certification.committee_opinion.strip(),
        }
        if certification.disability_independence:
            answers["5"]["rank_at_certification"] = (
                certification.get_disability_independence_display()
            )
        if certification.dementia_independence:
            answers["6"]["rank_at_certification"] = (
                certification.get_dementia_independence_display()
            )
    if reason in AssessmentReason.values:
        answers["9"]["reason"] = AssessmentReason(reason).label
    return {
        number: {key: value for key, value in entry.items() if value}
        for number, entry in answers.items()
    }


def _merge(answers: dict[str, Any], overlay: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    merged = {number: dict(entry) for number, entry in answers.items()}
    for number, entry in overlay.items():
        merged.setdefault(number, {}).update(entry)
    return merged


def _keep_read_only(tag: str, stored: Mapping[str, Any], posted: dict[str, Any]) -> None:
    """Fields that are copies (editable=False) keep their stored value whatever is posted."""
    for spec in item_set(tag):
        for field_spec in spec.fields:
            if field_spec.editable:
                continue
            entry = posted.setdefault(str(spec.number), {})
            value = (stored.get(str(spec.number)) or {}).get(field_spec.key)
            if value:
                entry[field_spec.key] = value
            else:
                entry.pop(field_spec.key, None)


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
    """A new assessment, starting from the answers of the client's last one (same item set),
    with what the register and the 認定 know on `assessed_on` filled in over them
    (`register_answers`)."""
    require_plan_writer(actor)
    _refuse_future(assessed_on=assessed_on)
    Client.objects.select_for_update().get(pk=client.pk)
    previous = (
        Assessment.objects.filter(client=client).order_by("-assessed_on", "-sequence").first()
    )
    answers: dict[str, Any] = {}
    if previous is not None and previous.item_set == CURRENT_ITEM_SET:
        answers = clean_answers(CURRENT_ITEM_SET, previous.answers)
    answers = clean_answers(
        CURRENT_ITEM_SET,
        _merge(answers, register_answers(client=client, day=assessed_on, reason=reason)),
    )
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
    fall after the draft date of a plan built on it. Copied fields (認定情報) keep their
    stored values; item 9's 理由 follows the header's 理由."""
    require_plan_writer(actor)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != expected_version:
        by_self = _saved_by_self(locked, expected_version, actor.staff.pk)
        who = "別のタブ（または画面）であなた" if by_self else "他の職員"
        raise ValidationError(
            {
                "__all__": f"{who}がこのアセスメントを先に保存しました（上書きはしていません）。"
                "入力した内容はこの画面に残っています。必要な部分を控えてから画面を開き直し、"
                "入力し直してください。"
            }
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
    posted = {number: dict(entry or {}) for number, entry in answers.items()}
    _keep_read_only(locked.item_set, locked.answers, posted)
    if locked.item_set == CURRENT_ITEM_SET and reason in AssessmentReason.values:
        posted.setdefault("9", {})["reason"] = AssessmentReason(reason).label
    Assessment.objects.filter(pk=locked.pk).update(
        assessed_on=assessed_on,
        reason=reason,
        reason_note=reason_note,
        place=place,
        answers=clean_answers(locked.item_set, posted),
        version=F("version") + 1,
    )
    return Assessment.objects.get(pk=locked.pk)
