"""利用者台帳 (client register), the effective-dated histories, intake and the office's
address book (providers, doctors, informal resources).

History rule: 要介護認定, 負担割合 and 居宅サービス計画作成依頼届出 rows are *facts as
written on a card or a filing*. They are never overwritten: a database trigger refuses
UPDATEs of their fact columns. A correction inserts a new row and marks the old one
superseded (`superseded_at`, `superseded_by`); a 区分変更 (or a new 負担割合証 mid-period)
ends the previous row early by setting `ended_on`. Only those bookkeeping columns may change,
and pghistory records every change.
"""

from __future__ import annotations

import datetime as dt

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from caremgmt.choices import CareLevel, RegionalGrade, ServiceType, Sex
from caremgmt.models.regional_grade import RegionalGradePeriod, regional_grade_constraints
from caremgmt.validators import office_number_validator, phone_validator, postal_code_validator
from caremgmt.wareki import wareki_date
from clients.validators import (
    insured_number_validator,
    insurer_number_validator,
    not_in_future_validator,
)

CLIENT_CASELOAD_PATHS = ("client__care_manager", "client__deputy_care_manager")


class ClientStatus(models.TextChoices):
    CONSULTING = "consulting", "相談中"
    CONTRACTED = "contracted", "契約中"
    HOSPITALIZED = "hospitalized", "入院中"
    ENDED = "ended", "終了"


ACTIVE_STATUSES = (ClientStatus.CONTRACTED, ClientStatus.HOSPITALIZED)


class LivingSituation(models.TextChoices):
    ALONE = "alone", "独居"
    ELDERLY_HOUSEHOLD = "elderly", "高齢者世帯"
    ALONE_DAYTIME = "alone_daytime", "日中独居"
    WITH_FAMILY = "with_family", "家族と同居"
    OTHER = "other", "その他"


class EndReason(models.TextChoices):
    DEATH = "death", "死亡"
    FACILITY = "facility", "施設入所"
    MOVED = "moved", "転居"
    OTHER_OFFICE = "other_office", "他事業所へ変更"
    PREVENTIVE = "preventive", "介護予防支援へ移行"
    NOT_APPLICABLE = "not_applicable", "非該当・自立"
    OTHER = "other", "その他"


@pghistory.track()
class Doctor(models.Model):
    """主治医・医療機関 — with the contact window that works (主治医との連携)."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    class Channel(models.TextChoices):
        PHONE = "phone", "電話"
        FAX = "fax", "FAX"
        EMAIL = "email", "メール"
        VISIT = "visit", "外来受診に同行・訪問"
        LETTER = "letter", "文書（連絡票）"
        ICT = "ict", "ICT（MCS等）"

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    institution_name = models.CharField("医療機関名", max_length=200)
    doctor_name = models.CharField("医師名", max_length=100, blank=True)
    department = models.CharField("診療科", max_length=100, blank=True)
    postal_code = models.CharField(
        "郵便番号", max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField("所在地", max_length=300, blank=True)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    fax = models.CharField("FAX番号", max_length=20, blank=True, validators=[phone_validator])
    contact_window = models.CharField(
        "連絡窓口", max_length=100, blank=True, help_text="例：地域連携室 ○○さん"
    )
    best_contact_time = models.CharField(
        "連絡しやすい時間帯", max_length=100, blank=True, help_text="例：火・木 13時〜14時"
    )
    contact_channel = models.CharField(
        "連絡方法", max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    notes = models.TextField("備考", blank=True)

    class Meta:
        verbose_name = "主治医・医療機関"
        verbose_name_plural = "主治医・医療機関"
        ordering = ["institution_name", "doctor_name", "pk"]

    def __str__(self) -> str:
        parts = [self.institution_name, self.department, self.doctor_name]
        return " ".join(part for part in parts if part)


@pghistory.track()
class Client(models.Model):
    """利用者 — a person this office supports. Scoped to the office and the caseload.

    `search_kana` is a normalised katakana copy of name and フリガナ kept by the service
    layer (`clients.services`), so a search in any kana form matches. `version` is the
    optimistic-lock counter: every edit through `client_update` increments it.
    """

    scope_office_path = "office"
    scope_caseload_paths = ("care_manager", "deputy_care_manager")

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="clients", verbose_name="事業所"
    )
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100)
    search_kana = models.CharField("検索用カナ", max_length=210, blank=True, editable=False)
    birth_date = models.DateField("生年月日", validators=[not_in_future_validator])
    sex = models.CharField("性別", max_length=1, choices=Sex.choices)
    postal_code = models.CharField(
        "郵便番号", max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField("住所", max_length=300, blank=True)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    insured_number = models.CharField(
        "被保険者番号",
        max_length=10,
        blank=True,
        validators=[insured_number_validator],
        help_text="被保険者証の10桁（生活保護単独は H＋9桁）。申請前で未定なら空欄。",
    )
    insurer_number = models.CharField(
        "保険者番号", max_length=6, blank=True, validators=[insurer_number_validator]
    )
    insurer_name = models.CharField("保険者名", max_length=100, blank=True)
    living_situation = models.CharField(
        "世帯状況", max_length=16, choices=LivingSituation.choices, blank=True
    )
    primary_doctor = models.ForeignKey(
        Doctor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patients",
        verbose_name="主治医",
    )
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
    status_changed_on = models.DateField("状態の変更日", null=True, blank=True)
    end_reason = models.CharField("終了理由", max_length=16, choices=EndReason.choices, blank=True)
    end_note = models.CharField("終了理由の詳細", max_length=200, blank=True)
    notes = models.TextField("備考", blank=True)
    version = models.PositiveIntegerField("版", default=1, editable=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True, null=True)

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        ordering = ["name_kana", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "insurer_number", "insured_number"],
                condition=~Q(insured_number=""),
                name="client_unique_insured_per_office",
                violation_error_message="この保険者番号・被保険者番号の利用者は既に登録されています。",
            ),
            models.CheckConstraint(
                condition=Q(insured_number="")
                | Q(insured_number__regex=r"^\d{10}$")
                | Q(insured_number__regex=r"^H\d{9}$"),
                name="client_insured_number_shape",
                violation_error_message="被保険者番号は半角数字10桁（生活保護単独は H＋数字9桁）で入力してください。",
            ),
            models.CheckConstraint(
                condition=Q(insurer_number="") | Q(insurer_number__regex=r"^\d{6}$"),
                name="client_insurer_number_6_digits",
                violation_error_message="保険者番号は半角数字6桁で入力してください。",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | Q(status_changed_on__isnull=False),
                name="client_ended_has_date",
                violation_error_message="終了日を入力してください。",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "search_kana"], name="client_office_search"),
            models.Index(fields=["office", "insured_number"], name="client_office_insured"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class ClientContact(models.Model):
    """緊急連絡先・家族 — 続柄, whether they are the 主介護者, and how to reach them."""

    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="contacts", verbose_name="利用者"
    )
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100, blank=True)
    relationship = models.CharField("続柄", max_length=30, help_text="例：長女、夫、甥")
    is_primary_caregiver = models.BooleanField("主介護者", default=False)
    is_emergency_contact = models.BooleanField("緊急連絡先", default=True)
    priority = models.PositiveSmallIntegerField("連絡順位", default=1)
    lives_together = models.BooleanField("同居", default=False)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    mobile_phone = models.CharField(
        "携帯電話", max_length=20, blank=True, validators=[phone_validator]
    )
    address = models.CharField("住所", max_length=300, blank=True)
    notes = models.CharField("備考", max_length=300, blank=True, help_text="例：平日日中は仕事")

    class Meta:
        verbose_name = "緊急連絡先・家族"
        verbose_name_plural = "緊急連絡先・家族"
        ordering = ["client", "priority", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.relationship}）"


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
    notes = models.TextField("備考", blank=True)
    is_active = models.BooleanField("利用可能", default=True)

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

    class Meta:
        verbose_name = "インフォーマル資源"
        verbose_name_plural = "インフォーマル資源"
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name


# 公費 and 給付制限 live in their own module; importing them here registers them with the app.
from clients.models_coverage import (  # noqa: E402, F401
    BenefitRestriction,
    PublicExpense,
    RestrictionKind,
)
