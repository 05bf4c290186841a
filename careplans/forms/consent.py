"""説明・同意・交付, 軽微な変更 and revision forms."""

from __future__ import annotations

from typing import Any

from django import forms

from careplans.models import (
    Assessment,
)
from clients.forms import DateInput, StyledForm


class ConfirmForm(StyledForm, forms.Form):
    consented_on = forms.DateField(label="説明・同意日", widget=DateInput())
    consented_by = forms.CharField(
        label="同意した人",
        max_length=100,
        required=False,
        help_text="本人以外が署名した場合は氏名と続柄（例：長女 青木 花子）",
    )
    delivered_on = forms.DateField(label="利用者への交付日", widget=DateInput())

    def __init__(self, *args: Any, providers: list[Any], doctor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.providers = providers
        for provider in providers:
            self.fields[f"provider_{provider.pk}"] = forms.DateField(
                label=f"{provider.name}への交付日", widget=DateInput(), required=False
            )
        if doctor is not None:
            self.fields["doctor_delivered_on"] = forms.DateField(
                label=f"主治医（{doctor}）への交付日",
                widget=DateInput(),
                required=False,
                help_text="医療系サービスを位置付けた計画は主治医にも交付します"
                "（運営基準第13条第19号の2）。",
            )
        self._style()

    def doctor_delivered_on(self) -> Any:
        return self.cleaned_data.get("doctor_delivered_on")

    def provider_deliveries(self) -> dict[int, Any]:
        delivered = self.cleaned_data["delivered_on"]
        return {
            provider.pk: self.cleaned_data.get(f"provider_{provider.pk}") or delivered
            for provider in self.providers
        }


class MinorChangeForm(StyledForm, forms.Form):
    changed_on = forms.DateField(label="変更日", widget=DateInput())
    content = forms.CharField(label="変更内容", widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label="軽微な変更と判断した理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例：利用者の希望による曜日・時間の変更。福祉用具の追加・サービスの中止は軽微な変更になりません。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReviseForm(StyledForm, forms.Form):
    drafted_on = forms.DateField(label="居宅サービス計画作成（変更）日", widget=DateInput())
    assessment = forms.ModelChoiceField(
        label="根拠となるアセスメント", queryset=Assessment.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, client: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = Assessment.objects.filter(client=client).order_by(
            "-assessed_on", "-sequence"
        )
        self._style()
