"""利用者台帳 (client register), the effective-dated histories, intake and the office's
address book (providers, doctors, informal resources).

History rule: 要介護認定, 負担割合 and 居宅サービス計画作成依頼届出 rows are *facts as
written on a card or a filing*. They are never overwritten: a database trigger refuses
UPDATEs of their fact columns. A correction inserts a new row and marks the old one
superseded (`superseded_at`, `superseded_by`); a 区分変更 (or a new 負担割合証 mid-period)
ends the previous row early by setting `ended_on`. Only those bookkeeping columns may change,
and pghistory records every change.

One module per sub-area (client, history, intake, directory, coverage); this package
re-exports every model so `clients.models.X` keeps working.
"""

from clients.models.client import (
    ACTIVE_STATUSES,
    CLIENT_CASELOAD_PATHS,
    Client,
    ClientContact,
    ClientStatus,
    Doctor,
    EndReason,
    LivingSituation,
    TicketCopyRole,
)
from clients.models.coverage import (
    BenefitRestriction,
    PublicExpense,
    RestrictionKind,
)
from clients.models.directory import (
    InformalResource,
    ProviderRegionalGrade,
    ResourceKind,
    ServiceProvider,
)
from clients.models.history import (
    ApplicationKind,
    BurdenRatio,
    BurdenRatioChoice,
    Certification,
    DementiaIndependence,
    DisabilityIndependence,
    EffectiveDatedFact,
    FilingQuerySet,
    HistoryQuerySet,
    IndependenceSource,
    PlanRequestFiling,
    _fact_columns_read_only,
    _period_constraints,
)
from clients.models.hospital import HospitalStay, HospitalStayQuerySet
from clients.models.intake import (
    ApplicationStatus,
    CertificationApplication,
    Consultation,
    ConsultationRoute,
    Contract,
)

__all__ = [
    "HospitalStay",
    "HospitalStayQuerySet",
    "TicketCopyRole",
    "ClientStatus",
    "LivingSituation",
    "EndReason",
    "Doctor",
    "Client",
    "ClientContact",
    "CLIENT_CASELOAD_PATHS",
    "ACTIVE_STATUSES",
    "HistoryQuerySet",
    "EffectiveDatedFact",
    "ApplicationKind",
    "DisabilityIndependence",
    "DementiaIndependence",
    "IndependenceSource",
    "Certification",
    "BurdenRatioChoice",
    "BurdenRatio",
    "FilingQuerySet",
    "PlanRequestFiling",
    "_period_constraints",
    "_fact_columns_read_only",
    "ConsultationRoute",
    "Consultation",
    "Contract",
    "ApplicationStatus",
    "CertificationApplication",
    "ServiceProvider",
    "ProviderRegionalGrade",
    "ResourceKind",
    "InformalResource",
    "PublicExpense",
    "RestrictionKind",
    "BenefitRestriction",
]
