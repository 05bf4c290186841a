"""第4表 meetings and the move to 会議済."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caremgmt.access import Actor, require_plan_writer
from caremgmt.events import emit
from caremgmt.locking import lock_for_edit
from careplans.models import (
    CarePlan,
    Meeting,
    MeetingAttendee,
    PlanStatus,
)
from careplans.services.common import (
    CONFIRMED_READ_ONLY_MESSAGE,
    TIME_ORDER_MESSAGE,
    InvalidTransitionError,
    _lock_plan,
    _refuse_future,
    _require_editable,
    _transition,
    _w,
)

# --- 第4表 and the move to 会議済 ---------------------------------------------------------

# Fields a meeting correction may change (compared when a stale save is refused).
MEETING_FIELDS = (
    "held_on",
    "place",
    "starts_at",
    "ends_at",
    "count",
    "sheet_date",
    "items_discussed",
    "discussion",
    "conclusion",
    "remaining_issues",
    "concludes_plan",
)


def _check_meeting_date(plan: CarePlan, held_on: dt.date) -> None:
    if held_on < plan.drafted_on:
        raise ValidationError(
            {"held_on": f"開催日は原案作成日（{_w(plan.drafted_on)}）以降の日付にしてください。"}
        )


@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
    plan: CarePlan,
    fields: Mapping[str, Any],
    attendees: Iterable[Mapping[str, Any]],
    meeting: Meeting | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Record (or correct) a サービス担当者会議 for an open plan version. When its conclusion
    accepts the draft (`concludes_plan`), the plan moves 原案 → 会議済.

    A correction is saved only if nobody saved the meeting since `expected_version` was
    loaded (StaleEditError otherwise; nothing written). The attendees are replaced with the
    meeting, so its version covers them too."""
    require_plan_writer(actor)
    locked = _lock_plan(plan)
    if meeting is not None:
        meeting = lock_for_edit(meeting, expected_version, MEETING_FIELDS)
        meeting.version += 1
    _require_editable(locked)
    held_on = fields["held_on"]
    _check_meeting_date(locked, held_on)
    _refuse_future(held_on=held_on)  # 第4表 records a meeting that was held
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": TIME_ORDER_MESSAGE})
    if locked.status == PlanStatus.MET and locked.consented_on:
        raise ValidationError({"__all__": CONFIRMED_READ_ONLY_MESSAGE})
    if meeting is None:
        count = fields.get("count") or (
            Meeting.objects.filter(plan__client=locked.client).count() + 1
        )
        meeting = Meeting(plan=locked, recorded_by=actor.staff, count=count)
    if fields.get("sheet_date"):
        meeting.sheet_date = fields["sheet_date"]
    elif meeting.pk is None:
        meeting.sheet_date = timezone.localdate()  # 作成年月日: today in the office's zone
    for name in MEETING_FIELDS:
        if name in fields and name not in ("count", "sheet_date"):
            setattr(meeting, name, fields[name])
    if fields.get("count"):
        meeting.count = fields["count"]
    meeting.save()
    meeting.attendees.all().delete()
    MeetingAttendee.objects.bulk_create(
        MeetingAttendee(meeting=meeting, **attendee) for attendee in attendees
    )
    if meeting.concludes_plan and locked.status == PlanStatus.DRAFT:
        _transition(locked, PlanStatus.MET)
        locked.version += 1
        locked.save(update_fields=["status", "version"])
    # Written once per meeting (a later correction of the 第4表 does not add a second entry).
    emit(
        "meeting_held",
        client_id=locked.client_id,
        on=meeting.held_on,
        summary=f"サービス担当者会議（第{meeting.count}回）を開催した"
        + (f"（場所：{meeting.place}）" if meeting.place else "")
        + f"。居宅サービス計画 第{locked.sequence}版。",
        source=meeting,
        actor=actor.staff,
    )
    return meeting


@transaction.atomic
def careplan_record_no_meeting(
    *, actor: Actor, plan: CarePlan, reason: str, recorded_on: dt.date
) -> CarePlan:
    """担当者会議を開催しない (やむを得ない理由 + 照会で意見を求めた): 原案 → 会議済."""
    require_plan_writer(actor)
    locked = _lock_plan(plan)
    if not reason.strip():
        raise ValidationError({"reason": "開催しない理由を入力してください。"})
    if recorded_on < locked.drafted_on:
        raise ValidationError(
            {
                "recorded_on": f"記録日は原案作成日（{_w(locked.drafted_on)}）以降の日付にしてください。"
            }
        )
    _refuse_future(recorded_on=recorded_on)
    if locked.status != PlanStatus.DRAFT:
        raise InvalidTransitionError(
            f"「{locked.get_status_display()}」の計画には開催しない理由を記録できません。"
        )
    _transition(locked, PlanStatus.MET)
    locked.no_meeting_reason = reason.strip()
    locked.no_meeting_recorded_on = recorded_on
    locked.version += 1
    locked.save()
    return locked
