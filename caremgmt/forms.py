from django import forms
from django.contrib.auth.forms import AuthenticationForm


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
