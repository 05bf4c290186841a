"""Forms for 公費 and 給付制限 (field-level Japanese messages; numbers typed in full width
are stored as ASCII)."""

from __future__ import annotations

from typing import Any

from django import forms

from caremgmt.choices import RegionalGrade
from caremgmt.forms import AsciiNumberField
from clients.coverage import (
    LAW_NUMBER_MESSAGE,
    PAYER_NUMBER_MESSAGE,
    PUBLIC_EXPENSE_LAWS,
    RECIPIENT_NUMBER_MESSAGE,
    validate_public_expense_numbers,
)
from clients.forms import CorrectionMixin, DateInput, PeriodFormMixin, StyledForm
from clients.models import RestrictionKind
from clients.services.coverage import RATE_RANGE_MESSAGE, RATE_REQUIRED_MESSAGE

LAW_HELP = "2桁。" + "、".join(f"{code} {label}" for code, label in PUBLIC_EXPENSE_LAWS.items())


class PublicExpenseForm(PeriodFormMixin, StyledForm, forms.Form):
    law_number = AsciiNumberField(
        label="法別番号",
        max_length=2,
        help_text="12 = 生活保護（介護扶助）。" + LAW_HELP,
        error_messages={"required": LAW_NUMBER_MESSAGE, "max_length": LAW_NUMBER_MESSAGE},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    payer_number = AsciiNumberField(
        label="公費負担者番号",
        help_text="8桁。先頭2桁は法別番号。",
        error_messages={"required": PAYER_NUMBER_MESSAGE},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    recipient_number = AsciiNumberField(
        label="公費受給者番号",
        help_text="7桁。",
        error_messages={"required": RECIPIENT_NUMBER_MESSAGE},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    valid_from = forms.DateField(label="有効期間（開始）", widget=DateInput())
    valid_to = forms.DateField(label="有効期間（終了）", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        names = ("law_number", "payer_number", "recipient_number")
        if all(name in cleaned for name in names):
            errors = validate_public_expense_numbers(**{name: cleaned[name] for name in names})
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned


class BenefitRestrictionForm(PeriodFormMixin, StyledForm, forms.Form):
    kind = forms.ChoiceField(
        label="種類",
        choices=RestrictionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "給付制限の種類を選んでください。"},
    )
    benefit_rate = forms.IntegerField(
        label="引下げ後の給付率（%）",
        required=False,
        help_text="給付率引下げのとき。例：70（1・2割の方）、60（3割の方）",
        error_messages={"invalid": RATE_RANGE_MESSAGE},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    valid_from = forms.DateField(label="有効期間（開始）", widget=DateInput())
    valid_to = forms.DateField(label="有効期間（終了）", widget=DateInput())
    note = forms.CharField(label="備考", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean_benefit_rate(self) -> int | None:
        value = self.cleaned_data.get("benefit_rate")
        if value is not None and not 1 <= value < 90:
            raise forms.ValidationError(RATE_RANGE_MESSAGE)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == RestrictionKind.RATE_REDUCTION and cleaned.get("benefit_rate") is None:
            if "benefit_rate" not in self.errors:
                self.add_error("benefit_rate", RATE_REQUIRED_MESSAGE)
        elif kind == RestrictionKind.REIMBURSEMENT and cleaned.get("benefit_rate") is not None:
            self.add_error("benefit_rate", "償還払いのときは給付率を空欄にしてください。")
        return cleaned


class PublicExpenseCorrectionForm(PublicExpenseForm, CorrectionMixin):
    pass


class BenefitRestrictionCorrectionForm(BenefitRestrictionForm, CorrectionMixin):
    pass


class RegionalGradeForm(StyledForm, forms.Form):
    """地域区分 from a date (告示): the previous open-ended grade ends the day before."""

    grade = forms.ChoiceField(
        label="地域区分",
        choices=RegionalGrade.choices,
        error_messages={"required": "地域区分を選んでください。"},
    )
    valid_from = forms.DateField(label="適用開始日", widget=DateInput(), help_text="例：4月1日")
    valid_to = forms.DateField(
        label="適用終了日", widget=DateInput(), required=False, help_text="空欄なら現在も適用中"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "適用終了日は適用開始日以降の日付にしてください。")
        return cleaned
