"""Route-walk entries of the monitoring worklist screens (see tests/monitoring/routes/__init__.py)."""

from __future__ import annotations

from typing import Any

ACCESS_EXEMPT: dict[str, str] = {}
ACCESS_SEARCH: dict[str, dict[str, str]] = {}
ACCESS_HEADERS: dict[str, dict[str, str]] = {}
REJECTED_POSTS: set[str] = set()
LOCK_EXEMPT: dict[str, str] = {}


def scoping(ns: dict[str, Any]) -> None:
    """Add Route entries to ns["ROUTES"] (and ns["STAFF_ONLY"])."""


def locked(ns: dict[str, Any]) -> dict[str, Any]:
    return {}
