"""PDF print jobs: one rendered document (one client-month, one plan sheet …) per row."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PrintJobStatus(models.TextChoices):
    QUEUED = "queued", "待機中"
    RENDERING = "rendering", "作成中"
    DONE = "done", "完了"
    FAILED = "failed", "失敗"


#: The only legal status moves; `caremgmt.printing.services` refuses anything else.
PRINT_JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    PrintJobStatus.QUEUED: frozenset({PrintJobStatus.RENDERING}),
    PrintJobStatus.RENDERING: frozenset({PrintJobStatus.DONE, PrintJobStatus.FAILED}),
    PrintJobStatus.FAILED: frozenset({PrintJobStatus.QUEUED}),
    PrintJobStatus.DONE: frozenset(),
}


def print_job_upload_to(job: PrintJob, filename: str) -> str:
    return f"print/{job.office_id}/{job.created_at:%Y/%m}/{filename}"


class PrintJob(models.Model):
    """A PDF rendered in the background from stored HTML (queued → rendering → done/failed).

    Unique per (kind, subject, content hash): printing unchanged content again returns the
    finished job instead of rendering twice. `client_id` is a plain number, not a foreign
    key, so the core app does not depend on `clients`; caseload visibility is asked of the
    callbacks registered in `caremgmt.printing.registry` (see `print_job_for`).
    """

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()  # caseload is checked through the registry

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    client_id = models.BigIntegerField("利用者ID", null=True, blank=True, db_index=True)
    kind = models.CharField("帳票種別", max_length=40)
    subject_id = models.BigIntegerField("対象ID")
    content_hash = models.CharField("内容ハッシュ", max_length=64)
    filename = models.CharField("ファイル名", max_length=200)
    html = models.TextField("HTML")
    status = models.CharField(
        "状態", max_length=12, choices=PrintJobStatus.choices, default=PrintJobStatus.QUEUED
    )
    file = models.FileField("PDF", upload_to=print_job_upload_to, max_length=300, blank=True)
    page_count = models.PositiveIntegerField("ページ数", null=True, blank=True)
    byte_size = models.PositiveIntegerField("サイズ(バイト)", null=True, blank=True)
    error = models.TextField("エラー", blank=True)
    attempts = models.PositiveSmallIntegerField("作成回数", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="依頼者"
    )
    created_at = models.DateTimeField("依頼日時", auto_now_add=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)

    class Meta:
        verbose_name = "印刷ジョブ"
        verbose_name_plural = "印刷ジョブ"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_id", "content_hash"], name="printjob_unique_content"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PrintJobStatus.values), name="printjob_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["office", "created_at"], name="printjob_office_time")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject_id} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED)
