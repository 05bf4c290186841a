"""予定 vs 実績 of one client-month: per row and day, which days were added or are missing.

Pure functions over loaded rows (no queries): the board and the reconciliation page and the
status rules of `billing.actuals.services` share them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from billing.models import TicketRow


@dataclass(frozen=True)
class DayCell:
    day: int
    planned: bool
    actual: bool

    @property
    def css(self) -> str:
        if self.planned and self.actual:
            return "both"
        if self.actual:
            return "added"
        if self.planned:
            return "missing"
        return ""


@dataclass(frozen=True)
class RowDifference:
    row: TicketRow
    added: tuple[int, ...]
    missing: tuple[int, ...]
    cells: tuple[DayCell, ...]

    @property
    def differs(self) -> bool:
        return bool(self.added or self.missing)


@dataclass
class ProviderDifference:
    provider_id: int
    rows: list[RowDifference] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return any(row.differs for row in self.rows)


def row_difference(row: TicketRow, last_day: int = 31) -> RowDifference:
    planned, actual = set(row.planned_days), set(row.actual_days)
    cells = tuple(DayCell(day, day in planned, day in actual) for day in range(1, last_day + 1))
    return RowDifference(
        row=row,
        added=tuple(sorted(actual - planned)),
        missing=tuple(sorted(planned - actual)),
        cells=cells,
    )


def rows_differ(rows: Iterable[TicketRow]) -> bool:
    return any(set(row.planned_days) != set(row.actual_days) for row in rows)


def by_provider(rows: Sequence[TicketRow], last_day: int = 31) -> dict[int, ProviderDifference]:
    """Rows grouped by provider (in row order), each with its day differences."""
    groups: dict[int, ProviderDifference] = {}
    for row in rows:
        group = groups.setdefault(row.provider_id, ProviderDifference(row.provider_id))
        group.rows.append(row_difference(row, last_day))
    return groups


def days_label(days: Iterable[int]) -> str:
    return "、".join(f"{day}日" for day in days)
