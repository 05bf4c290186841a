"""給付管理票 (様式第十一) per client-month, its lines, and what was submitted when."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from billing.models.tickets import TICKET_CASELOAD_PATHS, ServiceTicket


class SheetKind(models.TextChoices):
    NEW = "1", "新規"
    CORRECTION = "2", "修正"
    CANCEL = "3", "取消"


class SheetStatus(models.TextChoices):
    DRAFT = "draft", "作成済（未提出）"
    SUBMITTED = "submitted", "提出済"
    ACCEPTED = "accepted", "受付済"
    RETURNED = "returned", "返戻"
    WITHDRAWN = "withdrawn", "取下げ"


@pghistory.track()
class BenefitManagementSheet(models.Model):
    """One 給付管理票 of a client-month. A correction or cancellation is a new sheet (作成区分
    2/3) that `supersedes` the accepted one; a returned sheet is re-submitted as a new 新規."""

    scope_office_path = "ticket__client__office"
    scope_caseload_paths = TICKET_CASELOAD_PATHS

    ticket = models.ForeignKey(
        ServiceTicket, on_delete=models.PROTECT, related_name="benefit_sheets"
    )
    kind = models.CharField("作成区分", max_length=1, choices=SheetKind.choices)
    status = models.CharField(
        "状態", max_length=12, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    created_on = models.DateField("作成年月日")
    insurer_number = models.CharField("証記載保険者番号", max_length=8)
    insured_number = models.CharField("被保険者番号", max_length=10)
    care_level = models.CharField("要介護状態区分", max_length=2)
    limit_units = models.PositiveIntegerField("支給限度額")
    limit_from = models.DateField("限度額適用期間（開始）")
    limit_to = models.DateField("限度額適用期間（終了）")
    plan_author_kind = models.CharField("計画作成区分", max_length=1, default="1")
    care_manager_number = models.CharField("担当介護支援専門員番号", max_length=8, blank=True)
    delegate_office_number = models.CharField("委託先事業所番号", max_length=10, blank=True)
    delegate_care_manager_number = models.CharField(
        "委託先の担当介護支援専門員番号", max_length=8, blank=True
    )
    total_units = models.PositiveIntegerField("給付計画合計単位数", default=0)
    lines = models.JSONField(
        "明細行",
        default=list,
        help_text="[{line_no, provider_number, provider_kind, service_type, units}]",
    )
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submission = models.ForeignKey(
        "billing.ClaimSubmission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sheets",
        verbose_name="提出ファイル",
    )
    return_reason = models.CharField("返戻の理由", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "給付管理票"
        verbose_name_plural = "給付管理票"
        ordering = ["ticket", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(status="draft"),
                name="benefit_sheet_one_draft_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"給付管理票 {self.get_kind_display()} {self.get_status_display()}"


class ClaimSubmission(models.Model):
    """A 国保連 exchange file written for an office-month (bytes kept, with the checksum)."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    month = models.DateField("サービス提供年月")
    filename = models.CharField("ファイル名", max_length=100)
    content = models.BinaryField("内容")
    sha256 = models.CharField("SHA-256", max_length=64)
    record_count = models.PositiveIntegerField("レコード数")
    sheet_count = models.PositiveIntegerField("給付管理票の件数")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_on = models.DateField("提出日", null=True, blank=True)

    class Meta:
        verbose_name = "国保連への提出ファイル"
        verbose_name_plural = "国保連への提出ファイル"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename


class BatchStatus(models.TextChoices):
    RUNNING = "running", "実行中"
    DONE = "done", "完了"
    FAILED = "failed", "失敗"


class BatchRun(models.Model):
    """Single-flight month-start batch per office × month × kind (a partial unique index
    allows one running row)."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    month = models.DateField("サービス提供年月")
    kind = models.CharField("種別", max_length=20, default="kyufu_kanri")
    status = models.CharField(
        "状態", max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    done = models.PositiveIntegerField("処理済み", default=0)
    total = models.PositiveIntegerField("件数", default=0)
    error = models.TextField("エラー", blank=True)
    submission = models.ForeignKey(
        ClaimSubmission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField("開始日時", auto_now_add=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)

    class Meta:
        verbose_name = "月初バッチ"
        verbose_name_plural = "月初バッチ"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "month", "kind"],
                condition=Q(status="running"),
                name="batch_run_single_flight",
                violation_error_message="同じ月の処理が実行中です。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} {self.get_status_display()}"
