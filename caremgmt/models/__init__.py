from caremgmt.models.audit import AccessLog, AccessLogArchive
from caremgmt.models.drafts import FormDraft
from caremgmt.models.fee_schedule import (
    CareLevelLimit,
    RegionalUnitPrice,
    ServiceCode,
    ServiceType,
    ServiceTypeLimit,
)
from caremgmt.models.organization import Corporation, Membership, Office, Role, Staff
from caremgmt.models.printing import PrintJob
from caremgmt.models.regional_grade import OfficeRegionalGrade, RegionalGradePeriod

__all__ = [
    "AccessLog",
    "AccessLogArchive",
    "CareLevelLimit",
    "Corporation",
    "FormDraft",
    "Membership",
    "Office",
    "OfficeRegionalGrade",
    "PrintJob",
    "RegionalGradePeriod",
    "RegionalUnitPrice",
    "Role",
    "ServiceCode",
    "ServiceType",
    "ServiceTypeLimit",
    "Staff",
]
