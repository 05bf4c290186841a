"""公費 and 給付制限 — what billing needs besides the 認定 and the 負担割合 (issue 8).

Both are effective-dated facts copied from a document (公費受給者証, 給付制限の通知), kept
like the other histories: never overwritten (a trigger refuses UPDATEs of fact columns),
corrected by a new row that supersedes the old one, ended early through `ended_on`.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import F, Q

from clients.models.history import (
    Client,
    EffectiveDatedFact,
    _fact_columns_read_only,
    _period_constraints,
)


@pghistory.track()
class PublicExpense(EffectiveDatedFact):
    """公費 — 法別番号, 公費負担者番号 (8 digits, starting with the 法別番号) and
    公費受給者番号 (7 digits), valid for a period. 12 = 生活保護（介護扶助）."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="public_expenses", verbose_name="利用者"
    )
    law_number = models.CharField("法別番号", max_length=2)
    payer_number = models.CharField("公費負担者番号", max_length=8)
    recipient_number = models.CharField("公費受給者番号", max_length=7)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="訂正後の記録",
    )

    class Meta:
        verbose_name = "公費"
        verbose_name_plural = "公費"
        ordering = ["client", "-valid_from", "-pk"]
        constraints = [
            *_period_constraints("public_expense"),
            models.CheckConstraint(
                condition=Q(law_number__regex=r"^\d{2}$"),
                name="public_expense_law_number_2_digits",
                violation_error_message="法別番号は半角数字2桁で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(payer_number__regex=r"^\d{8}$")
                & Q(payer_number__startswith=F("law_number")),
                name="public_expense_payer_number_shape",
                violation_error_message="公費負担者番号は法別番号で始まる半角数字8桁です。",
            ),
            models.CheckConstraint(
                condition=Q(recipient_number__regex=r"^\d{7}$"),
                name="public_expense_recipient_number_7_digits",
                violation_error_message="公費受給者番号は半角数字7桁で入力してください。",
            ),
        ]
        triggers = [_fact_columns_read_only(*EffectiveDatedFact.BOOKKEEPING_FIELDS)]
        indexes = [models.Index(fields=["client", "valid_from"], name="public_expense_client")]

    def __str__(self) -> str:
        return f"公費 {self.law_number} {self.payer_number} {self.valid_from}〜{self.valid_to}"

    @property
    def law_label(self) -> str:
        from clients.coverage import public_expense_law_label

        return public_expense_law_label(self.law_number)


class RestrictionKind(models.TextChoices):
    RATE_REDUCTION = "rate_reduction", "給付率引下げ"
    REIMBURSEMENT = "reimbursement", "償還払い"


@pghistory.track()
class BenefitRestriction(EffectiveDatedFact):
    """給付制限 — 保険料滞納による給付率の引下げ (e.g. 70 % or 60 %) or 償還払い化."""

    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="benefit_restrictions",
        verbose_name="利用者",
    )
    kind = models.CharField("種類", max_length=16, choices=RestrictionKind.choices)
    benefit_rate = models.PositiveSmallIntegerField(
        "引下げ後の給付率（%）", null=True, blank=True, help_text="例：70、60"
    )
    note = models.CharField("備考", max_length=200, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="訂正後の記録",
    )

    class Meta:
        verbose_name = "給付制限"
        verbose_name_plural = "給付制限"
        ordering = ["client", "-valid_from", "-pk"]
        constraints = [
            *_period_constraints("benefit_restriction"),
            models.CheckConstraint(
                condition=(
                    Q(kind="rate_reduction", benefit_rate__gte=1, benefit_rate__lt=90)
                    | Q(kind="reimbursement", benefit_rate__isnull=True)
                ),
                name="benefit_restriction_rate_matches_kind",
                violation_error_message=(
                    "給付率引下げは引下げ後の給付率（1〜89%）を、償還払いは給付率を空欄にしてください。"
                ),
            ),
        ]
        triggers = [_fact_columns_read_only(*EffectiveDatedFact.BOOKKEEPING_FIELDS)]

    def __str__(self) -> str:
        rate = f" {self.benefit_rate}%" if self.benefit_rate else ""
        return f"{self.get_kind_display()}{rate} {self.valid_from}〜{self.valid_to}"
