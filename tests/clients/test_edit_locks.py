"""Optimistic lock on contacts, directories and applications (issue 9, item 3): a stale
save raises StaleEditError naming what the other person changed; nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.locking import StaleEditError
from clients import services
from clients.models import CertificationApplication, ClientContact, Doctor, InformalResource
from tests.factories import (
    CertificationApplicationFactory,
    ClientContactFactory,
    ClientFactory,
    DoctorFactory,
    InformalResourceFactory,
)

pytestmark = pytest.mark.django_db


def _contact(world):  # noqa: ANN001, ANN202
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    return ClientContactFactory(client=client, notes="最初")


def test_contact_save_bumps_the_version(world) -> None:  # noqa: ANN001
    contact = _contact(world)
    saved = services.contact_save(
        actor=actor_for(world.care_manager),
        client=contact.client,
        contact=contact,
        fields={"notes": "二回目", "version": 99},
        expected_version=1,
    )
    assert saved.version == 2
    row = ClientContact.objects.get(pk=contact.pk)
    assert (row.notes, row.version) == ("二回目", 2)


def test_stale_contact_save_is_refused_with_the_other_change(world) -> None:  # noqa: ANN001
    contact = _contact(world)
    actor = actor_for(world.care_manager)
    services.contact_save(
        actor=actor,
        client=contact.client,
        contact=contact,
        fields={"notes": "先に保存", "phone": "03-9999-0000"},
        expected_version=1,
    )
    with pytest.raises(StaleEditError) as caught:
        services.contact_save(
            actor=actor_for(world.manager),
            client=contact.client,
            contact=ClientContact.objects.get(pk=contact.pk),
            fields={"notes": "古い画面"},
            expected_version=1,
        )
    changes = {c.field: (c.label, c.loaded, c.current) for c in caught.value.changes}
    assert changes == {
        "phone": ("電話番号", "03-1111-2222", "03-9999-0000"),
        "notes": ("備考", "最初", "先に保存"),
    }
    row = ClientContact.objects.get(pk=contact.pk)
    assert (row.notes, row.version) == ("先に保存", 2)


@pytest.mark.parametrize("expected", [None, 0, 2])
def test_contact_save_without_the_loaded_version_is_refused(world, expected) -> None:  # noqa: ANN001
    contact = _contact(world)
    with pytest.raises(StaleEditError):
        services.contact_save(
            actor=actor_for(world.care_manager),
            client=contact.client,
            contact=contact,
            fields={"notes": "上書き"},
            expected_version=expected,
        )
    row = ClientContact.objects.get(pk=contact.pk)
    assert (row.notes, row.version) == ("最初", 1)


def test_stale_directory_and_application_saves_are_refused(world) -> None:  # noqa: ANN001
    actor = actor_for(world.care_manager)
    doctor = DoctorFactory(office=world.office)
    resource = InformalResourceFactory(office=world.office)
    application = CertificationApplicationFactory(
        client=ClientFactory(office=world.office, care_manager=world.care_manager)
    )
    services.doctor_save(actor=actor, doctor=doctor, fields={"notes": "A"}, expected_version=1)
    services.resource_save(
        actor=actor, resource=resource, fields={"notes": "A"}, expected_version=1
    )
    services.application_update(
        actor=actor, application=application, fields={"notes": "A"}, expected_version=1
    )
    with pytest.raises(StaleEditError):
        services.doctor_save(actor=actor, doctor=doctor, fields={"notes": "B"}, expected_version=1)
    with pytest.raises(StaleEditError):
        services.resource_save(
            actor=actor, resource=resource, fields={"notes": "B"}, expected_version=1
        )
    with pytest.raises(StaleEditError):
        services.application_update(
            actor=actor, application=application, fields={"notes": "B"}, expected_version=1
        )
    assert Doctor.objects.values_list("notes", "version").get(pk=doctor.pk) == ("A", 2)
    assert InformalResource.objects.values_list("notes", "version").get(pk=resource.pk) == (
        "A",
        2,
    )
    assert CertificationApplication.objects.values_list("notes", "version").get(
        pk=application.pk
    ) == ("A", 2)


def test_conflict_page_keeps_the_input_and_a_second_save_applies_it(world, login) -> None:  # noqa: ANN001
    contact = _contact(world)
    services.contact_save(
        actor=actor_for(world.manager),
        client=contact.client,
        contact=contact,
        fields={"notes": "管理者が変更"},
        expected_version=1,
    )
    url = reverse("clients:contact_edit", args=[contact.client_id, contact.pk])
    data = {
        "name": contact.name,
        "relationship": "長女",
        "is_emergency_contact": "on",
        "priority": "1",
        "phone": "03-1111-2222",
        "notes": "担当が入力",
        "version": "1",
    }
    http = login(world.care_manager)
    page = http.post(url, data)
    body = page.content.decode()
    assert page.status_code == 200
    assert "保存できませんでした" in body and "管理者が変更" in body and "担当が入力" in body
    assert 'name="version" value="2"' in body
    assert ClientContact.objects.get(pk=contact.pk).notes == "管理者が変更"
    # A deliberate second save (now at version 2) applies the typed input.
    assert http.post(url, {**data, "version": "2"}).status_code == 302
    assert ClientContact.objects.values_list("notes", "version").get(pk=contact.pk) == (
        "担当が入力",
        3,
    )
