"""Two staff record the same 公費 at the same moment: the client row lock lets exactly one
through (a plain TestCase would hide this, hence transaction=True and real threads)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from caremgmt.access import actor_for
from clients.models import PublicExpense
from clients.services import coverage as services_coverage
from tests.factories import ClientFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_public_expenses_one_wins(world) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record(actor_staff) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            services_coverage.public_expense_add(
                actor=actor_for(actor_staff),
                client=client,
                law_number="12",
                payer_number="12130019",
                recipient_number="1234567",
                valid_from=dt.date(2026, 4, 1),
                valid_to=dt.date(2027, 3, 31),
            )
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(error.message_dict["valid_from"][0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(staff,))
        for staff in (world.care_manager, world.manager)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [
        "saved",
        "有効期間が同じ法別番号の既存の公費（令和8年4月1日〜令和9年3月31日）と重なっています。",
    ]
    assert PublicExpense.objects.filter(client=client).count() == 1
