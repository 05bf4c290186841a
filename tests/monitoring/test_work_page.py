"""The home page as the work queue: grouping, filters, counts, the manager's caseload table,
the lazy refresh, and a query count that does not grow with the caseload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caremgmt.models import Role
from clients.models import HospitalStay
from monitoring.models import WorkItem, WorkKind
from monitoring.work.queue import group_of
from monitoring.work.refresh import refresh_office
from tests.factories import CertificationFactory, ClientFactory, staff_in
from tests.monitoring.work_world import OCTOBER, TODAY, confirmed_plan, make_work_world, monitored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_the_5th(time_machine) -> None:  # noqa: ANN001
    time_machine.move_to(dt.datetime(2026, 11, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))


def test_groups_by_due_date() -> None:
    thursday = dt.date(2026, 11, 5)
    assert group_of(dt.date(2026, 11, 4), thursday) == "late"
    assert group_of(thursday, thursday) == "today"
    assert group_of(dt.date(2026, 11, 8), thursday) == "week"  # Sunday
    assert group_of(dt.date(2026, 11, 9), thursday) == "month"
    assert group_of(dt.date(2026, 12, 1), thursday) == "later"


def test_care_manager_sees_their_queue_soonest_first(world, login) -> None:  # noqa: ANN001
    ww = make_work_world(world.office, world.care_manager)
    theirs = ClientFactory(office=world.office, care_manager=world.colleague, name="同僚の利用者")
    monitored(theirs, confirmed_plan(theirs), OCTOBER)
    refresh_office(world.office, TODAY)
    response = login(world.care_manager).get(reverse("dashboard"))
    page = response.content.decode()
    assert "同僚の利用者" not in page
    for label in ("期限切れ", "今日", "今月", "それ以降"):
        assert f"{label}（" in page
    assert (
        page.index("期限切れ（")
        < page.index("今日（")
        < page.index("今月（")
        < page.index("それ以降（")
    )
    monitoring = ww.clients["monitoring"]
    assert f'href="/monitoring/clients/{monitoring.pk}/records/new/?month=2026-11"' in page
    counts = {row.kind: row.count for row in response.context["counts"]}
    assert counts[WorkKind.MEETING] == 2 and sum(counts.values()) == len(ww.expected())
    late = [
        item for group in response.context["groups"] if group.key == "late" for item in group.items
    ]
    assert [item.due_on for item in late] == sorted(item.due_on for item in late)


def test_filter_by_kind(world, login) -> None:  # noqa: ANN001
    ww = make_work_world(world.office, world.care_manager)
    refresh_office(world.office, TODAY)
    response = login(world.care_manager).get(reverse("dashboard"), {"kind": WorkKind.HOSPITAL})
    items = [item for group in response.context["groups"] for item in group.items]
    assert [item.client_id for item in items] == [ww.clients["admitted"].pk]
    # the counts stay for every kind (they are the filter's menu)
    assert len(response.context["counts"]) > 1


def test_manager_sees_the_office_with_a_care_manager_filter(world, login) -> None:  # noqa: ANN001
    make_work_world(world.office, world.care_manager)
    theirs = ClientFactory(office=world.office, care_manager=world.colleague, name="同僚の利用者")
    monitored(theirs, confirmed_plan(theirs), OCTOBER)
    refresh_office(world.office, TODAY)
    http = login(world.manager)
    page = http.get(reverse("dashboard")).content.decode()
    assert "同僚の利用者" in page and "担当件数" in page
    filtered = http.get(reverse("dashboard"), {"cm": world.colleague.pk})
    items = [item for group in filtered.context["groups"] for item in group.items]
    assert {item.client_id for item in items} == {theirs.pk}
    # a care manager cannot widen their view with the filter
    mine = login(world.care_manager).get(reverse("dashboard"), {"cm": world.colleague.pk})
    assert "同僚の利用者" not in mine.content.decode()


def test_caseload_table_counts_support_levels_as_a_third(world, login) -> None:  # noqa: ANN001
    for level in ("12", "13", "12", "22"):
        client = ClientFactory(office=world.office, care_manager=world.colleague)
        CertificationFactory(client=client, care_level=level)
    ClientFactory(office=world.office, care_manager=world.colleague)  # 申請中: not counted
    refresh_office(world.office, TODAY)
    caseload = login(world.manager).get(reverse("dashboard")).context["caseload"]
    rows = {row.staff_id: row for row in caseload.rows}
    colleague = rows[world.colleague.pk]
    assert colleague.cases_display == "2" and colleague.uncertified == 1
    assert (caseload.standard, colleague.band_label, colleague.over_standard) == (
        44,
        "（ⅰ）",
        False,
    )
    assert {world.care_manager.pk, world.chief.pk} <= set(rows)


def test_caseload_band_over_the_standard(world, login) -> None:  # noqa: ANN001
    for _ in range(45):
        client = ClientFactory(office=world.office, care_manager=world.colleague)
        CertificationFactory(client=client, care_level="21")
    refresh_office(world.office, TODAY)
    caseload = login(world.manager).get(reverse("dashboard")).context["caseload"]
    row = next(row for row in caseload.rows if row.staff_id == world.colleague.pk)
    assert (row.cases_display, row.band_label, row.over_standard) == ("45", "（ⅱ）", True)


def test_lazy_refresh_when_items_are_older_than_today(world, login) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    monitored(client, confirmed_plan(client), OCTOBER)
    WorkItem.objects.create(
        office=world.office,
        care_manager=world.care_manager,
        client=client,
        kind=WorkKind.CONSENT,
        key="plan:0",
        due_on=TODAY,
        first_seen_on=TODAY - dt.timedelta(days=3),
    )
    WorkItem.objects.update(refreshed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    login(world.care_manager).get(reverse("dashboard"))
    assert list(WorkItem.objects.values_list("kind", "client_id")) == [
        (WorkKind.MONITORING, client.pk)
    ]


def _fill(world, count: int) -> None:  # noqa: ANN001
    """`count` clients over two care managers, each with items of one to three kinds."""
    for index in range(count):
        cm = world.care_manager if index % 2 == 0 else world.colleague
        client = ClientFactory(office=world.office, care_manager=cm)
        plan = confirmed_plan(client)  # November's monitoring is due
        if index % 4:
            monitored(client, plan, OCTOBER)  # else October is missed too
        if index % 3 == 0:
            HospitalStay.objects.create(
                client=client, hospital_name="中央病院", admitted_on=dt.date(2026, 11, 4)
            )


def _page_queries(http) -> int:  # noqa: ANN001
    http.get(reverse("dashboard"))  # warm: session, lazy-refresh marker
    with CaptureQueriesContext(connection) as queries:
        response = http.get(reverse("dashboard"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["care_manager", "manager"])
def test_query_count_does_not_grow_with_the_caseload(world, login, role) -> None:  # noqa: ANN001
    staff_in(world.office, Role.CARE_MANAGER)
    _fill(world, 3)
    refresh_office(world.office, TODAY)
    http = login(getattr(world, role))
    small = _page_queries(http)
    small_items = WorkItem.objects.count()
    _fill(world, 27)
    refresh_office(world.office, TODAY)
    assert WorkItem.objects.count() > small_items * 5
    assert _page_queries(http) == small
