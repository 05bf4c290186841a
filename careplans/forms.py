"""Validation of what staff type for assessments and plans. Japanese messages at the field."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.urls import reverse

from caremgmt.choices import plan_service_type_choices
from caremgmt.forms import ascii_field_classes
from careplans.assessment_items import (
    NOTE_KEY,
    FieldSpec,
    ItemSpec,
    ListSpec,
    entry_errors,
    item_set,
)
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
    Weekday,
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
    edit_snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

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


def list_field_name(number: int, key: str, row: int, column: str) -> str:
    return f"item{number}_{key}_{row}_{column}"


def list_count_name(number: int, key: str) -> str:
    return f"item{number}_{key}_rows"


SOURCE_LABELS = {"register": "台帳・認定から", "header": "実施の記録から"}
BLANK_LIST_ROWS = 3


def _sub_field(field_spec: FieldSpec) -> forms.Field:
    if field_spec.is_choice:
        return forms.ChoiceField(
            label=field_spec.label,
            choices=[("", "—")] + [(c, c) for c in field_spec.choices],
            required=False,
            disabled=not field_spec.editable,
        )
    return forms.CharField(
        label=field_spec.label,
        required=False,
        max_length=200,
        disabled=not field_spec.editable,
    )


class AssessmentForm(AssessmentStartForm):
    """The header plus one field per structured sub-field, one note per item, and the rows
    of each list (e.g. item 13's BPSD entries: the stored ones plus a few blank rows)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, item_set_tag: str, answers: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items: tuple[ItemSpec, ...] = item_set(item_set_tag)
        self.row_counts: dict[tuple[int, str], int] = {}
        for spec in self.items:
            answer = answers.get(str(spec.number)) or {}
            for field_spec in spec.fields:
                name = item_field_name(spec.number, field_spec.key)
                self.fields[name] = _sub_field(field_spec)
                self.initial.setdefault(name, answer.get(field_spec.key, ""))
            note = item_field_name(spec.number, NOTE_KEY)
            self.fields[note] = forms.CharField(
                label="内容・特記事項",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
            )
            self.initial.setdefault(note, answer.get(NOTE_KEY, ""))
            for list_spec in spec.lists:
                self._add_list(spec.number, list_spec, answer.get(list_spec.key) or [])

    def _add_list(self, number: int, list_spec: ListSpec, stored: list[dict[str, str]]) -> None:
        count_name = list_count_name(number, list_spec.key)
        rows = len(stored) + BLANK_LIST_ROWS
        if self.is_bound:
            with contextlib.suppress(TypeError, ValueError):
                rows = int(self.data.get(count_name, rows))
        rows = max(1, min(rows, list_spec.max_rows))
        self.row_counts[(number, list_spec.key)] = rows
        self.fields[count_name] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.initial[count_name] = rows
        for row in range(rows):
            entry = stored[row] if row < len(stored) else {}
            for column in list_spec.columns:
                name = list_field_name(number, list_spec.key, row, column.key)
                self.fields[name] = _sub_field(column)
                self.fields[name].widget.attrs["aria-label"] = (
                    f"{list_spec.label} {row + 1}行目 {column.label}"
                )
                self.initial.setdefault(name, entry.get(column.key, ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for spec in self.items:
            for list_spec in spec.lists:
                for row_number, row in enumerate(self._rows(spec.number, list_spec)):
                    for column, message in entry_errors(list_spec, row).items():
                        name = list_field_name(spec.number, list_spec.key, row_number, column)
                        self.add_error(name, message)
        return data

    def _rows(self, number: int, list_spec: ListSpec) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {
                column.key: data.get(list_field_name(number, list_spec.key, row, column.key), "")
                for column in list_spec.columns
            }
            for row in range(self.row_counts[(number, list_spec.key)])
        ]

    def item_groups(self) -> list[dict[str, Any]]:
        """For the template: each item with its bound fields (and where a prefilled value
        came from), and its lists as rows of bound fields."""
        groups = []
        for spec in self.items:
            groups.append(
                {
                    "spec": spec,
                    "fields": [
                        {
                            "field": self[item_field_name(spec.number, f.key)],
                            "source_label": SOURCE_LABELS.get(f.source, ""),
                        }
                        for f in spec.fields
                    ],
                    "note": self[item_field_name(spec.number, NOTE_KEY)],
                    "lists": [
                        {
                            "spec": list_spec,
                            "count": self[list_count_name(spec.number, list_spec.key)],
                            "rows": [
                                [
                                    self[list_field_name(spec.number, list_spec.key, row, c.key)]
                                    for c in list_spec.columns
                                ]
                                for row in range(self.row_counts[(spec.number, list_spec.key)])
                            ],
                        }
                        for list_spec in spec.lists
                    ],
                }
            )
        return groups

    def answers(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        result: dict[str, dict[str, Any]] = {}
        for spec in self.items:
            entry: dict[str, Any] = {
                f.key: data.get(item_field_name(spec.number, f.key), "") for f in spec.fields
            }
            entry[NOTE_KEY] = data.get(item_field_name(spec.number, NOTE_KEY), "")
            for list_spec in spec.lists:
                entry[list_spec.key] = self._rows(spec.number, list_spec)
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
