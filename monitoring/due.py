"""Which clients owe a monitoring visit in a month, and whether it was done.

The rule (REFERENCE §9 [C]: at least once a month after the plan starts, a home visit and a
face-to-face meeting, recorded):

- A month is *required* when a confirmed plan was already in force on its 1st, i.e. a plan
  (確定 or since 改訂済) that started on or before the 1st. Versions follow each other
  without a gap (a version is 改訂済 only once the next one is confirmed), so a client whose
  revision was agreed last month but starts on the 5th is still under the old version on
  the 1st: the month is required. The month in which the first plan
  starts (a client who started on the 25th) is not required: the consent and delivery visit
  of that month is recorded in 第5表, and monitoring is owed from the next month. This
  reading is marked unconfirmed in docs/monitoring.md and is `MONITORING_START_MONTH_REQUIRED`
  (settings) when an insurer reads it otherwise.
- A client in hospital for the whole month is *exempt* (特段の事情); the reason belongs in
  第5表. As for tickets (clients.HospitalStay), only the days strictly between admission and
  discharge are 入院中: admitted before the 1st and not discharged by the last day
  (discharged on the last day → the month is owed: a visit is possible that day).
- A client whose contract ended on or before the month's last day is not required.
- Otherwise the month is *done* when a monitoring record counts for it, *due* until its last
  day and *late* after.

`month_status` answers for many clients with a fixed number of queries (4), so lists and the
work queue do not grow with the caseload; `client_months` answers for one client over many
months with the same 4 queries (the client's history page).
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
    start_month_required = settings.MONITORING_START_MONTH_REQUIRED
    plan_start_limit = last if start_month_required else first

    in_force = set(
        CarePlan.objects.filter(
            client_id__in=ids,
            status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED],
            starts_on__lte=plan_start_limit,
        ).values_list("client_id", flat=True)
    )
    ended = set(
        Client.objects.filter(
            pk__in=ids, status=ClientStatus.ENDED, status_changed_on__lte=last
        ).values_list("pk", flat=True)
    )
    whole_month_in_hospital = set(
        HospitalStay.objects.filter(client_id__in=ids, admitted_on__lt=first)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=last))
        .values_list("client_id", flat=True)
    )
    done = set(
        MonitoringRecord.objects.filter(client_id__in=ids, month=first).values_list(
            "client_id", flat=True
        )
    )
    return {
        client_id: _state(
            done=client_id in done,
            required=client_id in in_force and client_id not in ended,
            exempt=client_id in whole_month_in_hospital,
            late=today > last,
        )
        for client_id in ids
    }


def _state(*, done: bool, required: bool, exempt: bool, late: bool) -> MonthState:
    if done:
        return MonthState.DONE
    if not required:
        return MonthState.NOT_REQUIRED
    if exempt:
        return MonthState.EXEMPT_HOSPITAL
    return MonthState.LATE if late else MonthState.DUE


def client_months(
    client_id: int, months: Iterable[dt.date], *, today: dt.date
) -> dict[dt.date, MonthState]:
    """`month_status` for one client over many months (each the 1st), in 4 queries."""
    from careplans.models import CarePlan, PlanStatus
    from clients.models import Client, ClientStatus, HospitalStay
    from monitoring.models import MonitoringRecord

    firsts = sorted({month.replace(day=1) for month in months})
    if not firsts:
        return {}
    start_month_required = settings.MONITORING_START_MONTH_REQUIRED
    plan_starts = list(
        CarePlan.objects.filter(
            client_id=client_id, status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED]
        ).values_list("starts_on", flat=True)
    )
    earliest = min(plan_starts, default=None)
    ended_on = (
        Client.objects.filter(pk=client_id, status=ClientStatus.ENDED)
        .values_list("status_changed_on", flat=True)
        .first()
    )
    stays = list(
        HospitalStay.objects.filter(client_id=client_id).values_list("admitted_on", "discharged_on")
    )
    done = set(
        MonitoringRecord.objects.filter(
            client_id=client_id, month__gte=firsts[0], month__lte=firsts[-1]
        ).values_list("month", flat=True)
    )
    result: dict[dt.date, MonthState] = {}
    for first in firsts:
        last = last_day(first)
        limit = last if start_month_required else first
        result[first] = _state(
            done=first in done,
            required=earliest is not None
            and earliest <= limit
            and (ended_on is None or ended_on > last),
            exempt=any(
                admitted < first and (discharged is None or discharged > last)
                for admitted, discharged in stays
            ),
            late=today > last,
        )
    return result
