"""Assessment (課題分析) and its reasons."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from caremgmt.wareki import wareki_date
from careplans.assessment_items import CURRENT_ITEM_SET, ITEM_SET_LABELS

CLIENT_CASELOAD_PATHS = ("client__care_manager", "client__deputy_care_manager")
PLAN_CASELOAD_PATHS = ("plan__client__care_manager", "plan__client__deputy_care_manager")


class AssessmentReason(models.TextChoices):
    INITIAL = "initial", "初回"
    RENEWAL = "renewal", "更新"
    LEVEL_CHANGE = "level_change", "区分変更"
    DISCHARGE = "discharge", "退院・退所"
    CONDITION_CHANGE = "condition_change", "状態変化"
    OTHER = "other", "その他"


@pghistory.track()
class Assessment(models.Model):
    """課題分析 over the 23 standard items; `answers` follows `assessment_items`."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name="利用者",
    )
    sequence = models.PositiveIntegerField("回")
    assessed_on = models.DateField("実施日")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="実施者"
    )
    reason = models.CharField("アセスメントの理由", max_length=20, choices=AssessmentReason.choices)
    reason_note = models.CharField("理由の詳細", max_length=200, blank=True)
    place = models.CharField("実施場所", max_length=100, blank=True, help_text="例：自宅")
    item_set = models.CharField(
        "項目の版",
        max_length=10,
        default=CURRENT_ITEM_SET,
        choices=list(ITEM_SET_LABELS.items()),
    )
    answers = models.JSONField("回答", default=dict, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "アセスメント"
        verbose_name_plural = "アセスメント"
        ordering = ["client", "-assessed_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["client", "sequence"], name="assessment_sequence"),
        ]

    def __str__(self) -> str:
        return f"アセスメント 第{self.sequence}回（{wareki_date(self.assessed_on)}）"
