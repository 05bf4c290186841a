"""Validation of what staff type for assessments and plans. Japanese messages at the field."""

from __future__ import annotations

from typing import Any

from django import forms

from careplans.assessment_items import NOTE_KEY, ItemSpec, item_set
from careplans.models import (
    Assessment,
    AttendeeKind,
    CarePlan,
    DailyActivity,
    Goal,
    Meeting,
    Need,
    PlanKind,
    SupportItem,
    WeeklyService,
)
from clients.forms import DateInput, StyledForm


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class ServiceValidated:
    """Model forms here only parse input: the services own the cross-field and database
    rules (with field-level Japanese messages), so the model is not validated twice."""

    def _post_clean(self) -> None:
        pass


class VersionedForm(ServiceValidated, StyledForm, forms.ModelForm):
    """Carries the plan's `version` it was loaded at (optimistic lock)."""

    plan_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


# --- assessment --------------------------------------------------------------------------


class AssessmentStartForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "reason", "reason_note", "place"]
        widgets = {"assessed_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


def item_field_name(number: int, key: str) -> str:
    return f"item{number}_{key}"


class AssessmentForm(AssessmentStartForm):
    """The header plus one field per structured sub-field and one note per item."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, item_set_tag: str, answers: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items: tuple[ItemSpec, ...] = item_set(item_set_tag)
        for spec in self.items:
            answer = answers.get(str(spec.number)) or {}
            for field_spec in spec.fields:
                name = item_field_name(spec.number, field_spec.key)
                if field_spec.is_choice:
                    self.fields[name] = forms.ChoiceField(
                        label=field_spec.label,
                        choices=[("", "—")] + [(c, c) for c in field_spec.choices],
                        required=False,
                    )
                else:
                    self.fields[name] = forms.CharField(
                        label=field_spec.label, required=False, max_length=200
                    )
                self.initial.setdefault(name, answer.get(field_spec.key, ""))
            note = item_field_name(spec.number, NOTE_KEY)
            self.fields[note] = forms.CharField(
                label="内容・特記事項",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
            )
            self.initial.setdefault(note, answer.get(NOTE_KEY, ""))

    def item_groups(self) -> list[dict[str, Any]]:
        """For the template: each item with its bound fields."""
        groups = []
        for spec in self.items:
            groups.append(
                {
                    "spec": spec,
                    "fields": [self[item_field_name(spec.number, f.key)] for f in spec.fields],
                    "note": self[item_field_name(spec.number, NOTE_KEY)],
                }
            )
        return groups

    def answers(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        result: dict[str, dict[str, str]] = {}
        for spec in self.items:
            entry = {f.key: data.get(item_field_name(spec.number, f.key), "") for f in spec.fields}
            entry[NOTE_KEY] = data.get(item_field_name(spec.number, NOTE_KEY), "")
            result[str(spec.number)] = entry
        return result


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


class NeedForm(VersionedForm):
    class Meta:
        model = Need
        fields = ["order", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


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
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "period_from": DateInput(),
            "period_to": DateInput(),
        }

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class WeeklyServiceForm(VersionedForm):
    class Meta:
        model = WeeklyService
        fields = [
            "weekday",
            "starts_at",
            "ends_at",
            "content",
            "insured",
            "provider",
            "service_code",
            "support_item",
        ]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}
        help_texts = {"service_code": "6桁。例：111211（身体介護2）、152346（通所介護）"}

    def __init__(self, *args: Any, providers: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["support_item"].queryset = SupportItem.objects.filter(
            goal__need__plan=plan
        ).order_by("goal__need__order", "goal__order", "order")
        self.fields["weekday"].widget = forms.RadioSelect(
            choices=self.fields["weekday"].choices[1:]
        )


class DailyActivityForm(VersionedForm):
    class Meta:
        model = DailyActivity
        fields = ["starts_at", "ends_at", "activity"]
        widgets = {"starts_at": TimeInput(), "ends_at": TimeInput()}


# --- meeting, consent, changes -----------------------------------------------------------


class MeetingForm(ServiceValidated, StyledForm, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "held_on",
            "place",
            "starts_at",
            "ends_at",
            "count",
            "sheet_date",
            "items_discussed",
            "discussion",
            "conclusion",
            "remaining_issues",
            "concludes_plan",
        ]
        widgets = {
            "held_on": DateInput(),
            "sheet_date": DateInput(),
            "starts_at": TimeInput(),
            "ends_at": TimeInput(),
            "items_discussed": forms.Textarea(attrs={"rows": 2}),
            "discussion": forms.Textarea(attrs={"rows": 5}),
            "conclusion": forms.Textarea(attrs={"rows": 3}),
            "remaining_issues": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["count"].required = False
        self.fields["count"].help_text = "空欄なら自動で数えます。"
        self.fields["sheet_date"].required = False
        self.fields["sheet_date"].help_text = "第4表に印字する作成年月日です（空欄なら今日）。"
        self._style()


class AttendeeForm(forms.Form):
    kind = forms.ChoiceField(
        label="区分", choices=[("", "—")] + AttendeeKind.choices, required=False
    )
    provider = forms.ModelChoiceField(
        label="事業所（名簿）", queryset=None, required=False, empty_label="—"
    )
    doctor = forms.ModelChoiceField(
        label="主治医（名簿）", queryset=None, required=False, empty_label="—"
    )
    affiliation = forms.CharField(label="所属（職種）", max_length=100, required=False)
    name = forms.CharField(label="氏名", max_length=100, required=False)
    attended = forms.BooleanField(label="出席", required=False, initial=True)
    absence_reason = forms.CharField(label="欠席理由", max_length=200, required=False)
    inquiry_on = forms.DateField(label="照会日", required=False, widget=DateInput())
    inquiry_content = forms.CharField(label="照会内容", required=False, max_length=1000)
    inquiry_answer = forms.CharField(label="回答", required=False, max_length=1000)

    def __init__(self, *args: Any, providers: Any, doctors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["doctor"].queryset = doctors
        for field in self.fields.values():  # the grid has column headings, not labels
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("name"):  # rows without a name (prefilled or blank) are not saved
            return data
        if not data.get("kind"):
            self.add_error("kind", "区分を選んでください。")
        if not data.get("affiliation"):
            if data.get("provider"):
                data["affiliation"] = data["provider"].name
            elif data.get("doctor"):
                data["affiliation"] = data["doctor"].institution_name
        if not data.get("attended") and not data.get("inquiry_on"):
            self.add_error("inquiry_on", "欠席者には照会した日を入力してください。")
        return data

    def attendee(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data or not data.get("name"):
            return None
        return {
            key: data.get(key)
            if key in ("provider", "doctor", "inquiry_on")
            else data.get(key) or ""
            for key in (
                "kind",
                "provider",
                "doctor",
                "affiliation",
                "name",
                "absence_reason",
                "inquiry_on",
                "inquiry_content",
                "inquiry_answer",
            )
        } | {"attended": bool(data.get("attended"))}


AttendeeFormSet = forms.formset_factory(AttendeeForm, extra=0, max_num=20)
# On the first display: the prefilled rows plus two blank ones.
AttendeeFormSetWithBlanks = forms.formset_factory(AttendeeForm, extra=2, max_num=20)


class NoMeetingForm(StyledForm, forms.Form):
    reason = forms.CharField(
        label="担当者会議を開催しない理由",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="やむを得ない理由と、担当者に照会して意見を求めた内容を書きます。",
    )
    recorded_on = forms.DateField(label="記録日", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ConfirmForm(StyledForm, forms.Form):
    consented_on = forms.DateField(label="説明・同意日", widget=DateInput())
    consented_by = forms.CharField(
        label="同意した人",
        max_length=100,
        required=False,
        help_text="本人以外が署名した場合は氏名と続柄（例：長女 青木 花子）",
    )
    delivered_on = forms.DateField(label="利用者への交付日", widget=DateInput())

    def __init__(self, *args: Any, providers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.providers = providers
        for provider in providers:
            self.fields[f"provider_{provider.pk}"] = forms.DateField(
                label=f"{provider.name}への交付日", widget=DateInput(), required=False
            )
        self._style()

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
