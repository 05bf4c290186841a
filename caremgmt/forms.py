from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
