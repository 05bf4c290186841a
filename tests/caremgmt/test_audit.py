"""Access log (append-only) and change history (pghistory)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from caremgmt.models import AccessLog
from clients.models import Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_opening_a_client_page_writes_an_access_log_row(world, login) -> None:  # noqa: ANN001
    client_record = ClientFactory(office=world.office, care_manager=world.care_manager)
    response = login(world.care_manager).get(
        reverse("clients:detail", args=[client_record.pk]), REMOTE_ADDR="10.1.2.3"
    )
    row = AccessLog.objects.get()
    assert (row.staff, row.client_id, row.subject_type, row.action) == (
        world.care_manager,
        client_record.pk,
        "client",
        "view",
    )
    assert row.office_id == world.office.pk
    assert row.ip_address == "10.1.2.3"
    assert str(row.request_id) == response["X-Request-ID"]
    assert row.occurred_at.utcoffset().total_seconds() == 0  # stored and returned in UTC


def test_refused_view_writes_no_access_row(world, login) -> None:  # noqa: ANN001
    client_record = ClientFactory(office=world.office, care_manager=world.care_manager)
    login(world.colleague).get(reverse("clients:detail", args=[client_record.pk]))
    assert not AccessLog.objects.exists()


@pytest.fixture
def logged(world):  # noqa: ANN001, ANN201
    return AccessLog.objects.create(
        staff=world.care_manager, subject_type="client", client_id=1, action="view"
    )


@pytest.mark.parametrize(
    "statement",
    ["UPDATE caremgmt_accesslog SET action = 'print'", "DELETE FROM caremgmt_accesslog"],
)
def test_access_log_refuses_update_and_delete_for_the_app_role(logged, statement) -> None:  # noqa: ANN001
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AccessLog.objects.get().action == "view"


def test_access_log_refuses_orm_update_and_delete(logged) -> None:  # noqa: ANN001
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=logged.pk).update(action="print")
    with pytest.raises(DatabaseError), transaction.atomic():
        logged.delete()
    assert AccessLog.objects.count() == 1


def test_who_saw_client_between_two_times(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    login(world.care_manager).get(reverse("clients:detail", args=[record.pk]))
    login(world.manager).get(reverse("clients:detail", args=[record.pk]))
    seen_by = set(
        AccessLog.objects.filter(client_id=record.pk).values_list("staff__full_name", flat=True)
    )
    assert seen_by == {world.care_manager.full_name, world.manager.full_name}


def test_change_history_catches_bulk_updates_with_before_and_after(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager, name="旧姓 花子")
    Client.objects.filter(pk=record.pk).update(name="新姓 花子")  # no signals fire here
    events = list(Client.pgh_event_model.objects.filter(pgh_obj=record).order_by("pgh_id"))
    assert [(e.pgh_label, e.name) for e in events] == [
        ("insert", "旧姓 花子"),
        ("update", "新姓 花子"),
    ]


def test_history_tables_are_append_only(world) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    with pytest.raises(DatabaseError), transaction.atomic():
        Client.pgh_event_model.objects.filter(pgh_obj=record).delete()
