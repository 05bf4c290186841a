"""第4表 forms: the meeting, its attendees, and the no-meeting reason."""

from __future__ import annotations

from typing import Any

from django import forms

from caremgmt.locking import LockedEditForm
from careplans.forms.common import (
    ServiceValidated,
    TimeInput,
)
from careplans.forms.rows import ORDER_MAX
from careplans.models import (
    AttendeeKind,
    Meeting,
)
from clients.forms import DateInput, StyledForm, bound_integer_field

# --- meeting, consent, changes -----------------------------------------------------------


class MeetingForm(LockedEditForm, ServiceValidated, StyledForm, forms.ModelForm):
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
        bound_integer_field(self.fields["count"], maximum=ORDER_MAX)
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
