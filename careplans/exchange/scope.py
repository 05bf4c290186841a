"""Service types in scope of ケアプランデータ連携 (REFERENCE §3.4), as data.

`service_scope.csv` lists every type the spec names, in scope (``in_scope`` 1) or out (0).
Types it does not list are treated as out of scope (nothing we cannot vouch for is sent).
The spec's table is an OCR copy with misaligned columns ([P]): correct the CSV, not the code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SCOPE_FILE = Path(__file__).with_name("service_scope.csv")


@dataclass(frozen=True)
class ScopeEntry:
    service_type: str
    name: str
    side: str  # "care" (居宅介護支援) or "support" (介護予防支援 / 総合事業)
    in_scope: bool
    note: str = ""


@cache
def scope_table() -> dict[str, ScopeEntry]:
    with SCOPE_FILE.open(encoding="utf-8", newline="") as handle:
        return {
            row["service_type"]: ScopeEntry(
                service_type=row["service_type"],
                name=row["name"],
                side=row["side"],
                in_scope=row["in_scope"] == "1",
                note=row["note"],
            )
            for row in csv.DictReader(handle)
        }


def in_exchange_scope(service_type: str) -> bool:
    """True when 援助内容/recipients of this サービス種類コード may be exchanged."""
    entry = scope_table().get(service_type)
    return entry is not None and entry.in_scope


def exchange_service_types() -> frozenset[str]:
    return frozenset(code for code, entry in scope_table().items() if entry.in_scope)
