"""Forms of the ticket editor: a row, copy to weekdays, the over-limit allocation.

Every form carries the ticket `version` it was loaded with (the optimistic lock); the
services check it. Providers come from the office directory (active ones only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from billing.calc import OverLimitAllocation
from billing.models import ServiceTicket, TicketRow
from billing.tickets.additions import row_code_choices
from clients.models import ServiceProvider

WEEKDAY_CHOICES = [(1, "月"), (2, "火"), (3, "水"), (4, "木"), (5, "金"), (6, "土"), (7, "日")]


class TicketRowForm(forms.Form):
    """提供時間帯 × サービス内容 × 事業所 of one row; the code is chosen by name."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    provider = forms.ModelChoiceField(
        label="事業所",
        queryset=ServiceProvider.objects.none(),
        empty_label="事業所を選んでください",
    )
    service_code = forms.ChoiceField(label="サービス内容（コード）")
    content = forms.CharField(label="サービス内容（表示名）", max_length=100, required=False)
    starts_at = forms.TimeField(
        label="開始時刻", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends_at = forms.TimeField(
        label="終了時刻", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    count_per_date = forms.IntegerField(label="1日の回数", min_value=1, max_value=99, initial=1)
    rental_price_yen = forms.IntegerField(
        label="貸与価格（円／月・福祉用具貸与のみ）",
        min_value=0,
        max_value=9_999_999,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        ticket: ServiceTicket,
        office,  # noqa: ANN001
        row: TicketRow | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        providers = ServiceProvider.objects.filter(office=office, is_active=True)
        if row is not None:  # a row's provider stays selectable after it was deactivated
            providers = ServiceProvider.objects.filter(office=office).filter(
                models_q_active_or(row.provider_id)
            )
        self.fields["provider"].queryset = providers.order_by("name_kana", "name", "pk")
        provider = self._chosen_provider(providers)
        current = row.service_code if row is not None else ""
        if provider is not None:
            self.fields["service_code"].choices = row_code_choices(provider, ticket.month, current)
        else:
            self.fields["service_code"].choices = [("", "先に事業所を選んでください")]
        self.provider = provider
        for field in self.fields.values():
            if field.required:
                field.widget.attrs.setdefault("aria-required", "true")

    def _chosen_provider(self, providers) -> ServiceProvider | None:  # noqa: ANN001
        raw = self.data.get("provider") if self.is_bound else None
        if raw is None:
            raw = self.initial.get("provider")
        if isinstance(raw, ServiceProvider):
            return raw
        try:
            return providers.get(pk=int(raw)) if raw not in (None, "") else None
        except (ValueError, TypeError, ServiceProvider.DoesNotExist):
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if (starts is None) != (ends is None):
            self.add_error("ends_at", "開始時刻と終了時刻は両方入力するか、両方空にしてください。")
        elif starts is not None and ends is not None and ends <= starts:
            self.add_error("ends_at", "終了時刻は開始時刻より後にしてください。")
        return data

    def row_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "provider": data["provider"],
            "service_code": data["service_code"],
            "content": data.get("content") or "",
            "starts_at": data.get("starts_at"),
            "ends_at": data.get("ends_at"),
            "count_per_date": data.get("count_per_date") or 1,
            "rental_price_yen": data.get("rental_price_yen"),
        }


def models_q_active_or(provider_id: int):  # noqa: ANN201
    from django.db.models import Q

    return Q(is_active=True) | Q(pk=provider_id)


def row_initial(row: TicketRow, version: int) -> dict[str, Any]:
    return {
        "version": version,
        "provider": row.provider_id,
        "service_code": row.service_code,
        "content": row.content,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "count_per_date": row.count_per_date,
        "rental_price_yen": row.rental_price_yen,
    }


class CopyWeekdaysForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    weekdays = forms.TypedMultipleChoiceField(
        label="追加する曜日",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "曜日を選んでください。"},
    )


class VersionForm(forms.Form):
    """Delete / regenerate confirmations: only the version (and the reset choice)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reset = forms.BooleanField(label="手修正も計画の内容に戻す", required=False)


class AllocationForm(forms.Form):
    """Units over the 区分支給限度基準額 per provider × service type (`groups` from the
    engine's subtotals: key "<provider_number>-<service_type>", label, available units)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, groups: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[group["field"]] = forms.IntegerField(
                label=group["label"],
                min_value=0,
                max_value=group["available"],
                required=False,
                error_messages={
                    "max_value": f"この行で限度超過にできるのは{group['available']:,}単位までです。",
                    "min_value": "0以上の単位数を入力してください。",
                    "invalid": "単位数は半角数字で入力してください。",
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "units-input"}),
            )

    @property
    def lines(self) -> list[tuple[dict[str, Any], Any]]:
        """(group, bound field) pairs for the template."""
        return [(group, self[group["field"]]) for group in self.groups]

    def allocation(self) -> list[OverLimitAllocation]:
        return [
            OverLimitAllocation(
                provider_number=group["provider_number"],
                service_type=group["service_type"],
                units=self.cleaned_data.get(group["field"]) or 0,
            )
            for group in self.groups
        ]


def month_text(month: dt.date) -> str:
    return f"{month:%Y-%m}"
