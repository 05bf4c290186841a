"""第2表 / 第3表 row writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model, Q

from caremgmt.access import Actor, require_plan_writer
from caremgmt.choices import ServiceType
from caremgmt.models import ServiceCode
from careplans.models import (
    CarePlan,
    CertificationState,
    DailyActivity,
    Goal,
    Need,
    SupportItem,
    WeeklyService,
)
from careplans.services.common import (
    PERIOD_ORDER_MESSAGE,
    TIME_ORDER_MESSAGE,
    SaveResult,
    _bump,
    _check_version,
    _lock_plan,
    _require_editable,
    _w,
)
from clients.models import ApplicationStatus, CertificationApplication, ServiceProvider

# --- 第2表 rows ----------------------------------------------------------------------------


def _edit_rows(plan: CarePlan, expected_version: int) -> CarePlan:
    locked = _lock_plan(plan)
    _require_editable(locked)
    _check_version(plan, locked, expected_version)
    return locked


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
) -> SaveResult:
    require_plan_writer(actor)
    locked = _edit_rows(plan, expected_version)
    if need is None:
        top = locked.needs.aggregate(top=Max("order"))["top"] or 0
        need = Need(plan=locked, order=order or top + 1)
    elif order:
        need.order = order
    need.text = text
    need.save()
    _bump(locked)
    return SaveResult(need)


@transaction.atomic
def goal_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    need: Need,
    goal: Goal | None,
    fields: Mapping[str, Any],
) -> SaveResult:
    """Save a 長期目標/短期目標 pair. End before start is refused; periods outside the
    certification are refused, or only warned about while an application is pending."""
    require_plan_writer(actor)
    locked = _edit_rows(plan, expected_version)
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
    if goal is None:
        top = need.goals.aggregate(top=Max("order"))["top"] or 0
        goal = Goal(need=need, order=top + 1)
    for name in (
        "long_term",
        "long_term_from",
        "long_term_to",
        "short_term",
        "short_term_from",
        "short_term_to",
    ):
        setattr(goal, name, fields.get(name))
    goal.save()
    _bump(locked)
    return SaveResult(goal, warnings)


def _check_provider_offers(
    provider: ServiceProvider | None, service_type: str, field_name: str
) -> None:
    if provider is not None and service_type and service_type not in provider.service_types:
        label = (
            ServiceType(service_type).label if service_type in ServiceType.values else service_type
        )
        raise ValidationError({field_name: f"この事業所は「{label}」を提供していません。"})


@transaction.atomic
def support_item_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    goal: Goal,
    item: SupportItem | None,
    fields: Mapping[str, Any],
) -> SaveResult:
    require_plan_writer(actor)
    locked = _edit_rows(plan, expected_version)
    insured = bool(fields.get("insured"))
    provider = fields.get("provider")
    service_type = fields.get("service_type") or ""
    errors = {}
    if insured and not service_type:
        errors["service_type"] = "保険給付対象のサービスはサービス種別を選んでください。"
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
    ):
        value = fields.get(name)
        if name in ("service_type", "service_kind_text", "provider_text", "content", "frequency"):
            value = value or ""
        setattr(item, name, value)
    item.insured = insured
    item.save()
    _bump(locked)
    return SaveResult(item)


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
) -> SaveResult:
    """Save one weekday item of 第3表. Insured items need a provider offering the code's
    service type and a サービスコード valid on the plan's start date."""
    require_plan_writer(actor)
    locked = _edit_rows(plan, expected_version)
    insured = bool(fields.get("insured"))
    provider: ServiceProvider | None = fields.get("provider")
    code = (fields.get("service_code") or "").strip().upper()
    errors: dict[str, str] = {}
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = TIME_ORDER_MESSAGE
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
            elif provider is not None and "provider" not in errors:
                try:
                    _check_provider_offers(provider, service_code.service_type_id, "provider")
                except ValidationError as error:
                    errors.update({k: v[0] for k, v in error.message_dict.items()})
                care_level = locked.certification.care_level if locked.certification else None
                if (
                    service_code.care_levels
                    and care_level
                    and care_level not in service_code.care_levels
                ):
                    warnings.append(
                        f"サービスコード「{code}」（{service_code.name}）は"
                        f"現在の要介護度（{locked.certification.get_care_level_display()}）向けではありません。"
                    )
    if errors:
        raise ValidationError(errors)
    if weekly is None:
        weekly = WeeklyService(plan=locked)
    weekly.weekday = fields.get("weekday")
    weekly.starts_at = starts_at
    weekly.ends_at = ends_at
    weekly.content = fields.get("content") or ""
    weekly.insured = insured
    weekly.provider = provider
    weekly.service_code = code if insured else code
    weekly.support_item = fields.get("support_item")
    weekly.save()
    _bump(locked)
    return SaveResult(weekly, warnings)


@transaction.atomic
def daily_activity_save(
    *,
    actor: Actor,
    plan: CarePlan,
    expected_version: int,
    activity: DailyActivity | None,
    fields: Mapping[str, Any],
) -> SaveResult:
    require_plan_writer(actor)
    locked = _edit_rows(plan, expected_version)
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
    return SaveResult(activity)


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
        text = (
            f"{row.get_weekday_display()} {row.starts_at:%H:%M}〜{row.ends_at:%H:%M} {row.content}"
        )
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
        locked = _edit_rows(plan, expected_version)
        row.delete()
        _bump(locked)
