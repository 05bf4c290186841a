"""法人, 事業所, staff and their roles per office."""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from caremgmt.choices import RegionalGrade
from caremgmt.validators import (
    care_manager_number_validator,
    office_number_validator,
    phone_validator,
    postal_code_validator,
)


@pghistory.track()
class Corporation(models.Model):
    """法人 — a legal entity that may run several offices."""

    name = models.CharField("法人名", max_length=200)
    corporate_number = models.CharField("法人番号", max_length=13, blank=True)
    address = models.CharField("所在地", max_length=300, blank=True)

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Office(models.Model):
    """事業所 — a 居宅介護支援事業所 with its own 事業所番号. Office data never crosses offices."""

    corporation = models.ForeignKey(
        Corporation, on_delete=models.PROTECT, related_name="offices", verbose_name="法人"
    )
    office_number = models.CharField(
        "事業所番号", max_length=10, unique=True, validators=[office_number_validator]
    )
    name = models.CharField("事業所名", max_length=200)
    postal_code = models.CharField(
        "郵便番号", max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField("所在地", max_length=300, blank=True)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    fax = models.CharField("FAX番号", max_length=20, blank=True, validators=[phone_validator])
    regional_grade = models.CharField(
        "地域区分", max_length=5, choices=RegionalGrade.choices, default=RegionalGrade.OTHER
    )
    manager = models.ForeignKey(
        "caremgmt.Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_offices",
        verbose_name="管理者",
    )
    # 利用票 policy (issue 10): how a client confirms the month's 利用票, and whether each
    # provider's 提供票 lists only its own rows (the default) or every provider's rows.
    ticket_consent_method = models.CharField(
        "利用票の確認方法",
        max_length=12,
        choices=[
            ("any", "署名・押印・口頭同意のいずれか"),
            ("signature", "署名または押印"),
            ("oral_allowed", "口頭同意も可（記録必須）"),
        ],
        default="any",
    )
    provider_ticket_all_rows = models.BooleanField(
        "提供票に全事業所の行を載せる",
        default=False,
        help_text="オフのときは各事業所の提供票にその事業所の行だけを載せます。",
    )
    # Two-factor login (docs/mfa.md): when on, staff acting in this office must enrol a
    # second factor before they reach anything else.
    require_mfa = models.BooleanField(
        "2要素認証を必須にする",
        default=False,
        help_text="オンにすると、この事業所の職員は次のログインで2要素認証の登録が必要になります。",
    )

    class Meta:
        verbose_name = "事業所"
        verbose_name_plural = "事業所"
        ordering = ["office_number"]

    def __str__(self) -> str:
        return self.name


class StaffManager(UserManager):
    def get_by_natural_key(self, username: str) -> Staff:
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


@pghistory.track(exclude=["password", "last_login"])
class Staff(AbstractUser):
    """職員 — anyone who logs in. `username` is the login id; email also works for login."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    username = models.CharField(
        "ログインID",
        max_length=64,
        unique=True,
        help_text="半角英数字と @ . + - _ が使えます。",
        validators=[AbstractUser.username_validator],
        error_messages={"unique": "このログインIDは既に使われています。"},
    )
    email = models.EmailField("メールアドレス", blank=True)
    full_name = models.CharField("氏名", max_length=100)
    full_name_kana = models.CharField("氏名（フリガナ）", max_length=100, blank=True)
    # Kept by caremgmt.mfa's device signals, so the per-request check after the password step
    # costs no query: True while the staff member has a confirmed second-factor device.
    has_mfa_device = models.BooleanField("2要素認証の登録", default=False, editable=False)
    # Set when a manager adds the person or issues a temporary password: after login the
    # person reaches only the password change (caremgmt.middleware.PasswordChangeHoldMiddleware).
    must_change_password = models.BooleanField(
        "パスワードの変更が必要", default=False, editable=False
    )
    # Optimistic lock of the manager's staff editor (caremgmt.staff): every change of name,
    # email, roles or retirement increments it.
    version = models.PositiveIntegerField("版", default=1, editable=False)

    objects = StaffManager()
    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        verbose_name = "職員"
        verbose_name_plural = "職員"
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~Q(email=""),
                name="staff_email_unique_ci",
                violation_error_message="このメールアドレスは既に使われています。",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name


class Role(models.TextChoices):
    CARE_MANAGER = "care_manager", "介護支援専門員"
    CHIEF_CARE_MANAGER = "chief_care_manager", "主任介護支援専門員"
    OFFICE_MANAGER = "office_manager", "管理者"
    CLERK = "clerk", "事務"
    AUDITOR = "auditor", "監査"


CARE_MANAGER_ROLES = frozenset({Role.CARE_MANAGER, Role.CHIEF_CARE_MANAGER})


@pghistory.track()
class Membership(models.Model):
    """A staff member's role in one office. One person may hold several roles (管理者兼ケアマネ).
    Retiring or dropping a role sets `is_active` off; rows are kept for the history."""

    scope_office_path = "office"
    scope_caseload_paths = ("staff",)

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="memberships", verbose_name="職員"
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="memberships", verbose_name="事業所"
    )
    role = models.CharField("役割", max_length=32, choices=Role.choices)
    care_manager_number = models.CharField(
        "介護支援専門員番号",
        max_length=8,
        blank=True,
        validators=[care_manager_number_validator],
    )
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "所属"
        verbose_name_plural = "所属"
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "office", "role"],
                name="membership_unique_role",
                violation_error_message="この職員は既にこの事業所でこの役割を持っています。",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["care_manager", "chief_care_manager"])
                | Q(care_manager_number__regex=r"^\d{8}$"),
                name="membership_care_manager_number_required",
                violation_error_message="介護支援専門員には介護支援専門員番号（8桁）が必要です。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} / {self.office} / {self.get_role_display()}"

    def clean(self) -> None:
        if self.role in CARE_MANAGER_ROLES and not self.care_manager_number:
            raise ValidationError(
                {"care_manager_number": "介護支援専門員には介護支援専門員番号（8桁）が必要です。"}
            )
