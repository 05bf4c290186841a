"""Forms of the 支援経過 screens (validation of shape only; the rules are in services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from clients.forms import DateInput
from monitoring.models import LogKind
from monitoring.support_log.services import COUNTERPART_MAX, HAND_KINDS

CONTENT_MAX = 4000


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class EntryForm(forms.Form):
    """The fast entry at the top of the log (and the correction form)."""

    occurred_on = forms.DateField(
        label="年月日",
        widget=DateInput(),
        error_messages={
            "required": "年月日を入力してください。",
            "invalid": "年月日が正しくありません。",
        },
    )
    occurred_at = forms.TimeField(
        label="時刻",
        required=False,
        widget=TimeInput(),
        error_messages={"invalid": "時刻は 14:30 のように入力してください。"},
    )
    kind = forms.ChoiceField(
        label="種別",
        widget=forms.RadioSelect(attrs={"class": "segmented"}),
        error_messages={
            "required": "種別を選んでください。",
            "invalid_choice": "種別を選んでください。",
        },
    )
    counterpart = forms.CharField(
        label="相手",
        required=False,
        max_length=COUNTERPART_MAX,
        widget=forms.TextInput(attrs={"list": "counterpart-suggestions", "autocomplete": "off"}),
        error_messages={"max_length": f"相手は{COUNTERPART_MAX}文字以内で入力してください。"},
    )
    content = forms.CharField(
        label="内容",
        max_length=CONTENT_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-log-content": "1"}),
        error_messages={
            "required": "内容を入力してください。",
            "max_length": f"内容は{CONTENT_MAX}文字以内で入力してください。",
        },
    )

    def __init__(self, *args: Any, extra_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(HAND_KINDS)
        if extra_kind and extra_kind not in kinds:
            kinds.append(extra_kind)
        self.fields["kind"].choices = [(kind, LogKind(kind).label) for kind in kinds]
        for field in self.fields.values():
            if field.required:
                field.widget.attrs.setdefault("aria-required", "true")


def blank_entry_form() -> EntryForm:
    """Today, now (minutes), 電話."""
    now = timezone.localtime()
    return EntryForm(
        initial={
            "occurred_on": now.date(),
            "occurred_at": now.time().replace(second=0, microsecond=0),
            "kind": LogKind.PHONE,
        }
    )


class FilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label="種別",
        required=False,
        choices=LogKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    date_from = forms.DateField(label="期間（から）", required=False, widget=DateInput())
    date_to = forms.DateField(label="期間（まで）", required=False, widget=DateInput())


class PrintForm(forms.Form):
    date_from = forms.DateField(
        label="印刷する期間（から）",
        widget=DateInput(),
        error_messages={"required": "期間の始めを入力してください。"},
    )
    date_to = forms.DateField(
        label="（まで）",
        widget=DateInput(),
        error_messages={"required": "期間の終わりを入力してください。"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "期間の終わりは始め以降の日付にしてください。")
        return data


def default_print_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last three months up to today (first day of the month two months back)."""
    month = today.month - 2
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1), today
