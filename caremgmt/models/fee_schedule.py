"""The national fee schedule (介護給付費単位数等サービスコード表 and its companions).

Reference data that care plans (第2・3表 service lines) and tickets both read. Every table
is effective-dated: a 報酬改定 adds rows with a new `valid_from` (and closes the old ones
with `valid_to`); rows are never edited in place. `billing.fee_schedule` turns these rows
into the calc engine's in-memory `FeeSchedule`.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from caremgmt.choices import CareLevel, RegionalGrade


class Confidence(models.TextChoices):
    """How sure we are of a figure (REFERENCE.md tags): confirmed, partial, unconfirmed."""

    CONFIRMED = "C", "確認済"
    PARTIAL = "P", "一部確認"
    UNCONFIRMED = "U", "未確認"


class LaborCostGroup(models.TextChoices):
    """人件費割合 of a service type; fixed10 services are always 10円/単位."""

    SEVENTY = "70", "70%"
    FIFTY_FIVE = "55", "55%"
    FORTY_FIVE = "45", "45%"
    FIXED_TEN_YEN = "fixed10", "10円固定"


class Eligibility(models.TextChoices):
    CARE = "care", "要介護"
    SUPPORT = "support", "要支援・事業対象者"


class Basis(models.TextChoices):
    VISIT = "visit", "1回につき"
    DAY = "day", "1日につき"
    MONTH = "month", "1月につき"


class CodeKind(models.TextChoices):
    BASE = "base", "基本"
    ADDITION = "addition", "加算"
    REDUCTION = "reduction", "減算"
    PERCENTAGE = "percentage", "率による加算・減算"
    RENTAL = "rental", "福祉用具貸与"


def _period_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message="適用終了日は適用開始日以降にしてください。",
    )


class ServiceType(models.Model):
    """サービス種類 (2-char code, may contain letters: 2A, A1…)."""

    code = models.CharField("サービス種類コード", max_length=2, unique=True)
    name = models.CharField("サービス種類", max_length=60)
    labor_cost_group = models.CharField("人件費割合", max_length=8, choices=LaborCostGroup.choices)
    counts_toward_limit = models.BooleanField("区分支給限度額の対象", default=True)
    short_stay = models.BooleanField("短期入所", default=False)
    eligibility = models.CharField("対象者", max_length=8, choices=Eligibility.choices)
    fixed_benefit_rate = models.PositiveSmallIntegerField("固定給付率(%)", null=True, blank=True)
    confidence = models.CharField("確度", max_length=1, choices=Confidence.choices, default="C")

    class Meta:
        verbose_name = "サービス種類"
        verbose_name_plural = "サービス種類"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceCode(models.Model):
    """One version of a サービスコード: 2-char type + 4-char item, with its 単位数."""

    code = models.CharField("サービスコード", max_length=6)
    service_type = models.ForeignKey(
        ServiceType,
        to_field="code",
        on_delete=models.PROTECT,
        related_name="codes",
        verbose_name="サービス種類",
    )
    name = models.CharField("サービス内容略称", max_length=100)
    units = models.IntegerField("単位数", default=0)
    basis = models.CharField("算定単位", max_length=8, choices=Basis.choices)
    kind = models.CharField("種別", max_length=12, choices=CodeKind.choices)
    percentage_rate = models.DecimalField(
        "率(%)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    counts_toward_limit = models.BooleanField("区分支給限度額の対象", default=True)
    level_group = models.CharField("要介護度別グループ", max_length=40, blank=True)
    care_levels = ArrayField(
        models.CharField(max_length=2, choices=CareLevel.choices),
        verbose_name="対象の要介護度",
        default=list,
        blank=True,
    )
    valid_from = models.DateField("適用開始日")
    valid_to = models.DateField("適用終了日", null=True, blank=True)
    confidence = models.CharField("確度", max_length=1, choices=Confidence.choices, default="C")

    class Meta:
        verbose_name = "サービスコード"
        verbose_name_plural = "サービスコード"
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="service_code_version"),
            _period_constraint("service_code_period"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9A-Z]{6}$"),
                name="service_code_shape",
                violation_error_message="サービスコードは英数字6桁です。",
            ),
        ]
        indexes = [models.Index(fields=["level_group"], name="service_code_level_group")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CareLevelLimit(models.Model):
    """区分支給限度基準額 (units per month) of one 要介護状態区分."""

    care_level = models.CharField("要介護状態区分", max_length=2, choices=CareLevel.choices)
    limit_units = models.PositiveIntegerField("区分支給限度基準額(単位)")
    valid_from = models.DateField("適用開始日")
    valid_to = models.DateField("適用終了日", null=True, blank=True)
    confidence = models.CharField("確度", max_length=1, choices=Confidence.choices, default="C")

    class Meta:
        verbose_name = "区分支給限度基準額"
        verbose_name_plural = "区分支給限度基準額"
        ordering = ["care_level", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["care_level", "valid_from"], name="care_level_limit_version"
            ),
            _period_constraint("care_level_limit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_care_level_display()} {self.limit_units}"


class RegionalUnitPrice(models.Model):
    """1単位の単価 for a 地域区分 × 人件費割合 group: 10 × (1 + 上乗せ割合 × 人件費割合)."""

    regional_grade = models.CharField("地域区分", max_length=5, choices=RegionalGrade.choices)
    labor_cost_group = models.CharField("人件費割合", max_length=8, choices=LaborCostGroup.choices)
    uplift_percent = models.DecimalField("上乗せ割合(%)", max_digits=5, decimal_places=2)
    labor_cost_percent = models.DecimalField("人件費割合(%)", max_digits=5, decimal_places=2)
    unit_price = models.DecimalField("単価(円)", max_digits=5, decimal_places=2)
    valid_from = models.DateField("適用開始日")
    valid_to = models.DateField("適用終了日", null=True, blank=True)
    confidence = models.CharField("確度", max_length=1, choices=Confidence.choices, default="C")

    class Meta:
        verbose_name = "地域区分単価"
        verbose_name_plural = "地域区分単価"
        ordering = ["regional_grade", "labor_cost_group", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["regional_grade", "labor_cost_group", "valid_from"],
                name="regional_unit_price_version",
            ),
            _period_constraint("regional_unit_price_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_regional_grade_display()} {self.labor_cost_group}% {self.unit_price}"


class ServiceTypeLimit(models.Model):
    """種類支給限度基準額 a municipality (保険者) sets by 条例 for one service type."""

    insurer_number = models.CharField("保険者番号", max_length=6)
    service_type = models.ForeignKey(
        ServiceType, to_field="code", on_delete=models.PROTECT, verbose_name="サービス種類"
    )
    limit_units = models.PositiveIntegerField("種類支給限度基準額(単位)")
    valid_from = models.DateField("適用開始日")
    valid_to = models.DateField("適用終了日", null=True, blank=True)

    class Meta:
        verbose_name = "種類支給限度基準額"
        verbose_name_plural = "種類支給限度基準額"
        constraints = [
            models.UniqueConstraint(
                fields=["insurer_number", "service_type", "valid_from"],
                name="service_type_limit_version",
            ),
            _period_constraint("service_type_limit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.insurer_number} {self.service_type_id} {self.limit_units}"
