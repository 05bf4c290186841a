"""Validation of what staff type. Messages are Japanese and attached to the field."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import jaconv
from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import connection, models

from caremgmt.access import Actor, visible
from caremgmt.choices import ServiceType
from caremgmt.forms import ascii_field_classes
from caremgmt.locking import LockedEditForm
from clients.models import (
    ApplicationKind,
    ApplicationStatus,
    BurdenRatioChoice,
    Certification,
    CertificationApplication,
    Client,
    ClientContact,
    ClientStatus,
    Consultation,
    Contract,
    Doctor,
    EndReason,
    InformalResource,
    ServiceProvider,
)
from clients.selectors import office_care_managers
from clients.validators import (
    insured_number_validator,
    insurer_number_validator,
    is_welfare_only_insured_number,
)

PERIOD_ORDER_MESSAGE = "有効期間の終了日は開始日以降の日付にしてください。"
MONTH_END_MESSAGE = "有効期間の終了日は月末日にしてください。"
BURDEN_RATIO_MESSAGE = "負担割合は1割・2割・3割のいずれかを選んでください。"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


# The largest value PostgreSQL's `integer` column holds; also the bound of every form integer
# field that has no tighter one (issue 9 item 10: 99999999999 reached the database).
INTEGER_MAX = 2_147_483_647
INTEGER_MAX_MESSAGE = "{limit}以下の数を入力してください。"
INTEGER_MIN_MESSAGE = "{limit}以上の数を入力してください。"


def _model_integer_range(form: Any, name: str) -> tuple[int | None, int | None]:
    """The database range of the model field behind `name` of a model form, else (None, None)."""
    meta = getattr(form, "_meta", None)
    model = getattr(meta, "model", None)
    if model is None:
        return None, None
    try:
        model_field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 — a form-only field
        return None, None
    if not isinstance(model_field, models.IntegerField):
        return None, None
    return connection.ops.integer_field_range(model_field.get_internal_type())


def bound_integer_field(
    field: forms.IntegerField, *, maximum: int | None = None, minimum: int | None = None
) -> None:
    """Give an integer form field a range with Japanese messages (and the widget's max/min).
    Without a maximum, a number too large for the column reached the database (HTTP 500)."""
    if maximum is not None and (field.max_value is None or maximum < field.max_value):
        field.max_value = maximum
        field.validators = [v for v in field.validators if not isinstance(v, MaxValueValidator)]
        field.validators.append(
            MaxValueValidator(maximum, message=INTEGER_MAX_MESSAGE.format(limit=maximum))
        )
        field.widget.attrs["max"] = maximum
    if minimum is not None and (field.min_value is None or minimum > field.min_value):
        field.min_value = minimum
        field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
        field.validators.append(
            MinValueValidator(minimum, message=INTEGER_MIN_MESSAGE.format(limit=minimum))
        )
        field.widget.attrs["min"] = minimum


def bound_integer_fields(form: Any) -> None:
    """Bound every integer field of `form` (decimals and floats excepted) by its model
    column's range, or by ±INTEGER_MAX for a form-only field."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.IntegerField) or isinstance(
            field, forms.FloatField | forms.DecimalField
        ):
            continue
        low, high = _model_integer_range(form, name)
        bound_integer_field(
            field,
            maximum=INTEGER_MAX if high is None else high,
            minimum=-INTEGER_MAX - 1 if low is None else low,
        )


class StyledForm:
    """Marks required fields for screen readers and keeps widgets wide enough to read; bounds
    every integer field by its column's range (`bound_integer_fields`)."""

    def _style(self) -> None:
        bound_integer_fields(self)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if field.required:
                field.widget.attrs.setdefault("aria-required", "true")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)


class ClientForm(StyledForm, forms.ModelForm):
    """基本情報. 担当 and 代理 can be chosen only by a manager; a care manager registering a
    consultation becomes the 担当 (mass assignment of other fields is ignored)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Client
        fields = [
            "name",
            "name_kana",
            "birth_date",
            "sex",
            "postal_code",
            "address",
            "phone",
            "insurer_number",
            "insurer_name",
            "insured_number",
            "living_situation",
            "primary_doctor",
            "care_manager",
            "deputy_care_manager",
            "notes",
        ]
        widgets = {
            "birth_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "insured_number": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 10}),
            "insurer_number": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 6}),
            "postal_code": forms.TextInput(
                attrs={"inputmode": "numeric", "placeholder": "123-4567"}
            ),
        }
        labels = {"name_kana": "フリガナ（カタカナ）"}
        field_classes = ascii_field_classes(
            "postal_code", "phone", numbers=("insured_number", "insurer_number")
        )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_doctor"].queryset = visible(Doctor.objects.all(), actor)
        self.fields["primary_doctor"].empty_label = "（未登録）"
        if actor.is_manager:
            managers = office_care_managers(actor=actor)
            self.fields["care_manager"].queryset = managers
            self.fields["deputy_care_manager"].queryset = managers
            self.fields["care_manager"].label_from_instance = lambda staff: staff.full_name
            self.fields["deputy_care_manager"].label_from_instance = lambda staff: staff.full_name
            self.fields["deputy_care_manager"].empty_label = "（なし）"
            if not self.instance.pk:
                self.fields["care_manager"].initial = actor.staff.pk
        else:
            del self.fields["care_manager"]
            del self.fields["deputy_care_manager"]
        for name in ("insured_number", "insurer_number"):
            # The shape validators give one clear message for any wrong length.
            self.fields[name].validators = [
                v for v in self.fields[name].validators if not isinstance(v, MaxLengthValidator)
            ]
        self.fields["living_situation"].choices = [("", "（未確認）")] + list(
            self.fields["living_situation"].choices
        )[1:]
        self._style()

    def clean_name_kana(self) -> str:
        value = self.cleaned_data["name_kana"].strip()
        return jaconv.hira2kata(jaconv.h2z(value, kana=True, ascii=False, digit=False))

    def clean_insured_number(self) -> str:
        value = self.cleaned_data["insured_number"]
        if value:
            insured_number_validator(value)
        return value

    def clean_insurer_number(self) -> str:
        value = self.cleaned_data["insurer_number"]
        if value:
            insurer_number_validator(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        welfare_only = is_welfare_only_insured_number(cleaned.get("insured_number", ""))
        if welfare_only and cleaned.get("insurer_number"):
            # 生保単独 means no 介護保険: the 保険者 is the welfare office (公費 tab).
            self.add_error(
                "insurer_number",
                "生活保護単独（H番号）の利用者は介護保険の保険者番号を空欄にしてください。"
                "公費は「認定・負担割合」タブの公費欄に登録します。",
            )
        elif (
            cleaned.get("insured_number")
            and not welfare_only
            and not cleaned.get("insurer_number")
            and "insurer_number" not in self.errors
        ):
            self.add_error(
                "insurer_number", "被保険者番号を入力したときは保険者番号も入力してください。"
            )
        return cleaned

    def client_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ConsultationForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["consulted_on", "route", "route_detail", "chief_complaint"]
        widgets = {
            "consulted_on": DateInput(),
            "chief_complaint": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ContractForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["contracted_on", "important_matters_explained", "personal_info_consent", "notes"]
        widgets = {"contracted_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["important_matters_explained"].required = True
        self.fields["important_matters_explained"].error_messages["required"] = (
            "契約の前に重要事項説明を行い、同意を得てください。"
        )
        self._style()


class StatusForm(StyledForm, forms.Form):
    status = forms.ChoiceField(
        label="新しい状態",
        choices=[
            (ClientStatus.HOSPITALIZED, "入院中"),
            (ClientStatus.CONTRACTED, "契約中（退院）"),
            (ClientStatus.ENDED, "終了"),
        ],
    )
    changed_on = forms.DateField(label="変更日", widget=DateInput())
    end_reason = forms.ChoiceField(
        label="終了理由", choices=[("", "---------"), *EndReason.choices], required=False
    )
    end_note = forms.CharField(label="終了理由の詳細", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") == ClientStatus.ENDED and not cleaned.get("end_reason"):
            self.add_error("end_reason", "終了理由を選んでください。")
        return cleaned


class PeriodFormMixin:
    """有効期間: end not before start (both card types); end on a month end (認定)."""

    month_end_required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", PERIOD_ORDER_MESSAGE)  # type: ignore[attr-defined]
        elif end and self.month_end_required and not is_month_end(end):
            self.add_error("valid_to", MONTH_END_MESSAGE)  # type: ignore[attr-defined]
        return cleaned


class CertificationForm(PeriodFormMixin, StyledForm, forms.ModelForm):
    month_end_required = True

    class Meta:
        model = Certification
        fields = [
            "application_kind",
            "applied_on",
            "certified_on",
            "care_level",
            "valid_from",
            "valid_to",
            "committee_opinion",
            "disability_independence",
            "disability_independence_source",
            "dementia_independence",
            "dementia_independence_source",
        ]
        widgets = {
            "applied_on": DateInput(),
            "certified_on": DateInput(),
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "committee_opinion": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "valid_from": "新規・区分変更は申請日から。更新は前回の有効期間の翌日から。",
            "valid_to": "月末日。区分変更を登録すると、前の認定はこの開始日の前日で終わります。",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        applied, certified = cleaned.get("applied_on"), cleaned.get("certified_on")
        if applied and certified and certified < applied:
            self.add_error("certified_on", "認定日は申請日以降の日付にしてください。")
        for rank in ("disability_independence", "dementia_independence"):
            if cleaned.get(f"{rank}_source") and not cleaned.get(rank):
                self.add_error(rank, "出典を選んだときは自立度も選んでください。")
        return cleaned


class BurdenRatioForm(PeriodFormMixin, StyledForm, forms.Form):
    ratio = forms.TypedChoiceField(
        label="負担割合",
        coerce=int,
        choices=BurdenRatioChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": BURDEN_RATIO_MESSAGE, "required": BURDEN_RATIO_MESSAGE},
    )
    valid_from = forms.DateField(label="有効期間（開始）", widget=DateInput())
    valid_to = forms.DateField(
        label="有効期間（終了）", widget=DateInput(), help_text="通常は8月1日〜翌年7月31日です。"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class PlanRequestFilingForm(StyledForm, forms.Form):
    filed_on = forms.DateField(label="届出日", widget=DateInput())
    municipality = forms.CharField(
        label="届出先", max_length=100, required=False, help_text="空欄なら保険者名"
    )
    notes = forms.CharField(label="備考", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class CorrectionMixin(forms.Form):
    reason = forms.CharField(
        label="訂正理由", max_length=200, help_text="例：有効期間の入力誤り（被保険者証で確認）"
    )


class CertificationCorrectionForm(CertificationForm, CorrectionMixin):
    pass


class BurdenRatioCorrectionForm(BurdenRatioForm, CorrectionMixin):
    pass


class ApplicationForm(StyledForm, forms.ModelForm):
    class Meta:
        model = CertificationApplication
        fields = ["kind", "applied_on", "survey_on", "notes"]
        widgets = {"applied_on": DateInput(), "survey_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ApplicationKind.choices
        self._style()


class ApplicationOutcomeForm(LockedEditForm, StyledForm, forms.ModelForm):
    class Meta:
        model = CertificationApplication
        fields = ["survey_on", "status", "decided_on", "notes"]
        widgets = {"survey_on": DateInput(), "decided_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") != ApplicationStatus.PENDING and not cleaned.get("decided_on"):
            self.add_error("decided_on", "結果通知日を入力してください。")
        return cleaned


class ContactForm(LockedEditForm, StyledForm, forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = [
            "name",
            "name_kana",
            "relationship",
            "is_primary_caregiver",
            "is_emergency_contact",
            "priority",
            "lives_together",
            "phone",
            "mobile_phone",
            "address",
            "notes",
        ]
        field_classes = ascii_field_classes("phone", "mobile_phone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("is_emergency_contact") and not (
            cleaned.get("phone") or cleaned.get("mobile_phone")
        ):
            self.add_error("phone", "緊急連絡先には電話番号か携帯電話を入力してください。")
        return cleaned


class AdditionsField(forms.CharField):
    """加算体制: one 「名称：内容」 per line ⇄ [{"name": ..., "note": ...}]."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(
                f"{item.get('name', '')}：{item.get('note', '')}".rstrip("：") for item in value
            )
        return value or ""

    def to_python(self, value: Any) -> list[dict[str, str]]:
        text = super().to_python(value)
        items = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            name, _, note = line.replace(":", "：").partition("：")
            items.append({"name": name.strip(), "note": note.strip()})
        return items


# 定休日 (ISO weekday numbers, the 第3表 / CSV numbering)
PROVIDER_WEEKDAY_CHOICES = [
    (1, "月"), (2, "火"), (3, "水"), (4, "木"), (5, "金"), (6, "土"), (7, "日"),
]  # fmt: skip


class ProviderForm(LockedEditForm, StyledForm, forms.ModelForm):
    service_types = forms.MultipleChoiceField(
        label="サービス種類",
        choices=ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "提供するサービス種類を1つ以上選んでください。",
            "invalid_choice": "サービス種類コード「%(value)s」は一覧にありません。",
        },
    )
    additions = AdditionsField(
        label="加算体制",
        required=False,
        help_text="1行に1つ「名称：内容」の形で入力（例：特定事業所加算(II)：算定あり）",
    )
    closed_weekdays = forms.TypedMultipleChoiceField(
        label="定休日",
        choices=PROVIDER_WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="利用票を作るとき、この曜日には予定を入れません（入れると警告します）。",
        error_messages={"invalid_choice": "曜日「%(value)s」は選べません。"},
    )

    class Meta:
        model = ServiceProvider
        fields = [
            "provider_number",
            "name",
            "name_kana",
            "service_types",
            "regional_grade",
            "postal_code",
            "address",
            "phone",
            "fax",
            "contact_person",
            "additions",
            "closed_on_holidays",
            "closed_weekdays",
            "notes",
            "is_active",
        ]
        widgets = {
            "provider_number": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 10})
        }
        field_classes = ascii_field_classes(
            "postal_code", "phone", "fax", numbers=("provider_number",)
        )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields[
            "closed_on_holidays"
        ].help_text = "祝日（振替休日を含む）は利用票の予定を作りません（入れると警告します）。"
        if self.instance.pk and self.instance.regional_grades.exists():
            # Once a history exists it is the truth (grade per period); change it there.
            self.fields["regional_grade"].disabled = True
            self.fields[
                "regional_grade"
            ].help_text = "地域区分は事業所一覧の「履歴・変更」から適用開始日とともに登録します。"
        self._style()

    def clean_closed_weekdays(self) -> list[int]:
        return sorted(set(self.cleaned_data.get("closed_weekdays") or []))

    def clean_provider_number(self) -> str:
        number = self.cleaned_data["provider_number"]
        duplicates = visible(ServiceProvider.objects.filter(provider_number=number), self.actor)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError("この事業所番号は既に登録されています。")
        return number


class DoctorForm(LockedEditForm, StyledForm, forms.ModelForm):
    class Meta:
        model = Doctor
        fields = [
            "institution_name",
            "department",
            "doctor_name",
            "postal_code",
            "address",
            "phone",
            "fax",
            "contact_window",
            "best_contact_time",
            "contact_channel",
            "notes",
        ]
        field_classes = ascii_field_classes("postal_code", "phone", "fax")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ResourceForm(LockedEditForm, StyledForm, forms.ModelForm):
    class Meta:
        model = InformalResource
        fields = ["kind", "name", "area", "contact_person", "phone", "offers", "notes"]
        field_classes = ascii_field_classes("phone")
        widgets = {
            "offers": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
