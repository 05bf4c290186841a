"""Client screens: thin function views — parse, call a selector or service, render.

Every lookup goes through the access helper (404 for anything not visible); every write
view calls `require_writer`. The client page and each of its htmx tabs write an access-log
row.

One module per sub-area (common, index, intake, page, histories, contacts, alerts, directory); this package re-exports their
names so `clients.views.X` keeps working.
"""

from clients.views.alerts import (
    expiring,
)
from clients.views.common import (
    PAGE_SIZE,
    TAB_NAMES,
    TABS,
    _add_service_errors,
    _client,
)
from clients.views.contacts import (
    application_add,
    application_edit,
    contact_delete,
    contact_edit,
)
from clients.views.directory import (
    _directory_edit,
    doctor_edit,
    doctor_index,
    provider_edit,
    provider_index,
    resource_edit,
    resource_index,
)
from clients.views.histories import (
    burden_add,
    burden_correct,
    certification_add,
    certification_correct,
    filing_add,
)
from clients.views.index import (
    client_index,
)
from clients.views.intake import (
    client_contract,
    client_intake,
)
from clients.views.page import (
    _form_page,
    _tab_context,
    client_detail,
    client_edit,
    client_status,
    client_tab,
)

__all__ = [
    "_client",
    "_add_service_errors",
    "PAGE_SIZE",
    "TABS",
    "TAB_NAMES",
    "client_index",
    "client_intake",
    "client_contract",
    "_tab_context",
    "client_detail",
    "client_tab",
    "client_edit",
    "client_status",
    "_form_page",
    "certification_add",
    "certification_correct",
    "burden_add",
    "burden_correct",
    "filing_add",
    "application_add",
    "application_edit",
    "contact_edit",
    "contact_delete",
    "expiring",
    "provider_index",
    "doctor_index",
    "resource_index",
    "_directory_edit",
    "provider_edit",
    "doctor_edit",
    "resource_edit",
]
