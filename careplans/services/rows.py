"""第2表 / 第3表 row writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model, Q

from caremgmt.access import Actor, require_plan_writer
from caremgmt.choices import PREVENTIVE_CARE_LEVELS, ServiceType, plan_service_types
from caremgmt.models import ServiceCode
from careplans.models import (
    WEEKDAY_VALUES,
    CarePlan,
    CertificationState,
    DailyActivity,
    Goal,
    Need,
    SupportItem,
    WeeklyService,
)
from careplans.service_kinds import is_equipment_rental
from careplans.services.common import (
    EQUIPMENT_RENTAL_REASON_WARNING,
    PERIOD_ORDER_MESSAGE,
    TIME_ORDER_MESSAGE,
    FieldChange,
    MergeNote,
    PlanEditConflictError,
    SaveResult,
    _bump,
    _changes_since,
    _check_version,
    _lock_plan,
    _merge_onto,
    _require_editable,
    _saved_by_self,
    _w,
)
from careplans.time_bands import time_band_mismatch
from clients.models import ApplicationStatus, CertificationApplication, ServiceProvider

SAME_TIME_MESSAGE = "開始時刻と終了時刻が同じです。夜間の翌朝までのサービスは終了を翌日の時刻で入力してください（例：22:00〜6:00）。"
WEEKDAYS_REQUIRED_MESSAGE = "曜日を1つ以上選んでください。"

# --- 第2表 rows ----------------------------------------------------------------------------

RowT = TypeVar("RowT", bound=Model)


def _edit_rows(plan: CarePlan, expected_version: int) -> CarePlan:
    locked = _lock_plan(plan)
    _require_editable(locked)
    _check_version(plan, locked, expected_version)
    return locked


def _edit_row(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    row: RowT | None,
    fields: Mapping[str, Any],
    original: Mapping[str, str] | None,
) -> tuple[CarePlan, RowT | None, dict[str, Any], MergeNote | None]:
    """Lock the plan for a row save. When the plan was saved since the form was loaded and
    the form's loaded values are known, merge this writer's changes onto the row as saved now
    (a new row merges trivially); otherwise any newer save refuses."""
    locked = _lock_plan(plan)
    _require_editable(locked)
    if original is None or locked.version == expected_version:
        _check_version(plan, locked, expected_version)
        return locked, row, dict(fields), None
    current = None
    if row is not None:
        current = type(row)._default_manager.select_for_update().filter(pk=row.pk).first()
        if current is None:
            changes = _changes_since(plan, expected_version, locked)
            changes.append(FieldChange("row", "この行", "あり", "削除されました"))
            raise PlanEditConflictError(locked, changes)
    merged, note = _merge_onto(
        plan=plan,
        locked=locked,
        expected_version=expected_version,
        staff_id=actor.staff.pk,
        current=current,
        fields=fields,
        original=original,
    )
    return locked, current, merged, note


def _renewal_pending(plan: CarePlan) -> bool:
    if plan.certification_state == CertificationState.PENDING:
        return True
    return CertificationApplication.objects.filter(
        client_id=plan.client_id, status=ApplicationStatus.PENDING
    ).exists()


def _check_within_certification(
    plan: CarePlan, periods: Iterable[tuple[str, str, dt.date | None, dt.date | None]]
) -> list[str]:
    """Refuse (or, while 申請中, only warn about) periods outside the certification."""
    certification = plan.certification
    pending = _renewal_pending(plan)
    warnings: list[str] = []
    errors: dict[str, str] = {}
    if certification is None:
        return [
            "認定結果が出ていません（申請中）。認定の有効期間が決まったら目標の期間を確認してください。"
        ]
    start, end = certification.valid_from, certification.effective_to
    for field_from, label, period_from, period_to in periods:
        outside = (period_from is not None and period_from < start) or (
            period_to is not None and period_to > end
        )
        if not outside:
            continue
        text = f"{label}の期間が認定の有効期間（{_w(start)}〜{_w(end)}）の外にあります。"
        if pending:
            warnings.append(
                text
                + "更新・区分変更の申請中のため保存しました。認定結果が出たら見直してください。"
            )
        else:
            errors[field_from] = (
                f"{label}の期間は認定の有効期間（{_w(start)}〜{_w(end)}）内にしてください。"
            )
    if errors:
        raise ValidationError(errors)
    return warnings


@transaction.atomic
def need_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    need: Need | None,
    text: str,
    order: int | None = None,
    original: Mapping[str, str] | None = None,
) -> SaveResult:
    require_plan_writer(actor)
    locked, need, values, merged = _edit_row(
        actor=actor,
        plan=plan,
        expected_version=expected_version,
        row=need,
        fields={"order": order, "text": text},
        original=original,
    )
    text, order = values["text"], values["order"]
    if need is None:
        top = locked.needs.aggregate(top=Max("order"))["top"] or 0
        need = Need(plan=locked, order=order or top + 1)
    elif order:
        need.order = order
    need.text = text
    need.save()
    _bump(locked)
    return SaveResult(need, merged=merged)


LONG_TERM_FIELDS = ("long_term", "long_term_from", "long_term_to")


@transaction.atomic
def goal_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    need: Need,
    goal: Goal | None,
    fields: Mapping[str, Any],
    original: Mapping[str, str] | None = None,
    long_term_head: Goal | None = None,
) -> SaveResult:
    """Save a 長期目標/短期目標 pair. End before start is refused; periods outside the
    certification are refused, or only warned about while an application is pending.

    With `long_term_head` (or when editing such a goal) this is one more 短期目標 under that
    goal's 長期目標: the 長期目標 and its period are copied from it, and the new goal is placed
    right after the last goal of the group. Saving a group's first goal updates the copies."""
    require_plan_writer(actor)
    locked, goal, fields, merged = _edit_row(
        actor=actor,
        plan=plan,
        expected_version=expected_version,
        row=goal,
        fields=fields,
        original=original,
    )
    head = goal.long_term_head if goal is not None and goal.long_term_head_id else long_term_head
    if head is not None:
        head = head.long_term_head or head
        if head.need_id != need.pk or (goal is not None and head.pk == goal.pk):
            raise ValidationError("同じニーズの長期目標の下にだけ短期目標を追加できます。")
        fields = {**fields, **{name: getattr(head, name) for name in LONG_TERM_FIELDS}}
    errors = {}
    for prefix in ("long_term", "short_term"):
        start, end = fields.get(f"{prefix}_from"), fields.get(f"{prefix}_to")
        if start and end and end < start:
            errors[f"{prefix}_to"] = PERIOD_ORDER_MESSAGE
    if errors:
        raise ValidationError(errors)
    warnings = _check_within_certification(
        locked,
        [
            (
                "long_term_from",
                "長期目標",
                fields.get("long_term_from"),
                fields.get("long_term_to"),
            ),
            (
                "short_term_from",
                "短期目標",
                fields.get("short_term_from"),
                fields.get("short_term_to"),
            ),
        ],
    )
    if goal is None and head is not None:
        last = need.goals.filter(Q(pk=head.pk) | Q(long_term_head=head)).aggregate(
            top=Max("order")
        )["top"]
        need.goals.filter(order__gt=last).update(order=F("order") + 1)
        goal = Goal(need=need, order=last + 1, long_term_head=head)
    elif goal is None:
        top = need.goals.aggregate(top=Max("order"))["top"] or 0
        goal = Goal(need=need, order=top + 1)
    for name in (*LONG_TERM_FIELDS, "short_term", "short_term_from", "short_term_to"):
        setattr(goal, name, fields.get(name))
    goal.save()
    if goal.long_term_head_id is None:
        goal.short_term_goals.update(**{name: getattr(goal, name) for name in LONG_TERM_FIELDS})
    _bump(locked)
    return SaveResult(goal, warnings, merged=merged)


def _check_provider_offers(
    provider: ServiceProvider | None, service_type: str, field_name: str
) -> None:
    if provider is not None and service_type and service_type not in provider.service_types:
        label = (
            ServiceType(service_type).label if service_type in ServiceType.values else service_type
        )
        raise ValidationError({field_name: f"この事業所は「{label}」を提供していません。"})


def plan_care_level(plan: CarePlan) -> str | None:
    """The care level the plan is made for (None while unknown, e.g. 申請中)."""
    return plan.certification.care_level if plan.certification else None


def plan_service_type_error(plan: CarePlan, service_type: str) -> str | None:
    """Why `service_type` cannot sit on this 居宅サービス計画, if it cannot."""
    if not service_type or service_type in plan_service_types(plan_care_level(plan)):
        return None
    label = ServiceType(service_type).label if service_type in ServiceType.values else service_type
    if plan_care_level(plan) in PREVENTIVE_CARE_LEVELS:
        return f"「{label}」は要支援・事業対象者の方の計画では選べません。介護予防のサービス種別を選んでください。"
    if service_type in plan_service_types(None):
        return f"「{label}」は要支援の方向けのサービス種別です。要介護の方には居宅サービスの種別を選んでください。"
    return f"「{label}」は居宅サービス計画に位置付けられるサービス種別ではありません（施設サービス等）。"


@transaction.atomic
def support_item_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    goal: Goal,
    item: SupportItem | None,
    fields: Mapping[str, Any],
    original: Mapping[str, str] | None = None,
) -> SaveResult:
    require_plan_writer(actor)
    locked, item, fields, merged = _edit_row(
        actor=actor,
        plan=plan,
        expected_version=expected_version,
        row=item,
        fields=fields,
        original=original,
    )
    insured = bool(fields.get("insured"))
    provider = fields.get("provider")
    service_type = fields.get("service_type") or ""
    errors = {}
    if insured and not service_type:
        errors["service_type"] = "保険給付対象のサービスはサービス種別を選んでください。"
    elif type_error := plan_service_type_error(locked, service_type):
        errors["service_type"] = type_error
    if insured and provider is None:
        errors["provider"] = "保険給付対象のサービスは事業所を選んでください。"
    start, end = fields.get("period_from"), fields.get("period_to")
    if start and end and end < start:
        errors["period_to"] = PERIOD_ORDER_MESSAGE
    if errors:
        raise ValidationError(errors)
    _check_provider_offers(provider, service_type, "provider")
    if item is None:
        top = goal.support_items.aggregate(top=Max("order"))["top"] or 0
        item = SupportItem(goal=goal, order=top + 1)
    for name in (
        "content",
        "insured",
        "service_type",
        "service_kind_text",
        "provider",
        "provider_text",
        "frequency",
        "period_from",
        "period_to",
        "equipment_rental_reason",
    ):
        value = fields.get(name)
        if name in (
            "service_type",
            "service_kind_text",
            "provider_text",
            "content",
            "frequency",
            "equipment_rental_reason",
        ):
            value = value or ""
        setattr(item, name, value)
    item.equipment_rental_reason = item.equipment_rental_reason.strip()
    item.insured = insured
    item.save()
    _bump(locked)
    warnings = []
    if is_equipment_rental(service_type) and not item.equipment_rental_reason:
        warnings.append(EQUIPMENT_RENTAL_REASON_WARNING)
    return SaveResult(item, warnings, merged=merged)


# --- 第3表 rows ----------------------------------------------------------------------------


def service_code_on(code: str, day: dt.date) -> ServiceCode | None:
    """The version of `code` in force on `day`, if any."""
    return (
        ServiceCode.objects.filter(code=code, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


@transaction.atomic
def weekly_service_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    weekly: WeeklyService | None,
    fields: Mapping[str, Any],
    original: Mapping[str, str] | None = None,
) -> SaveResult:
    """Save one 第3表 item on one or more weekdays. Insured items need a provider offering the
    code's service type and a サービスコード valid on the plan's start date; a time band whose
    length does not fit the code's duration (通所介護 4時間以上5時間未満 for 9:30〜16:30) is
    saved with a warning. An end before the start runs to the next morning (22:00〜翌6:00)."""
    require_plan_writer(actor)
    locked, weekly, fields, merged = _edit_row(
        actor=actor,
        plan=plan,
        expected_version=expected_version,
        row=weekly,
        fields=fields,
        original=original,
    )
    insured = bool(fields.get("insured"))
    provider: ServiceProvider | None = fields.get("provider")
    code = (fields.get("service_code") or "").strip().upper()
    errors: dict[str, str] = {}
    weekdays = sorted({int(day) for day in fields.get("weekdays") or []})
    if not weekdays or not set(weekdays) <= set(WEEKDAY_VALUES):
        errors["weekdays"] = WEEKDAYS_REQUIRED_MESSAGE
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if starts_at and ends_at and ends_at == starts_at:
        errors["ends_at"] = SAME_TIME_MESSAGE
    warnings: list[str] = []
    if insured:
        if provider is None:
            errors["provider"] = "保険給付対象のサービスは事業所を選んでください。"
        if not code:
            errors["service_code"] = (
                "保険給付対象のサービスはサービスコード（6桁）を入力してください。"
            )
        elif len(code) != 6 or not code.isalnum():
            errors["service_code"] = "サービスコードは英数字6桁で入力してください。"
        else:
            service_code = service_code_on(code, locked.starts_on)
            if service_code is None:
                errors["service_code"] = (
                    f"サービスコード「{code}」は計画の開始日（{_w(locked.starts_on)}）に"
                    "有効ではありません。"
                )
            else:
                if type_error := plan_service_type_error(locked, service_code.service_type_id):
                    errors["service_code"] = type_error
                if provider is not None and "provider" not in errors:
                    try:
                        _check_provider_offers(provider, service_code.service_type_id, "provider")
                    except ValidationError as error:
                        errors.update({k: v[0] for k, v in error.message_dict.items()})
                warnings += _code_warnings(locked, service_code, starts_at, ends_at)
    if errors:
        raise ValidationError(errors)
    if weekly is None:
        weekly = WeeklyService(plan=locked)
    weekly.weekdays = weekdays
    weekly.starts_at = starts_at
    weekly.ends_at = ends_at
    weekly.content = fields.get("content") or ""
    weekly.insured = insured
    weekly.provider = provider
    weekly.service_code = code
    weekly.support_item = fields.get("support_item")
    weekly.save()
    _bump(locked)
    return SaveResult(weekly, warnings, merged=merged)


def _code_warnings(
    plan: CarePlan, service_code: ServiceCode, starts_at: Any, ends_at: Any
) -> list[str]:
    warnings = []
    care_level = plan_care_level(plan)
    if service_code.care_levels and care_level and care_level not in service_code.care_levels:
        warnings.append(
            f"サービスコード「{service_code.code}」（{service_code.name}）は"
            f"現在の要介護度（{plan.certification.get_care_level_display()}）向けではありません。"
        )
    if starts_at and ends_at:
        mismatch = time_band_mismatch(
            starts_at=starts_at,
            ends_at=ends_at,
            code=service_code.code,
            service_type=service_code.service_type_id,
            name=service_code.name,
        )
        if mismatch:
            warnings.append(mismatch)
    return warnings


@transaction.atomic
def daily_activity_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    activity: DailyActivity | None,
    fields: Mapping[str, Any],
    original: Mapping[str, str] | None = None,
) -> SaveResult:
    require_plan_writer(actor)
    locked, activity, fields, merged = _edit_row(
        actor=actor,
        plan=plan,
        expected_version=expected_version,
        row=activity,
        fields=fields,
        original=original,
    )
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": TIME_ORDER_MESSAGE})
    if activity is None:
        activity = DailyActivity(plan=locked)
    activity.starts_at = starts_at
    activity.ends_at = ends_at
    activity.activity = fields.get("activity") or ""
    activity.save()
    _bump(locked)
    return SaveResult(activity, merged=merged)


ROW_KIND_LABELS = {
    "need": "ニーズ",
    "goal": "援助目標",
    "item": "援助内容",
    "weekly": "週間サービス",
    "activity": "主な日常生活上の活動",
}


@dataclass(frozen=True)
class RowDeletePreview:
    """What deleting one row removes: the row itself and everything under it."""

    label: str
    text: str
    consequences: list[str]


def plan_row_delete_preview(*, kind: str, row: Model) -> RowDeletePreview:
    label = ROW_KIND_LABELS[kind]
    consequences: list[str] = []
    if isinstance(row, Need):
        goals = row.goals.count()
        items = SupportItem.objects.filter(goal__need=row).count()
        if goals or items:
            consequences.append(
                f"このニーズの援助目標{goals}件と援助内容{items}件も一緒に削除されます。"
            )
        text = row.text
    elif isinstance(row, Goal):
        items = row.support_items.count()
        if items:
            consequences.append(f"この目標の援助内容{items}件も一緒に削除されます。")
        text = f"長期目標：{row.long_term}／短期目標：{row.short_term}"
    elif isinstance(row, SupportItem):
        text = row.content
    elif isinstance(row, WeeklyService):
        text = f"{row.weekdays_label} {row.time_band_label} {row.content}"
    else:
        text = str(row)
    link_paths = {Need: "support_item__goal__need", Goal: "support_item__goal"}
    if isinstance(row, Need | Goal | SupportItem):
        path = link_paths.get(type(row), "support_item")
        linked = WeeklyService.objects.filter(**{path: row}).count()
        if linked:
            consequences.append(
                f"第3表の週間サービス{linked}件はこの援助内容との結び付きが外れます（行は残ります）。"
            )
    return RowDeletePreview(label, text, consequences)


@transaction.atomic
def plan_row_delete(*, actor: Actor, plan: CarePlan, expected_version: int, row: Model) -> None:
    """Delete one 第2表/第3表 row (and what hangs under it) from an open draft. The change
    history (pghistory delete events, cascaded rows included) names the acting staff."""
    require_plan_writer(actor)
    with pghistory.context(user=actor.staff.pk, action="careplans.plan_row_delete"):
        try:
            locked = _edit_rows(plan, expected_version)
        except PlanEditConflictError as error:
            # Say who saved in between: the same person in another tab is not 「他の職員」.
            error.by_self = _saved_by_self(plan, expected_version, actor.staff.pk)
            raise
        row.delete()
        _bump(locked)
