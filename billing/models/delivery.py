"""交付 of the monthly 利用票: frozen versions, the client's confirmation, copies sent.

Each 交付 freezes a `TicketVersion` with a snapshot of the rows and the 別表 figures, so an
earlier version stays printable after a mid-month change. The snapshot is what was handed
over; the living `ServiceTicket` is what is being edited now.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from billing.models.tickets import TICKET_CASELOAD_PATHS, ServiceTicket

VERSION_CASELOAD_PATHS = (
    "version__ticket__client__care_manager",
    "version__ticket__client__deputy_care_manager",
)


class ConsentMethod(models.TextChoices):
    SIGNATURE = "signature", "署名"
    SEAL = "seal", "押印"
    ORAL = "oral", "口頭同意"


@pghistory.track()
class TicketVersion(models.Model):
    """One handed-over version (第n版) of a client-month's 利用票.

    `created_on` is the 作成年月日 printed on the form: the day it was handed over and agreed.
    `snapshot` holds the rows and the computed 別表 as JSON (billing.tickets.snapshot)."""

    scope_office_path = "ticket__client__office"
    scope_caseload_paths = TICKET_CASELOAD_PATHS

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField("版")
    created_on = models.DateField("作成年月日（交付・同意日）")
    received_by = models.CharField("受け取った人", max_length=100, help_text="例：本人、長女")
    consent_method = models.CharField("確認方法", max_length=12, choices=ConsentMethod.choices)
    consent_note = models.CharField(
        "確認の記録", max_length=300, blank=True, help_text="口頭同意のときは状況を記録します"
    )
    change_reason = models.CharField(
        "変更理由", max_length=300, blank=True, help_text="月の途中で変更したときの理由"
    )
    snapshot = models.JSONField("交付内容", default=dict, editable=False)
    content_hash = models.CharField("内容のハッシュ", max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "利用票の交付"
        verbose_name_plural = "利用票の交付"
        ordering = ["ticket", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "number"], name="ticket_version_number")
        ]

    def __str__(self) -> str:
        return f"第{self.number}版（{self.created_on:%Y-%m-%d}）"


class CopyRecipientKind(models.TextChoices):
    GUARDIAN = "guardian", "成年後見人"
    MONEY_MANAGER = "money_manager", "金銭管理"
    CASEWORKER = "caseworker", "生活保護のケースワーカー"
    CENTER = "center", "地域包括支援センター（委託元）"


class TicketCopy(models.Model):
    """A copy of a version for a non-insurance recipient, with the date it was sent."""

    scope_office_path = "version__ticket__client__office"
    scope_caseload_paths = VERSION_CASELOAD_PATHS

    version = models.ForeignKey(TicketVersion, on_delete=models.CASCADE, related_name="copies")
    kind = models.CharField("送付先の種別", max_length=16, choices=CopyRecipientKind.choices)
    recipient_name = models.CharField("送付先", max_length=200)
    contact = models.ForeignKey(
        "clients.ClientContact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="連絡先",
    )
    sent_on = models.DateField("送付日", null=True, blank=True)

    class Meta:
        verbose_name = "利用票の写しの送付"
        verbose_name_plural = "利用票の写しの送付"
        ordering = ["version", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recipient_name}"


class SendMethod(models.TextChoices):
    HAND = "hand", "手渡し"
    FAX = "fax", "FAX"
    MAIL = "mail", "郵送"
    DATA = "data", "ケアプランデータ連携"
    EMAIL = "email", "メール"


class ProviderTicketSend(models.Model):
    """The 提供票 of one version sent to one provider."""

    scope_office_path = "version__ticket__client__office"
    scope_caseload_paths = VERSION_CASELOAD_PATHS

    version = models.ForeignKey(
        TicketVersion, on_delete=models.CASCADE, related_name="provider_sends"
    )
    provider = models.ForeignKey(
        "clients.ServiceProvider", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    sent_on = models.DateField("送付日")
    method = models.CharField("送付方法", max_length=8, choices=SendMethod.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="送付者"
    )
    created_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "提供票の送付"
        verbose_name_plural = "提供票の送付"
        ordering = ["version", "provider", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "provider"], name="provider_send_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.sent_on}"
