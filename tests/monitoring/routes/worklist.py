"""Route-walk entries of the work queue screens (see tests/monitoring/routes/__init__.py).

The queue itself is the home page `dashboard` (STAFF_ONLY, a SEARCH page and read-only in the
core walk files)."""

from __future__ import annotations

from typing import Any

ACCESS_EXEMPT: dict[str, str] = {
    "monitoring:notice_read": "POST only (marks the user's own notice read; no page)",
    "monitoring:notification_settings": "the staff member's own settings: no client data",
}
ACCESS_SEARCH: dict[str, dict[str, str]] = {}
ACCESS_HEADERS: dict[str, dict[str, str]] = {}
REJECTED_POSTS: set[str] = set()
LOCK_EXEMPT: dict[str, str] = {
    "monitoring:notice_read": "sets read_at once (idempotent: a second read keeps the first "
    "time); the row belongs to one recipient",
    "monitoring:notification_settings": "the user's own row, which no other person can open, "
    "so the two-people walk does not apply; it is version-checked all the same (a second "
    "tab's stale save is refused: tests/monitoring/test_work_notices.py)",
}


def _own_notice(world: Any) -> dict[str, Any]:
    from monitoring.models import Notice

    notice = Notice.objects.create(
        office=world.office, recipient=world.care_manager, kind="admitted", message="入院"
    )
    return {"pk": notice.pk}


def scoping(ns: dict[str, Any]) -> None:
    """The notice is the recipient's own: a colleague and another office get 404."""
    ns["ROUTES"]["monitoring:notice_read"] = ns["Route"](_own_notice, method="post")
    ns["STAFF_ONLY"] |= {"monitoring:notification_settings"}


def locked(ns: dict[str, Any]) -> dict[str, Any]:
    return {}
