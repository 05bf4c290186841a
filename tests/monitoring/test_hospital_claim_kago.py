"""The hospital-record sync and a 過誤申立て (billing/office_claim/close.py `client_reopened`):
in a 送信済み month the sync writes the evidence of a client whose 過誤 is open, and still
leaves the other clients alone."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.models.office_claim import ClaimEvidence
from billing.office_claim import close, kago
from caremgmt.access import actor_for
from tests.billing.office_claim_world import MONTH, make_case
from tests.monitoring.test_hospital_claim_close import _outpatient

pytestmark = pytest.mark.django_db


def test_sync_writes_only_the_client_with_an_open_kago(world) -> None:  # noqa: ANN001
    reopened = make_case(world.office, world.care_manager)
    still_closed = make_case(world.office, world.care_manager)
    close.close_month(actor=actor_for(world.clerk), month=MONTH)
    row = kago.create_kago(
        actor=actor_for(world.clerk),
        client_id=reopened.pk,
        month=MONTH,
        same_month=False,
        reason_code="4002",
        reason_text="通院時情報連携加算の算定漏れ",
    )
    cm = actor_for(world.care_manager)
    _outpatient(cm, reopened, dt.date(2026, 12, 3))
    _outpatient(cm, still_closed, dt.date(2026, 12, 3))
    assert list(ClaimEvidence.objects.values_list("client_id", "kind")) == [
        (reopened.pk, "outpatient")
    ]
    # once the 過誤 is cancelled the month is closed again for the client: a later record
    # change leaves its evidence alone
    kago.move_kago(
        actor=actor_for(world.clerk), kago_id=row.pk, action="cancel", expected_version=1
    )
    assert close.month_closed_for_client(reopened.pk, MONTH) is True
    _outpatient(cm, reopened, dt.date(2026, 12, 20))
    assert ClaimEvidence.objects.get(client=reopened).proof_on == dt.date(2026, 12, 3)
