"""What the 給付管理 page shows: the month's client-months with their sheet status, the last
files, the latest batch run and the days left until the 10th (no view logic here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from billing.models import ServiceTicket
from billing.models.benefit import (
    BatchRun,
    BenefitManagementSheet,
    ClaimSubmission,
    SheetStatus,
)
from billing.selectors import tickets_of_month
from billing.tickets.month import add_months
from caremgmt.access import Actor

NOT_MADE = "未作成"
MADE = "作成済"
SUBMITTED = "提出済"
RETURNED = "返戻"
STATUS_LABELS = (NOT_MADE, MADE, SUBMITTED, RETURNED)
RECENT_FILES = 5
DEADLINE_DAY = 10


@dataclass(frozen=True)
class BoardRow:
    ticket: ServiceTicket
    sheet: BenefitManagementSheet | None
    status: str


def sheet_status(sheets: list[BenefitManagementSheet]) -> tuple[str, BenefitManagementSheet | None]:
    """The client-month's 給付管理 status from its sheets (newest first)."""
    if not sheets:
        return NOT_MADE, None
    for sheet in sheets:
        if sheet.status == SheetStatus.DRAFT:
            return MADE, sheet
    latest = sheets[0]
    if latest.status in (SheetStatus.SUBMITTED, SheetStatus.ACCEPTED):
        return SUBMITTED, latest
    if latest.status == SheetStatus.RETURNED:
        return RETURNED, latest
    return NOT_MADE, latest


def board_rows(actor: Actor, month: dt.date) -> list[BoardRow]:
    """Visible client-months of the month with their sheet status (2 queries)."""
    tickets = (
        tickets_of_month(actor, month)
        .prefetch_related(
            Prefetch(
                "benefit_sheets",
                queryset=BenefitManagementSheet.objects.order_by("-created_at", "-pk"),
            )
        )
        .order_by("client__name_kana", "pk")
    )
    rows = []
    for ticket in tickets:
        status, sheet = sheet_status(list(ticket.benefit_sheets.all()))
        rows.append(BoardRow(ticket=ticket, sheet=sheet, status=status))
    return rows


def pending_count(rows: list[BoardRow]) -> int:
    """Client-months of the month still to be submitted: 未作成, 作成済 or 返戻 (a returned
    sheet is made and submitted again). The deadline only matters while this is above 0."""
    return sum(1 for row in rows if row.status != SUBMITTED)


def deadline(month: dt.date) -> dt.date:
    """The 請求 deadline of a service month: the 10th of the following month."""
    return add_months(month, 1).replace(day=DEADLINE_DAY)


def days_left(month: dt.date, today: dt.date) -> int:
    return (deadline(month) - today).days


def recent_files(actor: Actor, month: dt.date) -> list[ClaimSubmission]:
    if not actor.sees_whole_office:
        return []
    return list(
        ClaimSubmission.objects.filter(office=actor.office, month=month)
        .defer("content")
        .order_by("-created_at", "-pk")[:RECENT_FILES]
    )


def latest_run(actor: Actor, month: dt.date) -> BatchRun | None:
    return (
        BatchRun.objects.filter(office=actor.office, month=month)
        .select_related("submission")
        .defer("submission__content")
        .order_by("-started_at", "-pk")
        .first()
    )
