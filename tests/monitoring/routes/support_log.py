"""Route-walk entries of the monitoring support_log screens (see tests/monitoring/routes/__init__.py)."""

from __future__ import annotations

from typing import Any

ACCESS_EXEMPT: dict[str, str] = {
    "monitoring:support_log_print": "POST that queues the 第5表 print job and redirects to "
    "printing:status (which logs); the download is logged as PRINT",
}
ACCESS_SEARCH: dict[str, dict[str, str]] = {}
ACCESS_HEADERS: dict[str, dict[str, str]] = {}
# A refused entry or correction re-renders the log / the correction page with the client's data.
REJECTED_POSTS: set[str] = {"monitoring:support_log", "monitoring:support_log_correct"}
_APPEND_ONLY = (
    "only creates a 支援経過 entry: entries are append-only (the DB trigger "
    "support_log_append_only refuses UPDATE and DELETE), a correction is a new row"
)
LOCK_EXEMPT: dict[str, str] = {
    "monitoring:support_log": _APPEND_ONLY + "; GET only reads",
    "monitoring:support_log_correct": _APPEND_ONLY + " referring to the original, which is "
    "never touched",
    "monitoring:support_log_print": "only queues a print job (PrintJob, unique per content); "
    "changes no record",
}


def own_entry(world: Any) -> dict[str, Any]:
    """A hand entry in the log of a new client of the world's care manager."""
    import datetime as dt

    from monitoring.models import SupportLogEntry
    from tests.factories import ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    entry = SupportLogEntry.objects.create(
        client=client,
        occurred_on=dt.date.today(),
        kind="phone",
        counterpart="長女",
        content="体調について電話で確認した。",
        author=world.care_manager,
    )
    return {"pk": entry.pk}


def scoping(ns: dict[str, Any]) -> None:
    """Add Route entries to ns["ROUTES"] (and ns["STAFF_ONLY"])."""
    Route = ns["Route"]  # noqa: N806
    own_client_kwargs = ns["_own_client_kwargs"]
    ns["ROUTES"].update(
        {
            "monitoring:support_log": Route(own_client_kwargs),
            "monitoring:support_log_correct": Route(own_entry),
            "monitoring:support_log_print": Route(
                own_client_kwargs,
                "post",
                {"date_from": "2026-01-01", "date_to": "2026-03-31"},
            ),
        }
    )


def locked(ns: dict[str, Any]) -> dict[str, Any]:
    return {}
