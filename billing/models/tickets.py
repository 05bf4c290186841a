"""サービス利用票 (第6表) of one client-month and its rows.

A `ServiceTicket` is the living working copy the care manager edits; each 交付 freezes a
`TicketVersion` (billing.models.delivery). The 別表 (第7表) is never stored as typed
figures: it is recomputed by the engine (`billing.tickets.compute`) from the rows, the
register and the fee schedule. A few totals are cached on the ticket for lists only.
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

CLIENT_CASELOAD_PATHS = ("client__care_manager", "client__deputy_care_manager")
TICKET_CASELOAD_PATHS = (
    "ticket__client__care_manager",
    "ticket__client__deputy_care_manager",
)


class TicketStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    DELIVERED = "delivered", "交付済"


class RowSource(models.TextChoices):
    WEEKLY = "weekly", "第3表（週間）"
    MONTHLY = "monthly", "週単位以外（月単位）"
    SHORT_STAY = "short_stay", "短期入所（期間）"
    MANUAL = "manual", "手入力"


@pghistory.track()
class ServiceTicket(models.Model):
    """利用票 of one client for one service month (`month` is the 1st of the month)."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="service_tickets",
        verbose_name="利用者",
    )
    month = models.DateField("サービス提供年月")
    plan = models.ForeignKey(
        "careplans.CarePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_tickets",
        verbose_name="元の居宅サービス計画",
    )
    status = models.CharField(
        "状態", max_length=12, choices=TicketStatus.choices, default=TicketStatus.DRAFT
    )
    # 区分支給限度基準を超える単位数の振り分け: [{"provider_number", "service_type", "units"}];
    # null = the engine's default order (nothing chosen yet).
    over_limit_allocation = models.JSONField("限度超過単位の振り分け", null=True, blank=True)
    # Cached by every recompute (for lists and for the next month's 前月までの短期入所利用日数).
    total_units = models.PositiveIntegerField("合計単位数", default=0, editable=False)
    limit_units = models.PositiveIntegerField("区分支給限度基準額", default=0, editable=False)
    over_limit_units = models.PositiveIntegerField("限度超過単位数", default=0, editable=False)
    user_total_yen = models.PositiveIntegerField("利用者負担合計", default=0, editable=False)
    short_stay_counted_days = models.PositiveSmallIntegerField(
        "短期入所の計画利用日数（限度調整後）", default=0, editable=False
    )
    short_stay_last_run_days = models.PositiveSmallIntegerField(
        "月末に続いている短期入所の連続日数", default=0, editable=False
    )
    generated_at = models.DateTimeField("作成（再作成）日時", null=True, blank=True)
    generated_from_plan_version = models.PositiveIntegerField(
        "作成元の計画の更新番号", null=True, blank=True, editable=False
    )
    # Set by month-start billing (issue 11): a claimed month is read-only here.
    claimed_at = models.DateTimeField("請求確定日時", null=True, blank=True, editable=False)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="更新者",
    )

    class Meta:
        verbose_name = "サービス利用票"
        verbose_name_plural = "サービス利用票"
        ordering = ["client", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["client", "month"], name="ticket_one_per_client_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="ticket_month_is_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}分 利用票"

    @property
    def is_claimed(self) -> bool:
        return self.claimed_at is not None

    @property
    def last_day(self) -> dt.date:
        import calendar

        return self.month.replace(day=calendar.monthrange(self.month.year, self.month.month)[1])


@pghistory.track()
class TicketRow(models.Model):
    """One row of 第6表: 提供時間帯 × サービス内容(code) × 事業所, with 予定 and 実績 days.

    `planned_days` / `actual_days` are day numbers (1–31) of the ticket's month. A visit-based
    code counts `count_per_date` times on each day; a month-based code (福祉用具貸与, 1月につき
    加算) counts `count_per_date` times in the month and its days only say when it applies.
    `edited` marks a row the care manager changed by hand: regenerating keeps it unless the
    user asks to reset. `starts_at`/`ends_at` null = no time (9999 in the CSV)."""

    scope_office_path = "ticket__client__office"
    scope_caseload_paths = TICKET_CASELOAD_PATHS

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveSmallIntegerField("並び順", default=0)
    source = models.CharField(
        "作成元", max_length=12, choices=RowSource.choices, default=RowSource.MANUAL
    )
    source_key = models.CharField(
        "作成元キー", max_length=40, blank=True, help_text="再作成で同じ行を見つけるためのキー"
    )
    provider = models.ForeignKey(
        "clients.ServiceProvider", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    service_code = models.CharField("サービスコード", max_length=6)
    content = models.CharField("サービス内容", max_length=100, blank=True)
    starts_at = models.TimeField("開始時刻", null=True, blank=True)
    ends_at = models.TimeField("終了時刻", null=True, blank=True)
    planned_days = ArrayField(
        models.PositiveSmallIntegerField(), verbose_name="予定日", default=list, blank=True
    )
    actual_days = ArrayField(
        models.PositiveSmallIntegerField(), verbose_name="実績日", default=list, blank=True
    )
    actual_recorded = models.BooleanField("実績入力済", default=False)
    count_per_date = models.PositiveSmallIntegerField("1日の回数", default=1)
    tais_code = models.CharField("TAISコード", max_length=12, blank=True)
    notified_code = models.CharField("福祉用具届出コード", max_length=12, blank=True)
    item_name = models.CharField("用具名称（機種名）", max_length=100, blank=True)
    rental_price_yen = models.PositiveIntegerField("貸与価格（円）", null=True, blank=True)
    detail_discriminator = models.PositiveSmallIntegerField("明細判別コード", null=True, blank=True)
    edited = models.BooleanField("手修正あり", default=False)

    class Meta:
        verbose_name = "利用票の行"
        verbose_name_plural = "利用票の行"
        ordering = ["ticket", "order", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_code__regex=r"^[0-9A-Z]{6}$"),
                name="ticket_row_code_format",
                violation_error_message="サービスコードは6桁で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(planned_days__contained_by=list(range(1, 32)))
                & Q(actual_days__contained_by=list(range(1, 32))),
                name="ticket_row_days_in_month",
                violation_error_message="日付は1〜31日で指定してください。",
            ),
            models.CheckConstraint(
                condition=Q(count_per_date__gte=1) & Q(count_per_date__lte=99),
                name="ticket_row_count_per_date",
                violation_error_message="1日の回数は1〜99回です。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.content}"

    @property
    def service_type(self) -> str:
        return self.service_code[:2]


class TicketCheckAcknowledgement(models.Model):
    """An office acknowledged a plan-check warning on a ticket (rule + subject), with a note.

    `subject_key` identifies what the warning is about (e.g. the row's source key or a code),
    so the acknowledgement survives a recompute but not a different finding."""

    scope_office_path = "ticket__client__office"
    scope_caseload_paths = TICKET_CASELOAD_PATHS

    ticket = models.ForeignKey(
        ServiceTicket, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    rule = models.CharField("ルール", max_length=40)
    subject_key = models.CharField("対象", max_length=80, blank=True)
    note = models.CharField("確認内容", max_length=300)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="確認者"
    )
    acknowledged_at = models.DateTimeField("確認日時", auto_now_add=True)

    class Meta:
        verbose_name = "利用票の確認済み警告"
        verbose_name_plural = "利用票の確認済み警告"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "rule", "subject_key"], name="ticket_ack_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject_key}"


class RentalPriceCap(models.Model):
    """福祉用具貸与 上限額 per TAIS code (厚労省 publishes them; reviewed every few years).

    Loaded as data so an office can correct or add rows; the price check on the ticket warns
    when a planned 貸与価格 exceeds the cap in force on the first day of the month."""

    tais_code = models.CharField("TAISコード", max_length=12)
    item_name = models.CharField("商品名", max_length=200, blank=True)
    cap_yen = models.PositiveIntegerField("貸与価格の上限（円／月）")
    average_yen = models.PositiveIntegerField("全国平均貸与価格（円／月）", null=True, blank=True)
    valid_from = models.DateField("適用開始日")
    valid_to = models.DateField("適用終了日", null=True, blank=True)

    class Meta:
        verbose_name = "福祉用具貸与の上限額"
        verbose_name_plural = "福祉用具貸与の上限額"
        ordering = ["tais_code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tais_code", "valid_from"], name="rental_cap_unique_from"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tais_code} {self.cap_yen}円"
