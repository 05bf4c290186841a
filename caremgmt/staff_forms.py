"""Forms of 職員管理 (caremgmt.views.staff). Plain forms: the views pass the cleaned values to
caremgmt.staff, so no posted field (office, is_superuser, password …) reaches a model."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractUser

from caremgmt.models import Role, Staff
from caremgmt.models.organization import CARE_MANAGER_ROLES
from caremgmt.validators import care_manager_number_validator

NUMBER_REQUIRED = "介護支援専門員には介護支援専門員番号（8桁）が必要です。"
EMAIL_TAKEN = "このメールアドレスは既に使われています。"


class MemberForm(forms.Form):
    full_name = forms.CharField(label="氏名", max_length=100)
    full_name_kana = forms.CharField(label="氏名（フリガナ）", max_length=100)
    email = forms.EmailField(label="メールアドレス", required=False, max_length=254)
    roles = forms.MultipleChoiceField(
        label="役割",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "役割を1つ以上選んでください。"},
    )
    care_manager_number = forms.CharField(
        label="介護支援専門員番号",
        max_length=8,
        required=False,
        validators=[care_manager_number_validator],
        help_text="介護支援専門員・主任介護支援専門員は8桁の番号が必要です。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, staff: Staff | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff

    def clean_care_manager_number(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data["care_manager_number"]).strip()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email:
            taken = Staff.objects.filter(email__iexact=email)
            if self.staff is not None:
                taken = taken.exclude(pk=self.staff.pk)
            if taken.exists():
                raise forms.ValidationError(EMAIL_TAKEN)
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        roles = set(cleaned.get("roles") or ())
        missing = (
            not cleaned.get("care_manager_number") and "care_manager_number" not in self.errors
        )
        if roles & CARE_MANAGER_ROLES and missing:
            self.add_error("care_manager_number", NUMBER_REQUIRED)
        return cleaned

    def role_set(self) -> set[str]:
        return set(self.cleaned_data["roles"])


class StaffAddForm(MemberForm):
    username = forms.CharField(
        label="ログインID",
        max_length=64,
        help_text="半角英数字と @ . + - _ が使えます。",
        validators=[AbstractUser.username_validator],
    )
    # Ticked on the second try, when the login id is a colleague of the same corporation:
    # add that person to this office instead of making an account.
    add_existing = forms.BooleanField(label="この職員をこの事業所に追加する", required=False)

    field_order = [
        "full_name",
        "full_name_kana",
        "username",
        "email",
        "roles",
        "care_manager_number",
    ]

    def clean_username(self) -> str:
        return unicodedata.normalize("NFKC", self.cleaned_data["username"]).strip()


class MemberEditForm(MemberForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
