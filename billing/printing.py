"""PDFs of the monthly tickets through the shared print-job service (caremgmt.printing).

Interface (the month print run and the editor use only these):

    DOCUMENTS                      — document kinds and their Japanese titles
    ticket_document_html(snapshot, document, provider_id=None, *, all_rows=False) -> str
    request_ticket_print(*, actor, ticket, document, provider_id=None, snapshot=None) -> PrintJob
    month_documents(snapshot) -> list[tuple[str, int | None]]   # every document of a client-month

`snapshot` is `billing.tickets.snapshot.ticket_snapshot(...)` (or a frozen
`TicketVersion.snapshot`), so an earlier version prints as it was handed over. No print date
goes into the HTML (it would change the content hash every day and defeat the cache).

Layout: `billing.pdf_layout` (第6表) and `billing.pdf_table7` (第7表) turn the snapshot into
sheets of one ruled SVG plus absolutely positioned text; `templates/billing/pdf/ticket.html`
writes them out with `static/css/ticket-print.css`. See docs/tickets.md (印刷).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string

from billing.models import ServiceTicket
from billing.pdf_layout import Sheet, finish, ticket_sheets
from billing.pdf_table7 import table7_sheets
from billing.tickets.snapshot import ticket_snapshot
from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.printing.rendering import static_root
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
STYLESHEET = "css/ticket-print.css"
#: Bump when the layout code changes the output in a way the HTML would not show.
LAYOUT_VERSION = "ticket-pdf-1"


@lru_cache(maxsize=1)
def stylesheet_digest() -> str:
    """Written into the HTML, so a stylesheet change changes the print cache key (the print
    service hashes only css/print.css by itself)."""
    path = static_root() / STYLESHEET
    data = path.read_bytes() if path.is_file() else b""
    return f"{LAYOUT_VERSION}+{hashlib.sha256(data).hexdigest()[:12]}"


def _provider_rows(
    snapshot: dict[str, Any], provider_id: int | None
) -> tuple[dict[str, Any] | None, set[str]]:
    rows = [row for row in snapshot["rows"] if row["provider_id"] == provider_id]
    if not rows:
        raise ValueError(f"provider {provider_id} has no row on this ticket")
    return rows[0], {row["provider_number"] for row in rows}


def ticket_sheets_for(
    snapshot: dict[str, Any],
    document: str,
    provider_id: int | None = None,
    *,
    all_rows: bool = False,
) -> list[Sheet]:
    """The finished sheets of one document (利用票 sheets, then 別表 sheets)."""
    if document not in DOCUMENTS:
        raise ValueError(f"unknown ticket document {document!r}")
    totals = snapshot["totals"]
    if document == PROVIDER:
        provider, numbers = _provider_rows(snapshot, provider_id)
        rows = (
            snapshot["rows"]
            if all_rows
            else [row for row in snapshot["rows"] if row["provider_id"] == provider_id]
        )
        grid = ticket_sheets(snapshot, rows, confirmation=False)
        table7 = table7_sheets(snapshot, numbers)
        units = sum(
            s["total_units"] for s in snapshot["subtotals"] if s["provider_number"] in numbers
        )
        name = provider["provider_name"]
        titles = [f"サービス提供票　{name} 様"] * len(grid) + [
            f"サービス提供票別表　{name} 様"
        ] * len(table7)
        footer = f"{name}　合計単位数 {units:,} 単位"
        badge = "提供票"
    else:
        grid = ticket_sheets(snapshot, snapshot["rows"], confirmation=document == OFFICE_COPY)
        table7 = table7_sheets(snapshot)
        titles = ["サービス利用票（兼居宅サービス計画）"] * len(grid) + [
            "サービス利用票別表　区分支給限度管理・利用者負担計算"
        ] * len(table7)
        footer = (
            f"区分支給限度基準額 {snapshot['certification']['limit_units']:,} 単位　"
            f"合計単位数 {totals['total_units']:,} 単位　"
            f"利用者負担額 {snapshot['user_charge_yen']:,} 円"
        )
        badge = "控え" if document == OFFICE_COPY else "本人用"
    if snapshot.get("version_number"):
        footer += f"　第{snapshot['version_number']}版"
    return finish(grid + table7, snapshot, titles=titles, badge=badge, footer=footer)


def ticket_document_html(
    snapshot: dict[str, Any],
    document: str,
    provider_id: int | None = None,
    *,
    all_rows: bool = False,
) -> str:
    """The print HTML of one document. `all_rows` (the office's 提供票 setting) puts every
    provider's rows on a provider's 提供票; its 別表 stays that provider's."""
    sheets = ticket_sheets_for(snapshot, document, provider_id, all_rows=all_rows)
    return render_to_string(
        "billing/pdf/ticket.html",
        {
            "title": DOCUMENTS[document],
            "sheets": sheets,
            "stylesheet": STYLESHEET,
            "digest": stylesheet_digest(),
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
    """Queue (or find, when the same HTML was rendered before) the PDF of one document.
    Raises ValueError for an unknown document or a provider without rows on the ticket."""
    snapshot = snapshot if snapshot is not None else ticket_snapshot(ticket)
    all_rows = document == PROVIDER and ticket.client.office.provider_ticket_all_rows
    html = ticket_document_html(snapshot, document, provider_id, all_rows=all_rows)
    suffix = f"_{provider_id}" if provider_id else ""
    version = f"_v{snapshot['version_number']}" if snapshot.get("version_number") else ""
    return print_job_request(
        actor=actor,
        kind=f"{PRINT_KIND}:{document}",
        subject_id=ticket.pk,
        client_id=ticket.client_id,
        html=html,
        filename=f"riyouhyo_{snapshot['month']}_{ticket.client_id}_{document}{suffix}{version}.pdf",
    )
