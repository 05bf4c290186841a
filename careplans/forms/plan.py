"""第1表 forms: create a plan version and edit it."""

from __future__ import annotations

from typing import Any

from django import forms

from careplans.forms.common import (
    ServiceValidated,
)
from careplans.models import (
    Assessment,
    CarePlan,
    PlanKind,
)
from clients.forms import DateInput, StyledForm

# --- plan --------------------------------------------------------------------------------


class PlanCreateForm(StyledForm, forms.Form):
    assessment = forms.ModelChoiceField(
        label="根拠となるアセスメント", queryset=Assessment.objects.none(), empty_label=None
    )
    plan_kind = forms.ChoiceField(label="初回・紹介・継続", choices=PlanKind.choices)
    drafted_on = forms.DateField(
        label="居宅サービス計画作成（変更）日",
        widget=DateInput(),
        help_text="原案を作成した日。アセスメント実施日以降の日付です。",
    )
    starts_on = forms.DateField(
        label="計画の開始日",
        widget=DateInput(),
        help_text="この日の要介護認定を第1表に載せます。",
    )

    def __init__(self, *args: Any, client: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = Assessment.objects.filter(client=client).order_by(
            "-assessed_on", "-sequence"
        )
        self._style()


class PlanForm(ServiceValidated, StyledForm, forms.ModelForm):
    """第1表."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    edit_snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CarePlan
        fields = [
            "assessment",
            "sheet_date",
            "plan_kind",
            "drafted_on",
            "first_plan_on",
            "starts_on",
            "wishes_and_analysis",
            "committee_opinion",
            "overall_policy",
            "living_support_reason",
            "living_support_other",
            "non_weekly_services",
        ]
        widgets = {
            "sheet_date": DateInput(),
            "drafted_on": DateInput(),
            "first_plan_on": DateInput(),
            "starts_on": DateInput(),
            "living_support_reason": forms.RadioSelect,
            "wishes_and_analysis": forms.Textarea(attrs={"rows": 5}),
            "overall_policy": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = Assessment.objects.filter(
            client=self.instance.client
        ).order_by("-assessed_on", "-sequence")
        self.fields["assessment"].required = True
        self.fields["living_support_reason"].choices = [("", "該当なし")] + list(
            self.fields["living_support_reason"].choices
        )[1:]
        self._style()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("living_support_reason") == "3" and not data.get("living_support_other"):
            self.add_error("living_support_other", "「その他」の理由を入力してください。")
        return data
