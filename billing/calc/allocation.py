"""Placing units over a limit on providers × service types (超過単位の配分).

The care manager decides with the client which services' units become 区分支給限度基準を
超える単位数 (REFERENCE §6). When no choice is given, the engine uses the rule here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

GroupKey = tuple[str, str]
"""(provider number, service type)."""


def allocate_cheapest_first(
    excess_units: int,
    candidates: Sequence[tuple[GroupKey, int, Decimal]],
) -> dict[GroupKey, int]:
    """Default allocation: excess units go where they cost the client least.

    `candidates` are (group, units that can absorb excess, yen per over-limit unit). The
    yen per unit is the group's unit price grossed up by its out-of-limit percentage
    加算 (処遇改善), whose share on over-limit units is self-pay too.

    1. Order groups by yen per unit, then provider number, then service type code
       (deterministic whatever the input order).
    2. Fill each group up to its units until the excess is placed; a group absorbs excess
       as a whole, never line by line.
    """
    allocation: dict[GroupKey, int] = {}
    remaining = excess_units
    for key, available, _cost in sorted(candidates, key=lambda c: (c[2], c[0])):
        if remaining <= 0:
            break
        take = min(available, remaining)
        if take > 0:
            allocation[key] = take
            remaining -= take
    return allocation
