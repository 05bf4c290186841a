"""A fixture office for the work queue: one client per kind of item (today 2026-11-05)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from billing.models import ActualsStatus, ProviderActuals, ServiceTicket, TicketVersion
from clients.models import Client, HospitalStay
from monitoring.models import DischargeConference, MonitoringRecord, WorkKind
from tests.factories import (
    CarePlanFactory,
    CertificationFactory,
    ClientFactory,
    GoalFactory,
    NeedFactory,
    ServiceProviderFactory,
)

TODAY = dt.date(2026, 11, 5)
OCTOBER, NOVEMBER, DECEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)


@dataclass
class WorkWorld:
    clients: dict[str, Client] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def expected(self) -> set[tuple[str, int, str, dt.date]]:
        c, o = self.clients, self.objects
        return {
            (WorkKind.MONITORING, c["monitoring"].pk, "2026-11", dt.date(2026, 11, 30)),
            (WorkKind.MONITORING_MISSED, c["missed"].pk, "2026-10", dt.date(2026, 10, 31)),
            (
                WorkKind.CERTIFICATION,
                c["certification"].pk,
                f"cert:{o['expiring'].pk}",
                dt.date(2026, 12, 20),
            ),
            (WorkKind.GOAL_PERIOD, c["goal"].pk, "2026-11", dt.date(2026, 11, 20)),
            (WorkKind.MEETING, c["draft"].pk, f"plan:{o['draft'].pk}", dt.date(2026, 11, 15)),
            (WorkKind.MEETING, c["change"].pk, f"cert:{o['change'].pk}", dt.date(2026, 10, 1)),
            (WorkKind.CONSENT, c["consent"].pk, f"plan:{o['met'].pk}", dt.date(2026, 11, 15)),
            (WorkKind.PROVIDER_TICKET, c["sends"].pk, "2026-11", dt.date(2026, 10, 31)),
            (WorkKind.ACTUALS, c["actuals"].pk, "2026-10", dt.date(2026, 11, 10)),
            (WorkKind.HOSPITAL, c["admitted"].pk, f"stay:{o['stay'].pk}", dt.date(2026, 11, 5)),
            (
                WorkKind.PLAN_REVIEW,
                c["discharged"].pk,
                "discharge:2026-10-20",
                dt.date(2026, 11, 3),
            ),
        }


def confirmed_plan(
    client: Client, *, starts_on: dt.date = dt.date(2026, 4, 10), **kwargs: Any
) -> Any:
    return CarePlanFactory(
        client=client,
        status="confirmed",
        starts_on=starts_on,
        consented_on=kwargs.pop("consented_on", dt.date(2026, 4, 8)),
        delivered_on=kwargs.pop("delivered_on", dt.date(2026, 4, 8)),
        **kwargs,
    )


def monitored(client: Client, plan: Any, *months: dt.date) -> None:
    for month in months:
        MonitoringRecord.objects.create(
            client=client,
            plan=plan,
            month=month,
            visited_on=month.replace(day=3),
            met_persons="本人",
            author=client.care_manager,
        )


def version(ticket: ServiceTicket, provider_ids: list[int], author: Any) -> TicketVersion:
    return TicketVersion.objects.create(
        ticket=ticket,
        number=ticket.versions.count() + 1,
        created_on=TODAY,
        received_by="本人",
        consent_method="signature",
        snapshot={
            "rows": [{"provider_id": pk} for pk in provider_ids],
            "ticket_version": ticket.version,
        },
        content_hash="x" * 64,
        created_by=author,
    )


def make_work_world(office: Any, care_manager: Any) -> WorkWorld:
    w = WorkWorld()

    def client(name: str) -> Client:
        w.clients[name] = ClientFactory(
            office=office, care_manager=care_manager, name=f"{name}様", name_kana=f"カナ{name}"
        )
        return w.clients[name]

    # monitoring not yet done this month (October was done)
    plan = confirmed_plan(client("monitoring"))
    monitored(w.clients["monitoring"], plan, OCTOBER)
    # last month missed (this month done)
    plan = confirmed_plan(client("missed"))
    monitored(w.clients["missed"], plan, NOVEMBER)
    # 認定 ending within 60 days (a 新規 認定: no meeting is owed for it)
    w.objects["expiring"] = CertificationFactory(
        client=client("certification"),
        application_kind="new",
        valid_from=dt.date(2025, 12, 21),
        valid_to=dt.date(2026, 12, 20),
        certified_on=dt.date(2025, 12, 15),
    )
    # a short-term goal period ending this month
    plan = confirmed_plan(client("goal"))
    monitored(w.clients["goal"], plan, OCTOBER, NOVEMBER)
    w.objects["goal"] = GoalFactory(
        need=NeedFactory(plan=plan), short_term_to=dt.date(2026, 11, 20)
    )
    w.objects["goal_plan"] = plan
    # a draft plan without its meeting
    w.objects["draft"] = CarePlanFactory(
        client=client("draft"), drafted_on=dt.date(2026, 11, 1), starts_on=dt.date(2026, 11, 15)
    )
    # a 区分変更 認定 decided in October, no meeting since
    w.objects["change"] = CertificationFactory(
        client=client("change"),
        application_kind="change",
        applied_on=dt.date(2026, 9, 10),
        certified_on=dt.date(2026, 10, 20),
        valid_from=dt.date(2026, 10, 1),
        valid_to=dt.date(2027, 9, 30),
        care_level="23",
    )
    # a plan after its meeting, awaiting consent and delivery
    w.objects["met"] = CarePlanFactory(
        client=client("consent"),
        status="met",
        drafted_on=dt.date(2026, 11, 1),
        starts_on=dt.date(2026, 11, 15),
    )
    # this month's 利用票 handed over, 提供票 not sent to its provider
    provider = ServiceProviderFactory(office=office, name="ヘルパーあおば", service_types=["11"])
    w.objects["provider"] = provider
    ticket = ServiceTicket.objects.create(client=client("sends"), month=NOVEMBER)
    w.objects["sent_version"] = version(ticket, [provider.pk], care_manager)
    # last month's 実績 not received
    ticket = ServiceTicket.objects.create(client=client("actuals"), month=OCTOBER)
    w.objects["actuals"] = ProviderActuals.objects.create(
        ticket=ticket, provider=provider, status=ActualsStatus.PENDING
    )
    # admitted two days ago, no 入院時情報提供書 provided
    w.objects["stay"] = HospitalStay.objects.create(
        client=client("admitted"), hospital_name="中央病院", admitted_on=dt.date(2026, 11, 3)
    )
    # discharged after a 退院前カンファレンス that asked for a plan review
    stay = HospitalStay.objects.create(
        client=client("discharged"),
        hospital_name="中央病院",
        admitted_on=dt.date(2026, 10, 1),
        discharged_on=dt.date(2026, 10, 20),
    )
    DischargeConference.objects.create(
        stay=stay,
        held_on=dt.date(2026, 10, 18),
        attendees="主治医、病棟看護師",
        content="退院後は訪問看護を追加",
        author=care_manager,
    )
    # next month's 利用票 generated, not yet handed over (counts from the 20th)
    w.objects["next_ticket"] = ServiceTicket.objects.create(client=client("next"), month=DECEMBER)
    return w
