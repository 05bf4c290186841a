"""Monthly tickets (利用票・提供票) and their delivery; billing adds 実績 and 給付管理票.

One module per sub-area; this package re-exports their names.
"""

from billing.models.actuals import (
    ActualsImport,
    ActualsImportKind,
    ActualsSource,
    ActualsStatus,
    ProviderActuals,
)
from billing.models.benefit import (
    BatchRun,
    BatchStatus,
    BenefitManagementSheet,
    ClaimSubmission,
    SheetKind,
    SheetStatus,
)
from billing.models.delivery import (
    ConsentMethod,
    CopyRecipientKind,
    ProviderTicketSend,
    SendMethod,
    TicketCopy,
    TicketVersion,
)
from billing.models.kago import KagoStatus, OfficeClaimKago
from billing.models.office_claim import (
    ClaimEvidence,
    DischargeVariant,
    EvidenceKind,
    OfficeClaimMonthClose,
    OfficeClaimSettings,
    StaffMonthFte,
)
from billing.models.print_run import *  # noqa: F403 - PrintRun, PrintRunItem, PrintRunMerge
from billing.models.tickets import (
    RentalPriceCap,
    RowSource,
    ServiceTicket,
    TicketCheckAcknowledgement,
    TicketRow,
    TicketStatus,
)

__all__ = [
    "ActualsImport",
    "ActualsImportKind",
    "ActualsSource",
    "ActualsStatus",
    "BatchRun",
    "BatchStatus",
    "BenefitManagementSheet",
    "ClaimEvidence",
    "ClaimSubmission",
    "DischargeVariant",
    "EvidenceKind",
    "KagoStatus",
    "OfficeClaimKago",
    "OfficeClaimMonthClose",
    "OfficeClaimSettings",
    "ProviderActuals",
    "SheetKind",
    "SheetStatus",
    "StaffMonthFte",
    "ConsentMethod",
    "CopyRecipientKind",
    "ProviderTicketSend",
    "RentalPriceCap",
    "RowSource",
    "SendMethod",
    "ServiceTicket",
    "TicketCheckAcknowledgement",
    "TicketCopy",
    "TicketRow",
    "TicketStatus",
    "TicketVersion",
]
