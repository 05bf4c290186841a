"""評価表: the evaluation of each short-term goal at the end of its period (printable).

The standard 評価表 lists, per short-term goal and its 援助内容, the result (◎ ○ △ × …) and
a comment on what worked and what needs revising. One sheet covers the goals of one plan
whose periods end around the same date.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from clients.models.client import CLIENT_CASELOAD_PATHS


class EvaluationResult(models.TextChoices):
    EXCEEDED = "exceeded", "◎ 短期目標は予想を上回って達せられた"
    ACHIEVED = "achieved", "○ 短期目標は達せられた（再度アセスメントして新たに短期目標を設定する）"
    EXTEND = "extend", "△ 短期目標は達成可能だが期間延長を要する"
    HARD = "hard", "× 短期目標の達成は困難であり見直しを要する"
    OTHER = "other", "× その他（状況変化などで評価困難）"


@pghistory.track()
class EvaluationSheet(models.Model):
    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="evaluation_sheets"
    )
    plan = models.ForeignKey(
        "careplans.CarePlan", on_delete=models.PROTECT, related_name="evaluation_sheets"
    )
    evaluated_on = models.DateField("評価日")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="評価者"
    )
    summary = models.TextField("総括", blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "評価表"
        verbose_name_plural = "評価表"
        ordering = ["client", "-evaluated_on", "-pk"]

    def __str__(self) -> str:
        return f"評価表 {self.evaluated_on:%Y-%m-%d}"


class EvaluationLine(models.Model):
    scope_office_path = "sheet__client__office"
    scope_caseload_paths = ("sheet__client__care_manager", "sheet__client__deputy_care_manager")

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="lines")
    goal = models.ForeignKey("careplans.Goal", on_delete=models.PROTECT, related_name="+")
    support_item = models.ForeignKey(
        "careplans.SupportItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="援助内容",
    )
    result = models.CharField("結果", max_length=10, choices=EvaluationResult.choices)
    comment = models.TextField(
        "コメント", blank=True, help_text="効果が認められたもの／見直しを要するもの"
    )

    class Meta:
        verbose_name = "評価表の行"
        verbose_name_plural = "評価表の行"
        ordering = ["sheet", "goal__need__order", "goal__order", "support_item__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "goal", "support_item"],
                name="evaluation_line_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()[:1]} 目標{self.goal_id}"
