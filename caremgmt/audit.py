"""Writing the append-only access log (閲覧記録)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from caremgmt.client_ip import client_ip
from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction

if TYPE_CHECKING:
    from django.http import HttpRequest


def query_hash(query: dict[str, str]) -> str:
    """sha256 hex of a search's parameters (sorted, empty ones dropped): the log can show
    that two searches were the same without holding the names or numbers searched for."""
    kept = {key: value for key, value in sorted(query.items()) if value not in ("", None)}
    encoded = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def record_access(
    request: HttpRequest,
    *,
    subject_type: str,
    subject_id: int | None,
    client_id: int | None,
    action: str = AccessAction.VIEW,
    query: dict[str, str] | None = None,
) -> AccessLog:
    actor = getattr(request, "actor", None)
    office = actor.office if actor is not None else None
    return AccessLog.objects.create(
        staff=request.user,
        office_id=office.pk if office is not None else None,
        client_id=client_id,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        path=request.path[:300],
        ip_address=client_ip(request),
        request_id=getattr(request, "request_id", None),
        client_request_id=getattr(request, "client_request_id", "")[:64],
        query_hash=query_hash(query) if query is not None else "",
    )


def record_search(request: HttpRequest, *, subject_type: str, query: dict[str, str]) -> AccessLog:
    """A list or search of clients: one SEARCH row with the query's hash, no client id."""
    return record_access(
        request,
        subject_type=subject_type,
        subject_id=None,
        client_id=None,
        action=AccessAction.SEARCH,
        query=query,
    )
