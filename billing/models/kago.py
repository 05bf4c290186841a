"""過誤申立て of the office's own 居宅介護支援費 claim (REFERENCE §4.1 [C]; docs/office_claim.md).

A month marked 送信済み (OfficeClaimMonthClose) is corrected per client by withdrawing the
paid claim line (過誤) and billing it again: 作成済み → 申立済み → 過誤決定済み → 再請求済み, or
取りやめ. 同月過誤 withdraws and re-bills in the same month (where the 保険者 accepts it)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models


class KagoStatus(models.TextChoices):
    DRAFT = "draft", "作成済み"
    FILED = "filed", "申立済み"
    WITHDRAWN = "withdrawn", "過誤決定済み"
    REBILLED = "rebilled", "再請求済み"
    CANCELLED = "cancelled", "取りやめ"


#: While a 過誤 is in one of these, the client's evidence of the month may be written again.
OPEN_STATUSES = (KagoStatus.DRAFT, KagoStatus.FILED, KagoStatus.WITHDRAWN)

reason_code_validator = RegexValidator(
    r"^[0-9A-Z]{4}$", "申立事由コードは英数字4桁で入力してください（例：4002）。"
)


@pghistory.track()
class OfficeClaimKago(models.Model):
    """One 過誤申立て of a client's line of a 送信済み month."""

    scope_office_path = "office"
    scope_caseload_paths = ("client__care_manager", "client__deputy_care_manager")

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name="利用者"
    )
    month = models.DateField("サービス提供年月")
    close = models.ForeignKey(
        "billing.OfficeClaimMonthClose",
        on_delete=models.PROTECT,
        related_name="kagos",
        verbose_name="送信済みの記録",
    )
    same_month = models.BooleanField("同月過誤", default=False)
    reason_code = models.CharField(
        "申立事由コード", max_length=4, validators=[reason_code_validator]
    )
    reason_text = models.CharField("申立理由", max_length=200)
    status = models.CharField(
        "状態", max_length=10, choices=KagoStatus.choices, default=KagoStatus.DRAFT
    )
    filed_on = models.DateField("提出日", null=True, blank=True)
    decided_on = models.DateField("過誤決定日", null=True, blank=True)
    rebilled_on = models.DateField("再請求日", null=True, blank=True)
    cancelled_on = models.DateField("取りやめた日", null=True, blank=True)
    sent_line = models.JSONField("送信時の請求行", default=dict)
    rebilled_line = models.JSONField("再請求した請求行", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "過誤申立て"
        verbose_name_plural = "過誤申立て"
        ordering = ["office", "-month", "client", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month"],
                condition=models.Q(status__in=["draft", "filed", "withdrawn"]),
                name="office_claim_kago_one_open_per_client_month",
                violation_error_message="この利用者のこの月には、進行中の過誤申立てがあります。",
            ),
            models.CheckConstraint(
                condition=models.Q(reason_code__regex=r"^[0-9A-Z]{4}$"),
                name="office_claim_kago_reason_code_format",
            ),
        ]

    def __str__(self) -> str:
        return f"過誤 {self.month:%Y-%m} {self.client_id} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
