"""Intake: 相談受付 (Consultation), 契約 (Contract) and 認定申請 (CertificationApplication)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from caremgmt.wareki import wareki_date
from clients.models.client import (
    CLIENT_CASELOAD_PATHS,
    Client,
)
from clients.models.history import (
    ApplicationKind,
    Certification,
)


class ConsultationRoute(models.TextChoices):
    COMMUNITY_CENTER = "community_center", "地域包括支援センター"
    HOSPITAL = "hospital", "病院・診療所"
    FAMILY = "family", "家族"
    SELF = "self", "本人"
    MUNICIPALITY = "municipality", "行政"
    OTHER_OFFICE = "other_office", "他の居宅介護支援事業所"
    OTHER = "other", "その他"


@pghistory.track()
class Consultation(models.Model):
    """初回相談 (and later 相談) — how the person came to us and what they asked for."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="consultations", verbose_name="利用者"
    )
    consulted_on = models.DateField("相談日")
    route = models.CharField("相談経路", max_length=20, choices=ConsultationRoute.choices)
    route_detail = models.CharField(
        "紹介元・相談者", max_length=200, blank=True, help_text="例：○○病院 地域連携室、長女"
    )
    chief_complaint = models.TextField("主訴")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受付者",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "相談受付"
        verbose_name_plural = "相談受付"
        ordering = ["client", "-consulted_on", "-pk"]

    def __str__(self) -> str:
        return f"相談 {wareki_date(self.consulted_on)}"


@pghistory.track()
class Contract(models.Model):
    """居宅介護支援契約 — 重要事項説明 and consent to share personal information first."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="contracts", verbose_name="利用者"
    )
    contracted_on = models.DateField("契約日")
    important_matters_explained = models.BooleanField("重要事項説明を行い同意を得た", default=False)
    personal_info_consent = models.BooleanField(
        "個人情報の使用（サービス担当者会議等での共有）に同意を得た", default=False
    )
    ended_on = models.DateField("契約終了日", null=True, blank=True)
    notes = models.CharField("備考", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登録者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "契約"
        verbose_name_plural = "契約"
        ordering = ["client", "-contracted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(important_matters_explained=True),
                name="contract_requires_explanation",
                violation_error_message="契約の前に重要事項説明を行ってください。",
            )
        ]

    def __str__(self) -> str:
        return f"契約 {wareki_date(self.contracted_on)}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "申請中"
    CERTIFIED = "certified", "認定済"
    NOT_APPLICABLE = "not_applicable", "非該当"
    WITHDRAWN = "withdrawn", "取下げ"


@pghistory.track()
class CertificationApplication(models.Model):
    """申請代行 — an application for 要介護認定 the office submitted on the client's behalf."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="applications", verbose_name="利用者"
    )
    kind = models.CharField("申請区分", max_length=10, choices=ApplicationKind.choices)
    applied_on = models.DateField("申請日")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="申請代行者",
    )
    survey_on = models.DateField("認定調査日", null=True, blank=True)
    status = models.CharField(
        "結果", max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    decided_on = models.DateField("結果通知日", null=True, blank=True)
    certification = models.ForeignKey(
        Certification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name="認定結果",
    )
    notes = models.CharField("備考", max_length=300, blank=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "申請代行"
        verbose_name_plural = "申請代行"
        ordering = ["client", "-applied_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_on__isnull=False),
                name="application_decided_has_date",
                violation_error_message="結果通知日を入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("applied_on")),
                name="application_decided_after_applied",
                violation_error_message="結果通知日は申請日以降の日付にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}申請 {wareki_date(self.applied_on)}"
