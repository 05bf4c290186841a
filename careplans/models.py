"""Assessment (課題分析), the care plan 第1〜3表 with its versions, 担当者会議 (第4表),
consent & delivery and 軽微な変更.

A `CarePlan` row is one version (第n版) of a client's plan. Status machine (services refuse
anything else):

    原案 draft ──(会議の結論 / 会議を開催しない理由)──▶ 会議済 met ──(説明・同意・交付)──▶ 確定 confirmed
    確定 ──(the next version is confirmed)──▶ 改訂済 superseded

A revision starts as a copy of the current version (a new draft). 軽微な変更 are appended to
the confirmed version itself (append-only rows, a trigger refuses UPDATE/DELETE).
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from caremgmt.choices import ServiceType
from caremgmt.wareki import wareki_date
from careplans.assessment_items import CURRENT_ITEM_SET, ITEM_SET_LABELS

CLIENT_CASELOAD_PATHS = ("client__care_manager", "client__deputy_care_manager")
PLAN_CASELOAD_PATHS = ("plan__client__care_manager", "plan__client__deputy_care_manager")


class AssessmentReason(models.TextChoices):
    INITIAL = "initial", "初回"
    RENEWAL = "renewal", "更新"
    LEVEL_CHANGE = "level_change", "区分変更"
    DISCHARGE = "discharge", "退院・退所"
    CONDITION_CHANGE = "condition_change", "状態変化"
    OTHER = "other", "その他"


@pghistory.track()
class Assessment(models.Model):
    """課題分析 over the 23 standard items; `answers` follows `assessment_items`."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name="利用者",
    )
    sequence = models.PositiveIntegerField("回")
    assessed_on = models.DateField("実施日")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="実施者"
    )
    reason = models.CharField("アセスメントの理由", max_length=20, choices=AssessmentReason.choices)
    reason_note = models.CharField("理由の詳細", max_length=200, blank=True)
    place = models.CharField("実施場所", max_length=100, blank=True, help_text="例：自宅")
    item_set = models.CharField(
        "項目の版",
        max_length=10,
        default=CURRENT_ITEM_SET,
        choices=list(ITEM_SET_LABELS.items()),
    )
    answers = models.JSONField("回答", default=dict, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "アセスメント"
        verbose_name_plural = "アセスメント"
        ordering = ["client", "-assessed_on", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["client", "sequence"], name="assessment_sequence"),
        ]

    def __str__(self) -> str:
        return f"アセスメント 第{self.sequence}回（{wareki_date(self.assessed_on)}）"


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


@pghistory.track()
class PlanDelivery(models.Model):
    """交付 of a confirmed plan to one service provider (担当者)."""

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="deliveries")
    provider = models.ForeignKey(
        "clients.ServiceProvider", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    delivered_on = models.DateField("交付日")

    class Meta:
        verbose_name = "計画の交付"
        verbose_name_plural = "計画の交付"
        ordering = ["plan", "provider__name_kana", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "provider"], name="plan_delivery_unique"),
        ]

    def __str__(self) -> str:
        return f"交付 {wareki_date(self.delivered_on)}"


@pghistory.track()
class PlanDoctorDelivery(models.Model):
    """交付 of a confirmed plan to the client's 主治医 — required when the plan places
    医療系サービス (運営基準 第13条第19号の2; `careplans.service_kinds`)."""

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="doctor_deliveries")
    doctor = models.ForeignKey(
        "clients.Doctor", on_delete=models.PROTECT, related_name="+", verbose_name="主治医"
    )
    delivered_on = models.DateField("交付日")

    class Meta:
        verbose_name = "計画の交付（主治医）"
        verbose_name_plural = "計画の交付（主治医）"
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "doctor"], name="plan_doctor_delivery_unique"),
        ]

    def __str__(self) -> str:
        return f"主治医への交付 {self.delivered_on}"


@pghistory.track()
class MinorChange(models.Model):
    """軽微な変更 recorded on the same version: append-only (a trigger refuses edits)."""

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="minor_changes")
    changed_on = models.DateField("変更日")
    content = models.TextField("変更内容")
    reason = models.TextField("軽微な変更と判断した理由")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "軽微な変更"
        verbose_name_plural = "軽微な変更"
        ordering = ["plan", "changed_on", "pk"]
        triggers = [
            pgtrigger.Protect(
                name="minor_change_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"軽微な変更 {wareki_date(self.changed_on)}"


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
