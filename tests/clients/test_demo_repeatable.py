"""The demo loader gives the same clients whatever loaded it earlier in the process
(test_demo failed when tests/careplans had loaded the demo before it)."""

from __future__ import annotations

import pytest
from django.db import transaction

from caremgmt.demo import load_demo_office
from clients.demo import load_demo_clients
from clients.models import Client

pytestmark = pytest.mark.django_db


class _RolledBack(Exception):
    pass


def _snapshot() -> list[tuple]:
    return [
        (
            client.name,
            client.living_situation,
            tuple(
                client.certifications.order_by("valid_from").values_list("care_level", flat=True)
            ),
            tuple(client.contacts.values_list("relationship", flat=True)),
        )
        for client in Client.objects.order_by("insured_number")
    ]


def test_a_second_load_in_the_same_process_gives_the_same_demo() -> None:
    load_demo_office()
    try:
        with transaction.atomic():
            load_demo_clients()
            first = _snapshot()
            raise _RolledBack
    except _RolledBack:
        pass
    assert Client.objects.count() == 0
    load_demo_clients()
    assert _snapshot() == first
    assert len(first) == 40
