"""Optimistic lock for editors of shared rows (contacts, directories, applications, meetings).

Every editable row carries a `version` (PositiveIntegerField, default 1). Its form carries
the version it was loaded with in a hidden field; the save locks the row
(`select_for_update`), compares, and raises `StaleEditError` when someone saved in between.
Nothing is written then; the page shows the user's input again with what the other person
changed (read from the pghistory event written when the loaded version was saved).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.db.models import Model

from caremgmt.wareki import wareki_date

M = TypeVar("M", bound=Model)

VERSION_FIELD = "version"


@dataclass(frozen=True)
class Change:
    """One field the other person changed: label, value when loaded, value now."""

    field: str
    label: str
    loaded: str
    current: str


class StaleEditError(Exception):
    """Someone saved the row after this form was loaded; nothing was written."""

    def __init__(self, current: Model, changes: list[Change], *, saved_by_other: bool = True):
        super().__init__(f"{current._meta.label} {current.pk} was changed by someone else")
        self.current = current
        self.changes = changes
        self.saved_by_other = saved_by_other


def display(instance: Model, name: str) -> str:
    """A field's value as shown to users (和暦 dates, choice labels, related rows)."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if value in (None, "", [], {}):
        return "（なし）"
    if field.is_relation:
        related = getattr(instance, name, None)
        return str(related) if related is not None else "（なし）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, dt.date):
        return wareki_date(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def changes_since(
    current: Model, loaded_version: int, fields: tuple[str, ...] | list[str]
) -> list[Change]:
    """Fields that differ between the saved version the user loaded and the current row."""
    events = getattr(current, "events", None)
    event = (
        events.filter(version=loaded_version).order_by("-pgh_id").first()
        if events is not None
        else None
    )
    if event is None:
        return []
    model = type(current)
    changes = []
    for name in fields:
        field = model._meta.get_field(name)
        before = getattr(event, field.attname, None)
        if before == getattr(current, field.attname):
            continue
        loaded = model(**{field.attname: before})
        changes.append(
            Change(name, str(field.verbose_name), display(loaded, name), display(current, name))
        )
    return changes


def lock_for_edit(
    instance: M, expected_version: int | None, fields: tuple[str, ...] | list[str]
) -> M:
    """Lock the row and check the version the form was loaded with. Call inside a
    transaction. Returns the locked row; raises StaleEditError when it moved on."""
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is None or locked.version != expected_version:
        raise StaleEditError(locked, changes_since(locked, expected_version or 0, fields))
    return locked


class LockedEditForm(forms.Form):
    """Mixin for ModelForms of versioned rows: a hidden `version`, loaded from the instance."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.initial.setdefault(VERSION_FIELD, instance.version)

    def expected_version(self) -> int | None:
        return self.cleaned_data.get(VERSION_FIELD)

    def after_conflict(self, error: StaleEditError) -> None:
        """Keep everything typed and load the current version: a deliberate second save
        applies the input over the other person's version, which the page has just shown."""
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = str(error.current.version)
        self.data = data
        self.instance = error.current  # type: ignore[attr-defined]
        self._errors = None
        self.full_clean()
