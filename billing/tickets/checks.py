"""Plan checks shown on the ticket: warnings with the rule's name that an office can
acknowledge (issue 10 §4). Pure functions over the ticket, its figures and the register.

Interface used by the editor, the PDFs and the delivery screen:

    ticket_warnings(ticket, figures) -> list[TicketWarning]

A warning is identified by (`rule`, `subject_key`); `TicketCheckAcknowledgement` rows with
the same pair mark it acknowledged (still shown, greyed, with who and why).
"""

from __future__ import annotations

from dataclasses import dataclass

from billing.models import ServiceTicket
from billing.tickets.compute import TicketFigures


@dataclass(frozen=True)
class TicketWarning:
    rule: str  # stable id, e.g. "light_care_rental"
    rule_name: str  # Japanese name of the rule shown to the user
    message: str
    subject_key: str = ""
    row_id: int | None = None
    day: int | None = None
    severity: str = "warning"  # "warning" (acknowledgeable) or "error" (must be fixed)
    acknowledged: bool = False
    acknowledged_note: str = ""


def ticket_warnings(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """Every plan-check finding for the ticket (filled in by the checks work)."""
    return []
