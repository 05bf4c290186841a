"""Effective-dated facts copied from cards and filings: 要介護認定, 負担割合, 居宅サービス計画作成依頼届出.

They are never overwritten: a database trigger refuses UPDATEs of their fact columns. A
correction inserts a new row and marks the old one superseded (`superseded_at`,
`superseded_by`); a 区分変更 (or a new 負担割合証 mid-period) ends the previous row early by
setting `ended_on`. Only those bookkeeping columns may change, and pghistory records every
change."""

from __future__ import annotations

import datetime as dt

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from caremgmt.choices import CareLevel
from caremgmt.wareki import wareki_date
from clients.models.client import (
    CLIENT_CASELOAD_PATHS,
    Client,
)


class HistoryQuerySet(models.QuerySet):
    def current(self) -> HistoryQuerySet:
        """Rows not superseded by a correction."""
        return self.filter(superseded_at__isnull=True)

    def in_force_on(self, day: dt.date) -> HistoryQuerySet:
        return self.current().filter(
            Q(valid_from__lte=day, valid_to__gte=day),
            Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        )

    def overlapping(self, start: dt.date, end: dt.date) -> HistoryQuerySet:
        return self.current().filter(
            Q(valid_from__lte=end, valid_to__gte=start),
            Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        )


class EffectiveDatedFact(models.Model):
    """A period fact copied from a card: valid_from–valid_to, optionally ended early."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS
    BOOKKEEPING_FIELDS = ("ended_on", "superseded_at", "superseded_reason")

    valid_from = models.DateField("有効期間（開始）")
    valid_to = models.DateField("有効期間（終了）")
    ended_on = models.DateField(
        "途中終了日", null=True, blank=True, help_text="区分変更などで有効期間の途中で終わった日"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="登録者",
    )
    superseded_at = models.DateTimeField("訂正日時", null=True, blank=True)
    superseded_reason = models.CharField("訂正理由", max_length=200, blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def effective_to(self) -> dt.date:
        """The last day this row was in force (the card's end, or the early end)."""
        return self.ended_on if self.ended_on is not None else self.valid_to

    def days_left(self, today: dt.date) -> int:
        return (self.effective_to - today).days


def _period_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(valid_to__gte=F("valid_from")),
            name=f"{prefix}_period_order",
            violation_error_message="有効期間の終了日は開始日以降の日付にしてください。",
        ),
        models.CheckConstraint(
            condition=Q(ended_on__isnull=True)
            | Q(ended_on__gte=F("valid_from"), ended_on__lte=F("valid_to")),
            name=f"{prefix}_ended_within_period",
            violation_error_message="途中終了日は有効期間内の日付にしてください。",
        ),
    ]


def _fact_columns_read_only(*bookkeeping: str) -> pgtrigger.ReadOnly:
    return pgtrigger.ReadOnly(name="facts_read_only", exclude=[*bookkeeping, "superseded_by"])


class ApplicationKind(models.TextChoices):
    NEW = "new", "新規"
    RENEWAL = "renewal", "更新"
    CHANGE = "change", "区分変更"


class DisabilityIndependence(models.TextChoices):
    """障害高齢者の日常生活自立度（寝たきり度）."""

    INDEPENDENT = "independent", "自立"
    J1 = "J1", "J1"
    J2 = "J2", "J2"
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class DementiaIndependence(models.TextChoices):
    """認知症高齢者の日常生活自立度."""

    INDEPENDENT = "independent", "自立"
    I = "I", "Ⅰ"  # noqa: E741
    IIA = "IIa", "Ⅱa"
    IIB = "IIb", "Ⅱb"
    IIIA = "IIIa", "Ⅲa"
    IIIB = "IIIb", "Ⅲb"
    IV = "IV", "Ⅳ"
    M = "M", "M"


class IndependenceSource(models.TextChoices):
    DOCTOR_OPINION = "doctor_opinion", "主治医意見書"
    SURVEY = "survey", "認定調査票"


@pghistory.track()
class Certification(EffectiveDatedFact):
    """要介護認定 — as written on the 被保険者証 (第1表 header: 認定日, 有効期間, 区分, 意見)."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="certifications", verbose_name="利用者"
    )
    application_kind = models.CharField("申請区分", max_length=10, choices=ApplicationKind.choices)
    applied_on = models.DateField("申請日", null=True, blank=True)
    certified_on = models.DateField("認定日", null=True, blank=True)
    care_level = models.CharField("要介護状態区分", max_length=2, choices=CareLevel.choices)
    committee_opinion = models.TextField("介護認定審査会の意見及びサービスの種類の指定", blank=True)
    disability_independence = models.CharField(
        "障害高齢者の日常生活自立度",
        max_length=11,
        choices=DisabilityIndependence.choices,
        blank=True,
    )
    disability_independence_source = models.CharField(
        "障害高齢者の自立度の出典", max_length=16, choices=IndependenceSource.choices, blank=True
    )
    dementia_independence = models.CharField(
        "認知症高齢者の日常生活自立度",
        max_length=11,
        choices=DementiaIndependence.choices,
        blank=True,
    )
    dementia_independence_source = models.CharField(
        "認知症高齢者の自立度の出典", max_length=16, choices=IndependenceSource.choices, blank=True
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="訂正後の記録",
    )

    class Meta:
        verbose_name = "要介護認定"
        verbose_name_plural = "要介護認定"
        ordering = ["client", "-valid_from", "-pk"]
        constraints = _period_constraints("certification")
        triggers = [_fact_columns_read_only(*EffectiveDatedFact.BOOKKEEPING_FIELDS)]
        indexes = [models.Index(fields=["client", "valid_from"], name="certification_client")]

    def __str__(self) -> str:
        return f"{self.get_care_level_display()} {wareki_date(self.valid_from)}〜{wareki_date(self.valid_to)}"


class BurdenRatioChoice(models.IntegerChoices):
    ONE = 1, "1割"
    TWO = 2, "2割"
    THREE = 3, "3割"


@pghistory.track()
class BurdenRatio(EffectiveDatedFact):
    """負担割合証 — 1/2/3割, normally valid 8/1–7/31."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="burden_ratios", verbose_name="利用者"
    )
    ratio = models.PositiveSmallIntegerField("負担割合", choices=BurdenRatioChoice.choices)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="訂正後の記録",
    )

    class Meta:
        verbose_name = "負担割合"
        verbose_name_plural = "負担割合"
        ordering = ["client", "-valid_from", "-pk"]
        constraints = [
            *_period_constraints("burden"),
            models.CheckConstraint(
                condition=Q(ratio__gte=1, ratio__lte=3),
                name="burden_ratio_1_to_3",
                violation_error_message="負担割合は1割・2割・3割のいずれかを選んでください。",
            ),
        ]
        triggers = [_fact_columns_read_only(*EffectiveDatedFact.BOOKKEEPING_FIELDS)]

    def __str__(self) -> str:
        return f"{self.ratio}割 {wareki_date(self.valid_from)}〜{wareki_date(self.valid_to)}"


class FilingQuerySet(models.QuerySet):
    def current(self) -> FilingQuerySet:
        return self.filter(superseded_at__isnull=True)

    def in_force_on(self, day: dt.date) -> FilingQuerySet:
        return self.current().filter(
            Q(filed_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )


@pghistory.track()
class PlanRequestFiling(models.Model):
    """居宅サービス計画作成依頼（変更）届出 — filed with the municipality before services start.
    In force from `filed_on` until `ended_on` (another office takes over, contract ends)."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="plan_request_filings", verbose_name="利用者"
    )
    filed_on = models.DateField("届出日")
    municipality = models.CharField("届出先", max_length=100, blank=True)
    ended_on = models.DateField("終了日", null=True, blank=True)
    notes = models.CharField("備考", max_length=200, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="登録者",
    )
    superseded_at = models.DateTimeField("訂正日時", null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_reason = models.CharField("訂正理由", max_length=200, blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "居宅サービス計画作成依頼届出"
        verbose_name_plural = "居宅サービス計画作成依頼届出"
        ordering = ["client", "-filed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("filed_on")),
                name="filing_end_after_filed",
                violation_error_message="終了日は届出日以降の日付にしてください。",
            )
        ]
        triggers = [_fact_columns_read_only("ended_on", "superseded_at", "superseded_reason")]

    def __str__(self) -> str:
        return f"届出 {wareki_date(self.filed_on)}"
