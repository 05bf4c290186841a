"""Demo monitoring (fictional). Idempotent: a client that already has a hand-written 支援経過
entry or a monitoring record of the month is left alone.

For every client with a confirmed plan: two hand-written 第5表 entries (a phone call and a
provider contact). The first such client of each care manager also gets this month's
monitoring visit (when the plan started before today), so the work queue shows one done and
the rest still owed. Then every office's work queue is refreshed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from caremgmt.access import actor_for
from caremgmt.models import Office
from careplans.models import CarePlan, PlanStatus
from monitoring.models import (
    Achievement,
    Decision,
    MonitoringPlace,
    MonitoringRecord,
    SupportLogEntry,
)
from monitoring.records.services import goals_to_review, record_save, services_of
from monitoring.support_log.services import client_log_floor, support_log_write
from monitoring.work.refresh import refresh_office


def _log_entries(actor, client, plan: CarePlan, today: dt.date) -> None:  # noqa: ANN001
    if SupportLogEntry.objects.filter(client=client, event="").exists():
        return
    # Not before the client's first 相談 / registration (a client typed in today with an older
    # plan would be refused otherwise).
    day = max(plan.starts_on, today - dt.timedelta(days=6), client_log_floor(client))
    if day > today:
        return
    support_log_write(
        actor=actor,
        client=client,
        occurred_on=day,
        occurred_at=dt.time(10, 15),
        kind="phone",
        counterpart="長女",
        content="長女より電話。週末に様子を見に行ったところ、食事量は変わらず元気とのこと。"
        "入浴時に浴槽をまたぐのが怖いと本人が話していたため、次回訪問時に確認すると伝えた。",
    )
    support_log_write(
        actor=actor,
        client=client,
        occurred_on=min(today, day + dt.timedelta(days=2)),
        occurred_at=dt.time(14, 0),
        kind="coordination",
        counterpart="通所介護 生活相談員",
        content="通所介護の生活相談員に連絡。入浴時の見守りを継続し、浴槽のまたぎの様子を"
        "次回の報告書に記載してもらうよう依頼した。",
    )


def _monitoring(actor, client, today: dt.date) -> None:  # noqa: ANN001
    if MonitoringRecord.objects.filter(client=client, month=today.replace(day=1)).exists():
        return
    from monitoring.records.services import plan_in_force

    plan = plan_in_force(client.pk, today)
    if plan is None or plan.starts_on >= today:
        return
    goals = goals_to_review(plan, today)
    record_save(
        actor=actor,
        client=client,
        fields={
            "visited_on": today,
            "visited_at": dt.time(10, 0),
            "place": MonitoringPlace.HOME,
            "met_persons": "本人、長女（同席）",
            "health_change": "血圧は安定。膝の痛みは天候により変動。",
            "adl_change": "手すりを使って浴槽をまたげるようになった。",
            "family_change": "",
            "environment_change": "",
            "overall": "計画どおりにサービスが提供され、本人も満足している。",
            "decision": Decision.CONTINUE,
            "decision_reason": "",
            "next_ticket_explained": False,
        },
        goal_reviews={
            goal.pk: {"achievement": Achievement.PARTLY, "observation": "見守りで実施できている。"}
            for goal in goals
        },
        service_reviews={
            item.pk: {"delivered_as_planned": True, "satisfaction": "4", "note": ""}
            for item in services_of(goals)
        },
        today=today,
    )


@transaction.atomic
def load_demo_monitoring() -> None:
    today = timezone.localdate()
    first_of_each: set[int] = set()
    plans = (
        CarePlan.objects.filter(status=PlanStatus.CONFIRMED)
        .select_related("client", "client__care_manager")
        .order_by("client__care_manager_id", "client__name_kana", "client_id")
    )
    for plan in plans:
        client = plan.client
        if client.care_manager is None:
            continue
        actor = actor_for(client.care_manager, client.office_id)
        _log_entries(actor, client, plan, today)
        if client.care_manager_id not in first_of_each:
            first_of_each.add(client.care_manager_id)
            _monitoring(actor, client, today)
    for office in Office.objects.all():
        refresh_office(office, today)
