"""Forms of the office-claim screens: parsing and field messages only; the rules are checked
by `billing.office_claim.services`."""

from __future__ import annotations

from django import forms

from billing.models.office_claim import DischargeVariant, EvidenceKind, OfficeClaimSettings
from billing.office_claim import kago_codes
from billing.office_claim.services import variant_problem

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EvidenceForm(forms.Form):
    """The proof of one 加算/減算 for a client-month (初回加算 is confirmed here too)."""

    client = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label="種類",
        choices=[("", "選んでください"), *EvidenceKind.choices],
        error_messages={"required": "種類を選んでください。"},
    )
    proof_on = forms.DateField(
        label="根拠の日付",
        widget=DATE_WIDGET,
        error_messages={
            "required": "根拠の日付を入力してください。",
            "invalid": "日付を正しく入力してください。",
        },
    )
    variant = forms.ChoiceField(
        label="退院・退所加算の区分",
        choices=[("", "（退院・退所加算のときに選ぶ）"), *DischargeVariant.choices],
        required=False,
        error_messages={"invalid_choice": "退院・退所加算の区分を選んでください。"},
    )
    note = forms.CharField(label="内容", max_length=300, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if "kind" in data and "variant" in data:
            problem = variant_problem(data["kind"], data["variant"])
            if problem:
                self.add_error("variant", problem)
        return data


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = OfficeClaimSettings
        fields = [
            "fee_category",
            "specific_office_addition",
            "special_area",
            "hilly_small_office",
            "hilly_resident",
            "abuse_prevention_missing",
            "bcp_missing",
        ]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class KagoForm(forms.Form):
    """A 過誤申立て of one client's sent line (the rules: billing.office_claim.kago)."""

    client = forms.IntegerField(widget=forms.HiddenInput)
    same_month = forms.TypedChoiceField(
        label="過誤の種類",
        choices=[("0", "通常過誤（後の月に再請求）"), ("1", "同月過誤（同じ月に取下げと再請求）")],
        coerce=lambda value: value == "1",
        initial="0",
        widget=forms.RadioSelect,
        error_messages={"required": "過誤の種類を選んでください。"},
    )
    # Offered from kago_codes; any 4-character code is accepted (the list is unconfirmed).
    reason_code = forms.CharField(
        label="申立事由コード",
        max_length=4,
        widget=forms.Select(choices=kago_codes.code_choices()),
        error_messages={
            "required": "申立事由コードを選んでください。",
            "max_length": "申立事由コードは英数字4桁で選んでください（例：4002）。",  # CODE_FORMAT
        },
    )
    reason_text = forms.CharField(
        label="申立理由",
        max_length=200,
        error_messages={
            "required": "申立理由を入力してください。",
            "max_length": "申立理由は200文字以内で入力してください。",
        },
    )

    def clean_reason_code(self) -> str:
        code = self.cleaned_data["reason_code"].strip().upper()
        if not kago_codes.CODE_PATTERN.match(code):
            raise forms.ValidationError(CODE_FORMAT)
        return code


CODE_FORMAT = "申立事由コードは英数字4桁で選んでください（例：4002）。"


class KagoMoveForm(forms.Form):
    kago = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(
        label="日付",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "日付を正しく入力してください。"},
    )
