"""The monitoring app's entries in the three route walks, one module per area.

Each area module defines:
- `scoping(ns)`: adds `Route`s to ns["ROUTES"] (and names to ns["STAFF_ONLY"]); `ns` is the
  globals of tests/test_route_scoping.py (Route, World, _own_plan, _own_client, …).
- `ACCESS_EXEMPT`, `ACCESS_SEARCH` (name → query), `ACCESS_HEADERS` (name → headers) and
  `REJECTED_POSTS` (names whose rejected POST re-renders a logged page) for
  tests/test_route_access_log.py.
- `LOCK_EXEMPT` (name → reason) and `locked(ns)` → {name: Locked} for
  tests/test_route_locking.py (`ns` holds Locked and _scoped).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

AREAS = ("worklist", "records", "evaluation", "support_log", "hospital")


def modules() -> list[ModuleType]:
    return [importlib.import_module(f"tests.monitoring.routes.{area}") for area in AREAS]


def register_scoping(ns: dict[str, Any]) -> None:
    for module in modules():
        module.scoping(ns)


def merged(attribute: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for module in modules():
        result.update(getattr(module, attribute, {}))
    return result


def rejected_posts() -> set[str]:
    names: set[str] = set()
    for module in modules():
        names |= set(getattr(module, "REJECTED_POSTS", ()))
    return names


def locked(ns: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for module in modules():
        if hasattr(module, "locked"):
            result.update(module.locked(ns))
    return result
