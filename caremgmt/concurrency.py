"""Per-field three-way merge for optimistic-lock conflicts.

A form carries a signed snapshot of the values it was loaded with (`original`). When the save
finds that someone else saved in between (`theirs`, the row as it is now), only the fields this
writer changed (`yours` differs from `original`) are applied on top of `theirs`; a field both
changed to different values is a conflict the user has to resolve. Values are compared as
normalised text so that model values, cleaned form values and JSON round trips agree.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import Model

SNAPSHOT_FIELD = "edit_snapshot"
RESOLVE_PREFIX = "resolve_"
RESOLVE_THEIRS = "theirs"
RESOLVE_YOURS = "yours"
_SALT = "caremgmt.concurrency.snapshot"


def as_text(value: Any) -> str:
    """A comparable text form of a model or form value ("" for empty)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def instance_values(instance: Model, names: Iterable[str]) -> dict[str, str]:
    """Text values of the named fields of a model instance (foreign keys by id)."""
    values = {}
    for name in names:
        model_field = instance._meta.get_field(name)
        values[name] = as_text(getattr(instance, model_field.attname))
    return values


def text_values(values: Mapping[str, Any]) -> dict[str, str]:
    return {name: as_text(value) for name, value in values.items()}


@dataclass(frozen=True)
class Snapshot:
    """What the form was loaded with, and which fields were conflicts the user must resolve."""

    values: dict[str, str]
    conflicts: tuple[str, ...] = ()
    by_self: bool = False


def sign_snapshot(
    values: Mapping[str, str], conflicts: Iterable[str] = (), *, by_self: bool = False
) -> str:
    return signing.dumps(
        {"v": dict(values), "c": list(conflicts), "s": by_self}, salt=_SALT, compress=True
    )


def read_snapshot(token: str | None) -> Snapshot | None:
    """The snapshot from a signed token; None when absent or tampered with."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("v"), dict):
        return None
    values = {str(k): str(v) for k, v in data["v"].items()}
    conflicts = tuple(str(name) for name in data.get("c") or ())
    return Snapshot(values, conflicts, bool(data.get("s")))


@dataclass(frozen=True)
class MergeResult:
    """Outcome of a three-way merge over a set of fields."""

    yours: tuple[str, ...]  # only this writer changed them: take this writer's value
    theirs: tuple[str, ...]  # only the other writer changed them: keep the saved value
    conflicts: tuple[str, ...]  # both changed them to different values

    @property
    def clean(self) -> bool:
        return not self.conflicts


def three_way_merge(
    original: Mapping[str, str], theirs: Mapping[str, str], yours: Mapping[str, str]
) -> MergeResult:
    """Decide, per field in `yours`, whose value wins. A field missing from `original` counts
    as changed by this writer (it was not on the form they loaded)."""
    take_yours, keep_theirs, conflicts = [], [], []
    for name, mine in yours.items():
        current = theirs.get(name, "")
        if name not in original:
            if mine != current:
                take_yours.append(name)
            continue
        before = original[name]
        if mine == before:
            if current != before:
                keep_theirs.append(name)
        elif current == before:
            take_yours.append(name)
        elif current != mine:
            conflicts.append(name)
    return MergeResult(tuple(take_yours), tuple(keep_theirs), tuple(conflicts))
