"""居宅介護支援費 (the office's own claim): 常勤換算 per care manager per month, the office's
加算/減算 settings, and the evidence of per-client 加算 until the monitoring records exist."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models


class StaffMonthFte(models.Model):
    """常勤換算 of one care manager in one month (1.00 = full time)."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="職員"
    )
    month = models.DateField("年月")
    fte = models.DecimalField("常勤換算", max_digits=3, decimal_places=2)

    class Meta:
        verbose_name = "常勤換算"
        verbose_name_plural = "常勤換算"
        ordering = ["office", "-month", "staff"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "staff", "month"], name="staff_month_fte_once"
            ),
            models.CheckConstraint(
                condition=models.Q(fte__gt=0, fte__lte=1),
                name="staff_month_fte_range",
                violation_error_message="常勤換算は0より大きく1.00以下です。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.month:%Y-%m} {self.fte}"


class OfficeClaimSettings(models.Model):
    """The office's 体制 for 居宅介護支援費 (REFERENCE §5.3; codes marked unconfirmed in
    billing.office_claim where not known)."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.OneToOneField(
        "caremgmt.Office", on_delete=models.CASCADE, related_name="claim_settings"
    )
    fee_category = models.CharField(
        "居宅介護支援費の区分",
        max_length=2,
        choices=[("1", "（Ⅰ）"), ("2", "（Ⅱ）ケアプランデータ連携＋事務職員")],
        default="1",
    )
    specific_office_addition = models.CharField(
        "特定事業所加算",
        max_length=2,
        choices=[("", "なし"), ("1", "（Ⅰ）"), ("2", "（Ⅱ）"), ("3", "（Ⅲ）"), ("A", "（A）")],
        blank=True,
    )
    special_area = models.BooleanField("特別地域加算（+15%）", default=False)
    hilly_small_office = models.BooleanField("中山間地域等小規模事業所加算（+10%）", default=False)
    hilly_resident = models.BooleanField("中山間地域等居住者加算（+5%）", default=False)
    abuse_prevention_missing = models.BooleanField(
        "高齢者虐待防止措置未実施減算（-1%）", default=False
    )
    bcp_missing = models.BooleanField("業務継続計画未策定減算（-1%）", default=False)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "居宅介護支援費の体制"
        verbose_name_plural = "居宅介護支援費の体制"

    def __str__(self) -> str:
        return f"{self.office} 体制"


class EvidenceKind(models.TextChoices):
    HOSPITAL_1 = "hospital_1", "入院時情報連携加算（Ⅰ）"
    HOSPITAL_2 = "hospital_2", "入院時情報連携加算（Ⅱ）"
    DISCHARGE = "discharge", "退院・退所加算"
    OUTPATIENT = "outpatient", "通院時情報連携加算"
    TERMINAL = "terminal", "ターミナルケアマネジメント加算"
    EMERGENCY = "emergency", "緊急時等居宅カンファレンス加算"
    INITIAL = "initial", "初回加算"
    SAME_BUILDING = "same_building", "同一建物減算"
    STANDARD_VIOLATION = "standard_violation", "運営基準減算"


class DischargeVariant(models.TextChoices):
    """退院・退所加算の区分 (REFERENCE §12.6). The values are the ones
    `monitoring.hospital.additions.discharge_addition_variant` returns."""

    I_A = "1i", "Ⅰイ"
    I_B = "1ro", "Ⅰロ"
    II_A = "2i", "Ⅱイ"
    II_B = "2ro", "Ⅱロ"
    III = "3", "Ⅲ"


class ClaimEvidence(models.Model):
    """The proof of a per-client 加算/減算 for a month (date and note), entered by hand until
    the monitoring records provide it; 初回加算 proposals are confirmed here too."""

    scope_office_path = "client__office"
    scope_caseload_paths = ("client__care_manager", "client__deputy_care_manager")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="claim_evidence"
    )
    month = models.DateField("サービス提供年月")
    kind = models.CharField("種類", max_length=20, choices=EvidenceKind.choices)
    proof_on = models.DateField("根拠の日付")
    note = models.CharField("内容", max_length=300, blank=True)
    variant = models.CharField(
        "退院・退所加算の区分",
        max_length=3,
        choices=DischargeVariant.choices,
        blank=True,
        help_text="退院・退所加算のときだけ。空欄の古い行はⅠイで算定します（区分未選択）。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "加算・減算の根拠"
        verbose_name_plural = "加算・減算の根拠"
        ordering = ["client", "-month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "month", "kind"], name="claim_evidence_once_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="discharge") | models.Q(variant=""),
                name="claim_evidence_variant_only_for_discharge",
                violation_error_message="区分は退院・退所加算のときだけ選びます。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m}"

    @property
    def kind_label(self) -> str:
        """The kind with its 区分 when it has one: 「退院・退所加算（Ⅰロ）」."""
        if self.kind == EvidenceKind.DISCHARGE and self.variant:
            return f"{self.get_kind_display()}（{self.get_variant_display()}）"
        return self.get_kind_display()

    @property
    def variant_missing(self) -> bool:
        """A 退院・退所加算 row saved before the 区分 existed (claimed as Ⅰイ)."""
        return self.kind == EvidenceKind.DISCHARGE and not self.variant


@pghistory.track()
class OfficeClaimMonthClose(models.Model):
    """The office's 居宅介護支援費 claim of a month was sent to the 国保連 (送信済み).

    While the row exists the month's ClaimEvidence and 常勤換算 are not written (a correction
    is a 過誤申立て); `lines` keeps the lines as they were claimed. 管理者 may undo it
    (the row is deleted; pghistory keeps the delete event with who and which URL)."""

    scope_office_path = "office"
    scope_caseload_paths: tuple[str, ...] = ()

    office = models.ForeignKey(
        "caremgmt.Office", on_delete=models.PROTECT, related_name="+", verbose_name="事業所"
    )
    month = models.DateField("サービス提供年月")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="送信済みにした職員",
    )
    closed_by_label = models.CharField("送信済みにした職員（役割・氏名）", max_length=100)
    closed_at = models.DateTimeField("送信済みにした日時", auto_now_add=True)
    note = models.CharField("メモ", max_length=300, blank=True)
    total_units = models.IntegerField("単位数の合計", default=0)
    billable_yen = models.IntegerField("請求額の合計", default=0)
    lines = models.JSONField(
        "送信時の請求行",
        default=list,
        help_text="[{client_id, client_name, level, codes: [[code, name, units]], "
        "total_units, insurance_claim_yen, billable, reasons}]",
    )

    class Meta:
        verbose_name = "居宅介護支援費の送信済み月"
        verbose_name_plural = "居宅介護支援費の送信済み月"
        ordering = ["office", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "month"], name="office_claim_month_closed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.month:%Y-%m} 送信済み"
