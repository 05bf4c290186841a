"""Care plan screens: thin function views — parse, call a selector or service, render.

Every lookup goes through the access helper (404 for anything not visible); every write
view calls `require_plan_writer`; every page that shows a client's plan or assessment writes an
access-log row. One module per sub-area.
"""

from careplans.views.assessment import (
    assessment_detail,
    assessment_new,
)
from careplans.views.consent import (
    minor_change,
    plan_confirm,
    plan_revise,
)
from careplans.views.exchange import (
    plan_export,
    plan_import,
)
from careplans.views.meeting import (
    meeting_edit,
    no_meeting,
)
from careplans.views.pdf import (
    plan_print,
)
from careplans.views.plan import (
    plan_detail,
    plan_edit,
    plan_new,
)
from careplans.views.rows import (
    activity_edit,
    goal_edit,
    item_providers,
    need_edit,
    row_delete,
    support_item_edit,
    weekly_edit,
)
from careplans.views.workflow import (
    client_workflow,
    plan_index,
)

__all__ = [
    "plan_index",
    "client_workflow",
    "assessment_new",
    "assessment_detail",
    "plan_new",
    "plan_detail",
    "plan_edit",
    "need_edit",
    "goal_edit",
    "support_item_edit",
    "weekly_edit",
    "item_providers",
    "activity_edit",
    "row_delete",
    "meeting_edit",
    "no_meeting",
    "plan_confirm",
    "plan_revise",
    "minor_change",
    "plan_export",
    "plan_import",
    "plan_print",
]
