"""Optimistic lock on the client record (QUALITY §4 test 17): two staff, two browsers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caremgmt.access import actor_for
from clients import services
from clients.models import Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def form_data(record: Client, **changes: str) -> dict[str, str]:
    data = {
        "name": record.name,
        "name_kana": record.name_kana,
        "birth_date": record.birth_date.isoformat(),
        "sex": record.sex,
        "insurer_number": record.insurer_number,
        "insurer_name": record.insurer_name,
        "insured_number": record.insured_number,
        "phone": record.phone,
        "address": record.address,
        "version": str(record.version),
    }
    data.update(changes)
    return data


def test_second_save_is_refused_and_shows_what_changed(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        phone="03-1111-1111",
        address="神田1-1",
    )
    first, second = login(world.care_manager), login(world.manager)
    url = reverse("clients:edit", args=[record.pk])
    assert 'name="version" value="1"' in first.get(url).content.decode()
    assert 'name="version" value="1"' in second.get(url).content.decode()

    saved = first.post(url, form_data(record, phone="03-2222-2222"))
    assert saved.status_code == 302

    refused = second.post(
        url, form_data(record, address="神田2-2（入力中）", care_manager=str(world.care_manager.pk))
    )
    page = refused.content.decode()
    assert refused.status_code == 200
    assert (
        "保存できませんでした。この画面を開いた後に、他の職員がこの利用者の基本情報を変更しています。"
        in page
    )
    assert (
        '<th scope="row">電話番号</th><td>03-1111-1111</td><td><strong>03-2222-2222</strong></td>'
        in page
    )
    assert "神田2-2（入力中）" in page  # the second person's input stays in the form
    assert 'name="version" value="2"' in page  # a deliberate second save may follow

    record.refresh_from_db()
    assert (record.phone, record.address, record.version) == ("03-2222-2222", "神田1-1", 2)


def test_service_refuses_a_stale_version_and_writes_nothing(world) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager, name="旧姓 花子")
    actor = actor_for(world.care_manager)
    services.client_update(
        actor=actor, client=record, expected_version=1, fields={"name": "新姓 花子"}
    )
    with pytest.raises(services.EditConflictError) as conflict:
        services.client_update(
            actor=actor, client=record, expected_version=1, fields={"phone": "03-9999-9999"}
        )
    assert [(c.label, c.loaded, c.current) for c in conflict.value.changes] == [
        ("氏名", "旧姓 花子", "新姓 花子")
    ]
    record.refresh_from_db()
    assert (record.name, record.phone, record.version) == ("新姓 花子", "", 2)


def test_status_change_also_bumps_the_version(world) -> None:  # noqa: ANN001
    import datetime as dt

    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    actor = actor_for(world.care_manager)
    services.client_change_status(
        actor=actor, client=record, status="hospitalized", changed_on=dt.date(2026, 11, 1)
    )
    with pytest.raises(services.EditConflictError) as conflict:
        services.client_update(
            actor=actor, client=record, expected_version=1, fields={"phone": "03-1"}
        )
    assert [c.label for c in conflict.value.changes] == ["状態"]
