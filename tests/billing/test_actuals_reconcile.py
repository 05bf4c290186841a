"""予定 vs 実績 differences (pure): added and missing days partition the symmetric difference."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from billing.actuals.reconcile import by_provider, row_difference, rows_differ
from billing.models import TicketRow

days = st.sets(st.integers(min_value=1, max_value=31))


@given(planned=days, actual=days)
def test_added_and_missing_days(planned: set[int], actual: set[int]) -> None:
    row = TicketRow(provider_id=1, planned_days=sorted(planned), actual_days=sorted(actual))
    diff = row_difference(row, 31)
    assert set(diff.added) == actual - planned
    assert set(diff.missing) == planned - actual
    assert diff.differs == (planned != actual) == rows_differ([row])
    assert [c.day for c in diff.cells] == list(range(1, 32))
    for cell in diff.cells:
        assert cell.planned == (cell.day in planned) and cell.actual == (cell.day in actual)
        assert (cell.css == "added") == (cell.day in actual - planned)
        assert (cell.css == "missing") == (cell.day in planned - actual)


@given(first=days, second=days)
def test_provider_differs_when_any_row_differs(first: set[int], second: set[int]) -> None:
    rows = [
        TicketRow(pk=1, provider_id=7, planned_days=sorted(first), actual_days=sorted(first)),
        TicketRow(pk=2, provider_id=7, planned_days=sorted(first), actual_days=sorted(second)),
        TicketRow(pk=3, provider_id=8, planned_days=[1], actual_days=[1]),
    ]
    groups = by_provider(rows)
    assert groups[7].differs == (first != second)
    assert not groups[8].differs
