"""Validation of what staff type for assessments and plans. Japanese messages at the field.

One module per sub-area (common, assessment, plan, rows, meeting, consent); this package re-exports their
names so `careplans.forms.X` keeps working.
"""

from careplans.forms.assessment import (
    BLANK_LIST_ROWS,
    SOURCE_LABELS,
    AssessmentForm,
    AssessmentStartForm,
    _sub_field,
    item_field_name,
    list_count_name,
    list_field_name,
)
from careplans.forms.common import (
    ServiceValidated,
    TimeInput,
    VersionedForm,
)
from careplans.forms.consent import (
    ConfirmForm,
    MinorChangeForm,
    ReviseForm,
)
from careplans.forms.meeting import (
    AttendeeForm,
    AttendeeFormSet,
    AttendeeFormSetWithBlanks,
    MeetingForm,
    NoMeetingForm,
)
from careplans.forms.plan import (
    PlanCreateForm,
    PlanForm,
)
from careplans.forms.rows import (
    DailyActivityForm,
    GoalForm,
    NeedForm,
    ShortTermGoalForm,
    SupportItemForm,
    WeeklyServiceForm,
)

__all__ = [
    "TimeInput",
    "ServiceValidated",
    "VersionedForm",
    "AssessmentStartForm",
    "AssessmentForm",
    "item_field_name",
    "list_field_name",
    "list_count_name",
    "_sub_field",
    "SOURCE_LABELS",
    "BLANK_LIST_ROWS",
    "PlanCreateForm",
    "PlanForm",
    "NeedForm",
    "GoalForm",
    "ShortTermGoalForm",
    "SupportItemForm",
    "WeeklyServiceForm",
    "DailyActivityForm",
    "MeetingForm",
    "AttendeeForm",
    "NoMeetingForm",
    "AttendeeFormSet",
    "AttendeeFormSetWithBlanks",
    "ConfirmForm",
    "MinorChangeForm",
    "ReviseForm",
]
