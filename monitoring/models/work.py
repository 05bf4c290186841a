"""The work queue (my page) and notifications.

`WorkItem` rows are what is due or late for a care manager, materialised by
`monitoring.work.refresh` — nightly for the whole office (beat) and for one client right after
an event that changes its items — so the page reads one indexed table with a fixed number of
queries whatever the caseload. An item that is no longer due is deleted by the refresh.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class WorkKind(models.TextChoices):
    MONITORING = "monitoring", "今月のモニタリング未実施"
    MONITORING_MISSED = "monitoring_missed", "先月のモニタリング未実施"
    CERTIFICATION = "certification", "認定の有効期間終了が近い"
    GOAL_PERIOD = "goal_period", "短期目標の期間が今月で終了"
    MEETING = "meeting", "サービス担当者会議の開催"
    CONSENT = "consent", "計画の説明・同意・交付待ち"
    NEXT_TICKET = "next_ticket", "翌月の利用票が未交付"
    PROVIDER_TICKET = "provider_ticket", "提供票が未送付"
    ACTUALS = "actuals", "実績が未確定"
    HOSPITAL = "hospital", "入退院の連携が未了"
    PLAN_REVIEW = "plan_review", "ケアプランの見直し"


class WorkItem(models.Model):
    scope_office_path = "office"
    # The 担当 (stored) and the client's current 代理 (read live, so a change of 代理 needs
    # no refresh): a deputy covering a colleague sees the client's items too.
    scope_caseload_paths = ("care_manager", "client__deputy_care_manager")

    office = models.ForeignKey("caremgmt.Office", on_delete=models.CASCADE, related_name="+")
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="work_items",
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("種類", max_length=20, choices=WorkKind.choices)
    key = models.CharField("識別子", max_length=60, blank=True, help_text="例：2026-12、認定の pk")
    due_on = models.DateField("期限")
    detail = models.CharField("内容", max_length=200, blank=True)
    url = models.CharField("リンク", max_length=300, blank=True)
    first_seen_on = models.DateField("初回検出日")
    refreshed_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "やること"
        verbose_name_plural = "やること"
        ordering = ["due_on", "kind", "pk"]
        indexes = [
            models.Index(fields=["office", "care_manager", "due_on"], name="work_item_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind", "client", "key"],
                name="work_item_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on:%Y-%m-%d}"


class Notice(models.Model):
    """An in-app notice on the work queue (e.g. a 返戻 arrived, a client was admitted)."""

    scope_office_path = "office"
    scope_caseload_paths = ("recipient",)

    office = models.ForeignKey("caremgmt.Office", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("種類", max_length=30)
    message = models.CharField("内容", max_length=200)
    url = models.CharField("リンク", max_length=300, blank=True)
    created_at = models.DateTimeField("通知日時", auto_now_add=True)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self) -> str:
        return self.message


class NotificationPreference(models.Model):
    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_digest = models.BooleanField("毎朝のメール（件数のみ）を受け取る", default=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "通知の設定"
        verbose_name_plural = "通知の設定"

    def __str__(self) -> str:
        return f"通知の設定（{self.staff_id}）"


class DigestSent(models.Model):
    """One morning digest per staff and day (the task is idempotent)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField("送信日")
    item_count = models.PositiveIntegerField("件数")
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        verbose_name = "メール送信記録"
        verbose_name_plural = "メール送信記録"
        constraints = [
            models.UniqueConstraint(fields=["staff", "sent_on"], name="digest_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.sent_on:%Y-%m-%d} {self.item_count}件"
