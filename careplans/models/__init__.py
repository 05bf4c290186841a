"""Assessment (課題分析), the care plan 第1〜3表 with its versions, 担当者会議 (第4表),
consent & delivery and 軽微な変更.

A `CarePlan` row is one version (第n版) of a client's plan. Status machine (services refuse
anything else):

    原案 draft ──(会議の結論 / 会議を開催しない理由)──▶ 会議済 met ──(説明・同意・交付)──▶ 確定 confirmed
    確定 ──(the next version is confirmed)──▶ 改訂済 superseded

A revision starts as a copy of the current version (a new draft). 軽微な変更 are appended to
the confirmed version itself (append-only rows, a trigger refuses UPDATE/DELETE).

One module per sub-area (assessment, plan, rows, consent, meeting); this package re-exports their
names so `careplans.models.X` keeps working.
"""

from careplans.models.assessment import (
    CLIENT_CASELOAD_PATHS,
    PLAN_CASELOAD_PATHS,
    Assessment,
    AssessmentReason,
)
from careplans.models.consent import (
    MinorChange,
    PlanDelivery,
    PlanDoctorDelivery,
)
from careplans.models.meeting import (
    AttendeeKind,
    Meeting,
    MeetingAttendee,
)
from careplans.models.monthly import MonthlyService, MonthlyServiceKind
from careplans.models.plan import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    CarePlan,
    CertificationState,
    LivingSupportReason,
    PlanKind,
    PlanStatus,
)
from careplans.models.rows import (
    WEEKDAY_VALUES,
    DailyActivity,
    Goal,
    Need,
    SupportItem,
    Weekday,
    WeeklyService,
    crosses_midnight,
    time_band_label,
    weekdays_label,
)

__all__ = [
    "MonthlyService",
    "MonthlyServiceKind",
    "AssessmentReason",
    "Assessment",
    "CLIENT_CASELOAD_PATHS",
    "PLAN_CASELOAD_PATHS",
    "PlanStatus",
    "PlanKind",
    "CertificationState",
    "LivingSupportReason",
    "CarePlan",
    "OPEN_STATUSES",
    "EDITABLE_STATUSES",
    "Need",
    "Goal",
    "SupportItem",
    "Weekday",
    "WeeklyService",
    "DailyActivity",
    "weekdays_label",
    "crosses_midnight",
    "time_band_label",
    "WEEKDAY_VALUES",
    "PlanDelivery",
    "PlanDoctorDelivery",
    "MinorChange",
    "Meeting",
    "AttendeeKind",
    "MeetingAttendee",
]
