"""The care plan version (第1表 header, status machine, certification snapshot)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from careplans.models.assessment import (
    CLIENT_CASELOAD_PATHS,
    Assessment,
)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "原案"
    MET = "met", "会議済"
    CONFIRMED = "confirmed", "確定"
    SUPERSEDED = "superseded", "改訂済"


OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.MET)
EDITABLE_STATUSES = (PlanStatus.DRAFT, PlanStatus.MET)


class PlanKind(models.TextChoices):
    """初回・紹介・継続 with the ケアプランデータ連携 codes (REFERENCE §1.1)."""

    INITIAL = "11", "初回"
    REFERRAL = "12", "紹介"
    CONTINUING = "21", "継続"
    INITIAL_REFERRAL = "51", "初回・紹介"
    INITIAL_CONTINUING = "52", "初回・継続"
    REFERRAL_CONTINUING = "53", "紹介・継続"
    ALL = "54", "初回・紹介・継続"


class CertificationState(models.TextChoices):
    PENDING = "1", "申請中"
    CERTIFIED = "2", "認定済"


class LivingSupportReason(models.TextChoices):
    """生活援助中心型の算定理由."""

    ALONE = "1", "一人暮らし"
    FAMILY_UNABLE = "2", "家族等が障害、疾病等"
    OTHER = "3", "その他"


@pghistory.track()
class CarePlan(models.Model):
    """居宅サービス計画 — one version (第n版) with 第1表 fields; 第2・3表 hang off it."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="care_plans", verbose_name="利用者"
    )
    sequence = models.PositiveIntegerField("版")
    status = models.CharField(
        "状態", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name="改訂元",
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name="根拠となるアセスメント",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="居宅サービス計画作成者",
    )
    # 第1表
    sheet_date = models.DateField("作成年月日")
    plan_kind = models.CharField("初回・紹介・継続", max_length=2, choices=PlanKind.choices)
    drafted_on = models.DateField(
        "居宅サービス計画作成（変更）日", help_text="原案を作成（変更）した日"
    )
    first_plan_on = models.DateField("初回居宅サービス計画作成日", null=True, blank=True)
    starts_on = models.DateField(
        "計画の開始日", help_text="この計画でサービスを始める日（第3表「年 月分より」）"
    )
    certification_state = models.CharField(
        "認定済・申請中", max_length=1, choices=CertificationState.choices
    )
    certification = models.ForeignKey(
        "clients.Certification",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="要介護認定",
    )
    wishes_and_analysis = models.TextField(
        "利用者及び家族の生活に対する意向を踏まえた課題分析の結果", blank=True
    )
    committee_opinion = models.TextField("介護認定審査会の意見及びサービスの種類の指定", blank=True)
    overall_policy = models.TextField("総合的な援助の方針", blank=True)
    living_support_reason = models.CharField(
        "生活援助中心型の算定理由", max_length=1, choices=LivingSupportReason.choices, blank=True
    )
    living_support_other = models.CharField("その他の理由", max_length=200, blank=True)
    # 第3表
    non_weekly_services = models.TextField("週単位以外のサービス", blank=True)
    # 担当者会議を開催しない場合
    no_meeting_reason = models.TextField("担当者会議を開催しない理由", blank=True)
    no_meeting_recorded_on = models.DateField("照会・記録日", null=True, blank=True)
    # 説明・同意・交付
    consented_on = models.DateField("説明・同意日", null=True, blank=True)
    consented_by = models.CharField(
        "同意した人", max_length=100, blank=True, help_text="本人が署名できない場合は代筆者と続柄"
    )
    delivered_on = models.DateField("利用者への交付日", null=True, blank=True)
    superseded_on = models.DateField("改訂日", null=True, blank=True)
    # ケアプランデータ連携 import: what could not be read as sent (row, field, raw text, message)
    import_warnings = models.JSONField(
        "取り込み時の確認事項", default=list, blank=True, editable=False
    )
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "居宅サービス計画"
        verbose_name_plural = "居宅サービス計画"
        ordering = ["client", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["client", "sequence"], name="care_plan_sequence"),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status__in=["draft", "met"]),
                name="care_plan_one_open_draft",
                violation_error_message="作成中の原案が既にあります。",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="confirmed"),
                name="care_plan_one_confirmed",
                violation_error_message="確定済みの計画は1つだけです。",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed")
                | Q(consented_on__isnull=False, delivered_on__isnull=False),
                name="care_plan_confirmed_has_consent",
                violation_error_message="確定には説明・同意日と交付日が必要です。",
            ),
            models.CheckConstraint(
                condition=Q(consented_on__isnull=True) | Q(consented_on__gte=F("drafted_on")),
                name="care_plan_consent_after_draft",
                violation_error_message="説明・同意日は原案作成日以降の日付にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True) | Q(delivered_on__gte=F("consented_on")),
                name="care_plan_delivery_after_consent",
                violation_error_message="交付日は説明・同意日以降の日付にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.sequence}版（{self.get_status_display()}）"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES
