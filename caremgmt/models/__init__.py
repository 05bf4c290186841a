from caremgmt.models.audit import AccessLog
from caremgmt.models.organization import Corporation, Membership, Office, Role, Staff

__all__ = ["AccessLog", "Corporation", "Membership", "Office", "Role", "Staff"]
