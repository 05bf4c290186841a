"""Log in with either the login id or the email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class LoginIdOrEmailBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        staff_model = get_user_model()
        if username is None or password is None:
            return None
        identifier = username.strip()
        candidates = list(
            staff_model._default_manager.filter(
                Q(username__iexact=identifier) | (Q(email__iexact=identifier) & ~Q(email=""))
            )[:2]
        )
        if len(candidates) != 1:
            # Run the hasher anyway so unknown ids take as long as wrong passwords.
            staff_model().set_password(password)
            return None
        staff = candidates[0]
        if staff.check_password(password) and self.user_can_authenticate(staff):
            return staff
        return None
