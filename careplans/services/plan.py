"""Plan (第1表) create, update and revision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from caremgmt.access import Actor, require_plan_writer
from careplans.models import (
    Assessment,
    CarePlan,
    CertificationState,
    Goal,
    Need,
    PlanKind,
    PlanStatus,
    SupportItem,
)
from careplans.services.assessment import (
    _next_sequence,
)
from careplans.services.common import (
    PLAN_EDITABLE_FIELDS,
    MergeNote,
    SaveResult,
    _check_version,
    _lock_plan,
    _merge_onto,
    _require_editable,
    _w,
)
from clients.models import Client
from clients.selectors import client_facts_on

# --- plan (第1表) ------------------------------------------------------------------------


def _certification_fields(client: Client, starts_on: dt.date) -> dict[str, Any]:
    facts = client_facts_on(client=client, day=starts_on)
    if facts.certification is None:
        return {"certification": None, "certification_state": CertificationState.PENDING}
    return {
        "certification": facts.certification,
        "certification_state": CertificationState.CERTIFIED,
    }


def _check_draft_after_assessment(assessment: Assessment | None, drafted_on: dt.date) -> None:
    if assessment is not None and drafted_on < assessment.assessed_on:
        raise ValidationError(
            {
                "drafted_on": "居宅サービス計画作成（変更）日はアセスメント実施日"
                f"（{_w(assessment.assessed_on)}）以降の日付にしてください。"
            }
        )


@transaction.atomic
def careplan_create(
    *,
    actor: Actor,
    client: Client,
    assessment: Assessment,
    drafted_on: dt.date,
    starts_on: dt.date,
    sheet_date: dt.date | None = None,
    plan_kind: str | None = None,
    fields: Mapping[str, Any] | None = None,
) -> CarePlan:
    """Start a 原案 for a client that has no open draft. The certification (認定日, 有効期間,
    区分, 審査会の意見) is taken from the client's history as of `starts_on`."""
    require_plan_writer(actor)
    Client.objects.select_for_update().get(pk=client.pk)
    if assessment is None:
        raise ValidationError({"assessment": "アセスメントを選んでください。"})
    if assessment.client_id != client.pk:
        raise ValidationError({"assessment": "この利用者のアセスメントを選んでください。"})
    if CarePlan.objects.filter(
        client=client, status__in=[PlanStatus.DRAFT, PlanStatus.MET]
    ).exists():
        raise ValidationError(
            {"__all__": "作成中の原案が既にあります。その原案を編集してください。"}
        )
    _check_draft_after_assessment(assessment, drafted_on)
    previous = CarePlan.objects.filter(client=client).order_by("sequence").first()
    extra = {k: v for k, v in (fields or {}).items() if k in PLAN_EDITABLE_FIELDS}
    certification = _certification_fields(client, starts_on)
    cert = certification["certification"]
    extra.setdefault("committee_opinion", cert.committee_opinion if cert else "")
    return CarePlan.objects.create(
        client=client,
        sequence=_next_sequence(CarePlan, client),
        status=PlanStatus.DRAFT,
        assessment=assessment,
        author=actor.staff,
        sheet_date=sheet_date or drafted_on,
        plan_kind=plan_kind or (PlanKind.INITIAL if previous is None else PlanKind.CONTINUING),
        drafted_on=drafted_on,
        first_plan_on=previous.drafted_on if previous is not None else drafted_on,
        starts_on=starts_on,
        **certification,
        **{k: v for k, v in extra.items() if k not in ("assessment",)},
    )


def careplan_update(
    *, actor: Actor, plan: CarePlan, expected_version: int, fields: Mapping[str, Any]
) -> CarePlan:
    """Save 第1表 edits of an open draft, under the strict optimistic version check."""
    return careplan_save(
        actor=actor, plan=plan, expected_version=expected_version, fields=fields
    ).instance


@transaction.atomic
def careplan_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    fields: Mapping[str, Any],
    original: Mapping[str, str] | None = None,
) -> SaveResult:
    """Save 第1表 edits of an open draft. When the plan was saved since `expected_version`
    and the form's loaded values (`original`) are known, only the fields this writer changed
    are applied (the result's `merged` says what); a field both changed raises
    PlanEditConflictError with both values. Without `original` any newer save refuses."""
    require_plan_writer(actor)
    locked = _lock_plan(plan)
    _require_editable(locked)
    values = {k: v for k, v in fields.items() if k in PLAN_EDITABLE_FIELDS}
    merged: MergeNote | None = None
    if original is None or locked.version == expected_version:
        _check_version(plan, locked, expected_version)
    else:
        values, merged = _merge_onto(
            plan=plan,
            locked=locked,
            expected_version=expected_version,
            staff_id=actor.staff.pk,
            current=locked,
            fields=values,
            original=original,
        )
    assessment = values.get("assessment", locked.assessment)
    drafted_on = values.get("drafted_on", locked.drafted_on)
    _check_draft_after_assessment(assessment, drafted_on)
    first_meeting = locked.meetings.order_by("held_on").first()
    if first_meeting is not None and drafted_on > first_meeting.held_on:
        raise ValidationError(
            {
                "drafted_on": "居宅サービス計画作成（変更）日は担当者会議の開催日"
                f"（{_w(first_meeting.held_on)}）以前の日付にしてください。"
            }
        )
    if "starts_on" in values and values["starts_on"] != locked.starts_on:
        values.update(_certification_fields(locked.client, values["starts_on"]))
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    return SaveResult(locked, merged=merged)


def _copy_rows(source: CarePlan, target: CarePlan) -> None:
    item_map: dict[int, SupportItem] = {}
    for need in source.needs.prefetch_related("goals__support_items"):
        new_need = Need.objects.create(plan=target, order=need.order, text=need.text)
        goal_map: dict[int, Goal] = {}
        for goal in need.goals.all():
            old_goal_pk = goal.pk
            goal.pk = None
            goal.need = new_need
            goal.long_term_head = goal_map.get(goal.long_term_head_id)
            goal.save()
            goal_map[old_goal_pk] = goal
            for item in SupportItem.objects.filter(goal_id=old_goal_pk):
                old_item_pk = item.pk
                item.pk = None
                item.goal = goal
                item.save()
                item_map[old_item_pk] = item
    for weekly in source.weekly_services.all():
        weekly.pk = None
        weekly.plan = target
        weekly.support_item = (
            item_map.get(weekly.support_item_id) if weekly.support_item_id else None
        )
        weekly.save()
    for activity in source.daily_activities.all():
        activity.pk = None
        activity.plan = target
        activity.save()
    from careplans.services.monthly import copy_monthly_services

    copy_monthly_services(source, target, item_map)


@transaction.atomic
def careplan_revise(
    *,
    actor: Actor,
    plan: CarePlan,
    drafted_on: dt.date,
    assessment: Assessment | None = None,
) -> CarePlan:
    """Start the next version as a draft copied from the confirmed `plan` (第1〜3表). The
    confirmed version stays in force until the new one is confirmed."""
    require_plan_writer(actor)
    locked = _lock_plan(plan)
    if locked.status != PlanStatus.CONFIRMED:
        raise ValidationError({"__all__": "改訂できるのは確定した計画だけです。"})
    if CarePlan.objects.filter(
        client=locked.client, status__in=[PlanStatus.DRAFT, PlanStatus.MET]
    ).exists():
        raise ValidationError(
            {"__all__": "作成中の原案が既にあります。その原案を編集してください。"}
        )
    assessment = assessment or (
        Assessment.objects.filter(client=locked.client)
        .order_by("-assessed_on", "-sequence")
        .first()
    )
    _check_draft_after_assessment(assessment, drafted_on)
    if drafted_on < locked.consented_on:
        raise ValidationError(
            {
                "drafted_on": "居宅サービス計画作成（変更）日は現在の計画の同意日"
                f"（{_w(locked.consented_on)}）以降の日付にしてください。"
            }
        )
    copy_fields = {
        name: getattr(locked, name)
        for name in (
            "wishes_and_analysis",
            "committee_opinion",
            "overall_policy",
            "living_support_reason",
            "living_support_other",
            "non_weekly_services",
        )
    }
    revision = CarePlan.objects.create(
        client=locked.client,
        sequence=_next_sequence(CarePlan, locked.client),
        status=PlanStatus.DRAFT,
        revision_of=locked,
        assessment=assessment,
        author=actor.staff,
        sheet_date=drafted_on,
        plan_kind=PlanKind.CONTINUING,
        drafted_on=drafted_on,
        first_plan_on=locked.first_plan_on,
        starts_on=drafted_on,
        **_certification_fields(locked.client, drafted_on),
        **copy_fields,
    )
    _copy_rows(locked, revision)
    return revision
