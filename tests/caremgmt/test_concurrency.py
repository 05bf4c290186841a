"""The per-field three-way merge and the signed snapshot (caremgmt.concurrency)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from caremgmt.concurrency import (
    as_text,
    read_snapshot,
    sign_snapshot,
    three_way_merge,
)


def test_merge_takes_mine_keeps_theirs_and_flags_overlaps() -> None:
    original = {"a": "1", "b": "1", "c": "1", "d": "1", "e": "1"}
    theirs = {"a": "2", "b": "1", "c": "2", "d": "2", "e": "1"}
    yours = {"a": "1", "b": "3", "c": "3", "d": "2", "e": "1"}
    result = three_way_merge(original, theirs, yours)
    assert result.yours == ("b",)
    assert result.theirs == ("a",)
    assert result.conflicts == ("c",)
    assert not result.clean


def test_field_not_on_the_loaded_form_counts_as_mine() -> None:
    result = three_way_merge({}, {"a": "1"}, {"a": "2"})
    assert (result.yours, result.theirs, result.conflicts) == (("a",), (), ())


def test_as_text_normalises_values_from_db_and_forms() -> None:
    assert as_text(None) == as_text("") == ""
    assert as_text(Decimal("1.50")) == as_text(Decimal("1.5")) == "1.5"
    assert as_text(dt.date(2026, 4, 1)) == "2026-04-01"
    assert as_text(dt.time(9, 30)) == "09:30:00"
    assert as_text(True) == "1" and as_text(False) == "0"
    assert as_text(["11", "15"]) == '["11", "15"]'


def test_snapshot_round_trip_and_tampering() -> None:
    token = sign_snapshot({"a": "x"}, ["a"], by_self=True)
    snapshot = read_snapshot(token)
    assert snapshot is not None
    assert (snapshot.values, snapshot.conflicts, snapshot.by_self) == ({"a": "x"}, ("a",), True)
    assert read_snapshot(token[:-2] + "xx") is None
    assert read_snapshot("") is None


values = st.sampled_from(["", "a", "b", "c"])
rows = st.fixed_dictionaries({name: values for name in ("f1", "f2", "f3", "f4")})


@given(rows, rows, rows)
def test_merge_never_loses_a_change(original, theirs, yours) -> None:  # noqa: ANN001
    result = three_way_merge(original, theirs, yours)
    merged = dict(theirs)
    for name in result.yours:
        merged[name] = yours[name]
    for name in yours:
        if name in result.conflicts:
            assert yours[name] != original[name] and theirs[name] != original[name]
            assert yours[name] != theirs[name]
            continue
        # a field this writer changed ends with their value; one they left alone keeps theirs
        if yours[name] != original[name]:
            assert merged[name] == yours[name]
        else:
            assert merged[name] == theirs[name]
    assert set(result.yours).isdisjoint(result.theirs)
    assert set(result.conflicts).isdisjoint(set(result.yours) | set(result.theirs))


@given(rows, rows)
def test_no_concurrent_change_means_no_conflict(original, yours) -> None:  # noqa: ANN001
    result = three_way_merge(original, original, yours)
    assert result.clean and result.theirs == ()
