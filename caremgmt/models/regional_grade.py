"""地域区分 over time. Grades are reset every three years by 告示, so an office's or a
provider's grade is a history (grade, valid from, valid to) and prices use the grade valid
on the service date (`caremgmt.regional_grades.regional_grade_on`)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from caremgmt.choices import RegionalGrade


class RegionalGradePeriod(models.Model):
    """One grade for a period; `valid_to` empty = still in force."""

    grade = models.CharField("地域区分", max_length=5, choices=RegionalGrade.choices)
    valid_from = models.DateField("適用開始日")
    valid_to = models.DateField(
        "適用終了日", null=True, blank=True, help_text="空欄なら現在も適用中"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="登録者",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.valid_from}〜{self.valid_to or ''}"


def regional_grade_constraints(prefix: str, owner: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            name=f"{prefix}_period_order",
            violation_error_message="適用終了日は適用開始日以降の日付にしてください。",
        ),
        models.UniqueConstraint(
            fields=[owner, "valid_from"],
            name=f"{prefix}_unique_start",
            violation_error_message="同じ適用開始日の地域区分が既にあります。",
        ),
    ]


@pghistory.track()
class OfficeRegionalGrade(RegionalGradePeriod):
    """事業所の地域区分 — the grade of our own office for a period."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office",
        on_delete=models.CASCADE,
        related_name="regional_grades",
        verbose_name="事業所",
    )

    class Meta:
        verbose_name = "事業所の地域区分"
        verbose_name_plural = "事業所の地域区分"
        ordering = ["office", "-valid_from"]
        constraints = regional_grade_constraints("office_regional_grade", "office")
