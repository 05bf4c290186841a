"""The 代理 in the work queue, and 実績 確定 clearing its item at once.

A care manager covering a colleague's clients as 代理 sees those clients' items in their own
queue, marked 「代理」 with the 担当's name, with a 「担当のみ / 代理を含む」 filter (default:
include); the office view is unchanged. Confirming a provider's 実績 emits a client event,
so the 「実績が未確定」 item goes (and an undo brings it back) right after the commit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.actuals import services as actuals
from billing.models import ActualsStatus, TicketRow
from caremgmt.access import actor_for
from caremgmt.models import AccessLog
from monitoring.models import SupportLogEntry, WorkItem, WorkKind
from monitoring.work.refresh import refresh_office
from tests.factories import ClientFactory
from tests.monitoring.work_world import OCTOBER, TODAY, confirmed_plan, make_work_world, monitored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_the_5th(time_machine) -> None:  # noqa: ANN001
    time_machine.move_to(dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))


def _covered_client(world, name: str = "田中 代理様"):  # noqa: ANN001, ANN202
    """A colleague's client with November's monitoring due; world.care_manager is 代理."""
    client = ClientFactory(
        office=world.office,
        care_manager=world.colleague,
        deputy_care_manager=world.care_manager,
        name=name,
    )
    monitored(client, confirmed_plan(client), OCTOBER)
    return client


def _items(response) -> list:  # noqa: ANN001
    return [item for group in response.context["groups"] for item in group.items]


def test_deputy_sees_covered_clients_items_marked(world, login) -> None:  # noqa: ANN001
    own = ClientFactory(office=world.office, care_manager=world.care_manager, name="自分の利用者")
    monitored(own, confirmed_plan(own), OCTOBER)
    covered = _covered_client(world)
    refresh_office(world.office, TODAY)
    response = login(world.care_manager).get(reverse("dashboard"))
    rows = {item.client_id: item for item in _items(response)}
    assert set(rows) == {own.pk, covered.pk}
    assert not rows[own.pk].covered
    assert rows[covered.pk].covered and rows[covered.pk].care_manager_name == "同僚 太郎"
    page = response.content.decode()
    assert "田中 代理様" in page and "代理</span><small>（担当：同僚 太郎）" in page
    counts = {row.kind: row.count for row in response.context["counts"]}
    assert counts[WorkKind.MONITORING] == 2  # the count per kind includes the 代理 item
    # the stored item still belongs to the 担当 (the colleague's queue is unchanged)
    item = WorkItem.objects.get(client=covered)
    assert item.care_manager == world.colleague
    colleague = login(world.colleague).get(reverse("dashboard"))
    assert [(i.client_id, i.covered) for i in _items(colleague)] == [(covered.pk, False)]


def test_own_only_filter(world, login) -> None:  # noqa: ANN001
    own = ClientFactory(office=world.office, care_manager=world.care_manager, name="自分の利用者")
    monitored(own, confirmed_plan(own), OCTOBER)
    _covered_client(world)
    refresh_office(world.office, TODAY)
    http = login(world.care_manager)
    logged = AccessLog.objects.filter(subject_type="dashboard").count()
    response = http.get(reverse("dashboard"), {"scope": "own"})
    assert AccessLog.objects.filter(subject_type="dashboard").count() == logged + 1
    assert [item.client_id for item in _items(response)] == [own.pk]
    assert {row.kind: row.count for row in response.context["counts"]} == {WorkKind.MONITORING: 1}
    page = response.content.decode()
    assert "田中 代理様" not in page
    assert 'href="?kind=monitoring&amp;scope=own"' in page  # the kind links keep the filter
    # the default includes the 代理 clients; an unknown value is the default
    for params in ({}, {"scope": "nonsense"}):
        assert len(_items(http.get(reverse("dashboard"), params))) == 2


def test_office_view_is_unchanged(world, login) -> None:  # noqa: ANN001
    covered = _covered_client(world)
    refresh_office(world.office, TODAY)
    http = login(world.manager)
    response = http.get(reverse("dashboard"))
    [item] = _items(response)
    assert item.client_id == covered.pk and not item.covered
    assert "代理</span>" not in response.content.decode()
    assert "担当のみ" not in response.content.decode()
    # the care-manager filter is by 担当: the 代理 is not the 担当
    filtered = http.get(reverse("dashboard"), {"cm": world.care_manager.pk, "scope": "own"})
    assert _items(filtered) == []
    filtered = http.get(reverse("dashboard"), {"cm": world.colleague.pk})
    assert [i.client_id for i in _items(filtered)] == [covered.pk]


def test_another_offices_deputy_sees_nothing(world, login) -> None:  # noqa: ANN001
    from caremgmt.models import Role
    from tests.factories import staff_in

    stranger = staff_in(world.other_office, Role.CARE_MANAGER, full_name="他所 担当")
    # a 代理 pointing at staff of another office (bad data): the office scope still holds
    client = ClientFactory(
        office=world.office, care_manager=world.colleague, deputy_care_manager=stranger
    )
    monitored(client, confirmed_plan(client), OCTOBER)
    refresh_office(world.office, TODAY)
    assert WorkItem.objects.filter(client=client).exists()
    response = login(stranger).get(reverse("dashboard"))
    assert _items(response) == [] and response.context["counts"] == []


def _page_queries(http) -> int:  # noqa: ANN001
    http.get(reverse("dashboard"))  # warm: session, lazy-refresh marker
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(queries)


def _fill(world, count: int) -> None:  # noqa: ANN001
    for index in range(count):
        if index % 2:
            _covered_client(world, name=f"代理{index}")
        else:
            own = ClientFactory(office=world.office, care_manager=world.care_manager)
            monitored(own, confirmed_plan(own), OCTOBER)


def test_query_count_with_covered_clients_is_constant(world, login) -> None:  # noqa: ANN001
    _fill(world, 3)
    refresh_office(world.office, TODAY)
    http = login(world.care_manager)
    small = _page_queries(http)
    _fill(world, 27)
    refresh_office(world.office, TODAY)
    assert WorkItem.objects.filter(client__deputy_care_manager=world.care_manager).count() == 14
    assert _page_queries(http) == small


def _actuals_item(client) -> WorkItem | None:  # noqa: ANN001
    return WorkItem.objects.filter(client=client, kind=WorkKind.ACTUALS).first()


def test_confirming_actuals_clears_the_item_after_commit(
    world, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    ww = make_work_world(world.office, world.care_manager)
    client, pa = ww.clients["actuals"], ww.objects["actuals"]
    TicketRow.objects.create(
        ticket=pa.ticket,
        provider=pa.provider,
        service_code="111211",
        planned_days=[3, 10],
        actual_days=[3],
        actual_recorded=True,
    )
    pa.status, pa.difference_reason = ActualsStatus.DIFFERS, "10日は入院のため中止"
    pa.save(update_fields=["status", "difference_reason"])
    refresh_office(world.office, TODAY)
    assert "差異あり1事業所" in _actuals_item(client).detail
    actor = actor_for(world.clerk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pa = actuals.confirm(
            actor=actor,
            pa=pa,
            expected_version=pa.version,
            expected_ticket_version=pa.ticket.version,
        )
    assert callbacks and _actuals_item(client) is None
    assert WorkItem.objects.filter(client=ww.clients["monitoring"]).exists()  # others kept
    # an office step: the queue reacts, the client's 支援経過 (第5表) does not grow
    assert not SupportLogEntry.objects.filter(client=client, event="actuals_confirmed").exists()
    # the undo brings it back, again in the same cycle
    with django_capture_on_commit_callbacks(execute=True):
        actuals.unconfirm(actor=actor, pa=pa, expected_version=pa.version)
    item = _actuals_item(client)
    assert item is not None and "差異あり1事業所" in item.detail
    assert not SupportLogEntry.objects.filter(client=client, event="actuals_unconfirmed").exists()


def test_a_refused_confirm_emits_nothing(world, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    from django.core.exceptions import ValidationError

    ww = make_work_world(world.office, world.care_manager)
    pa = ww.objects["actuals"]  # 未受領: 確定 is refused
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks() as callbacks:
        actuals.confirm(
            actor=actor_for(world.clerk),
            pa=pa,
            expected_version=pa.version,
            expected_ticket_version=pa.ticket.version,
        )
    assert callbacks == []
    assert not SupportLogEntry.objects.filter(event="actuals_confirmed").exists()


def test_the_morning_digest_counts_covered_clients_too(world) -> None:  # noqa: ANN001
    """The mail counts what the queue shows: the 代理's covered clients are in their digest
    (still no client data), a 代理 set to staff of another office counts nothing, and the
    担当's own digest is unchanged; two queries for any number of staff."""
    from monitoring.work.digest import digest_body, digests

    own = ClientFactory(office=world.office, care_manager=world.care_manager, name="自分の利用者")
    monitored(own, confirmed_plan(own), OCTOBER)
    _covered_client(world)
    stray = ClientFactory(
        office=world.other_office,
        care_manager=world.outsider,
        deputy_care_manager=world.care_manager,
    )
    monitored(stray, confirmed_plan(stray), OCTOBER)
    refresh_office(world.office, TODAY)
    refresh_office(world.other_office, TODAY)
    assert WorkItem.objects.filter(client=stray, kind=WorkKind.MONITORING).exists()

    def monitoring_count(staff) -> int:  # noqa: ANN001
        with CaptureQueriesContext(connection) as queries:
            [digest] = digests([staff], TODAY)
        assert len(queries) == 2
        return dict((label, count) for label, count, _ in digest.counts).get(
            WorkKind.MONITORING.label, 0
        )

    assert monitoring_count(world.care_manager) == 2  # own + covered, not the other office's
    assert monitoring_count(world.colleague) == 1  # the 担当 still counts their client
    [digest] = digests([world.care_manager], TODAY)
    body = digest_body(digest, TODAY)
    assert "担当・代理の利用者" in body and "田中" not in body
