"""Log in with either the login id or the email address.

The login id is normalised in one place (`normalize_login_id`) and the same function keys
django-axes' lockout counter (`axes_username`), so no variant of an id — case, width,
whitespace, or the account's email instead of its id — gets a counter of its own.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def normalize_login_id(raw: str) -> str:
    """The canonical form of a typed login id or email: NFKC (全角 → 半角), every whitespace
    character removed (spaces, tabs, 全角スペース, newlines — login ids and emails contain
    none), then casefolded."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if not ch.isspace()).casefold()


def matching_staff(identifier: str) -> list[Any]:
    """Active or not, the staff whose login id or email normalises to `identifier` (≤ 3)."""
    staff_model = get_user_model()
    return [
        staff
        for staff in staff_model._default_manager.filter(
            Q(username__iexact=identifier) | (Q(email__iexact=identifier) & ~Q(email=""))
        )[:3]
        if identifier in (normalize_login_id(staff.username), normalize_login_id(staff.email or ""))
    ]


def lockout_key(raw: str) -> str:
    """The axes counter key for a typed id: the account's own login id when exactly one account
    answers to it (so its email shares the login id's counter), else the normalised text."""
    identifier = normalize_login_id(raw)
    candidates = matching_staff(identifier)
    if len(candidates) == 1:
        return normalize_login_id(candidates[0].username)
    return identifier


def axes_username(request: Any, credentials: dict | None) -> str | None:
    """`AXES_USERNAME_CALLABLE`: the lockout key from the credentials, or from the POST."""
    raw = None
    if credentials:
        raw = credentials.get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    if raw is None:
        return None
    return lockout_key(str(raw))


class LoginIdOrEmailBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        staff_model = get_user_model()
        if username is None or password is None:
            return None
        candidates = matching_staff(normalize_login_id(username))
        if len(candidates) != 1:
            # Run the hasher anyway so unknown ids take as long as wrong passwords.
            staff_model().set_password(password)
            return None
        staff = candidates[0]
        if staff.check_password(password) and self.user_can_authenticate(staff):
            return staff
        return None
