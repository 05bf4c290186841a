"""monitoring's 運営基準減算 proposals for the office claim (monitoring/claim_proposals.py):
what each state of the monthly rule proposes, and that it is registered with billing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.office_claim import proposals
from clients.models import ClientStatus, HospitalStay
from monitoring.claim_proposals import SOURCE_NAME, missed_monitoring
from monitoring.models import MonitoringRecord
from tests.monitoring.routes.records import confirmed_plan

D = dt.date
JST = dt.timezone(dt.timedelta(hours=9))
NOVEMBER = D(2026, 11, 1)
pytestmark = pytest.mark.django_db

MISSED_NOVEMBER = (
    "2026年11月のモニタリング（居宅訪問・記録）がありません。"
    "特段の事情がなければ運営基準減算の対象です。"
)


@pytest.fixture
def in_december(time_machine) -> None:  # noqa: ANN001
    """Billing at month start: November is over."""
    time_machine.move_to(dt.datetime(2026, 12, 3, 10, 0, tzinfo=JST))


PLAN_START = D(2026, 4, 10)


def _plan(world, starts_on: dt.date = PLAN_START):  # noqa: ANN001, ANN202
    return confirmed_plan(world, starts_on=starts_on)


def _record(plan, visited_on: dt.date) -> MonitoringRecord:  # noqa: ANN001
    return MonitoringRecord.objects.create(
        client=plan.client,
        plan=plan,
        month=visited_on.replace(day=1),
        visited_on=visited_on,
        place="home",
        met_persons="本人",
        author=plan.client.care_manager,
    )


def test_late_month_is_proposed_with_the_reason(world, in_december) -> None:  # noqa: ANN001
    plan = _plan(world)
    assert missed_monitoring(NOVEMBER, [plan.client_id]) == {plan.client_id: MISSED_NOVEMBER}


def test_month_not_over_yet_is_proposed_as_still_missing(world, time_machine) -> None:  # noqa: ANN001
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, 0, tzinfo=JST))
    plan = _plan(world)
    reason = missed_monitoring(NOVEMBER, [plan.client_id])[plan.client_id]
    assert reason == (
        "2026年11月のモニタリング（居宅訪問・記録）がまだありません。"
        "月末までに記録がなければ、特段の事情がない限り運営基準減算の対象です。"
    )


def test_done_month_proposes_nothing(world, in_december) -> None:  # noqa: ANN001
    plan = _plan(world)
    _record(plan, D(2026, 11, 30))
    assert missed_monitoring(NOVEMBER, [plan.client_id]) == {}


def test_a_visit_in_another_month_does_not_count(world, in_december) -> None:  # noqa: ANN001
    plan = _plan(world)
    _record(plan, D(2026, 10, 31))
    _record(plan, D(2026, 12, 1))
    assert missed_monitoring(NOVEMBER, [plan.client_id]) == {plan.client_id: MISSED_NOVEMBER}


def test_whole_month_in_hospital_proposes_nothing(world, in_december) -> None:  # noqa: ANN001
    plan = _plan(world)
    HospitalStay.objects.create(
        client=plan.client, hospital_name="市民病院", admitted_on=D(2026, 10, 20)
    )
    assert missed_monitoring(NOVEMBER, [plan.client_id]) == {}


def test_discharged_mid_month_is_owed_and_proposed(world, in_december) -> None:  # noqa: ANN001
    plan = _plan(world)
    HospitalStay.objects.create(
        client=plan.client,
        hospital_name="市民病院",
        admitted_on=D(2026, 10, 20),
        discharged_on=D(2026, 11, 14),
    )
    assert plan.client_id in missed_monitoring(NOVEMBER, [plan.client_id])


def test_not_required_months_propose_nothing(world, in_december) -> None:  # noqa: ANN001
    started_this_month = _plan(world, starts_on=D(2026, 11, 25))
    ended = _plan(world)
    ended.client.status = ClientStatus.ENDED
    ended.client.status_changed_on = D(2026, 11, 15)
    ended.client.save()
    ids = [started_this_month.client_id, ended.client_id]
    assert missed_monitoring(NOVEMBER, ids) == {}


def test_registered_with_billing_from_app_ready(world, in_december) -> None:  # noqa: ANN001
    plan = _plan(world)
    assert "standard_violation" in proposals.registered_kinds()
    assert SOURCE_NAME in proposals._sources["standard_violation"]
    found = proposals.collect_proposals(NOVEMBER, [plan.client_id])
    assert found == {"standard_violation": {plan.client_id: MISSED_NOVEMBER}}


def test_fixed_queries_for_3_and_12_clients(world, in_december) -> None:  # noqa: ANN001
    plans = [_plan(world) for _ in range(3)]
    _record(plans[0], D(2026, 11, 5))
    with CaptureQueriesContext(connection) as few:
        assert len(missed_monitoring(NOVEMBER, [p.client_id for p in plans])) == 2
    for _ in range(9):
        plans.append(_plan(world))
    HospitalStay.objects.create(
        client=plans[-1].client, hospital_name="市民病院", admitted_on=D(2026, 10, 1)
    )
    with CaptureQueriesContext(connection) as many:
        assert len(missed_monitoring(NOVEMBER, [p.client_id for p in plans])) == 10
    assert len(few.captured_queries) == len(many.captured_queries) == 4
