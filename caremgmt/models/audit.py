"""Append-only access log: who looked at which client's record, when, from where."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models


class AccessAction(models.TextChoices):
    VIEW = "view", "閲覧"
    PRINT = "print", "印刷"
    EXPORT = "export", "出力"
    SEARCH = "search", "検索"


class AccessLog(models.Model):
    """閲覧記録 (MHLW 安全管理ガイドライン §17). Rows are never updated or deleted:
    a database trigger refuses UPDATE and DELETE for every role, including the app's own.

    Subjects are referenced by type + id (not a foreign key) so the core app does not depend
    on the apps that define clients, plans or tickets, and so rows survive record deletion.
    """

    occurred_at = models.DateTimeField("日時(UTC)", auto_now_add=True, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="職員"
    )
    office_id = models.BigIntegerField("事業所ID", null=True)
    client_id = models.BigIntegerField("利用者ID", null=True, db_index=True)
    subject_type = models.CharField("対象種別", max_length=40)
    subject_id = models.BigIntegerField("対象ID", null=True)
    action = models.CharField("操作", max_length=16, choices=AccessAction.choices)
    path = models.CharField("URL", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("IPアドレス", null=True)
    request_id = models.UUIDField("リクエストID", null=True)

    class Meta:
        verbose_name = "閲覧記録"
        verbose_name_plural = "閲覧記録"
        indexes = [models.Index(fields=["staff", "occurred_at"], name="accesslog_staff_time")]
        triggers = [
            pgtrigger.Protect(
                name="access_log_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.staff_id} {self.action} {self.subject_type}:{self.subject_id}"


class AccessLogArchive(models.Model):
    """One run of the retention job (閲覧記録の保存期間経過分の退避と削除): how many rows older
    than `before` were written to which archive file (with its SHA-256) and then deleted.
    The access log's own rows need a staff member, and the job runs as nobody, so each run is
    recorded here instead. Append-only like the log itself."""

    created_at = models.DateTimeField("実行日時(UTC)", auto_now_add=True)
    before = models.DateTimeField("対象(この日時より前)")
    row_count = models.PositiveIntegerField("退避・削除した件数")
    first_row_id = models.BigIntegerField("最初の記録ID", null=True)
    last_row_id = models.BigIntegerField("最後の記録ID", null=True)
    archive_path = models.CharField("退避ファイル", max_length=500, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    database = models.CharField("接続", max_length=64)

    class Meta:
        verbose_name = "閲覧記録の退避"
        verbose_name_plural = "閲覧記録の退避"
        ordering = ["-created_at", "-pk"]
        triggers = [
            pgtrigger.Protect(
                name="access_log_archive_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.row_count} rows before {self.before:%Y-%m-%d}"
