"""第2表 / 第3表 row forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from caremgmt.choices import plan_service_type_choices
from caremgmt.forms import ascii_field_classes
from careplans.forms.common import (
    TimeInput,
    VersionedForm,
)
from careplans.models import (
    CarePlan,
    DailyActivity,
    Goal,
    Need,
    SupportItem,
    Weekday,
    WeeklyService,
)
from clients.forms import DateInput, bound_integer_field

# 優先順位 of a need / 開催回数 of a meeting: a domain bound well inside the column.
ORDER_MAX = 999


class NeedForm(VersionedForm):
    class Meta:
        model = Need
        fields = ["order", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_integer_field(self.fields["order"], maximum=ORDER_MAX)


class GoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = [
            "long_term",
            "long_term_from",
            "long_term_to",
            "short_term",
            "short_term_from",
            "short_term_to",
        ]
        widgets = {
            "long_term": forms.Textarea(attrs={"rows": 2}),
            "short_term": forms.Textarea(attrs={"rows": 2}),
            "long_term_from": DateInput(),
            "long_term_to": DateInput(),
            "short_term_from": DateInput(),
            "short_term_to": DateInput(),
        }


class ShortTermGoalForm(GoalForm):
    """One more 短期目標 under an existing 長期目標 (which is shown, not edited, here)."""

    class Meta(GoalForm.Meta):
        fields = ["short_term", "short_term_from", "short_term_to"]


class SupportItemForm(VersionedForm):
    class Meta:
        model = SupportItem
        fields = [
            "content",
            "insured",
            "service_type",
            "provider",
            "service_kind_text",
            "provider_text",
            "frequency",
            "period_from",
            "period_to",
            "equipment_rental_reason",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "equipment_rental_reason": forms.Textarea(attrs={"rows": 2}),
            "period_from": DateInput(),
            "period_to": DateInput(),
        }

    def __init__(
        self, *args: Any, providers: Any, plan: CarePlan | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        care_level = plan.certification.care_level if plan and plan.certification else None
        type_field = self.fields["service_type"]
        type_field.choices = [("", "---------"), *plan_service_type_choices(care_level)]
        chosen = self.chosen_service_type()
        if chosen:
            providers = providers.filter(service_types__contains=[chosen])
        self.fields["provider"].queryset = providers
        self.fields["provider"].help_text = (
            "選んだサービス種別を提供する事業所だけを表示しています。"
            if chosen
            else "サービス種別を選ぶと、その種別を提供する事業所に絞り込まれます。"
        )
        if plan is not None:
            # htmx: changing the type reloads the provider select (without JS the server
            # refuses a provider that does not offer the type).
            type_field.widget.attrs.update(
                {
                    "hx-get": reverse("careplans:item_providers", args=[plan.pk]),
                    "hx-target": "#id_provider",
                    "hx-swap": "outerHTML",
                    "hx-include": "#id_provider",
                    "hx-trigger": "change",
                }
            )

    def chosen_service_type(self) -> str:
        if self.is_bound:
            value = self.data.get(self.add_prefix("service_type")) or ""
        else:
            value = self.initial.get("service_type") or (
                self.instance.service_type if self.instance else ""
            )
        return value if value in dict(self.fields["service_type"].choices) else ""


class WeeklyServiceForm(VersionedForm):
    weekdays = forms.TypedMultipleChoiceField(
        label="曜日",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "曜日を1つ以上選んでください。"},
        help_text="同じ時間帯の曜日をまとめて選べます。",
    )

    class Meta:
        model = WeeklyService
        fields = [
            "weekdays",
            "starts_at",
            "ends_at",
            "content",
            "insured",
            "provider",
            "service_code",
            "support_item",
        ]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}
        help_texts = {
            "service_code": "6桁。例：111211（身体介護2）、152346（通所介護）",
            "ends_at": "開始より前の時刻は翌日（例：22:00〜翌6:00）。",
        }
        field_classes = ascii_field_classes(numbers=("service_code",))

    def __init__(self, *args: Any, providers: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["support_item"].queryset = SupportItem.objects.filter(
            goal__need__plan=plan
        ).order_by("goal__need__order", "goal__order", "order")

    def clean_weekdays(self) -> list[int]:
        return sorted(set(self.cleaned_data["weekdays"]))


class DailyActivityForm(VersionedForm):
    class Meta:
        model = DailyActivity
        fields = ["starts_at", "ends_at", "activity"]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}
