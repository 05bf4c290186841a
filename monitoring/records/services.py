"""Writes of the monthly monitoring record: validation and save in one transaction.

`record_save` checks the visit (no future date, a confirmed plan in force on the day and
the date not before its start, テレビ電話 only under monitoring.records.video), writes the
record with one GoalReview per short-term goal and one ServiceReview per service, and
announces it (`monitoring_recorded`, the 第5表 entry). `review_start` opens the assessment
of a 見直し through the care-plan app's own service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caremgmt.access import Actor, require_plan_writer
from caremgmt.events import emit
from caremgmt.locking import lock_for_edit
from caremgmt.wareki import wareki_date
from careplans import services as careplan_services
from careplans.models import CarePlan, Goal, PlanStatus, SupportItem
from clients.models import Client
from monitoring.models import (
    Achievement,
    Decision,
    GoalReview,
    MonitoringPlace,
    MonitoringRecord,
    ServiceReview,
)
from monitoring.records.video import video_check

# Fields compared when a stale save is refused (caremgmt.locking).
RECORD_FIELDS = (
    "visited_on",
    "visited_at",
    "place",
    "met_persons",
    "health_change",
    "adl_change",
    "family_change",
    "environment_change",
    "overall",
    "decision",
    "decision_reason",
    "next_ticket_explained",
    "next_ticket_version",
)


def plan_in_force(client_id: int, day: dt.date) -> CarePlan | None:
    """The confirmed (or since superseded) plan version in force on `day`: the latest one
    that started on or before it."""
    return (
        CarePlan.objects.filter(
            client_id=client_id,
            status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED],
            starts_on__lte=day,
        )
        .order_by("-starts_on", "-sequence")
        .first()
    )


def goals_to_review(plan: CarePlan, day: dt.date) -> list[Goal]:
    """The plan's short-term goals whose period has started by `day` (need order, goal
    order), each with its services prefetched. Goals that start later are not asked yet;
    goals whose period has ended are still asked (the 評価表 covers their end)."""
    return list(
        Goal.objects.filter(need__plan=plan, short_term_from__lte=day)
        .select_related("need")
        .prefetch_related("support_items__provider")
        .order_by("need__order", "order", "pk")
    )


def services_of(goals: Sequence[Goal]) -> list[SupportItem]:
    return [item for goal in goals for item in goal.support_items.all()]


def _check_visit(client: Client, day: dt.date, today: dt.date) -> CarePlan:
    if day > today:
        raise ValidationError({"visited_on": "実施日に未来の日付は入力できません。"})
    plan = plan_in_force(client.pk, day)
    if plan is not None:
        return plan
    upcoming = (
        CarePlan.objects.filter(
            client=client, status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED]
        )
        .order_by("starts_on")
        .first()
    )
    if upcoming is not None:
        raise ValidationError(
            {
                "visited_on": f"実施日は計画の開始日（{wareki_date(upcoming.starts_on)}）"
                "以降の日付にしてください。"
            }
        )
    raise ValidationError(
        {
            "visited_on": "実施日に有効な居宅サービス計画がありません"
            "（計画が確定〈説明・同意・交付〉してから記録します）。"
        }
    )


def _check_rows(
    goals: Sequence[Goal],
    goal_reviews: Mapping[int, Mapping[str, Any]],
    service_reviews: Mapping[int, Mapping[str, Any]],
) -> None:
    missing_goals = [goal for goal in goals if goal.pk not in goal_reviews]
    items = services_of(goals)
    missing_items = [item for item in items if item.pk not in service_reviews]
    if missing_goals or missing_items:
        raise ValidationError(
            {"__all__": "計画の目標またはサービスが変わりました。画面を開き直してください。"}
        )
    for review in goal_reviews.values():
        if review.get("achievement") not in Achievement.values:
            raise ValidationError({"__all__": "達成度を選んでください。"})


def _check_next_month_video(record: MonitoringRecord, fields: Mapping[str, Any]) -> None:
    """A correction may not take away the home visit a later テレビ電話 month rests on."""
    moved = fields["visited_on"].replace(day=1) != record.month
    if record.place != MonitoringPlace.HOME or (
        fields["place"] == MonitoringPlace.HOME and not moved
    ):
        return
    following = (record.month + dt.timedelta(days=31)).replace(day=1)
    others_home = (
        MonitoringRecord.objects.filter(
            client_id=record.client_id, month=record.month, place=MonitoringPlace.HOME
        )
        .exclude(pk=record.pk)
        .exists()
    )
    video_next = MonitoringRecord.objects.filter(
        client_id=record.client_id, month=following, place=MonitoringPlace.VIDEO
    ).exists()
    if video_next and not others_home:
        raise ValidationError(
            {
                "place": "翌月のテレビ電話によるモニタリングは、この月の自宅訪問を条件にしています。"
                "自宅訪問のまま（この月のまま）にしてください。"
            }
        )


def summary_of(record: MonitoringRecord, achievements: Sequence[str]) -> str:
    """The 第5表 text: モニタリング（自宅訪問）：目標3件 達成1・一部達成2、方針 継続."""
    counts = [
        f"{label}{achievements.count(value)}"
        for value, label in Achievement.choices
        if achievements.count(value)
    ]
    goals = f"目標{len(achievements)}件 {'・'.join(counts)}" if achievements else "目標なし"
    text = f"モニタリング（{record.get_place_display()}）：{goals}、方針 {record.get_decision_display()}"
    if record.decision == Decision.REVIEW and record.decision_reason:
        text += f"（{record.decision_reason[:60]}）"
    return text


@transaction.atomic
def record_save(
    *,
    actor: Actor,
    client: Client,
    fields: Mapping[str, Any],
    goal_reviews: Mapping[int, Mapping[str, Any]],
    service_reviews: Mapping[int, Mapping[str, Any]],
    record: MonitoringRecord | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> MonitoringRecord:
    """Record (or correct) one monitoring visit. `goal_reviews` maps goal id → achievement
    and observation, `service_reviews` maps SupportItem id → delivered_as_planned,
    satisfaction and note. Raises ValidationError (field keys of the form) or, for a
    correction loaded before someone else's save, StaleEditError; nothing is written then."""
    require_plan_writer(actor)
    today = today or timezone.localdate()
    if record is not None:
        record = lock_for_edit(record, expected_version, RECORD_FIELDS)
    day: dt.date = fields["visited_on"]
    plan = _check_visit(client, day, today)
    if record is not None and plan.pk != record.plan_id:
        raise ValidationError(
            {
                "visited_on": "実施日を別の版の計画の期間に変えることはできません。"
                "新しく記録し直してください。"
            }
        )
    if record is not None:
        _check_next_month_video(record, fields)
    if fields["place"] == MonitoringPlace.VIDEO:
        check = video_check(client.pk, day)
        if not check.allowed:
            raise ValidationError({"place": check.reasons})
    if fields["decision"] == Decision.REVIEW and not fields.get("decision_reason", "").strip():
        raise ValidationError({"decision_reason": "見直しの理由を入力してください。"})
    ticket_version = fields.get("next_ticket_version")
    if ticket_version is not None and ticket_version.ticket.client_id != client.pk:
        raise ValidationError({"next_ticket_version": "この利用者の利用票ではありません。"})
    goals = goals_to_review(plan, day)
    _check_rows(goals, goal_reviews, service_reviews)

    created = record is None
    if record is None:
        record = MonitoringRecord(client=client, author=actor.staff)
    else:
        record.version += 1
    for name in RECORD_FIELDS:
        if name in fields:
            setattr(record, name, fields[name])
    record.plan = plan
    record.month = day.replace(day=1)
    record.save()
    record.goals.all().delete()
    record.services.all().delete()
    GoalReview.objects.bulk_create(
        GoalReview(
            record=record,
            goal=goal,
            achievement=goal_reviews[goal.pk]["achievement"],
            observation=goal_reviews[goal.pk].get("observation", ""),
        )
        for goal in goals
    )
    ServiceReview.objects.bulk_create(
        ServiceReview(
            record=record,
            support_item=item,
            delivered_as_planned=bool(service_reviews[item.pk].get("delivered_as_planned")),
            satisfaction=service_reviews[item.pk].get("satisfaction") or "3",
            note=service_reviews[item.pk].get("note", ""),
        )
        for item in services_of(goals)
    )
    if created:
        # The 第5表 entry is written once, for the visit; a correction stays on the record
        # (its history is kept by pghistory).
        emit(
            "monitoring_recorded",
            client_id=client.pk,
            on=day,
            summary=summary_of(record, [goal_reviews[g.pk]["achievement"] for g in goals]),
            source=record,
            actor=actor.staff,
            counterpart=record.met_persons,
        )
    return record


@transaction.atomic
def review_start(
    *,
    actor: Actor,
    record: MonitoringRecord,
    assessed_on: dt.date,
    reason: str,
) -> MonitoringRecord:
    """見直し: open the assessment for the plan revision with the care-plan app's
    `assessment_start` (the one the plan page uses) and keep it on the record. Once only."""
    require_plan_writer(actor)
    locked = MonitoringRecord.objects.select_for_update().get(pk=record.pk)
    if locked.decision != Decision.REVIEW:
        raise ValidationError({"__all__": "方針が「見直し」の記録ではありません。"})
    if locked.review_assessment_id is not None:
        return locked
    if assessed_on < locked.visited_on:
        raise ValidationError(
            {"assessed_on": "アセスメントの実施日はモニタリングの実施日以降にしてください。"}
        )
    assessment = careplan_services.assessment_start(
        actor=actor,
        client=locked.client,
        assessed_on=assessed_on,
        reason=reason,
        reason_note=f"モニタリング（{wareki_date(locked.visited_on)}）で見直しと判断",
    )
    locked.review_assessment = assessment
    locked.save(update_fields=["review_assessment", "updated_at"])
    return locked
