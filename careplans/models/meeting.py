"""第4表: サービス担当者会議 and its attendees."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from caremgmt.wareki import wareki_date
from careplans.models.assessment import (
    PLAN_CASELOAD_PATHS,
)
from careplans.models.plan import (
    CarePlan,
)


@pghistory.track()
class Meeting(models.Model):
    """第4表 サービス担当者会議の要点 — held for one plan version."""

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="meetings")
    # 第4表 作成年月日: a date the user can correct, defaulting to today in Asia/Tokyo (the
    # UTC date of created_at is the previous day for entries made 00:00–08:59 JST).
    sheet_date = models.DateField("作成年月日", default=timezone.localdate)
    held_on = models.DateField("開催日")
    place = models.CharField("開催場所", max_length=100)
    starts_at = models.TimeField("開始時刻")
    ends_at = models.TimeField("終了時刻")
    count = models.PositiveSmallIntegerField("開催回数")
    items_discussed = models.TextField("検討した項目")
    discussion = models.TextField("検討内容")
    conclusion = models.TextField("結論")
    remaining_issues = models.TextField("残された課題（次回の開催時期）", blank=True)
    concludes_plan = models.BooleanField("この結論で原案を了承した（会議済にする）", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "サービス担当者会議"
        verbose_name_plural = "サービス担当者会議"
        ordering = ["plan", "held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_time_order",
                violation_error_message="終了時刻は開始時刻より後にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"担当者会議 第{self.count}回（{wareki_date(self.held_on)}）"


class AttendeeKind(models.TextChoices):
    CLIENT = "client", "本人"
    FAMILY = "family", "家族"
    PROVIDER = "provider", "サービス事業所"
    DOCTOR = "doctor", "主治医"
    OTHER = "other", "その他"


@pghistory.track()
class MeetingAttendee(models.Model):
    """会議出席者 (所属（職種）・氏名); an absentee carries the 照会 sent and its answer."""

    scope_office_path = "meeting__plan__client__office"
    scope_caseload_paths = (
        "meeting__plan__client__care_manager",
        "meeting__plan__client__deputy_care_manager",
    )

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    kind = models.CharField("区分", max_length=10, choices=AttendeeKind.choices)
    provider = models.ForeignKey(
        "clients.ServiceProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事業所（名簿から）",
    )
    doctor = models.ForeignKey(
        "clients.Doctor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="主治医（名簿から）",
    )
    affiliation = models.CharField("所属（職種）", max_length=100, blank=True)
    name = models.CharField("氏名", max_length=100)
    attended = models.BooleanField("出席", default=True)
    absence_reason = models.CharField("欠席理由", max_length=200, blank=True)
    inquiry_on = models.DateField("照会日", null=True, blank=True)
    inquiry_content = models.TextField("照会内容", blank=True)
    inquiry_answer = models.TextField("回答", blank=True)

    class Meta:
        verbose_name = "会議出席者"
        verbose_name_plural = "会議出席者"
        ordering = ["meeting", "-attended", "pk"]

    def __str__(self) -> str:
        return f"{self.affiliation} {self.name}"
