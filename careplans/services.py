"""Every write to assessments, plans and meetings. Keyword-only, typed, one transaction each.

Rules owned here (REFERENCE §1, §9):

1. Status machine 原案 → 会議済 → 確定 → 改訂済 (`TRANSITIONS`); anything else is refused.
2. Date order: アセスメント実施日 ≤ 原案作成日 ≤ 会議開催日 ≤ 説明・同意日 ≤ 交付日. An
   out-of-order date is refused with a Japanese message on that field.
3. A plan is confirmed only with an assessment, a meeting record (or a recorded reason why
   no meeting was held), at least one ニーズ, and 説明・同意日 + 交付日.
4. A confirmed plan is never edited: revise it (a new draft copied from it) or append a
   軽微な変更.
5. Optimistic lock: every plan edit names the `version` it was loaded at; a stale save is
   refused with what the other person changed (`PlanEditConflictError`).
6. 第2表 goal periods lie within the certification period; outside it is refused, except
   while an application is pending (申請中) — then it is a warning only.
7. 第3表 insured items name a provider that offers the service type and a サービスコード
   valid on the plan's start date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model, Q

from caremgmt.access import Actor, require_writer
from caremgmt.choices import ServiceType
from caremgmt.models import ServiceCode
from caremgmt.wareki import wareki_date
from careplans.assessment_items import CURRENT_ITEM_SET, clean_answers
from careplans.models import (
    Assessment,
    CarePlan,
    CertificationState,
    DailyActivity,
    Goal,
    Meeting,
    MeetingAttendee,
    MinorChange,
    Need,
    PlanDelivery,
    PlanKind,
    PlanStatus,
    SupportItem,
    WeeklyService,
)
from clients.models import ApplicationStatus, CertificationApplication, Client, ServiceProvider
from clients.selectors import client_facts_on

CONFIRMED_READ_ONLY_MESSAGE = (
    "確定した計画は変更できません。改訂するか、軽微な変更として記録してください。"
)
NO_ASSESSMENT_MESSAGE = "アセスメントが登録されていないため確定できません。"
NO_MEETING_MESSAGE = "担当者会議の記録（または開催しない理由）がないため確定できません。"
NO_NEEDS_MESSAGE = "第2表のニーズが1つもないため確定できません。"
PERIOD_ORDER_MESSAGE = "終了日は開始日以降の日付にしてください。"
TIME_ORDER_MESSAGE = "終了時刻は開始時刻より後にしてください。"
LIVING_SUPPORT_REASON_MESSAGE = (
    "生活援助中心型の訪問介護を計画しているため、生活援助中心型の算定理由を選んでください。"
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


class PlanEditConflictError(Exception):
    """Someone saved the plan after this form was loaded; nothing was written."""

    def __init__(self, plan: CarePlan, changes: list[FieldChange]) -> None:
        super().__init__("care plan was changed by someone else")
        self.plan = plan
        self.changes = changes


@dataclass
class SaveResult:
    """What a save wrote, plus warnings to show (never blocking)."""

    instance: Any
    warnings: list[str] = field(default_factory=list)


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
    if isinstance(value, dt.date):
        return wareki_date(value)
    return str(value)


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


def _bump(plan: CarePlan) -> None:
    CarePlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)


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
    require_writer(actor)
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
    require_writer(actor)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.version != expected_version:
        raise ValidationError(
            {"__all__": "他の職員がこのアセスメントを先に保存しました。画面を開き直してください。"}
        )
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
    require_writer(actor)
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


@transaction.atomic
def careplan_update(
    *, actor: Actor, plan: CarePlan, expected_version: int, fields: Mapping[str, Any]
) -> CarePlan:
    """Save 第1表 edits of an open draft, under the optimistic version check."""
    require_writer(actor)
    locked = _lock_plan(plan)
    _require_editable(locked)
    _check_version(plan, locked, expected_version)
    values = {k: v for k, v in fields.items() if k in PLAN_EDITABLE_FIELDS}
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
    return locked


def _copy_rows(source: CarePlan, target: CarePlan) -> None:
    item_map: dict[int, SupportItem] = {}
    for need in source.needs.prefetch_related("goals__support_items"):
        new_need = Need.objects.create(plan=target, order=need.order, text=need.text)
        for goal in need.goals.all():
            old_goal_pk = goal.pk
            goal.pk = None
            goal.need = new_need
            goal.save()
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
    require_writer(actor)
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
    require_writer(actor)
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
    require_writer(actor)
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
    require_writer(actor)
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
    require_writer(actor)
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
    require_writer(actor)
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


@transaction.atomic
def plan_row_delete(*, actor: Actor, plan: CarePlan, expected_version: int, row: Model) -> None:
    """Delete one 第2表/第3表 row (and what hangs under it) from an open draft."""
    require_writer(actor)
    locked = _edit_rows(plan, expected_version)
    row.delete()
    _bump(locked)


# --- 第4表 and the move to 会議済 ---------------------------------------------------------


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
) -> Meeting:
    """Record (or correct) a サービス担当者会議 for an open plan version. When its conclusion
    accepts the draft (`concludes_plan`), the plan moves 原案 → 会議済."""
    require_writer(actor)
    locked = _lock_plan(plan)
    _require_editable(locked)
    held_on = fields["held_on"]
    _check_meeting_date(locked, held_on)
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
    for name in (
        "held_on",
        "place",
        "starts_at",
        "ends_at",
        "items_discussed",
        "discussion",
        "conclusion",
        "remaining_issues",
        "concludes_plan",
    ):
        if name in fields:
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
    return meeting


@transaction.atomic
def careplan_record_no_meeting(
    *, actor: Actor, plan: CarePlan, reason: str, recorded_on: dt.date
) -> CarePlan:
    """担当者会議を開催しない (やむを得ない理由 + 照会で意見を求めた): 原案 → 会議済."""
    require_writer(actor)
    locked = _lock_plan(plan)
    if not reason.strip():
        raise ValidationError({"reason": "開催しない理由を入力してください。"})
    if recorded_on < locked.drafted_on:
        raise ValidationError(
            {
                "recorded_on": f"記録日は原案作成日（{_w(locked.drafted_on)}）以降の日付にしてください。"
            }
        )
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
    require_writer(actor)
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
    require_writer(actor)
    locked = _lock_plan(plan)
    if locked.status != PlanStatus.CONFIRMED:
        raise ValidationError({"__all__": "軽微な変更は確定した計画にだけ記録できます。"})
    if changed_on < locked.consented_on:
        raise ValidationError(
            {
                "changed_on": f"変更日は説明・同意日（{_w(locked.consented_on)}）以降の日付にしてください。"
            }
        )
    change = MinorChange.objects.create(
        plan=locked, changed_on=changed_on, content=content, reason=reason, recorded_by=actor.staff
    )
    CarePlan.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    return change
