"""Every write to assessments, plans and meetings. Keyword-only, typed, one transaction each.

Rules owned here (REFERENCE §1, §9):

1. Status machine 原案 → 会議済 → 確定 → 改訂済 (`TRANSITIONS`); anything else is refused.
2. Date order: アセスメント実施日 ≤ 原案作成日 ≤ 会議開催日 ≤ 説明・同意日 ≤ 交付日. An
   out-of-order date is refused with a Japanese message on that field.
3. A plan is confirmed only with an assessment, a meeting record (or a recorded reason why
   no meeting was held), at least one ニーズ, and 説明・同意日 + 交付日.
4. A confirmed plan is never edited: revise it (a new draft copied from it) or append a
   軽微な変更.
5. Optimistic lock: every plan edit names the `version` it was loaded at; a stale save is
   refused with what the other person changed (`PlanEditConflictError`).
6. 第2表 goal periods lie within the certification period; outside it is refused, except
   while an application is pending (申請中) — then it is a warning only.
7. 第3表 insured items name a provider that offers the service type and a サービスコード
   valid on the plan's start date.

One module per sub-area; this package re-exports the public names.
"""

from careplans.services.assessment import (
    assessment_start,
    assessment_update,
)
from careplans.services.common import (
    CONFIRMED_READ_ONLY_MESSAGE,
    LIVING_SUPPORT_REASON_MESSAGE,
    NO_ASSESSMENT_MESSAGE,
    NO_MEETING_MESSAGE,
    NO_NEEDS_MESSAGE,
    PERIOD_ORDER_MESSAGE,
    PLAN_EDITABLE_FIELDS,
    TIME_ORDER_MESSAGE,
    FieldChange,
    InvalidTransitionError,
    PlanEditConflictError,
    SaveResult,
)
from careplans.services.consent import (
    careplan_confirm,
    minor_change_record,
    plan_providers,
)
from careplans.services.meeting import (
    careplan_record_no_meeting,
    meeting_record,
)
from careplans.services.plan import (
    _certification_fields,
    careplan_create,
    careplan_revise,
    careplan_update,
)
from careplans.services.rows import (
    ROW_KIND_LABELS,
    RowDeletePreview,
    daily_activity_save,
    goal_save,
    need_save,
    plan_row_delete,
    plan_row_delete_preview,
    service_code_on,
    support_item_save,
    weekly_service_save,
)

__all__ = [
    "InvalidTransitionError",
    "FieldChange",
    "PlanEditConflictError",
    "SaveResult",
    "CONFIRMED_READ_ONLY_MESSAGE",
    "NO_ASSESSMENT_MESSAGE",
    "NO_MEETING_MESSAGE",
    "NO_NEEDS_MESSAGE",
    "PERIOD_ORDER_MESSAGE",
    "TIME_ORDER_MESSAGE",
    "LIVING_SUPPORT_REASON_MESSAGE",
    "PLAN_EDITABLE_FIELDS",
    "assessment_start",
    "assessment_update",
    "_certification_fields",
    "careplan_create",
    "careplan_update",
    "careplan_revise",
    "need_save",
    "goal_save",
    "support_item_save",
    "service_code_on",
    "weekly_service_save",
    "daily_activity_save",
    "plan_row_delete",
    "plan_row_delete_preview",
    "RowDeletePreview",
    "ROW_KIND_LABELS",
    "meeting_record",
    "careplan_record_no_meeting",
    "plan_providers",
    "careplan_confirm",
    "minor_change_record",
]
