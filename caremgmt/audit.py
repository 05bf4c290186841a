"""Writing the append-only access log (閲覧記録)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from caremgmt.client_ip import client_ip
from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction

if TYPE_CHECKING:
    from django.http import HttpRequest


def record_access(
    request: HttpRequest,
    *,
    subject_type: str,
    subject_id: int | None,
    client_id: int | None,
    action: str = AccessAction.VIEW,
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
    )
