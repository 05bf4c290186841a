"""Shared helpers of the client screens: visible lookup, service errors onto forms, page constants."""

from __future__ import annotations

from django.http import HttpRequest

from caremgmt.access import get_visible_or_404
from caremgmt.audit import record_access
from caremgmt.forms import add_service_errors as _add_service_errors  # noqa: F401 (re-exported to the client views)
from clients.models import (
    Client,
)

PAGE_SIZE = 25
TABS = (
    ("history", "認定・負担割合"),
    ("contacts", "連絡先・家族"),
    ("applications", "申請代行"),
    ("intake", "相談・契約"),
    ("plans", "ケアプラン"),
    ("tickets", "利用票"),
    ("monitoring", "モニタリング・評価"),
    ("records", "支援経過"),
)
TAB_NAMES = {name for name, _ in TABS}


def _client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related(
            "care_manager", "deputy_care_manager", "primary_doctor", "office"
        ),
        request.actor,
        pk=pk,
    )


def log_client_page(request: HttpRequest, client: Client) -> None:
    """閲覧記録 for a page (form or fragment) that shows this client's data; the subject type
    names the route, e.g. `client:edit`, `client:burden_correct`."""
    match = request.resolver_match
    name = match.url_name if match is not None else "page"
    record_access(
        request, subject_type=f"client:{name}"[:40], subject_id=client.pk, client_id=client.pk
    )
