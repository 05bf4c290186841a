"""Forms of the hospital screens: parsing and field messages only (the rules are in
monitoring.hospital.services)."""

from __future__ import annotations

from typing import Any

from django import forms

from caremgmt.locking import LockedEditForm
from clients.forms import DateInput, StyledForm
from monitoring.hospital.prefill import SECTIONS
from monitoring.models import HandoffMethod
from monitoring.models.hospital import ConferenceKind


def _required(label: str, message: str, field: forms.Field) -> forms.Field:
    field.label = label
    field.error_messages["required"] = message
    return field


class AdmissionForm(StyledForm, forms.Form):
    hospital_name = _required(
        "入院先（医療機関）",
        "入院先の医療機関を入力してください。",
        forms.CharField(max_length=200),
    )
    admitted_on = _required(
        "入院日", "入院日を入力してください。", forms.DateField(widget=DateInput())
    )
    ward_contact = forms.CharField(
        label="病棟・連絡先（担当看護師・地域連携室など）", max_length=200, required=False
    )
    notes = forms.CharField(label="備考", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class DischargeForm(StyledForm, forms.Form):
    discharged_on = _required(
        "退院日", "退院日を入力してください。", forms.DateField(widget=DateInput())
    )
    notes = forms.CharField(
        label="備考（退院先・退院後の連絡など）", widget=forms.Textarea, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class StayForm(StyledForm, LockedEditForm):
    """入院記録の修正; 退院日 only once the stay is discharged."""

    hospital_name = AdmissionForm.base_fields["hospital_name"]
    admitted_on = AdmissionForm.base_fields["admitted_on"]
    discharged_on = forms.DateField(label="退院日", widget=DateInput(), required=False)
    ward_contact = AdmissionForm.base_fields["ward_contact"]
    notes = AdmissionForm.base_fields["notes"]

    def __init__(self, *args: Any, stay: Any, **kwargs: Any) -> None:
        self.instance = stay
        kwargs.setdefault(
            "initial",
            {
                "hospital_name": stay.hospital_name,
                "admitted_on": stay.admitted_on,
                "discharged_on": stay.discharged_on,
                "ward_contact": stay.ward_contact,
                "notes": stay.notes,
            },
        )
        super().__init__(*args, **kwargs)
        if stay.discharged_on is None:
            del self.fields["discharged_on"]
        self._style()


class SheetForm(StyledForm, LockedEditForm):
    """The sheet's sections, one text area each (field names section_<key>)."""

    def __init__(self, *args: Any, sheet: Any, content: dict[str, str], **kwargs: Any) -> None:
        self.instance = sheet
        super().__init__(*args, **kwargs)
        for key, heading in SECTIONS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=heading,
                widget=forms.Textarea(attrs={"rows": 5}),
                required=False,
                initial=content.get(key, ""),
            )
        if sheet is None:
            self.initial["version"] = None
        self._style()

    def content(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"section_{key}") or "" for key, _ in SECTIONS}


class ProvidedForm(StyledForm, LockedEditForm):
    provided_on = _required(
        "提供日", "提供日を入力してください。", forms.DateField(widget=DateInput())
    )
    provided_method = _required(
        "提供方法",
        "提供方法を選んでください。",
        forms.ChoiceField(choices=[("", "---------"), *HandoffMethod.choices]),
    )
    provided_to = forms.CharField(label="提供先（職種・氏名）", max_length=100, required=False)
    after_hours = forms.BooleanField(
        label="営業時間外・休業日の入院（提供期限が1日延びます）", required=False
    )

    def __init__(self, *args: Any, sheet: Any, **kwargs: Any) -> None:
        self.instance = sheet
        if sheet is not None:
            kwargs.setdefault(
                "initial",
                {
                    "provided_on": sheet.provided_on,
                    "provided_method": sheet.provided_method,
                    "provided_to": sheet.provided_to,
                    "after_hours": sheet.after_hours,
                },
            )
        super().__init__(*args, **kwargs)
        self._style()


class ConferenceForm(StyledForm, forms.Form):
    held_on = _required("実施日", "実施日を入力してください。", forms.DateField(widget=DateInput()))
    kind = _required(
        "方法",
        "方法を選んでください。",
        forms.ChoiceField(choices=ConferenceKind.choices, initial=ConferenceKind.CONFERENCE),
    )
    place = forms.CharField(label="場所", max_length=100, required=False)
    attendees = _required(
        "参加者（所属・職種・氏名）",
        "参加者を入力してください。",
        forms.CharField(widget=forms.Textarea),
    )
    content = _required(
        "内容（病状・退院後の生活・必要なサービス）",
        "内容を入力してください。",
        forms.CharField(widget=forms.Textarea(attrs={"rows": 6})),
    )
    plan_review_needed = forms.BooleanField(
        label="ケアプランの見直しが必要", required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class OutpatientForm(StyledForm, forms.Form):
    accompanied_on = _required(
        "同席日", "同席日を入力してください。", forms.DateField(widget=DateInput())
    )
    doctor = forms.ModelChoiceField(
        label="医師（主治医・医師の名簿から）", queryset=None, required=False
    )
    clinic = forms.CharField(
        label="医療機関", max_length=200, required=False, help_text="医師を選ぶと空欄でも補います"
    )
    doctor_name = forms.CharField(label="医師名", max_length=100, required=False)
    information_given = _required(
        "医師に提供した情報（心身の状況・生活環境）",
        "医師に提供した情報を入力してください。",
        forms.CharField(widget=forms.Textarea),
    )
    information_received = _required(
        "医師から受けた情報",
        "医師から受けた情報を入力してください。",
        forms.CharField(widget=forms.Textarea),
    )

    def __init__(self, *args: Any, doctors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = doctors
        self.fields["doctor"].error_messages["invalid_choice"] = "一覧から医師を選んでください。"
        self._style()


class ConferenceEditForm(ConferenceForm, LockedEditForm):
    """A recorded conference corrected under its version."""

    def __init__(self, *args: Any, conference: Any, **kwargs: Any) -> None:
        self.instance = conference
        kwargs.setdefault(
            "initial",
            {
                "held_on": conference.held_on,
                "kind": conference.kind,
                "place": conference.place,
                "attendees": conference.attendees,
                "content": conference.content,
                "plan_review_needed": conference.plan_review_needed,
            },
        )
        super().__init__(*args, **kwargs)


class OutpatientEditForm(OutpatientForm, LockedEditForm):
    """A recorded 通院時情報連携 corrected under its version."""

    def __init__(self, *args: Any, liaison: Any, doctors: Any, **kwargs: Any) -> None:
        self.instance = liaison
        kwargs.setdefault(
            "initial",
            {
                "accompanied_on": liaison.accompanied_on,
                "doctor": liaison.doctor_id,
                "clinic": liaison.clinic,
                "doctor_name": liaison.doctor_name,
                "information_given": liaison.information_given,
                "information_received": liaison.information_received,
            },
        )
        super().__init__(*args, doctors=doctors, **kwargs)


class DeleteForm(LockedEditForm):
    """Delete confirmation: only the version the page was loaded with."""

    def __init__(self, *args: Any, instance: Any, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
