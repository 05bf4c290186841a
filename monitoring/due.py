"""Which clients owe a monitoring visit in a month, and whether it was done.

The rule (REFERENCE §9 [C]: at least once a month after the plan starts, a home visit and a
face-to-face meeting, recorded):

- A month is *required* when a confirmed plan was already in force on its 1st, i.e. a plan
  (確定 or since 改訂済) that started on or before the 1st. The month in which the first plan
  starts (a client who started on the 25th) is not required: the consent and delivery visit
  of that month is recorded in 第5表, and monitoring is owed from the next month. This
  reading is marked unconfirmed in docs/monitoring.md and is `MONITORING_START_MONTH_REQUIRED`
  (settings) when an insurer reads it otherwise.
- A client in hospital for the whole month (admitted before the 1st, not discharged before
  the last day) is *exempt* (特段の事情); the reason belongs in 第5表.
- A client whose contract ended on or before the month's last day is not required.
- Otherwise the month is *done* when a monitoring record counts for it, *due* until its last
  day and *late* after.

`month_status` answers for many clients with a fixed number of queries (4), so lists and the
work queue do not grow with the caseload.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q


class MonthState(enum.StrEnum):
    DONE = "done"
    DUE = "due"
    LATE = "late"
    EXEMPT_HOSPITAL = "exempt_hospital"
    NOT_REQUIRED = "not_required"


STATE_LABELS = {
    MonthState.DONE: "実施済",
    MonthState.DUE: "未実施",
    MonthState.LATE: "未実施（月末を過ぎました）",
    MonthState.EXEMPT_HOSPITAL: "入院中（訪問できない月）",
    MonthState.NOT_REQUIRED: "対象外",
}


def last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_status(
    client_ids: Iterable[int], month: dt.date, *, today: dt.date
) -> dict[int, MonthState]:
    from careplans.models import CarePlan, PlanStatus
    from clients.models import Client, ClientStatus, HospitalStay
    from monitoring.models import MonitoringRecord

    ids = list(client_ids)
    first, last = month.replace(day=1), last_day(month)
    start_month_required = getattr(settings, "MONITORING_START_MONTH_REQUIRED", False)
    plan_start_limit = last if start_month_required else first

    in_force = set(
        CarePlan.objects.filter(
            client_id__in=ids,
            status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED],
            starts_on__lte=plan_start_limit,
        )
        .filter(Q(superseded_on__isnull=True) | Q(superseded_on__gte=first))
        .values_list("client_id", flat=True)
    )
    ended = set(
        Client.objects.filter(
            pk__in=ids, status=ClientStatus.ENDED, status_changed_on__lte=last
        ).values_list("pk", flat=True)
    )
    whole_month_in_hospital = set(
        HospitalStay.objects.filter(client_id__in=ids, admitted_on__lt=first)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=last))
        .values_list("client_id", flat=True)
    )
    done = set(
        MonitoringRecord.objects.filter(client_id__in=ids, month=first).values_list(
            "client_id", flat=True
        )
    )
    result: dict[int, MonthState] = {}
    for client_id in ids:
        if client_id in done:
            result[client_id] = MonthState.DONE
        elif client_id not in in_force or client_id in ended:
            result[client_id] = MonthState.NOT_REQUIRED
        elif client_id in whole_month_in_hospital:
            result[client_id] = MonthState.EXEMPT_HOSPITAL
        elif today > last:
            result[client_id] = MonthState.LATE
        else:
            result[client_id] = MonthState.DUE
    return result
