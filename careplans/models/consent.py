"""交付 to the client, providers and the 主治医, and 軽微な変更 (append-only)."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models

from caremgmt.wareki import wareki_date
from careplans.models.assessment import (
    PLAN_CASELOAD_PATHS,
)
from careplans.models.plan import (
    CarePlan,
)


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
