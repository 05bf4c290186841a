"""第2表 rows (ニーズ → 目標 → 援助内容) and 第3表 rows (週間サービス, 日常生活の活動)."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from caremgmt.choices import ServiceType
from careplans.models.assessment import (
    PLAN_CASELOAD_PATHS,
)
from careplans.models.plan import (
    CarePlan,
)


@pghistory.track()
class Need(models.Model):
    """第2表 生活全般の解決すべき課題（ニーズ）, in priority order."""

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="needs")
    order = models.PositiveSmallIntegerField("優先順位")
    text = models.TextField("生活全般の解決すべき課題（ニーズ）")

    class Meta:
        verbose_name = "ニーズ"
        verbose_name_plural = "ニーズ"
        ordering = ["plan", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


@pghistory.track()
class Goal(models.Model):
    """援助目標: a 長期目標 and the 短期目標 toward it, each with its period.

    Several 短期目標 may sit under one 長期目標: the first goal of the group holds it, the
    others point at that goal (`long_term_head`), carry a copy of its 長期目標 and period (the
    services keep the copies equal) and follow it directly in `order`."""

    scope_office_path = "need__plan__client__office"
    scope_caseload_paths = (
        "need__plan__client__care_manager",
        "need__plan__client__deputy_care_manager",
    )

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField("番号")
    long_term = models.TextField("長期目標")
    long_term_from = models.DateField("長期目標の期間（開始）")
    long_term_to = models.DateField("長期目標の期間（終了）", null=True, blank=True)
    short_term = models.TextField("短期目標")
    short_term_from = models.DateField("短期目標の期間（開始）")
    short_term_to = models.DateField("短期目標の期間（終了）", null=True, blank=True)
    long_term_head = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="short_term_goals",
        verbose_name="同じ長期目標の最初の目標",
    )

    class Meta:
        verbose_name = "援助目標"
        verbose_name_plural = "援助目標"
        ordering = ["need", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(long_term_to__isnull=True) | Q(long_term_to__gte=F("long_term_from")),
                name="goal_long_term_period",
                violation_error_message="終了日は開始日以降の日付にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(short_term_to__isnull=True)
                | Q(short_term_to__gte=F("short_term_from")),
                name="goal_short_term_period",
                violation_error_message="終了日は開始日以降の日付にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return self.long_term[:40]


@pghistory.track()
class SupportItem(models.Model):
    """援助内容: サービス内容, ※1 保険給付対象, サービス種別, ※2 事業所, 頻度, 期間."""

    scope_office_path = "goal__need__plan__client__office"
    scope_caseload_paths = (
        "goal__need__plan__client__care_manager",
        "goal__need__plan__client__deputy_care_manager",
    )

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="support_items")
    order = models.PositiveSmallIntegerField("番号")
    content = models.TextField("サービス内容")
    insured = models.BooleanField("保険給付対象（※1）", default=True)
    service_type = models.CharField(
        "サービス種別", max_length=2, choices=ServiceType.choices, blank=True
    )
    service_kind_text = models.CharField(
        "サービス種別（保険外）", max_length=100, blank=True, help_text="例：家族、配食サービス"
    )
    provider = models.ForeignKey(
        "clients.ServiceProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事業所（※2）",
    )
    provider_text = models.CharField(
        "事業所・担い手（保険外）", max_length=100, blank=True, help_text="例：長女、○○配食"
    )
    frequency = models.CharField("頻度", max_length=100, help_text="例：週2回")
    period_from = models.DateField("期間（開始）")
    period_to = models.DateField("期間（終了）", null=True, blank=True)
    equipment_rental_reason = models.TextField(
        "福祉用具貸与が必要な理由",
        blank=True,
        help_text="福祉用具貸与（介護予防を含む）のときに書きます（運営基準第13条第22号）。",
    )

    class Meta:
        verbose_name = "援助内容"
        verbose_name_plural = "援助内容"
        ordering = ["goal", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__isnull=True) | Q(period_to__gte=F("period_from")),
                name="support_item_period",
                violation_error_message="終了日は開始日以降の日付にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(insured=False) | (~Q(service_type="") & Q(provider__isnull=False)),
                name="support_item_insured_has_provider",
                violation_error_message="保険給付対象のサービスにはサービス種別と事業所が必要です。",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:40]

    @property
    def service_kind_label(self) -> str:
        return self.get_service_type_display() if self.service_type else self.service_kind_text

    @property
    def provider_label(self) -> str:
        return self.provider.name if self.provider_id else self.provider_text


class Weekday(models.IntegerChoices):
    MONDAY = 1, "月"
    TUESDAY = 2, "火"
    WEDNESDAY = 3, "水"
    THURSDAY = 4, "木"
    FRIDAY = 5, "金"
    SATURDAY = 6, "土"
    SUNDAY = 7, "日"


WEEKDAY_VALUES = [day.value for day in Weekday]


def weekdays_label(weekdays: list[int] | tuple[int, ...]) -> str:
    """「月・水・金」 in calendar order."""
    labels = dict(Weekday.choices)
    return "・".join(labels[day] for day in sorted(set(weekdays)) if day in labels)


def crosses_midnight(starts_at: object, ends_at: object) -> bool:
    """A time band whose end is before its start runs into the next day (22:00〜翌6:00)."""
    return starts_at is not None and ends_at is not None and ends_at < starts_at


def time_band_label(starts_at: object, ends_at: object) -> str:
    """「9:30〜11:00」, or 「22:00〜翌6:00」 for a band running past midnight."""
    if starts_at is None or ends_at is None:
        return ""
    prefix = "翌" if crosses_midnight(starts_at, ends_at) else ""
    return f"{starts_at:%H:%M}〜{prefix}{ends_at:%H:%M}"


@pghistory.track()
class WeeklyService(models.Model):
    """第3表 one service on one or more weekdays (same time band on each). Insured rows name
    the provider and the サービスコード (monthly tickets are generated from these later).

    `ends_at` before `starts_at` means the next day: 22:00〜翌6:00 starts on each of the
    `weekdays` and ends the following morning."""

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="weekly_services")
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        verbose_name="曜日",
        help_text="1 月 … 7 日（複数可）",
    )
    starts_at = models.TimeField("開始時刻")
    ends_at = models.TimeField("終了時刻", help_text="開始より前の時刻は翌日（例：22:00〜翌6:00）")
    content = models.CharField("内容", max_length=100, help_text="例：訪問介護（入浴介助）")
    insured = models.BooleanField("保険給付対象", default=True)
    provider = models.ForeignKey(
        "clients.ServiceProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="事業所",
    )
    service_code = models.CharField("サービスコード", max_length=6, blank=True)
    support_item = models.ForeignKey(
        SupportItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="weekly_services",
        verbose_name="第2表の援助内容",
    )

    class Meta:
        verbose_name = "週間サービス"
        verbose_name_plural = "週間サービス"
        ordering = ["plan", "weekdays", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(ends_at=F("starts_at")),
                name="weekly_service_time_band",
                violation_error_message="開始時刻と終了時刻が同じです。",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__len__gte=1) & Q(weekdays__contained_by=WEEKDAY_VALUES),
                name="weekly_service_weekdays",
                violation_error_message="曜日を1つ以上選んでください。",
            ),
            models.CheckConstraint(
                condition=Q(insured=False)
                | (Q(provider__isnull=False) & Q(service_code__regex=r"^[0-9A-Z]{6}$")),
                name="weekly_service_insured_has_code",
                violation_error_message="保険給付対象のサービスには事業所とサービスコードが必要です。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekdays_label} {self.starts_at:%H:%M} {self.content}"

    @property
    def weekdays_label(self) -> str:
        return weekdays_label(self.weekdays or [])

    @property
    def crosses_midnight(self) -> bool:
        return crosses_midnight(self.starts_at, self.ends_at)

    @property
    def time_band_label(self) -> str:
        return time_band_label(self.starts_at, self.ends_at)


@pghistory.track()
class DailyActivity(models.Model):
    """第3表 主な日常生活上の活動 (起床, 食事, 入浴, 就寝 …) with its time."""

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="daily_activities")
    starts_at = models.TimeField("時刻")
    ends_at = models.TimeField("終了時刻", null=True, blank=True)
    activity = models.CharField("活動", max_length=100, help_text="例：起床、朝食、就寝")

    class Meta:
        verbose_name = "主な日常生活上の活動"
        verbose_name_plural = "主な日常生活上の活動"
        ordering = ["plan", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="daily_activity_time_order",
                violation_error_message="終了時刻は開始時刻より後にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M} {self.activity}"
