"""The whole-month print run (一括印刷): every document of every ticket of a month in scope.

A `PrintRun` is the state of record in Postgres (QUALITY R4): Celery carries only its id.
Its `PrintRunItem`s point at the shared `caremgmt.PrintJob`s (content-hash cached, so an
unchanged document is reused, not rendered again); `PrintRunMerge` is the merged PDF of one
care manager, stored once so a second download does not merge again.

Scope: `care_manager` set = that care manager's caseload (clients whose 担当 is them);
null = the whole office (管理者・事務). At most one run per (office, month, scope) is active
at a time — a partial unique index, so two simultaneous starts cannot both win.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

__all__ = [
    "ACTIVE_STATUSES",
    "PrintRun",
    "PrintRunItem",
    "PrintRunMerge",
    "PrintRunStatus",
]


class PrintRunStatus(models.TextChoices):
    QUEUED = "queued", "待機中"
    BUILDING = "building", "帳票を準備中"
    RENDERING = "rendering", "PDFを作成中"
    MERGING = "merging", "PDFをまとめています"
    DONE = "done", "完了"
    FAILED = "failed", "失敗"


#: A run in one of these holds its scope: a second start for the same scope is refused.
ACTIVE_STATUSES = (
    PrintRunStatus.QUEUED,
    PrintRunStatus.BUILDING,
    PrintRunStatus.RENDERING,
    PrintRunStatus.MERGING,
)


def merged_upload_to(merge: PrintRunMerge, filename: str) -> str:
    run = merge.run
    return f"print/{run.office_id}/runs/{run.month:%Y-%m}/{run.pk}/{filename}"


class PrintRun(models.Model):
    scope_office_path = "office"
    # A care manager sees the runs of their own caseload; office runs are for office roles.
    scope_caseload_paths = ("care_manager",)

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    month = models.DateField("サービス提供年月")
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="担当ケアマネジャー（空欄＝事業所全体）",
    )
    status = models.CharField(
        "状態", max_length=12, choices=PrintRunStatus.choices, default=PrintRunStatus.QUEUED
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="開始者"
    )
    ticket_total = models.PositiveIntegerField("対象の利用票数", default=0)
    error = models.TextField("エラー", blank=True)
    attempts = models.PositiveSmallIntegerField("実行回数", default=0)
    created_at = models.DateTimeField("開始日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = "一括印刷"
        verbose_name_plural = "一括印刷"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "month", "care_manager"],
                condition=Q(status__in=ACTIVE_STATUSES),
                nulls_distinct=False,
                name="print_run_one_active_per_scope",
                violation_error_message="同じ範囲の一括印刷が実行中です。",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PrintRunStatus.values), name="print_run_status_valid"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="print_run_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}分 一括印刷 ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class PrintRunItem(models.Model):
    """One document of the run: a ticket's document (本人用・控え・提供票) and its PrintJob.

    Created in the same transaction as the job request of its ticket, so after a crash a
    ticket has either all its items or none, and a re-run adds each document exactly once
    (unique on run × ticket × document × provider)."""

    scope_office_path = "run__office"
    scope_caseload_paths = ("run__care_manager",)

    run = models.ForeignKey(PrintRun, on_delete=models.CASCADE, related_name="items")
    ticket = models.ForeignKey(
        "billing.ServiceTicket", on_delete=models.CASCADE, related_name="+", verbose_name="利用票"
    )
    document = models.CharField("帳票", max_length=12)
    provider_id = models.BigIntegerField("事業所ID", null=True, blank=True)
    position = models.PositiveSmallIntegerField("利用者内の順番", default=0)
    # Copied at build time: the merge order (フリガナ) and its care manager's file.
    client_kana = models.CharField("フリガナ", max_length=100, blank=True)
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey(
        "caremgmt.PrintJob", on_delete=models.PROTECT, related_name="+", verbose_name="印刷ジョブ"
    )
    reused = models.BooleanField("作成済みPDFを再利用", default=False)

    class Meta:
        verbose_name = "一括印刷の帳票"
        verbose_name_plural = "一括印刷の帳票"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "ticket", "document", "provider_id"],
                nulls_distinct=False,
                name="print_run_item_once",
            ),
        ]
        indexes = [models.Index(fields=["run", "care_manager"], name="print_run_item_cm")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.ticket_id}:{self.document}"


class PrintRunMerge(models.Model):
    """The merged PDF of one care manager's documents in a run (stored once)."""

    scope_office_path = "run__office"
    scope_caseload_paths = ("run__care_manager",)

    run = models.ForeignKey(PrintRun, on_delete=models.CASCADE, related_name="merges")
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("PDF", upload_to=merged_upload_to, max_length=300)
    filename = models.CharField("ファイル名", max_length=200)
    document_count = models.PositiveIntegerField("帳票数", default=0)
    page_count = models.PositiveIntegerField("ページ数", default=0)
    byte_size = models.PositiveIntegerField("サイズ(バイト)", default=0)
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "一括印刷のPDF"
        verbose_name_plural = "一括印刷のPDF"
        constraints = [
            models.UniqueConstraint(fields=["run", "care_manager"], name="print_run_merge_once")
        ]

    def __str__(self) -> str:
        return self.filename
