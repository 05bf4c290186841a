"""The office's address book: service providers (with their dated 地域区分) and informal resources."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from caremgmt.choices import RegionalGrade, ServiceType
from caremgmt.models.regional_grade import RegionalGradePeriod, regional_grade_constraints
from caremgmt.validators import office_number_validator, phone_validator, postal_code_validator


@pghistory.track()
class ServiceProvider(models.Model):
    """サービス事業所 — who provides which サービス種類 near our clients."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    provider_number = models.CharField(
        "事業所番号", max_length=10, validators=[office_number_validator]
    )
    name = models.CharField("事業所名", max_length=200)
    name_kana = models.CharField("事業所名（フリガナ）", max_length=200, blank=True)
    service_types = ArrayField(
        models.CharField(max_length=2, choices=ServiceType.choices),
        verbose_name="サービス種類",
        default=list,
    )
    regional_grade = models.CharField(
        "地域区分", max_length=5, choices=RegionalGrade.choices, default=RegionalGrade.OTHER
    )
    postal_code = models.CharField(
        "郵便番号", max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField("所在地", max_length=300, blank=True)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    fax = models.CharField("FAX番号", max_length=20, blank=True, validators=[phone_validator])
    contact_person = models.CharField("担当者", max_length=100, blank=True)
    additions = models.JSONField(
        "加算体制",
        default=list,
        blank=True,
        help_text="[{'name': '特定事業所加算(II)', 'note': '…'}] — 1行に「名称：内容」で入力",
    )
    closed_on_holidays = models.BooleanField(
        "祝日休み", default=False, help_text="祝日は利用票の予定を作りません。"
    )
    closed_weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name="定休日",
        default=list,
        blank=True,
        help_text="1 月 … 7 日",
    )
    notes = models.TextField("備考", blank=True)
    is_active = models.BooleanField("利用可能", default=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "サービス事業所"
        verbose_name_plural = "サービス事業所"
        ordering = ["name_kana", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "provider_number"],
                name="provider_unique_number_per_office",
                violation_error_message="この事業所番号は既に登録されています。",
            ),
            models.CheckConstraint(
                condition=Q(provider_number__regex=r"^\d{10}$"),
                name="provider_number_10_digits",
                violation_error_message="事業所番号は半角数字10桁で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(service_types__contained_by=ServiceType.values),
                name="provider_service_types_known",
                violation_error_message="サービス種類コードが正しくありません。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def service_type_labels(self) -> list[str]:
        labels = dict(ServiceType.choices)
        return [labels.get(code, code) for code in self.service_types]


@pghistory.track()
class ProviderRegionalGrade(RegionalGradePeriod):
    """サービス事業所の地域区分 for a period (`caremgmt.regional_grades.regional_grade_on`)."""

    scope_office_path = "provider__office"
    scope_caseload_paths: tuple[str, ...] = ()

    provider = models.ForeignKey(
        ServiceProvider,
        on_delete=models.CASCADE,
        related_name="regional_grades",
        verbose_name="サービス事業所",
    )

    class Meta:
        verbose_name = "サービス事業所の地域区分"
        verbose_name_plural = "サービス事業所の地域区分"
        ordering = ["provider", "-valid_from"]
        constraints = regional_grade_constraints("provider_regional_grade", "provider")


class ResourceKind(models.TextChoices):
    WELFARE_COMMISSIONER = "commissioner", "民生委員"
    VOLUNTEER = "volunteer", "ボランティア"
    WATCH = "watch", "見守り"
    MEALS = "meals", "配食"
    PRIVATE_SERVICE = "private", "自費サービス"
    SALON = "salon", "サロン・通いの場"
    TRANSPORT = "transport", "移送・外出支援"
    NEIGHBOR = "neighbor", "近隣・町会"
    OTHER = "other", "その他"


@pghistory.track()
class InformalResource(models.Model):
    """インフォーマル資源 — what the neighbourhood offers beyond insurance services."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    kind = models.CharField("種別", max_length=16, choices=ResourceKind.choices)
    name = models.CharField("名称", max_length=200)
    area = models.CharField("地域", max_length=100, blank=True, help_text="例：神田一〜三丁目")
    contact_person = models.CharField("連絡先（担当者）", max_length=100, blank=True)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    offers = models.TextField("内容", help_text="提供内容・曜日・費用など")
    notes = models.TextField("備考", blank=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "インフォーマル資源"
        verbose_name_plural = "インフォーマル資源"
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name
