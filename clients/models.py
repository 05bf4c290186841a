"""利用者台帳 (client register)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from caremgmt.choices import Sex


class ClientStatus(models.TextChoices):
    CONSULTING = "consulting", "相談中"
    CONTRACTED = "contracted", "契約中"
    HOSPITALIZED = "hospitalized", "入院中"
    ENDED = "ended", "終了"


@pghistory.track()
class Client(models.Model):
    """利用者 — a person this office supports. Scoped to the office and the caseload."""

    scope_office_path = "office"
    scope_caseload_paths = ("care_manager", "deputy_care_manager")

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="clients", verbose_name="事業所"
    )
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100)
    birth_date = models.DateField("生年月日")
    sex = models.CharField("性別", max_length=1, choices=Sex.choices)
    care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name="担当介護支援専門員",
    )
    deputy_care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy_caseload",
        verbose_name="代理担当",
    )
    status = models.CharField(
        "状態", max_length=16, choices=ClientStatus.choices, default=ClientStatus.CONSULTING
    )

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        ordering = ["name_kana", "pk"]

    def __str__(self) -> str:
        return self.name
