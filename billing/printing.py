"""PDFs of the monthly tickets through the shared print-job service (caremgmt.printing).

Interface (the month print run and the editor use only these):

    DOCUMENTS                      — document kinds and their Japanese titles
    ticket_document_html(snapshot, document, provider_id=None) -> str
    request_ticket_print(*, actor, ticket, document, provider_id=None, snapshot=None) -> PrintJob
    month_documents(snapshot) -> list[tuple[str, int | None]]   # every document of a client-month

`snapshot` is `billing.tickets.snapshot.ticket_snapshot(...)` (or a frozen
`TicketVersion.snapshot`), so an earlier version prints as it was handed over. No print date
goes into the HTML (it would change the content hash every day and defeat the cache).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from billing.models import ServiceTicket
from billing.tickets.snapshot import ticket_snapshot
from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.printing.services import print_job_request

CLIENT = "client"  # 利用票・別表（本人用）
OFFICE_COPY = "copy"  # 利用票・別表（控え：利用者確認欄つき）
PROVIDER = "provider"  # 提供票・別表（事業所ごと）

DOCUMENTS = {
    CLIENT: "サービス利用票・別表（本人用）",
    OFFICE_COPY: "サービス利用票・別表（控え）",
    PROVIDER: "サービス提供票・別表",
}
PRINT_KIND = "ticket"


def ticket_document_html(
    snapshot: dict[str, Any], document: str, provider_id: int | None = None
) -> str:
    """The print HTML of one document (placeholder layout until the print work lands)."""
    return render_to_string(
        "billing/pdf/ticket_placeholder.html",
        {
            "s": snapshot,
            "document": document,
            "title": DOCUMENTS[document],
            "provider_id": provider_id,
        },
    )


def month_documents(snapshot: dict[str, Any]) -> list[tuple[str, int | None]]:
    providers = sorted({row["provider_id"] for row in snapshot["rows"]})
    return [(CLIENT, None), (OFFICE_COPY, None), *[(PROVIDER, pk) for pk in providers]]


def request_ticket_print(
    *,
    actor: Actor,
    ticket: ServiceTicket,
    document: str,
    provider_id: int | None = None,
    snapshot: dict[str, Any] | None = None,
) -> PrintJob:
    snapshot = snapshot if snapshot is not None else ticket_snapshot(ticket)
    html = ticket_document_html(snapshot, document, provider_id)
    suffix = f"_{provider_id}" if provider_id else ""
    return print_job_request(
        actor=actor,
        kind=f"{PRINT_KIND}:{document}",
        subject_id=ticket.pk,
        client_id=ticket.client_id,
        html=html,
        filename=f"riyouhyo_{snapshot['month']}_{ticket.client_id}_{document}{suffix}.pdf",
    )
