"""Automatic 支援経過 entries: one per (client, event, source), with its 種別, date and link.

The services of clients, careplans and billing emit `client_event` inside their transaction;
monitoring.signals_support_log writes the entry. Events emitted by the other monitoring areas
(monitoring, evaluation, 入退院 …) are exercised through `emit` directly.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from billing import delivery
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from caremgmt.events import EVENTS, emit
from careplans import services as plan_services
from clients.services.applications import application_create
from monitoring.models import LogKind, SupportLogEntry
from monitoring.support_log.links import source_links
from tests.billing.ticket_world import make_ticket_world
from tests.careplans.conftest import draft_plan, plan_setup  # noqa: F401
from tests.careplans.test_lifecycle import CONSENT_DAY, MEETING_DAY, _confirm, _fill, _meet
from tests.factories import ClientFactory

D = dt.date


def _auto(client_id: int, event: str) -> list[SupportLogEntry]:
    return list(SupportLogEntry.objects.filter(client_id=client_id, event=event))


def _link(entry: SupportLogEntry) -> str | None:
    return source_links([entry]).get(entry.pk)


def test_meeting_held_writes_one_entry_linked_to_the_meeting(plan_setup, draft_plan) -> None:  # noqa: ANN001, F811
    _fill(plan_setup, draft_plan)
    meeting = _meet(plan_setup, draft_plan)
    [entry] = _auto(plan_setup.client.pk, "meeting_held")
    assert (entry.kind, entry.occurred_on, entry.occurred_at) == (
        LogKind.MEETING,
        MEETING_DAY,
        None,
    )
    assert entry.source == f"careplans.meeting:{meeting.pk}"
    assert "サービス担当者会議（第1回）を開催した（場所：利用者宅）" in entry.content
    assert entry.author == plan_setup.actor.staff
    assert _link(entry) == reverse("careplans:meeting", kwargs={"pk": meeting.pk})
    # Correcting the 第4表 re-runs the service: still one entry.
    plan_services.meeting_record(
        actor=plan_setup.actor,
        plan=draft_plan,
        meeting=meeting,
        expected_version=meeting.version,
        fields={"held_on": MEETING_DAY, "place": "利用者宅", "conclusion": "原案のとおり"},
        attendees=[{"kind": "client", "name": "青木 トメ", "affiliation": "本人"}],
    )
    assert len(_auto(plan_setup.client.pk, "meeting_held")) == 1


def test_plan_confirmed_and_minor_change_write_their_entries(plan_setup, draft_plan) -> None:  # noqa: ANN001, F811
    _fill(plan_setup, draft_plan)
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    plan = _confirm(plan_setup, draft_plan)
    [confirmed] = _auto(plan_setup.client.pk, "plan_confirmed")
    assert (confirmed.kind, confirmed.occurred_on) == (LogKind.PLAN, CONSENT_DAY)
    assert confirmed.source == f"careplans.careplan:{plan.pk}"
    assert "居宅サービス計画（第1版）を説明し、同意を得て交付した" in confirmed.content
    assert _link(confirmed) == reverse("careplans:plan", kwargs={"pk": plan.pk})

    change = plan_services.minor_change_record(
        actor=plan_setup.actor,
        plan=plan,
        changed_on=D(2026, 5, 1),
        content="訪問介護の曜日を火曜から水曜へ",
        reason="本人の希望による曜日の変更で、サービス内容は同じ",
    )
    [minor] = _auto(plan_setup.client.pk, "plan_minor_change")
    assert (minor.kind, minor.occurred_on) == (LogKind.PLAN, D(2026, 5, 1))
    assert minor.source == f"careplans.minorchange:{change.pk}"
    assert "軽微な変更：訪問介護の曜日を火曜から水曜へ" in minor.content
    assert "理由：本人の希望による曜日の変更" in minor.content
    assert _link(minor) == reverse("careplans:plan", kwargs={"pk": plan.pk})
    # A second 軽微な変更 of the same plan is its own entry.
    plan_services.minor_change_record(
        actor=plan_setup.actor,
        plan=plan,
        changed_on=D(2026, 5, 2),
        content="通所の時間を30分遅く",
        reason="送迎の都合",
    )
    assert len(_auto(plan_setup.client.pk, "plan_minor_change")) == 2
    assert len(_auto(plan_setup.client.pk, "plan_confirmed")) == 1


def test_ticket_delivered_writes_one_entry_per_version(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _ = generate_ticket(client=tw.client, month=D(2026, 12, 1))
    actor = actor_for(world.care_manager)
    from django.utils import timezone

    today = timezone.localdate()
    version = delivery.ticket_deliver(
        actor=actor,
        ticket=ticket,
        created_on=today,
        received_by="長女 花子",
        consent_method="signature",
        expected_version=ticket.version,
    )
    [entry] = _auto(tw.client.pk, "ticket_delivered")
    assert (entry.kind, entry.occurred_on, entry.counterpart) == (
        LogKind.TICKET,
        today,
        "長女 花子",
    )
    assert entry.source == f"billing.ticketversion:{version.pk}"
    assert "2026年12月分のサービス利用票（第1版）を交付し、同意を得た（署名）" in entry.content
    assert _link(entry) == reverse("billing:ticket_delivery", kwargs={"pk": ticket.pk})


def test_application_filed_writes_one_entry(world) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    application = application_create(
        actor=actor_for(world.clerk), client=client, kind="renewal", applied_on=D(2026, 11, 2)
    )
    [entry] = _auto(client.pk, "application_filed")
    assert (entry.kind, entry.occurred_on, entry.author) == (
        LogKind.APPLICATION,
        D(2026, 11, 2),
        world.clerk,
    )
    assert entry.content == "要介護認定の申請（更新）を代行した。"
    assert entry.source == f"clients.certificationapplication:{application.pk}"
    assert _link(entry) == reverse("clients:detail", kwargs={"pk": client.pk}) + "?tab=applications"


OTHER_AREAS = {
    "monitoring_recorded": ("monitoring.monitoringrecord", LogKind.MONITORING),
    "evaluation_recorded": ("monitoring.evaluationsheet", LogKind.MONITORING),
    "admitted": ("clients.hospitalstay", LogKind.HOSPITAL),
    "admission_info_provided": ("monitoring.admissioninfosheet", LogKind.HOSPITAL),
    "discharged": ("clients.hospitalstay", LogKind.HOSPITAL),
    "discharge_conference": ("monitoring.dischargeconference", LogKind.HOSPITAL),
    "outpatient_liaison": ("monitoring.outpatientliaison", LogKind.HOSPITAL),
}
SERVICE_EVENTS = {
    "plan_confirmed": ("careplans.careplan", LogKind.PLAN),
    "plan_minor_change": ("careplans.minorchange", LogKind.PLAN),
    "meeting_held": ("careplans.meeting", LogKind.MEETING),
    "ticket_delivered": ("billing.ticketversion", LogKind.TICKET),
    "application_filed": ("clients.certificationapplication", LogKind.APPLICATION),
}
ALL_EVENTS = {**SERVICE_EVENTS, **OTHER_AREAS}
# Office steps the work queue reacts to; they are not 支援経過 and write no 第5表 entry.
QUEUE_ONLY_EVENTS = {
    "actuals_confirmed": "billing.provideractuals",
    "actuals_unconfirmed": "billing.provideractuals",
}


def test_every_event_is_covered_here() -> None:
    assert set(EVENTS) == set(ALL_EVENTS) | set(QUEUE_ONLY_EVENTS)
    assert {event: kind for event, (_, kind) in ALL_EVENTS.items()} == {
        event: kind for event, kind in EVENTS.items() if kind is not None
    }
    assert {event for event, kind in EVENTS.items() if kind is None} == set(QUEUE_ONLY_EVENTS)


@pytest.mark.parametrize("event", sorted(QUEUE_ONLY_EVENTS))
def test_queue_only_events_write_no_entry(world, event) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    with transaction.atomic():
        emit(
            event,
            client_id=client.pk,
            on=D(2026, 11, 2),
            summary="2026年10月分のサービス提供実績を確定した。",
            source=f"{QUEUE_ONLY_EVENTS[event]}:4242",
        )
    assert _auto(client.pk, event) == []


@pytest.mark.parametrize("event", sorted(ALL_EVENTS))
def test_every_event_writes_once_by_the_system(world, event) -> None:  # noqa: ANN001
    """Emitted without an actor (a system event): the client's care manager is the author;
    emitted twice for the same source (a re-run): one entry."""
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    label, kind = ALL_EVENTS[event]
    for _ in range(2):
        with transaction.atomic():
            emit(
                event,
                client_id=client.pk,
                on=D(2026, 11, 20),
                summary="病院の地域連携室へ情報を提供した。",
                source=f"{label}:4242",
                counterpart="○○病院 地域連携室",
            )
    [entry] = _auto(client.pk, event)
    assert (entry.kind, entry.occurred_on, entry.author, entry.counterpart) == (
        kind,
        D(2026, 11, 20),
        world.care_manager,
        "○○病院 地域連携室",
    )
    assert entry.source == f"{label}:4242"


def test_rolled_back_service_leaves_no_entry(world) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(
            "admitted",
            client_id=client.pk,
            on=D(2026, 11, 20),
            summary="入院",
            source="clients.hospitalstay:1",
        )
        raise RuntimeError("the caller's transaction fails")
    assert not SupportLogEntry.objects.filter(client=client).exists()


def test_unknown_or_unrouted_source_has_no_link(world) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    entries = [
        SupportLogEntry.objects.create(
            client=client,
            occurred_on=D(2026, 11, 1),
            kind="other",
            content="x",
            author=world.care_manager,
            event="admitted",
            source=source,
        )
        for source in ("nosuch.model:1", "garbage", "careplans.minorchange:999999")
    ]
    assert source_links(entries) == {}


def test_monitoring_app_sources_link_to_their_screens(world) -> None:  # noqa: ANN001
    from clients.models import HospitalStay
    from monitoring.models import AdmissionInfoSheet

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    stay = HospitalStay.objects.create(
        client=client, hospital_name="中央病院", admitted_on=D(2026, 11, 2)
    )
    sheet = AdmissionInfoSheet.objects.create(stay=stay, author=world.care_manager)
    hospital_page = reverse("monitoring:hospital", kwargs={"client_pk": client.pk})
    expected = {
        "monitoring.monitoringrecord:7": reverse("monitoring:record_detail", kwargs={"pk": 7}),
        "monitoring.evaluationsheet:8": reverse("monitoring:evaluation_detail", kwargs={"pk": 8}),
        f"clients.hospitalstay:{stay.pk}": hospital_page,
        f"monitoring.admissioninfosheet:{sheet.pk}": reverse(
            "monitoring:admission_sheet", kwargs={"pk": stay.pk}
        ),
        "monitoring.dischargeconference:9": hospital_page,
        "monitoring.outpatientliaison:10": hospital_page,
    }
    entries = {
        source: SupportLogEntry.objects.create(
            client=client,
            occurred_on=D(2026, 11, 3),
            kind="hospital",
            content="x",
            author=world.care_manager,
            event=f"test{n}",
            source=source,
        )
        for n, source in enumerate(expected)
    }
    links = source_links(list(entries.values()))
    assert {source: links.get(entry.pk) for source, entry in entries.items()} == expected
