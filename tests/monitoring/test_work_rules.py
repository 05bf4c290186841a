"""Work-queue contents for a fixture office: one client per kind → exactly the expected
items; resolving each removes its item once the event is emitted (or the refresh runs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import ActualsStatus, ProviderTicketSend
from caremgmt.events import emit
from careplans.models import Meeting
from clients.models import Client
from monitoring.models import (
    AdmissionInfoSheet,
    EvaluationLine,
    EvaluationSheet,
    WorkItem,
    WorkKind,
)
from monitoring.work.refresh import refresh_client, refresh_office
from monitoring.work.rules import ClientRow, compute_items
from tests.factories import CertificationFactory, ClientFactory, MeetingFactory
from tests.monitoring.work_world import (
    NOVEMBER,
    OCTOBER,
    TODAY,
    WorkWorld,
    confirmed_plan,
    make_work_world,
    monitored,
    version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(world) -> WorkWorld:  # noqa: ANN001
    return make_work_world(world.office, world.care_manager)


@pytest.fixture(autouse=True)
def on_the_5th(time_machine) -> None:  # noqa: ANN001
    time_machine.move_to(dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))


def stored(world) -> set[tuple[str, int, str, dt.date]]:  # noqa: ANN001
    return set(
        WorkItem.objects.filter(office=world.office).values_list(
            "kind", "client_id", "key", "due_on"
        )
    )


def test_one_item_per_kind_exactly(world, ww) -> None:  # noqa: ANN001
    refresh_office(world.office, TODAY)
    assert stored(world) == ww.expected()
    items = WorkItem.objects.filter(office=world.office)
    assert {item.care_manager_id for item in items} == {world.care_manager.pk}
    assert all(item.url and item.detail and item.first_seen_on == TODAY for item in items)
    monitoring = items.get(kind=WorkKind.MONITORING)
    assert (
        monitoring.url
        == f"/monitoring/clients/{ww.clients['monitoring'].pk}/records/new/?month=2026-11"
    )
    goal = items.get(kind=WorkKind.GOAL_PERIOD)
    assert goal.url == f"/monitoring/clients/{ww.clients['goal'].pk}/evaluations/new/"


def test_refresh_is_idempotent_and_keeps_first_seen(world, ww) -> None:  # noqa: ANN001
    refresh_office(world.office, TODAY - dt.timedelta(days=1))
    first = dict(WorkItem.objects.values_list("kind", "first_seen_on"))
    refresh_office(world.office, TODAY)
    refresh_office(world.office, TODAY)
    assert stored(world) - ww.expected() == set()
    assert WorkItem.objects.count() == len(
        set(WorkItem.objects.values_list("kind", "client_id", "key"))
    )
    # items seen yesterday keep their first day
    kept = dict(WorkItem.objects.values_list("kind", "first_seen_on"))
    assert kept[WorkKind.MONITORING] == first[WorkKind.MONITORING] == TODAY - dt.timedelta(days=1)


def test_next_month_tickets_count_from_the_20th(world, ww) -> None:  # noqa: ANN001
    client = ww.clients["next"]
    assert not WorkItem.objects.filter(client=client).exists()
    refresh_client(client, dt.date(2026, 11, 19))
    assert not WorkItem.objects.filter(client=client).exists()
    refresh_client(client, dt.date(2026, 11, 20))
    item = WorkItem.objects.get(client=client)
    assert (item.kind, item.key, item.due_on) == (
        WorkKind.NEXT_TICKET,
        "2026-12",
        dt.date(2026, 11, 30),
    )
    version(ww.objects["next_ticket"], [], world.care_manager)
    refresh_client(client, dt.date(2026, 11, 20))
    assert not WorkItem.objects.filter(client=client).exists()


def test_actuals_are_chased_on_days_1_to_10_only(world, ww) -> None:  # noqa: ANN001
    client = ww.clients["actuals"]
    refresh_client(client, dt.date(2026, 11, 10))
    assert WorkItem.objects.filter(client=client, kind=WorkKind.ACTUALS).exists()
    refresh_client(client, dt.date(2026, 11, 11))
    assert not WorkItem.objects.filter(client=client).exists()


def test_an_ended_client_keeps_no_items(world, ww) -> None:  # noqa: ANN001
    refresh_office(world.office, TODAY)
    client = ww.clients["monitoring"]
    client.status = "ended"
    client.status_changed_on = TODAY
    client.save()
    refresh_client(client, TODAY)
    assert not WorkItem.objects.filter(client=client).exists()


def _resolve(world, ww, name: str) -> tuple[str, int]:  # noqa: ANN001, C901
    """Do what resolves the item of client `name`; return (event, client id) to emit ("" when
    no event exists for it and only the refresh resolves it)."""
    c, o, cm = ww.clients, ww.objects, world.care_manager
    if name == "monitoring":
        monitored(c[name], c[name].care_plans.get(), NOVEMBER)
        return "monitoring_recorded", c[name].pk
    if name == "missed":
        monitored(c[name], c[name].care_plans.get(), OCTOBER)
        return "monitoring_recorded", c[name].pk
    if name == "certification":
        CertificationFactory(
            client=c[name],
            application_kind="renewal",
            valid_from=dt.date(2026, 12, 21),
            valid_to=dt.date(2028, 12, 31),
            certified_on=TODAY,
        )
        return "application_filed", c[name].pk
    if name == "goal":
        sheet = EvaluationSheet.objects.create(
            client=c[name], plan=o["goal_plan"], evaluated_on=TODAY, author=cm
        )
        EvaluationLine.objects.create(sheet=sheet, goal=o["goal"], result="achieved")
        return "evaluation_recorded", c[name].pk
    if name == "draft":
        MeetingFactory(plan=o["draft"], held_on=TODAY, concludes_plan=True)
        type(o["draft"]).objects.filter(pk=o["draft"].pk).update(status="met")
        return "meeting_held", c[name].pk
    if name == "change":
        plan = confirmed_plan(
            c[name],
            certification=o["change"],
            starts_on=dt.date(2026, 10, 1),
            consented_on=dt.date(2026, 10, 2),
            delivered_on=dt.date(2026, 10, 2),
            drafted_on=dt.date(2026, 10, 1),
        )
        monitored(c[name], plan, OCTOBER, NOVEMBER)
        Meeting.objects.create(
            plan=plan,
            held_on=dt.date(2026, 11, 2),
            place="自宅",
            starts_at=dt.time(10),
            ends_at=dt.time(11),
            count=1,
            items_discussed="変更後の認定",
            discussion="継続",
            conclusion="継続",
            recorded_by=cm,
        )
        return "meeting_held", c[name].pk
    if name == "consent":
        type(o["met"]).objects.filter(pk=o["met"].pk).update(
            status="confirmed", consented_on=TODAY, delivered_on=TODAY
        )
        return "plan_confirmed", c[name].pk
    if name == "sends":
        ProviderTicketSend.objects.create(
            version=o["sent_version"],
            provider=o["provider"],
            sent_on=TODAY,
            method="fax",
            sent_by=cm,
        )
        return "ticket_delivered", c[name].pk
    if name == "actuals":
        o["actuals"].status = ActualsStatus.CONFIRMED
        o["actuals"].save()
        return "", c[name].pk  # no client event for 実績: the nightly/lazy refresh clears it
    if name == "admitted":
        AdmissionInfoSheet.objects.create(
            stay=o["stay"], provided_on=TODAY, provided_method="fax", author=cm
        )
        return "admission_info_provided", c[name].pk
    if name == "discharged":
        confirmed_plan(
            c[name],
            starts_on=dt.date(2026, 11, 10),
            consented_on=dt.date(2026, 11, 4),
            delivered_on=dt.date(2026, 11, 4),
        )
        return "plan_confirmed", c[name].pk
    raise AssertionError(name)


KIND_OF = {
    "monitoring": WorkKind.MONITORING,
    "missed": WorkKind.MONITORING_MISSED,
    "certification": WorkKind.CERTIFICATION,
    "goal": WorkKind.GOAL_PERIOD,
    "draft": WorkKind.MEETING,
    "change": WorkKind.MEETING,
    "consent": WorkKind.CONSENT,
    "sends": WorkKind.PROVIDER_TICKET,
    "actuals": WorkKind.ACTUALS,
    "admitted": WorkKind.HOSPITAL,
    "discharged": WorkKind.PLAN_REVIEW,
}


@pytest.mark.parametrize("name", sorted(KIND_OF))
def test_resolving_removes_the_item_after_the_event(
    world, ww, name, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    refresh_office(world.office, TODAY)
    client = ww.clients[name]
    assert WorkItem.objects.filter(client=client, kind=KIND_OF[name]).count() == 1
    others = stored(world) - {row for row in stored(world) if row[1] == client.pk}
    event, client_id = _resolve(world, ww, name)
    with django_capture_on_commit_callbacks(execute=True):
        if event:
            emit(
                event,
                client_id=client_id,
                on=TODAY,
                summary="テスト",
                source=f"test:{name}",
                actor=world.care_manager,
            )
        else:
            refresh_client(client, TODAY)
    mine = {row for row in stored(world) if row[1] == client.pk}
    assert not {row for row in mine if row[0] == KIND_OF[name] and row in ww.expected()}
    if name == "draft":  # the meeting concluded: consent and delivery come next
        assert {row[0] for row in mine} == {WorkKind.CONSENT}
    elif name == "certification":  # the renewed 認定 now asks for a 担当者会議
        assert {(row[0], row[3]) for row in mine} == {(WorkKind.MEETING, dt.date(2026, 12, 21))}
    else:
        assert mine == set(), mine
    assert stored(world) - {row for row in stored(world) if row[1] == client.pk} == others


def test_rules_take_a_fixed_number_of_queries(world, ww) -> None:  # noqa: ANN001
    def count(n_extra: int) -> int:
        for _ in range(n_extra):
            client = ClientFactory(office=world.office, care_manager=world.care_manager)
            monitored(client, confirmed_plan(client), OCTOBER)
        rows = [
            ClientRow(pk, office_id, cm)
            for pk, office_id, cm in Client.objects.filter(office=world.office).values_list(
                "pk", "office_id", "care_manager_id"
            )
        ]
        with CaptureQueriesContext(connection) as queries:
            compute_items(rows, TODAY)
        return len(queries)

    assert count(0) == count(10)


def test_other_office_is_untouched(world, ww) -> None:  # noqa: ANN001
    other = ClientFactory(office=world.other_office, care_manager=world.outsider)
    monitored(other, confirmed_plan(other), OCTOBER)
    refresh_office(world.other_office, TODAY)
    refresh_office(world.office, TODAY)
    assert set(
        WorkItem.objects.filter(office=world.other_office).values_list("client_id", flat=True)
    ) == {other.pk}
    refresh_office(world.other_office, TODAY)
    assert stored(world) == ww.expected()


def test_admission_after_hours_gets_one_more_day(world, ww) -> None:  # noqa: ANN001
    stay = ww.objects["stay"]
    AdmissionInfoSheet.objects.create(stay=stay, after_hours=True, author=world.care_manager)
    refresh_client(ww.clients["admitted"], TODAY)
    item = WorkItem.objects.get(client=ww.clients["admitted"])
    assert (item.kind, item.due_on) == (WorkKind.HOSPITAL, dt.date(2026, 11, 6))


def test_a_renewal_far_ahead_waits_for_its_window(world) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    CertificationFactory(
        client=client,
        application_kind="renewal",
        certified_on=dt.date(2026, 10, 30),
        valid_from=dt.date(2027, 1, 10),
        valid_to=dt.date(2028, 1, 31),
    )
    refresh_client(client, TODAY)
    assert not WorkItem.objects.filter(client=client).exists()
    refresh_client(client, dt.date(2026, 11, 12))  # 59 days ahead
    assert WorkItem.objects.get(client=client).kind == WorkKind.MEETING
