"""テレビ電話装置等 monitoring: may this visit be by video? (REFERENCE §9, R6 2024-04)

Allowed on a day only when all three hold:

1. the client's written consent is active on that day (`consented_on` ≤ day, not ended on
   or before it);
2. the サービス担当者会議's agreement is recorded: the consent names a meeting held on or
   before the day, or carries an `agreed_on` on or before it;
3. the previous calendar month had a 自宅訪問 monitoring record (a home visit at least every
   two months, so two video months in a row are refused).

The first monitoring under a new plan version follows the same rule (REFERENCE §9: "may be
online if requirements are met"): after a revision, last month's home visit under the old
version counts. Under the client's very first plan the month before has no monitoring
record (the plan's start month is not a monitoring month, monitoring.due), so the first
monitoring is a home visit — the conservative reading, documented in docs/monitoring.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from caremgmt.wareki import wareki_date, wareki_month


@dataclass(frozen=True)
class VideoCheck:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    consent_id: int | None = None


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def video_check(client_id: int, day: dt.date) -> VideoCheck:
    """Whether a テレビ電話 monitoring on `day` is allowed, and if not, every reason why."""
    from monitoring.models import MonitoringPlace, MonitoringRecord, VideoMonitoringConsent

    reasons: list[str] = []
    consent = (
        VideoMonitoringConsent.objects.filter(client_id=client_id, consented_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .select_related("meeting")
        .order_by("-consented_on", "-pk")
        .first()
    )
    if consent is None:
        ended = (
            VideoMonitoringConsent.objects.filter(
                client_id=client_id, consented_on__lte=day, ended_on__lte=day
            )
            .order_by("-ended_on")
            .first()
        )
        if ended is not None:
            reasons.append(
                f"テレビ電話による実施の同意は{wareki_date(ended.ended_on)}に終了しています"
                f"（{ended.end_reason or '理由の記録なし'}）。自宅を訪問してください。"
            )
        else:
            reasons.append(
                "テレビ電話による実施について、本人の文書による同意が記録されていません。"
            )
    else:
        meeting_ok = consent.meeting is not None and consent.meeting.held_on <= day
        agreed_ok = consent.agreed_on is not None and consent.agreed_on <= day
        if not (meeting_ok or agreed_ok):
            reasons.append(
                "サービス担当者会議でテレビ電話による実施の合意（主治医・事業所による状態の"
                "安定の確認）が記録されていません。"
            )
    before = previous_month(day)
    home_last_month = MonitoringRecord.objects.filter(
        client_id=client_id, month=before, place=MonitoringPlace.HOME
    ).exists()
    if not home_last_month:
        reasons.append(
            f"前月（{wareki_month(before)}）に自宅訪問によるモニタリングの記録がありません。"
            "テレビ電話は、少なくとも2か月に1回の自宅訪問と組み合わせる必要があります。"
        )
    return VideoCheck(
        allowed=not reasons, reasons=reasons, consent_id=consent.pk if consent else None
    )
