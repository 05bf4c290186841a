"""支援経過 (第5表): one chronological, append-only log per client.

An entry is never edited or deleted — the database refuses both (trigger in migration
0001). A correction is a new entry whose `corrects` points at the old one; the old one stays
printed, marked as corrected. Entries are written by hand (訪問, 電話 …) or automatically by
key events (plan confirmed, meeting held, ticket delivered …) through
`caremgmt.events.client_event`; an automatic entry carries the event and its source so it is
written once and links back to the record.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from clients.models.client import CLIENT_CASELOAD_PATHS


class LogKind(models.TextChoices):
    """種別 (the 第5表 項目 column)."""

    VISIT = "visit", "訪問"
    PHONE = "phone", "電話"
    FAX = "fax", "FAX"
    MAIL = "mail", "メール"
    OFFICE_VISIT = "office_visit", "来所"
    MEETING = "meeting", "会議"
    COORDINATION = "coordination", "連絡調整"
    MONITORING = "monitoring", "モニタリング"
    PLAN = "plan", "計画"
    TICKET = "ticket", "利用票"
    APPLICATION = "application", "申請"
    HOSPITAL = "hospital", "入退院"
    OTHER = "other", "その他"


class SupportLogEntry(models.Model):
    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="support_log",
        verbose_name="利用者",
    )
    occurred_on = models.DateField("年月日")
    occurred_at = models.TimeField("時刻", null=True, blank=True)
    kind = models.CharField("種別", max_length=20, choices=LogKind.choices)
    counterpart = models.CharField(
        "相手", max_length=100, blank=True, help_text="例：本人、長女、○○訪問介護 サ責"
    )
    content = models.TextField("内容")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("記録日時", auto_now_add=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="訂正する記録",
    )
    # Automatic entries: the event name (caremgmt.events) and "app.model:pk" of its record.
    event = models.CharField("出来事", max_length=40, blank=True)
    source = models.CharField("元の記録", max_length=80, blank=True)

    class Meta:
        verbose_name = "支援経過"
        verbose_name_plural = "支援経過"
        ordering = ["client", "occurred_on", "occurred_at", "pk"]
        indexes = [models.Index(fields=["client", "occurred_on"], name="support_log_client_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "event", "source"],
                condition=~Q(event=""),
                name="support_log_event_once",
            ),
            models.CheckConstraint(condition=~Q(content=""), name="support_log_content_required"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="support_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def is_automatic(self) -> bool:
        return bool(self.event)
