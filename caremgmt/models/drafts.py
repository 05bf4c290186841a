"""Unsaved form input kept when a save arrives after the session expired."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FormDraft(models.Model):
    """What a staff member typed into a form whose save came after their session expired.
    Offered back on that form after login, visible only to its owner, deleted when restored
    or discarded and purged after FORM_DRAFT_MAX_AGE_DAYS. Not history-tracked, never logged."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="form_drafts",
        verbose_name="職員",
    )
    path = models.CharField("画面のURL", max_length=300)
    object_version = models.PositiveIntegerField("開いた時の更新番号", null=True, blank=True)
    data = models.JSONField("入力内容", default=dict)
    created_at = models.DateTimeField("保存日時", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "未保存の入力"
        verbose_name_plural = "未保存の入力"
        indexes = [models.Index(fields=["staff", "path"], name="formdraft_staff_path")]

    def __str__(self) -> str:
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"
