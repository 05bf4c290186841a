"""The monthly monitoring record (モニタリング) and what hangs off it.

One record is one visit (or テレビ電話) in a month: who was met, each short-term goal's
達成度, each service's satisfaction, changes in health / ADL / family / environment, and the
decision (継続 / 見直し). `month` is the 1st of the month the visit counts for — the month
of `visited_on`. テレビ電話 is allowed only under `VideoMonitoringConsent` and the
alternation rule (monitoring.services.video).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clients.models.client import CLIENT_CASELOAD_PATHS


class MonitoringPlace(models.TextChoices):
    HOME = "home", "自宅訪問"
    VIDEO = "video", "テレビ電話装置等"


class Achievement(models.TextChoices):
    ACHIEVED = "achieved", "達成"
    PARTLY = "partly", "一部達成"
    NOT_ACHIEVED = "not_achieved", "未達成"


class Satisfaction(models.TextChoices):
    SATISFIED = "5", "満足"
    FAIRLY = "4", "やや満足"
    NEUTRAL = "3", "普通"
    FAIRLY_NOT = "2", "やや不満"
    DISSATISFIED = "1", "不満"


class Decision(models.TextChoices):
    CONTINUE = "continue", "継続"
    REVIEW = "review", "見直し"


@pghistory.track()
class MonitoringRecord(models.Model):
    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="monitoring_records",
        verbose_name="利用者",
    )
    plan = models.ForeignKey(
        "careplans.CarePlan",
        on_delete=models.PROTECT,
        related_name="monitoring_records",
        verbose_name="対象の居宅サービス計画",
    )
    month = models.DateField("対象月", help_text="月の1日")
    visited_on = models.DateField("実施日")
    visited_at = models.TimeField("時刻", null=True, blank=True)
    place = models.CharField(
        "方法", max_length=10, choices=MonitoringPlace.choices, default=MonitoringPlace.HOME
    )
    met_persons = models.CharField("面接した人", max_length=200, help_text="例：本人、長女（同席）")
    health_change = models.TextField("心身の状況・健康状態の変化", blank=True)
    adl_change = models.TextField("ADL・IADLの変化", blank=True)
    family_change = models.TextField("家族の状況の変化", blank=True)
    environment_change = models.TextField("住環境・社会環境の変化", blank=True)
    overall = models.TextField("総括（計画の実施状況）", blank=True)
    decision = models.CharField(
        "今後の方針", max_length=10, choices=Decision.choices, default=Decision.CONTINUE
    )
    decision_reason = models.TextField("方針の理由", blank=True)
    # 翌月の利用票を説明・交付した (linked to the 交付 record of billing)
    next_ticket_explained = models.BooleanField("翌月の利用票を説明・交付した", default=False)
    next_ticket_version = models.ForeignKey(
        "billing.TicketVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="交付した利用票",
    )
    # 見直し: the assessment opened for the revision
    review_assessment = models.ForeignKey(
        "careplans.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="見直しのアセスメント",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "モニタリング記録"
        verbose_name_plural = "モニタリング記録"
        ordering = ["client", "-visited_on", "-pk"]
        indexes = [models.Index(fields=["client", "month"], name="monitoring_client_month")]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="monitoring_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.get_place_display()}"


class GoalReview(models.Model):
    """One short-term goal (第2表) of the plan, as seen at this visit."""

    scope_office_path = "record__client__office"
    scope_caseload_paths = ("record__client__care_manager", "record__client__deputy_care_manager")

    record = models.ForeignKey(MonitoringRecord, on_delete=models.CASCADE, related_name="goals")
    goal = models.ForeignKey("careplans.Goal", on_delete=models.PROTECT, related_name="+")
    achievement = models.CharField("達成度", max_length=15, choices=Achievement.choices)
    observation = models.TextField("状況・所見", blank=True)

    class Meta:
        verbose_name = "短期目標の達成度"
        verbose_name_plural = "短期目標の達成度"
        ordering = ["record", "goal__need__order", "goal__order"]
        constraints = [models.UniqueConstraint(fields=["record", "goal"], name="goal_review_once")]

    def __str__(self) -> str:
        return f"{self.get_achievement_display()} 目標{self.goal_id}"


class ServiceReview(models.Model):
    """The client's satisfaction with one service (第2表 援助内容) at this visit."""

    scope_office_path = "record__client__office"
    scope_caseload_paths = ("record__client__care_manager", "record__client__deputy_care_manager")

    record = models.ForeignKey(MonitoringRecord, on_delete=models.CASCADE, related_name="services")
    support_item = models.ForeignKey(
        "careplans.SupportItem", on_delete=models.PROTECT, related_name="+"
    )
    delivered_as_planned = models.BooleanField("計画どおり提供されている", default=True)
    satisfaction = models.CharField("満足度", max_length=1, choices=Satisfaction.choices)
    note = models.TextField("本人・家族の意見", blank=True)

    class Meta:
        verbose_name = "サービスの満足度"
        verbose_name_plural = "サービスの満足度"
        ordering = ["record", "support_item__goal__order", "support_item__order"]
        constraints = [
            models.UniqueConstraint(fields=["record", "support_item"], name="service_review_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_satisfaction_display()} 援助内容{self.support_item_id}"


def provider_report_upload_to(instance: ProviderReport, filename: str) -> str:
    return f"provider_reports/{instance.client_id}/{filename}"


class ProviderReport(models.Model):
    """A provider's monthly report (サービス提供報告書), attached to a client-month and
    optionally to the monitoring record that read it. Served only through a scoped view."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="provider_reports"
    )
    month = models.DateField("対象月")
    provider = models.ForeignKey(
        "clients.ServiceProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事業所",
    )
    record = models.ForeignKey(
        MonitoringRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="provider_reports",
    )
    file = models.FileField("ファイル", upload_to=provider_report_upload_to, max_length=300)
    original_name = models.CharField("ファイル名", max_length=200)
    received_on = models.DateField("受領日")
    note = models.CharField("メモ", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "事業所からの報告"
        verbose_name_plural = "事業所からの報告"
        ordering = ["client", "-month", "pk"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.month:%Y-%m}）"


@pghistory.track()
class VideoMonitoringConsent(models.Model):
    """テレビ電話装置等 monitoring: the client's written consent and the サービス担当者会議's
    agreement (主治医・providers agree the condition is stable). Ends on a change."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="video_consents"
    )
    consented_on = models.DateField("本人の文書による同意日")
    consented_by = models.CharField("同意した人", max_length=100, blank=True)
    meeting = models.ForeignKey(
        "careplans.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="合意したサービス担当者会議",
    )
    agreed_on = models.DateField("担当者会議での合意日", null=True, blank=True)
    agreement_note = models.TextField(
        "合意の内容", blank=True, help_text="主治医・事業所が状態の安定を確認した内容など"
    )
    ended_on = models.DateField(
        "終了日", null=True, blank=True, help_text="状態の変化などで対面に戻した日"
    )
    end_reason = models.CharField("終了の理由", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "テレビ電話モニタリングの同意"
        verbose_name_plural = "テレビ電話モニタリングの同意"
        ordering = ["client", "-consented_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("consented_on")),
                name="video_consent_end_after_start",
                violation_error_message="終了日は同意日以降の日付にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"テレビ電話の同意 {self.consented_on:%Y-%m-%d}"
