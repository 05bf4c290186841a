"""billing views: PDFs of one ticket (see billing/views/__init__.py).

利用票・別表 本人用 / 控え and each provider's 提供票・別表, for the live ticket and for a
frozen 交付 version (`TicketVersion.snapshot`, printed as it was handed over). Each POST asks
`billing.printing.request_ticket_print`, which returns the finished job when the same
document was rendered before; status polling and the download are caremgmt.printing's
views (the download writes the 印刷 access-log row). Printing counts as reading: anyone who
may see the ticket may print it (事務 and 監査 too), nobody else (404).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from billing import printing as ticket_printing
from billing.models import ServiceTicket, TicketVersion
from billing.selectors import ticket_for
from caremgmt.access import get_visible_or_404
from caremgmt.printing.views import print_status_response


def _print(
    request: HttpRequest,
    ticket: ServiceTicket,
    document: str,
    provider_id: int | None,
    snapshot: dict[str, Any] | None,
) -> HttpResponse:
    if document not in ticket_printing.DOCUMENTS:
        raise Http404("帳票がありません。")
    if (document == ticket_printing.PROVIDER) != (provider_id is not None):
        raise Http404("帳票がありません。")
    try:
        job = ticket_printing.request_ticket_print(
            actor=request.actor,
            ticket=ticket,
            document=document,
            provider_id=provider_id,
            snapshot=snapshot,
        )
    except ValueError as error:  # a provider with no row on this ticket (version)
        raise Http404("この事業所の提供票はありません。") from error
    if not getattr(request, "htmx", False):
        return redirect("printing:status", pk=job.pk)
    return print_status_response(request, job)


@require_POST
def ticket_print(
    request: HttpRequest, pk: int, document: str, provider_id: int | None = None
) -> HttpResponse:
    """The PDF of the ticket as it is now (recomputed through the engine)."""
    ticket = ticket_for(request.actor, pk)
    return _print(request, ticket, document, provider_id, None)


@require_POST
def version_print(
    request: HttpRequest, pk: int, document: str, provider_id: int | None = None
) -> HttpResponse:
    """The PDF of a handed-over version, from its frozen snapshot (no recompute)."""
    version = get_visible_or_404(
        TicketVersion.objects.select_related("ticket__client__office"), request.actor, pk=pk
    )
    snapshot = {
        **version.snapshot,
        "created_on": version.snapshot.get("created_on") or version.created_on.isoformat(),
        "version_number": version.snapshot.get("version_number") or version.number,
    }
    return _print(request, version.ticket, document, provider_id, snapshot)


urlpatterns: list = [
    path("tickets/<int:pk>/print/<str:document>/", ticket_print, name="ticket_print"),
    path(
        "tickets/<int:pk>/print/<str:document>/<int:provider_id>/",
        ticket_print,
        name="ticket_print_provider",
    ),
    path("ticket-versions/<int:pk>/print/<str:document>/", version_print, name="version_print"),
    path(
        "ticket-versions/<int:pk>/print/<str:document>/<int:provider_id>/",
        version_print,
        name="version_print_provider",
    ),
]
