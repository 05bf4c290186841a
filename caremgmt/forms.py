from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from caremgmt.normalize import to_ascii, to_ascii_digits


class LoginForm(AuthenticationForm):
    """One message for unknown ids, wrong passwords and disabled accounts: nothing to probe."""

    username = forms.CharField(
        label="ログインID またはメールアドレス",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "ログインIDまたはパスワードが正しくありません。",
        "inactive": "ログインIDまたはパスワードが正しくありません。",
    }


class AsciiCharField(forms.CharField):
    """A text field for a number or code: full-width input is stored as ASCII
    (`caremgmt.normalize.to_ascii`) before the length and shape validators run, so
    "１２３－４５６７" is saved as "123-4567". For 郵便番号, 電話, FAX, 携帯."""

    digits_only = False

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return text
        return to_ascii_digits(text).upper() if self.digits_only else to_ascii(text)


class AsciiNumberField(AsciiCharField):
    """A number or code written in groups on a card (被保険者番号, 事業所番号, 公費番号,
    サービスコード): ASCII, hyphens and spaces dropped, letters upper-cased."""

    digits_only = True


def ascii_field_classes(*names: str, numbers: tuple[str, ...] = ()) -> dict[str, type[forms.Field]]:
    """`Meta.field_classes` for a model form: these model fields take full-width input
    (`numbers` also lose their hyphens and spaces)."""
    return {**dict.fromkeys(names, AsciiCharField), **dict.fromkeys(numbers, AsciiNumberField)}


class _ReviewDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AccessLogPeriodForm(forms.Form):
    """The period of an access-log review: JST calendar days, both ends included."""

    since = forms.DateField(
        label="開始日",
        widget=_ReviewDateInput(),
        error_messages={
            "required": "開始日を入力してください。",
            "invalid": "開始日の形式が正しくありません（例：2026-04-01）。",
        },
    )
    until = forms.DateField(
        label="終了日",
        widget=_ReviewDateInput(),
        error_messages={
            "required": "終了日を入力してください。",
            "invalid": "終了日の形式が正しくありません（例：2026-04-30）。",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "終了日は開始日と同じか後の日にしてください。")
        return cleaned


class ClientAccessLogForm(AccessLogPeriodForm):
    field_order = ["client", "since", "until"]
    client = forms.ModelChoiceField(
        label="利用者",
        queryset=None,
        error_messages={
            "required": "利用者を選んでください。",
            "invalid_choice": "利用者を選び直してください。",
        },
    )

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["client"].label_from_instance = lambda c: f"{c.name}（{c.name_kana}）"


class StaffAccessLogForm(AccessLogPeriodForm):
    field_order = ["staff", "since", "until"]
    staff = forms.ModelChoiceField(
        label="職員",
        queryset=None,
        error_messages={
            "required": "職員を選んでください。",
            "invalid_choice": "職員を選び直してください。",
        },
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda s: f"{s.full_name}（{s.username}）"


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message at its field when the form
    has that field, otherwise at the top of the form (nothing typed is cleared)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
