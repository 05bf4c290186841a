"""Errors, the optimistic-lock helpers and the client row lock shared by the register services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from caremgmt.wareki import wareki_date
from clients.models import (
    Client,
)

# Fields a client edit may change. office, version, search_kana and status are never taken
# from input; the care manager assignment only when the actor may assign (see forms).
CLIENT_EDITABLE_FIELDS = (
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "postal_code",
    "address",
    "phone",
    "insured_number",
    "insurer_number",
    "insurer_name",
    "living_situation",
    "primary_doctor",
    "care_manager",
    "deputy_care_manager",
    "notes",
)


class DuplicateClientError(ValidationError):
    """Same 保険者番号 + 被保険者番号 already registered in this office."""

    def __init__(self, existing: Client) -> None:
        self.existing = existing
        super().__init__(
            {
                "insured_number": ValidationError(
                    "この保険者番号・被保険者番号の利用者は既に登録されています。",
                    code="duplicate",
                )
            }
        )


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    loaded: str
    current: str


class EditConflictError(Exception):
    """Someone saved the client after this form was loaded; nothing was written."""

    def __init__(self, client: Client, changes: list[FieldChange]) -> None:
        super().__init__("client was changed by someone else")
        self.client = client
        self.changes = changes


def _display(instance: Model, field_name: str) -> str:
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    if value in (None, ""):
        return "（なし）"
    if field.is_relation:
        related = getattr(instance, field_name)
        return str(related) if related is not None else "（なし）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.date):
        return wareki_date(value)
    return str(value)


def _clean_fields(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name in allowed}


def _lock_client(client: Client) -> Client:
    """Serialise writes to one client's histories (overlap checks happen under this lock)."""
    return Client.objects.select_for_update().get(pk=client.pk)
