"""The one write of the 評価表: create or correct a sheet and its lines in one transaction.

    evaluation_record(actor=..., plan=..., evaluated_on=..., summary=..., lines=[LineInput, …])
    evaluation_record(..., sheet=sheet, expected_version=n)   # a correction (optimistic lock)

Rules (refused with a Japanese message at the field, nothing saved):
1. only care managers and the office manager write (require_plan_writer);
2. the plan is 確定 or 改訂済 (a 原案 has no period to evaluate yet);
3. 評価日 is not in the future and not before the plan's start (計画の開始日);
4. at least one goal is evaluated, each goal of this plan at most once, with a known 結果.
A new sheet sends `evaluation_recorded` (caremgmt.events) for the 支援経過 and work queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caremgmt.access import Actor, require_plan_writer
from caremgmt.events import emit
from caremgmt.locking import lock_for_edit
from caremgmt.wareki import wareki_date
from careplans.models import CarePlan, Goal, PlanStatus
from monitoring.evaluation.marks import result_mark
from monitoring.models import EvaluationLine, EvaluationResult, EvaluationSheet

SHEET_FIELDS = ("evaluated_on", "summary")
FUTURE_MESSAGE = "評価日に未来の日付は入力できません。"
NO_LINE_MESSAGE = "評価する短期目標を1つ以上選んでください。"
PLAN_STATUS_MESSAGE = "確定した（または改訂済の）計画だけを評価できます。"
UNKNOWN_GOAL_MESSAGE = "この計画の短期目標ではないものが含まれています。"
DUPLICATE_GOAL_MESSAGE = "同じ短期目標が2回含まれています。"
UNKNOWN_RESULT_MESSAGE = "結果の選択が正しくありません。"


@dataclass(frozen=True)
class LineInput:
    """One evaluated short-term goal: its 結果 (EvaluationResult) and コメント."""

    goal_id: int
    result: str
    comment: str = ""


def _before_start_message(plan: CarePlan) -> str:
    return f"評価日は計画の開始日（{wareki_date(plan.starts_on)}）以降の日付にしてください。"


def validate_evaluation(
    *, plan: CarePlan, evaluated_on: dt.date, lines: Sequence[LineInput], today: dt.date
) -> None:
    """Raise ValidationError (field → message) when the sheet breaks a rule (2–4 above)."""
    errors: dict[str, list[str]] = {}
    if plan.status not in (PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED):
        errors.setdefault("__all__", []).append(PLAN_STATUS_MESSAGE)
    if evaluated_on > today:
        errors["evaluated_on"] = [FUTURE_MESSAGE]
    elif evaluated_on < plan.starts_on:
        errors["evaluated_on"] = [_before_start_message(plan)]
    if not lines:
        errors.setdefault("__all__", []).append(NO_LINE_MESSAGE)
    goal_ids = [line.goal_id for line in lines]
    plan_goal_ids = set(Goal.objects.filter(need__plan=plan).values_list("pk", flat=True))
    if set(goal_ids) - plan_goal_ids:
        errors.setdefault("__all__", []).append(UNKNOWN_GOAL_MESSAGE)
    if len(set(goal_ids)) != len(goal_ids):
        errors.setdefault("__all__", []).append(DUPLICATE_GOAL_MESSAGE)
    if any(line.result not in EvaluationResult.values for line in lines):
        errors.setdefault("__all__", []).append(UNKNOWN_RESULT_MESSAGE)
    if errors:
        raise ValidationError(errors)


def evaluation_summary(lines: Sequence[LineInput]) -> str:
    """The 第5表 text of a new sheet: counts per mark, no names ("短期目標3件：◎1・○2")."""
    results = [line.result for line in lines]
    counts = "・".join(
        f"{result_mark(value)}{results.count(value)}"
        for value in EvaluationResult.values
        if value in results
    )
    return f"評価表を作成（短期目標{len(lines)}件：{counts}）"


@transaction.atomic
def evaluation_record(
    *,
    actor: Actor,
    plan: CarePlan,
    evaluated_on: dt.date,
    summary: str,
    lines: Sequence[LineInput],
    sheet: EvaluationSheet | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> EvaluationSheet:
    """Create a 評価表 for `plan`, or correct `sheet` when nobody saved it since
    `expected_version` was loaded (StaleEditError otherwise; nothing written). The lines are
    replaced with the sheet, so its version covers them too."""
    require_plan_writer(actor)
    if sheet is not None:
        sheet = lock_for_edit(sheet, expected_version, SHEET_FIELDS)
        plan = CarePlan.objects.get(pk=sheet.plan_id)
    validate_evaluation(
        plan=plan, evaluated_on=evaluated_on, lines=lines, today=today or timezone.localdate()
    )
    created = sheet is None
    if sheet is None:
        sheet = EvaluationSheet(client_id=plan.client_id, plan=plan, author=actor.staff)
    else:
        sheet.version += 1
    sheet.evaluated_on = evaluated_on
    sheet.summary = summary.strip()
    sheet.save()
    sheet.lines.all().delete()
    EvaluationLine.objects.bulk_create(
        EvaluationLine(sheet=sheet, goal_id=line.goal_id, result=line.result, comment=line.comment)
        for line in lines
    )
    if created:
        emit(
            "evaluation_recorded",
            client_id=plan.client_id,
            on=evaluated_on,
            summary=evaluation_summary(lines),
            source=sheet,
            actor=actor.staff,
        )
    return sheet
