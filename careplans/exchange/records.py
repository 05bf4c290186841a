"""Turning the frozen record dataclasses into layout rows and back."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from careplans.exchange.layout import Layout

R = TypeVar("R")


def record_to_row(record: Any) -> dict[str, Any]:
    """Shallow {field name: value} of a flat record dataclass."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def row_to_record(cls: type[R], row: Mapping[str, Any]) -> R:
    """Build `cls` from a parsed row (columns the dataclass does not hold, e.g. csv_version, are ignored)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{name: value for name, value in row.items() if name in names})


def check_layout_matches(layout: Layout, cls: type) -> None:
    """Import-time guard: every column except csv_version is a dataclass field, and vice versa."""
    columns = set(layout.names) - {"csv_version"}
    attributes = {f.name for f in dataclasses.fields(cls)}
    if columns != attributes:
        raise AssertionError(
            f"{layout.record_type}: layout/dataclass mismatch {sorted(columns ^ attributes)}"
        )
