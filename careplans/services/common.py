"""Messages, errors and the status machine / optimistic-lock helpers shared by the plan services."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Model
from django.utils import timezone

from caremgmt.concurrency import MergeResult, instance_values, text_values, three_way_merge
from caremgmt.wareki import wareki_date
from careplans.models import (
    CarePlan,
    PlanStatus,
)

CONFIRMED_READ_ONLY_MESSAGE = (
    "確定した計画は変更できません。改訂するか、軽微な変更として記録してください。"
)
NO_ASSESSMENT_MESSAGE = "アセスメントが登録されていないため確定できません。"
NO_MEETING_MESSAGE = "担当者会議の記録（または開催しない理由）がないため確定できません。"
NO_NEEDS_MESSAGE = "第2表のニーズが1つもないため確定できません。"
PERIOD_ORDER_MESSAGE = "終了日は開始日以降の日付にしてください。"
TIME_ORDER_MESSAGE = "終了時刻は開始時刻より後にしてください。"
FUTURE_DATE_MESSAGE = (
    "未来の日付は入力できません（今日は{today}です）。実施した日を入力してください。"
)
LIVING_SUPPORT_REASON_MESSAGE = (
    "生活援助中心型の訪問介護を計画しているため、生活援助中心型の算定理由を選んでください。"
)
EQUIPMENT_RENTAL_REASON_WARNING = (
    "福祉用具貸与の援助内容には「福祉用具貸与が必要な理由」を書いてください（確定の前に必要です）。"
)
NO_PRIMARY_DOCTOR_MESSAGE = (
    "医療系サービス（訪問看護・訪問リハ・通所リハ・居宅療養管理指導など）を位置付けた計画は"
    "主治医にも交付します。利用者台帳に主治医を登録してください。"
)

# Legal moves of the plan status machine.
TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.MET}),
    PlanStatus.MET: frozenset({PlanStatus.CONFIRMED}),
    PlanStatus.CONFIRMED: frozenset({PlanStatus.SUPERSEDED}),
    PlanStatus.SUPERSEDED: frozenset(),
}

PLAN_EDITABLE_FIELDS = (
    "sheet_date",
    "plan_kind",
    "drafted_on",
    "first_plan_on",
    "starts_on",
    "wishes_and_analysis",
    "committee_opinion",
    "overall_policy",
    "living_support_reason",
    "living_support_other",
    "non_weekly_services",
    "assessment",
)


class InvalidTransitionError(ValidationError):
    """A status change the machine does not allow."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    loaded: str
    current: str


@dataclass(frozen=True)
class FieldConflict:
    """A field both writers changed to different values: the saved one and this writer's."""

    field: str
    label: str
    theirs: str
    yours: str


@dataclass(frozen=True)
class MergeNote:
    """What an automatic merge did: fields taken from this writer, fields kept as saved."""

    yours: tuple[str, ...]
    theirs: tuple[str, ...]
    by_self: bool

    @property
    def other_party(self) -> str:
        return (
            "別のタブ（または画面）であなたが保存した内容"
            if self.by_self
            else "他の職員が保存した内容"
        )

    @property
    def message(self) -> str:
        parts = [f"{self.other_party}と合わせて保存しました。"]
        if self.yours:
            parts.append(f"あなたの変更：{'、'.join(self.yours)}。")
        if self.theirs:
            parts.append(f"先に保存された変更（そのまま残しました）：{'、'.join(self.theirs)}。")
        return "".join(parts)


class PlanEditConflictError(Exception):
    """Someone saved the plan after this form was loaded; nothing was written.

    `conflicts` lists the fields both changed differently (the user has to choose); `current`
    is the row as saved now and `merge` the field-by-field outcome, when the form carried the
    values it was loaded with."""

    def __init__(
        self,
        plan: CarePlan,
        changes: list[FieldChange],
        *,
        conflicts: list[FieldConflict] | None = None,
        current: Model | None = None,
        merge: MergeResult | None = None,
        by_self: bool = False,
    ) -> None:
        super().__init__("care plan was changed by someone else")
        self.plan = plan
        self.changes = changes
        self.conflicts = conflicts or []
        self.current = current
        self.merge = merge
        self.by_self = by_self

    @property
    def other_party(self) -> str:
        return "別のタブ（または画面）であなた" if self.by_self else "他の職員"


@dataclass
class SaveResult:
    """What a save wrote, plus warnings to show (never blocking)."""

    instance: Any
    warnings: list[str] = field(default_factory=list)
    merged: MergeNote | None = None


def _w(day: dt.date | None) -> str:
    return wareki_date(day) if day else ""


def _display(instance: Model, field_name: str) -> str:
    model_field = instance._meta.get_field(field_name)
    value = getattr(instance, model_field.attname)
    if value in (None, ""):
        return "（なし）"
    if model_field.is_relation:
        related = getattr(instance, field_name)
        return str(related) if related is not None else "（なし）"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return wareki_date(value)
    return str(value)


def _refuse_future(**days: dt.date | None) -> None:
    """A completed event (会議の開催, 同意, 交付, 軽微な変更, アセスメント実施) cannot be dated
    after today — today being the office's local date (Asia/Tokyo), not UTC."""
    today = timezone.localdate()
    errors = {
        field_name: FUTURE_DATE_MESSAGE.format(today=wareki_date(today))
        for field_name, day in days.items()
        if day is not None and day > today
    }
    if errors:
        raise ValidationError(errors)


# --- status machine ----------------------------------------------------------------------


def _transition(plan: CarePlan, to: str) -> None:
    if to not in TRANSITIONS[plan.status]:
        raise InvalidTransitionError(
            f"「{plan.get_status_display()}」の計画を「{PlanStatus(to).label}」にはできません。"
        )
    plan.status = to


def _lock_plan(plan: CarePlan) -> CarePlan:
    return CarePlan.objects.select_for_update().get(pk=plan.pk)


def _require_editable(plan: CarePlan, field_name: str | None = None) -> None:
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.MET):
        raise ValidationError(
            {field_name: CONFIRMED_READ_ONLY_MESSAGE}
            if field_name
            else {"__all__": CONFIRMED_READ_ONLY_MESSAGE}
        )


def _changes_since(plan: CarePlan, loaded_version: int, current: CarePlan) -> list[FieldChange]:
    """Plan fields that differ between the version the user loaded and the current row."""
    event = plan.events.filter(version=loaded_version).order_by("-pgh_id").first()
    if event is None:
        return []
    changes = []
    for name in (*PLAN_EDITABLE_FIELDS, "status"):
        model_field = CarePlan._meta.get_field(name)
        before_value = getattr(event, model_field.attname)
        if before_value == getattr(current, model_field.attname):
            continue
        loaded = CarePlan(**{model_field.attname: before_value})
        changes.append(
            FieldChange(
                name, str(model_field.verbose_name), _display(loaded, name), _display(current, name)
            )
        )
    if not changes and current.version != loaded_version:
        changes.append(
            FieldChange(
                "rows",
                "第2表・第3表の行",
                f"更新番号 {loaded_version}",
                f"更新番号 {current.version}（行が追加・変更・削除されました）",
            )
        )
    return changes


def _check_version(plan: CarePlan, locked: CarePlan, expected_version: int) -> None:
    if locked.version != expected_version:
        raise PlanEditConflictError(locked, _changes_since(plan, expected_version, locked))


def _saved_by_self(row: Model, loaded_version: int, staff_id: int) -> bool:
    """Whether every save of a versioned, history-tracked row (plan, assessment) after
    `loaded_version` was made by `staff_id` — i.e. the same person in another tab."""
    savers = set(
        row.events.filter(version__gt=loaded_version).values_list(
            "pgh_context__metadata__user", flat=True
        )
    )
    return savers == {staff_id}


def _label(instance: Model, name: str) -> str:
    return str(instance._meta.get_field(name).verbose_name)


def _merge_onto(
    *,
    plan: CarePlan,
    locked: CarePlan,
    expected_version: int,
    staff_id: int,
    current: Model | None,
    fields: Mapping[str, Any],
    original: Mapping[str, str],
) -> tuple[dict[str, Any], MergeNote]:
    """Three-way merge of this writer's `fields` onto the saved row `current` (None for a new
    row: nothing to merge). Raises PlanEditConflictError when a field was changed by both."""
    by_self = _saved_by_self(plan, expected_version, staff_id)
    if current is None:
        return dict(fields), MergeNote((), (), by_self)
    names = [name for name in fields if _is_model_field(current, name)]
    result = three_way_merge(
        original, instance_values(current, names), text_values({n: fields[n] for n in names})
    )
    if result.conflicts:
        conflicts = describe_conflicts(current, fields, result.conflicts)
        raise PlanEditConflictError(
            locked,
            _changes_since(plan, expected_version, locked),
            conflicts=conflicts,
            current=current,
            merge=result,
            by_self=by_self,
        )
    merged = dict(fields)
    for name in result.theirs:
        merged[name] = getattr(current, name)
    note = MergeNote(
        tuple(_label(current, n) for n in result.yours),
        tuple(_label(current, n) for n in result.theirs),
        by_self,
    )
    return merged, note


def describe_conflicts(
    current: Model, fields: Mapping[str, Any], names: tuple[str, ...]
) -> list[FieldConflict]:
    """Both values of each conflicting field, as shown to the user."""
    shadow = copy.copy(current)
    for name in names:
        setattr(shadow, name, fields.get(name))
    return [
        FieldConflict(name, _label(current, name), _display(current, name), _display(shadow, name))
        for name in names
    ]


def _is_model_field(instance: Model, name: str) -> bool:
    try:
        instance._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _bump(plan: CarePlan) -> None:
    CarePlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)
