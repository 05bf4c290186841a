"""Forms of the office-claim screens: parsing and field messages only; the rules are checked
by `billing.office_claim.services`."""

from __future__ import annotations

from django import forms

from billing.models.office_claim import DischargeVariant, EvidenceKind, OfficeClaimSettings
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
