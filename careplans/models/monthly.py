"""第3表 週単位以外のサービス that the monthly 利用票 is generated from: 福祉用具貸与 items
(monthly, with the item's TAIS code or 届出コード and its price) and 短期入所 stays (by date
range). Other non-weekly services stay free text on the plan (`CarePlan.non_weekly_services`).
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import F, Q

from careplans.models.assessment import PLAN_CASELOAD_PATHS
from careplans.models.plan import CarePlan
from careplans.models.rows import SupportItem


class MonthlyServiceKind(models.TextChoices):
    RENTAL = "rental", "福祉用具貸与（月単位）"
    SHORT_STAY = "short_stay", "短期入所（期間指定）"
    MONTHLY = "monthly", "その他の月単位サービス"


@pghistory.track()
class MonthlyService(models.Model):
    """One non-weekly insured service of the plan.

    * rental: one item per row, billed per month while the plan period covers the month
      (`period_from`/`period_to` bound it); `rental_price_yen` is the monthly 貸与価格.
    * short_stay: every day from `period_from` to `period_to` (both included) is a stay day.
    * monthly: a 1月につき code (e.g. 小規模多機能) counted once a month.

    `light_care_exception_on` records the 軽度者 例外給付 check (医師の意見 + 担当者会議 +
    保険者の確認) for items a 要支援1〜2・要介護1 client may otherwise not rent.
    """

    scope_office_path = "plan__client__office"
    scope_caseload_paths = PLAN_CASELOAD_PATHS

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="monthly_services")
    kind = models.CharField("種別", max_length=12, choices=MonthlyServiceKind.choices)
    provider = models.ForeignKey(
        "clients.ServiceProvider", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    service_code = models.CharField("サービスコード", max_length=6)
    content = models.CharField("内容", max_length=100, help_text="例：特殊寝台（3モーター）")
    period_from = models.DateField("期間（開始）")
    period_to = models.DateField("期間（終了）", null=True, blank=True)
    tais_code = models.CharField("TAISコード", max_length=12, blank=True)
    notified_code = models.CharField("福祉用具届出コード", max_length=12, blank=True)
    item_name = models.CharField("用具名称（機種名）", max_length=100, blank=True)
    rental_price_yen = models.PositiveIntegerField("貸与価格（円／月）", null=True, blank=True)
    light_care_exception_on = models.DateField("軽度者の例外給付の確認日", null=True, blank=True)
    light_care_exception_note = models.CharField(
        "例外給付の根拠",
        max_length=200,
        blank=True,
        help_text="例：医師の意見（4月10日）、保険者確認済",
    )
    support_item = models.ForeignKey(
        SupportItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monthly_services",
        verbose_name="第2表の援助内容",
    )

    class Meta:
        verbose_name = "週単位以外のサービス"
        verbose_name_plural = "週単位以外のサービス"
        ordering = ["plan", "kind", "period_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_code__regex=r"^[0-9A-Z]{6}$"),
                name="monthly_service_code_format",
                violation_error_message="サービスコードは6桁で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(period_to__isnull=True) | Q(period_to__gte=F("period_from")),
                name="monthly_service_period_order",
                violation_error_message="期間の終了は開始以降の日付にしてください。",
            ),
            models.CheckConstraint(
                condition=~Q(kind="short_stay") | Q(period_to__isnull=False),
                name="monthly_service_short_stay_has_end",
                violation_error_message="短期入所は終了日も入力してください。",
            ),
            models.CheckConstraint(
                condition=~Q(kind="rental") | Q(rental_price_yen__isnull=False),
                name="monthly_service_rental_has_price",
                violation_error_message="福祉用具貸与は貸与価格を入力してください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.content}"
