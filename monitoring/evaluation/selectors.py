"""Reads of the 評価表: which plans can be evaluated, the goals to evaluate (prefilled from
the latest monitoring), a saved sheet's rows, and one goal's history across months.

Every function here runs a fixed number of queries, whatever the number of goals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from careplans.models import CarePlan, Goal, PlanStatus, SupportItem
from monitoring.due import last_day
from monitoring.evaluation.marks import result_mark
from monitoring.models import (
    Achievement,
    EvaluationLine,
    EvaluationResult,
    EvaluationSheet,
    GoalReview,
)

EVALUABLE_STATUSES = (PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED)

# A suggestion only (the care manager decides the 結果): the monitoring's 達成度 mapped to
# the mark it most often becomes. 未達成 is left blank — △ or × is a judgment.
SUGGESTED_RESULT = {
    Achievement.ACHIEVED: EvaluationResult.ACHIEVED,
    Achievement.PARTLY: EvaluationResult.EXTEND,
}


@dataclass
class GoalRow:
    """One short-term goal on the form: its 援助内容, whether its period ends this month or
    has ended (`due`: listed first and preselected), the latest monitoring of it and, when
    correcting a sheet, the line saved for it."""

    goal: Goal
    support_items: list[SupportItem]
    due: bool
    latest_review: GoalReview | None = None
    line: EvaluationLine | None = None

    def prefill(self) -> dict[str, object]:
        """Initial values of the goal's line: the saved line, else the latest monitoring."""
        if self.line is not None:
            return {"include": True, "result": self.line.result, "comment": self.line.comment}
        initial: dict[str, object] = {"include": self.due}
        review = self.latest_review
        if review is not None:
            initial["result"] = SUGGESTED_RESULT.get(review.achievement, "")
            initial["comment"] = review.observation
        return initial


@dataclass
class SheetRow:
    """One saved line of a sheet, with the goal's 援助内容 for display and print."""

    line: EvaluationLine
    support_items: list[SupportItem] = field(default_factory=list)

    @property
    def goal(self) -> Goal:
        return self.line.goal

    @property
    def mark(self) -> str:
        return result_mark(self.line.result)


def evaluable_plans(*, client_id: int) -> QuerySet[CarePlan]:
    """確定 or 改訂済 versions of the client's plan, newest first (a 原案 is not evaluated)."""
    return CarePlan.objects.filter(client_id=client_id, status__in=EVALUABLE_STATUSES).order_by(
        "-sequence"
    )


def plan_in_force(*, client_id: int) -> CarePlan | None:
    return CarePlan.objects.filter(client_id=client_id, status=PlanStatus.CONFIRMED).first()


def _items_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}support_items",
        queryset=SupportItem.objects.order_by("order", "pk"),
        to_attr="ordered_items",
    )


def plan_goals(*, plan: CarePlan) -> list[Goal]:
    """The plan's short-term goals in 第2表 order (need, then goal), with their 援助内容."""
    return list(
        Goal.objects.filter(need__plan=plan)
        .select_related("need")
        .prefetch_related(_items_prefetch())
        .order_by("need__order", "need__pk", "order", "pk")
    )


def latest_reviews(goal_ids: list[int]) -> dict[int, GoalReview]:
    """The most recent monitoring GoalReview of each goal (one query)."""
    reviews = (
        GoalReview.objects.filter(goal_id__in=goal_ids)
        .select_related("record")
        .order_by("goal_id", "-record__visited_on", "-record_id")
        .distinct("goal_id")
    )
    return {review.goal_id: review for review in reviews}


def evaluation_rows(
    *, plan: CarePlan, today: dt.date, sheet: EvaluationSheet | None = None
) -> list[GoalRow]:
    """The goals of `plan` to evaluate: those whose 短期目標 period ends this month or has
    ended come first (and are preselected), each group in 第2表 order."""
    month_end = last_day(today)
    goals = plan_goals(plan=plan)
    reviews = latest_reviews([goal.pk for goal in goals])
    lines: dict[int, EvaluationLine] = {}
    if sheet is not None:
        lines = {line.goal_id: line for line in sheet.lines.filter(support_item__isnull=True)}
    rows = [
        GoalRow(
            goal=goal,
            support_items=goal.ordered_items,
            due=goal.short_term_to is not None and goal.short_term_to <= month_end,
            latest_review=reviews.get(goal.pk),
            line=lines.get(goal.pk),
        )
        for goal in goals
    ]
    rows.sort(key=lambda row: not row.due)  # stable: 第2表 order within each group
    return rows


def sheet_rows(*, sheet: EvaluationSheet) -> list[SheetRow]:
    """The saved lines in 第2表 order, each with its goal's 援助内容 (two queries)."""
    lines = (
        EvaluationLine.objects.filter(sheet=sheet)
        .select_related("goal__need", "support_item")
        .prefetch_related(_items_prefetch("goal__"))
        .order_by("goal__need__order", "goal__need__pk", "goal__order", "goal__pk")
    )
    return [
        SheetRow(
            line=line,
            support_items=[line.support_item] if line.support_item else line.goal.ordered_items,
        )
        for line in lines
    ]


def result_counts(results: list[str]) -> list[tuple[str, int]]:
    """(mark, count) of each result that occurs, in the legend's order: "◎1・○2"."""
    return [
        (result_mark(value), results.count(value))
        for value in EvaluationResult.values
        if value in results
    ]


@dataclass
class GoalHistory:
    goal: Goal
    reviews: list[GoalReview]
    lines: list[EvaluationLine]


def goal_history(*, goal: Goal) -> GoalHistory:
    """Every monitoring GoalReview of one goal across months (oldest first) and every 評価表
    line that evaluated it."""
    reviews = list(
        GoalReview.objects.filter(goal=goal)
        .select_related("record", "record__author")
        .order_by("record__visited_on", "record_id")
    )
    lines = list(
        EvaluationLine.objects.filter(goal=goal)
        .select_related("sheet", "sheet__author")
        .order_by("sheet__evaluated_on", "sheet_id")
    )
    return GoalHistory(goal=goal, reviews=reviews, lines=lines)
