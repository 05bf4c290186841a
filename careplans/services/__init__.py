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
   valid on the plan's start date. One row covers one or more weekdays; an end before the
   start runs to the next morning (22:00〜翌6:00); a band whose length does not fit the
   code's duration (`careplans.time_bands`) is saved with a warning.
8. 第2表 サービス種別 are the home-care types of `caremgmt.choices.plan_service_types`
   (介護予防 variants for 要支援・事業対象者); a provider must offer the chosen type.
9. Several 短期目標 may share one 長期目標 (`Goal.long_term_head`); the copies of the
   長期目標 follow the group's first goal.
10. 運営基準 第13条: a plan with 医療系サービス is also delivered to the 主治医 (第19号の2);
   every 福祉用具貸与 line has 「福祉用具貸与が必要な理由」 (第22号) — both checked at
   confirmation (`careplan_confirm`); the groups of service types are `service_kinds`.

One module per sub-area; this package re-exports the public names.
"""

from careplans.services.assessment import (
    assessment_start,
    assessment_update,
    register_answers,
)
from careplans.services.common import (
    CONFIRMED_READ_ONLY_MESSAGE,
    EQUIPMENT_RENTAL_REASON_WARNING,
    LIVING_SUPPORT_REASON_MESSAGE,
    NO_ASSESSMENT_MESSAGE,
    NO_MEETING_MESSAGE,
    NO_NEEDS_MESSAGE,
    NO_PRIMARY_DOCTOR_MESSAGE,
    PERIOD_ORDER_MESSAGE,
    PLAN_EDITABLE_FIELDS,
    TIME_ORDER_MESSAGE,
    FieldChange,
    FieldConflict,
    InvalidTransitionError,
    MergeNote,
    PlanEditConflictError,
    SaveResult,
    describe_conflicts,
)
from careplans.services.consent import (
    careplan_confirm,
    equipment_rental_reason_gaps,
    minor_change_record,
    plan_doctor,
    plan_places_medical_services,
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
    careplan_save,
    careplan_update,
)
from careplans.services.rows import (
    ROW_KIND_LABELS,
    RowDeletePreview,
    daily_activity_save,
    goal_save,
    need_save,
    plan_care_level,
    plan_row_delete,
    plan_row_delete_preview,
    plan_service_type_error,
    service_code_on,
    support_item_save,
    weekly_service_save,
)

__all__ = [
    "InvalidTransitionError",
    "FieldChange",
    "FieldConflict",
    "MergeNote",
    "PlanEditConflictError",
    "SaveResult",
    "describe_conflicts",
    "CONFIRMED_READ_ONLY_MESSAGE",
    "NO_ASSESSMENT_MESSAGE",
    "NO_MEETING_MESSAGE",
    "NO_NEEDS_MESSAGE",
    "PERIOD_ORDER_MESSAGE",
    "TIME_ORDER_MESSAGE",
    "LIVING_SUPPORT_REASON_MESSAGE",
    "EQUIPMENT_RENTAL_REASON_WARNING",
    "NO_PRIMARY_DOCTOR_MESSAGE",
    "PLAN_EDITABLE_FIELDS",
    "assessment_start",
    "assessment_update",
    "register_answers",
    "_certification_fields",
    "careplan_create",
    "careplan_update",
    "careplan_save",
    "careplan_revise",
    "need_save",
    "goal_save",
    "support_item_save",
    "service_code_on",
    "weekly_service_save",
    "plan_care_level",
    "plan_service_type_error",
    "daily_activity_save",
    "plan_row_delete",
    "plan_row_delete_preview",
    "RowDeletePreview",
    "ROW_KIND_LABELS",
    "meeting_record",
    "careplan_record_no_meeting",
    "plan_providers",
    "plan_doctor",
    "plan_places_medical_services",
    "equipment_rental_reason_gaps",
    "careplan_confirm",
    "minor_change_record",
]
