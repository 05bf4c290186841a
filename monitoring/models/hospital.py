"""Hospital hand-offs on top of `clients.HospitalStay`.

- `AdmissionInfoSheet` — 入院時情報提供書: filled from the register and the plan, editable
  before printing, and when / how it reached the hospital (入院時情報連携加算 Ⅰ: by the day of
  admission, Ⅱ: by the day after next; `after_hours` moves both by a day).
- `DischargeConference` — 退院前カンファレンス or another discharge liaison (退院・退所加算).
- `OutpatientLiaison` — 通院時情報連携 (the care manager accompanies the client to the doctor).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from clients.models.client import CLIENT_CASELOAD_PATHS


class HandoffMethod(models.TextChoices):
    FACE = "face", "面談（持参）"
    FAX = "fax", "FAX"
    MAIL = "mail", "メール・連携システム"
    POST = "post", "郵送"
    PHONE = "phone", "電話（口頭）"


@pghistory.track()
class AdmissionInfoSheet(models.Model):
    """入院時情報提供書 for one stay. `content` holds the sheet's sections as text, prefilled
    (monitoring.services.hospital.prefill_admission_sheet) and edited by the care manager."""

    scope_office_path = "stay__client__office"
    scope_caseload_paths = ("stay__client__care_manager", "stay__client__deputy_care_manager")

    stay = models.OneToOneField(
        "clients.HospitalStay", on_delete=models.PROTECT, related_name="admission_sheet"
    )
    content = models.JSONField("記載内容", default=dict, blank=True)
    after_hours = models.BooleanField(
        "営業時間外・休業日の入院", default=False, help_text="提供期限が1日延びます"
    )
    provided_on = models.DateField("提供日", null=True, blank=True)
    provided_method = models.CharField(
        "提供方法", max_length=10, choices=HandoffMethod.choices, blank=True
    )
    provided_to = models.CharField("提供先（職種・氏名）", max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作成者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "入院時情報提供書"
        verbose_name_plural = "入院時情報提供書"

    def __str__(self) -> str:
        return f"入院時情報提供書（入院{self.stay_id}）"


class ConferenceKind(models.TextChoices):
    CONFERENCE = "conference", "退院前カンファレンス"
    INTERVIEW = "interview", "面談による情報収集"
    OTHER = "other", "その他（電話・文書）"


@pghistory.track()
class DischargeConference(models.Model):
    scope_office_path = "stay__client__office"
    scope_caseload_paths = ("stay__client__care_manager", "stay__client__deputy_care_manager")

    stay = models.ForeignKey(
        "clients.HospitalStay", on_delete=models.PROTECT, related_name="discharge_conferences"
    )
    held_on = models.DateField("実施日")
    kind = models.CharField(
        "方法", max_length=12, choices=ConferenceKind.choices, default=ConferenceKind.CONFERENCE
    )
    place = models.CharField("場所", max_length=100, blank=True)
    attendees = models.TextField("参加者（所属・職種・氏名）")
    content = models.TextField("内容（病状・退院後の生活・必要なサービス）")
    plan_review_needed = models.BooleanField("ケアプランの見直しが必要", default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "退院前カンファレンス"
        verbose_name_plural = "退院前カンファレンス"
        ordering = ["stay", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"


@pghistory.track()
class OutpatientLiaison(models.Model):
    scope_office_path = "client__office"
    scope_caseload_paths = CLIENT_CASELOAD_PATHS

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="outpatient_liaisons"
    )
    accompanied_on = models.DateField("同席日")
    clinic = models.CharField("医療機関", max_length=200)
    doctor = models.ForeignKey(
        "clients.Doctor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="医師",
    )
    doctor_name = models.CharField("医師名", max_length=100, blank=True)
    information_given = models.TextField("医師に提供した情報（心身の状況・生活環境）")
    information_received = models.TextField("医師から受けた情報")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    version = models.PositiveIntegerField("更新番号", default=1, editable=False)

    class Meta:
        verbose_name = "通院時情報連携"
        verbose_name_plural = "通院時情報連携"
        ordering = ["client", "-accompanied_on"]

    def __str__(self) -> str:
        return f"通院時情報連携 {self.accompanied_on:%Y-%m-%d}"
