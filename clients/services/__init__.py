"""Every write to client data. Keyword-only, typed, one transaction each.

Services trust that forms validated single fields; they own the rules that need the
database: duplicates, overlapping periods (checked under a row lock on the client), the
optimistic version of the client record, and the intake status transitions.

One module per sub-area (common, record, histories, applications, directory); this package re-exports their
names so `clients.services.X` keeps working.
"""

from clients.services.applications import (
    application_create,
    application_update,
)
from clients.services.common import (
    CLIENT_EDITABLE_FIELDS,
    DuplicateClientError,
    EditConflictError,
    FieldChange,
    _clean_fields,
    _display,
    _lock_client,
)
from clients.services.directory import (
    _directory_save,
    contact_delete,
    contact_save,
    doctor_save,
    provider_save,
    resource_save,
)
from clients.services.histories import (
    _close_matching_application,
    _period_text,
    _supersede,
    burden_ratio_add,
    certification_add,
    plan_request_filing_add,
)
from clients.services.record import (
    ALLOWED_STATUS_CHANGES,
    _changes_since,
    client_change_status,
    client_contract,
    client_update,
    consultation_add,
    consultation_record,
)

__all__ = [
    "DuplicateClientError",
    "FieldChange",
    "EditConflictError",
    "_display",
    "_clean_fields",
    "_lock_client",
    "CLIENT_EDITABLE_FIELDS",
    "consultation_record",
    "consultation_add",
    "_changes_since",
    "client_update",
    "client_contract",
    "client_change_status",
    "ALLOWED_STATUS_CHANGES",
    "_period_text",
    "certification_add",
    "_supersede",
    "_close_matching_application",
    "burden_ratio_add",
    "plan_request_filing_add",
    "application_create",
    "application_update",
    "contact_save",
    "contact_delete",
    "_directory_save",
    "provider_save",
    "doctor_save",
    "resource_save",
]
