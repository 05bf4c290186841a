"""The client register: 利用者 (Client), contacts, and the 主治医 directory (Doctor)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from caremgmt.choices import Sex
from caremgmt.validators import phone_validator, postal_code_validator
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


class TicketCopyRole(models.TextChoices):
    """Non-insurance recipients who get a copy of the monthly 利用票 (issue 10)."""

    GUARDIAN = "guardian", "成年後見人"
    MONEY_MANAGER = "money_manager", "金銭管理"
    CASEWORKER = "caseworker", "生活保護のケースワーカー"


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
    version = models.PositiveIntegerField("版", default=1, editable=False)

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
    layer (`clients.services`), so a search in any kana form matches. It is searched with
    `contains` (LIKE '%…%'), which a btree cannot serve, so it has no index (a btree entry of
    a worst-case expanded name could also exceed PostgreSQL's index row limit). `version` is the
    optimistic-lock counter: every edit through `client_update` increments it.
    """

    scope_office_path = "office"
    scope_caseload_paths = ("care_manager", "deputy_care_manager")

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="clients", verbose_name="事業所"
    )
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("フリガナ", max_length=100)
    # A TextField: NFKC expands a character up to 18-fold (U+FDFA), so no fixed length derived
    # from the 100-character name holds it (issue 9 item 11: ㍿×60 → 240 characters).
    search_kana = models.TextField("検索用カナ", blank=True, editable=False)
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
    entrusting_center = models.CharField(
        "委託元の地域包括支援センター",
        max_length=200,
        blank=True,
        help_text="要支援の方で介護予防支援の委託を受けている場合（利用票の写しを送ります）",
    )
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
    ticket_copy_role = models.CharField(
        "利用票の写しの送付",
        max_length=16,
        choices=TicketCopyRole.choices,
        blank=True,
        help_text="成年後見人・金銭管理者・生活保護のケースワーカーには毎月写しを送ります。",
    )
    version = models.PositiveIntegerField("版", default=1, editable=False)

    class Meta:
        verbose_name = "緊急連絡先・家族"
        verbose_name_plural = "緊急連絡先・家族"
        ordering = ["client", "priority", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.relationship}）"
