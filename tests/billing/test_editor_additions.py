"""加算 are offered by name from the fee schedule, the provider's recorded 加算体制 first."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.tickets.additions import matches_registered, offered_additions, row_code_choices
from tests.factories import ServiceProviderFactory

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2026, 12, 1)


def test_recorded_additions_come_first(world) -> None:  # noqa: ANN001
    provider = ServiceProviderFactory(
        office=world.office,
        service_types=["15"],
        additions=[
            {"name": "介護職員等処遇改善加算(I)", "note": ""},
            {"name": "入浴介助加算", "note": "Ⅰ"},
            {"name": "サービス提供体制強化加算（Ⅰ）", "note": ""},
        ],
    )
    offered = offered_additions(provider, DECEMBER)
    registered = [o.code for o in offered if o.registered]
    assert set(registered) == {"156108", "155301", "155303", "156099"}
    assert [o.code for o in offered[: len(registered)]] == sorted(registered)
    assert all(o.kind in ("addition", "percentage") for o in offered)
    # only the provider's service types
    assert all(o.code.startswith("15") for o in offered)
    assert "156104" in {o.code for o in offered}  # 処遇改善加算Ⅲ offered, not recorded


def test_row_code_choices_are_grouped_and_keep_the_current_code(world) -> None:  # noqa: ANN001
    provider = ServiceProviderFactory(office=world.office, service_types=["11"], additions=[])
    groups = row_code_choices(provider, DECEMBER, current="ZZ0001")
    labels = [group for group, _ in groups[1:]]
    assert labels[0] == "サービス（基本）" and "その他の加算" in labels
    assert labels[-1] == "現在の行のコード"
    base = dict(groups[1][1])
    assert "111211" in base and "身体" in base["111211"]


@given(st.sampled_from(["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"]), st.sampled_from(["(I)", "Ⅰ", "（Ⅰ）", "I"]))
def test_numeral_styles_match_only_their_own_level(level: str, typed: str) -> None:
    code_name = f"訪問介護処遇改善加算{level}"
    assert matches_registered(code_name, [f"処遇改善加算{typed}"]) is (level == "Ⅰ")
