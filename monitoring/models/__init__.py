"""Monitoring, the support log (第5表), hospital hand-offs and the work queue."""

from monitoring.models.evaluation import EvaluationLine, EvaluationResult, EvaluationSheet
from monitoring.models.hospital import (
    AdmissionInfoSheet,
    DischargeConference,
    HandoffMethod,
    OutpatientLiaison,
)
from monitoring.models.records import (
    Achievement,
    Decision,
    GoalReview,
    MonitoringPlace,
    MonitoringRecord,
    ProviderReport,
    Satisfaction,
    ServiceReview,
    VideoMonitoringConsent,
)
from monitoring.models.support_log import LogKind, SupportLogEntry
from monitoring.models.work import (
    DigestSent,
    Notice,
    NotificationPreference,
    WorkItem,
    WorkKind,
)

__all__ = [
    "Achievement",
    "AdmissionInfoSheet",
    "Decision",
    "DigestSent",
    "DischargeConference",
    "EvaluationLine",
    "EvaluationResult",
    "EvaluationSheet",
    "GoalReview",
    "HandoffMethod",
    "LogKind",
    "MonitoringPlace",
    "MonitoringRecord",
    "Notice",
    "NotificationPreference",
    "OutpatientLiaison",
    "ProviderReport",
    "Satisfaction",
    "ServiceReview",
    "SupportLogEntry",
    "VideoMonitoringConsent",
    "WorkItem",
    "WorkKind",
]
