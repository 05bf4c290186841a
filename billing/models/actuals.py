"""実績 of a service month: per client-month × provider, how the provider's 実績 arrived and
where reconciliation stands, plus every import file (applied whole or rejected whole)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from billing.models.tickets import TICKET_CASELOAD_PATHS, ServiceTicket


class ActualsStatus(models.TextChoices):
    PENDING = "pending", "未受領"
    RECEIVED = "received", "受領"
    DIFFERS = "differs", "差異あり"
    CONFIRMED = "confirmed", "確定"


class ActualsSource(models.TextChoices):
    TYPED = "typed", "画面入力"
    UPJSK = "upjsk", "ケアプランデータ連携（UPJSK）"
    CSV = "csv", "CSV"


class ActualsImportKind(models.TextChoices):
    UPJSK = "upjsk", "実績（UPJSK）"
    DLTJSK = "dltjsk", "実績削除（DLTJSK）"
    CSV = "csv", "実績CSV"


class ActualsImport(models.Model):
    """One uploaded 実績 file: applied completely or rejected with row-numbered reasons."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    month = models.DateField("サービス提供年月")
    kind = models.CharField("種別", max_length=8, choices=ActualsImportKind.choices)
    filename = models.CharField("ファイル名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    row_count = models.PositiveIntegerField("行数", default=0)
    applied = models.BooleanField("取り込み済み", default=False)
    errors = models.JSONField("エラー", default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="取込者"
    )
    uploaded_at = models.DateTimeField("取込日時", auto_now_add=True)

    class Meta:
        verbose_name = "実績の取り込み"
        verbose_name_plural = "実績の取り込み"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


@pghistory.track()
class ProviderActuals(models.Model):
    """The 実績 of one provider for one client-month (the ticket's rows of that provider).

    `difference_reason` is required to confirm while 予定 and 実績 differ."""

    scope_office_path = "ticket__client__office"
    scope_caseload_paths = TICKET_CASELOAD_PATHS

    ticket = models.ForeignKey(
        ServiceTicket, on_delete=models.CASCADE, related_name="provider_actuals"
    )
    provider = models.ForeignKey(
        "clients.ServiceProvider", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    status = models.CharField(
        "状態", max_length=12, choices=ActualsStatus.choices, default=ActualsStatus.PENDING
    )
    source = models.CharField("受領方法", max_length=8, choices=ActualsSource.choices, blank=True)
    received_at = models.DateTimeField("受領日時", null=True, blank=True)
    source_import = models.ForeignKey(
        ActualsImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    difference_reason = models.CharField("差異の理由", max_length=300, blank=True)
    confirmed_at = models.DateTimeField("確定日時", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="確定者",
    )
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "事業所別の実績"
        verbose_name_plural = "事業所別の実績"
        ordering = ["ticket", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "provider"], name="provider_actuals_once_per_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_status_display()}"
