"""The monthly monitoring rule (monitoring.due) at month boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import HospitalStay
from monitoring.due import MonthState, client_months, month_status
from tests.monitoring.routes.records import confirmed_plan, make_record

D = dt.date
pytestmark = pytest.mark.django_db


def _state(client_id: int, month: dt.date, today: dt.date) -> MonthState:
    return month_status([client_id], month, today=today)[client_id]


def _stay(client, admitted: dt.date, discharged: dt.date | None = None) -> HospitalStay:  # noqa: ANN001
    return HospitalStay.objects.create(
        client=client, hospital_name="市民病院", admitted_on=admitted, discharged_on=discharged
    )


def test_plan_started_on_the_25th_owes_monitoring_from_the_next_month(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world, starts_on=D(2026, 9, 25))
    cid = plan.client_id
    assert _state(cid, D(2026, 9, 1), D(2026, 9, 26)) == MonthState.NOT_REQUIRED
    assert _state(cid, D(2026, 9, 1), D(2026, 10, 5)) == MonthState.NOT_REQUIRED
    assert _state(cid, D(2026, 10, 1), D(2026, 10, 1)) == MonthState.DUE
    assert _state(cid, D(2026, 10, 1), D(2026, 10, 31)) == MonthState.DUE
    assert _state(cid, D(2026, 10, 1), D(2026, 11, 1)) == MonthState.LATE


def test_plan_starting_on_the_1st_owes_that_month(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world, starts_on=D(2026, 10, 1))
    assert _state(plan.client_id, D(2026, 10, 1), D(2026, 10, 2)) == MonthState.DUE
    assert _state(plan.client_id, D(2026, 9, 1), D(2026, 10, 2)) == MonthState.NOT_REQUIRED


def test_start_month_required_setting(world, settings) -> None:  # noqa: ANN001
    settings.MONITORING_START_MONTH_REQUIRED = True
    plan = confirmed_plan(world, starts_on=D(2026, 9, 25))
    assert _state(plan.client_id, D(2026, 9, 1), D(2026, 10, 1)) == MonthState.LATE


def test_in_hospital_all_month_is_exempt(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    _stay(plan.client, D(2026, 9, 20))
    assert _state(plan.client_id, D(2026, 10, 1), D(2026, 11, 5)) == MonthState.EXEMPT_HOSPITAL
    # September: admitted on the 20th, the month was owed before that.
    assert _state(plan.client_id, D(2026, 9, 1), D(2026, 11, 5)) == MonthState.LATE


def test_admitted_on_the_1st_still_owes_the_month(world) -> None:  # noqa: ANN001
    """The admission day itself is not 入院中 (clients.HospitalStay): a visit was possible."""
    plan = confirmed_plan(world)
    _stay(plan.client, D(2026, 10, 1))
    assert _state(plan.client_id, D(2026, 10, 1), D(2026, 10, 20)) == MonthState.DUE
    assert _state(plan.client_id, D(2026, 11, 1), D(2026, 11, 20)) == MonthState.EXEMPT_HOSPITAL


@pytest.mark.parametrize(
    ("discharged", "expected"),
    [
        (D(2026, 10, 14), MonthState.LATE),  # mid-month: home again, owed
        (D(2026, 10, 31), MonthState.LATE),  # last day: home that day, owed
        (D(2026, 11, 1), MonthState.EXEMPT_HOSPITAL),  # in hospital through the 31st
    ],
)
def test_discharge_date_decides_the_month(world, discharged, expected) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    _stay(plan.client, D(2026, 9, 20), discharged)
    assert _state(plan.client_id, D(2026, 10, 1), D(2026, 11, 5)) == expected


def test_contract_ended_mid_month_is_not_owed(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    client = plan.client
    client.status, client.status_changed_on = "ended", D(2026, 10, 15)
    client.save()
    assert _state(client.pk, D(2026, 10, 1), D(2026, 11, 5)) == MonthState.NOT_REQUIRED
    assert _state(client.pk, D(2026, 9, 1), D(2026, 11, 5)) == MonthState.LATE
    assert _state(client.pk, D(2026, 11, 1), D(2026, 11, 5)) == MonthState.NOT_REQUIRED


def test_revision_starting_after_the_1st_keeps_the_month_owed(world) -> None:  # noqa: ANN001
    """The old version, superseded on the 20th of last month, is in force until the new one
    starts on the 5th: the month is owed (a gap between versions does not exist)."""
    old = confirmed_plan(world)
    old.status, old.superseded_on = "superseded", D(2026, 9, 20)
    old.save()
    confirmed_plan(world, client=old.client, starts_on=D(2026, 10, 5))
    assert _state(old.client_id, D(2026, 10, 1), D(2026, 10, 3)) == MonthState.DUE


@pytest.mark.parametrize(
    ("month", "last"),
    [
        (D(2027, 2, 1), D(2027, 2, 28)),  # 28 days
        (D(2028, 2, 1), D(2028, 2, 29)),  # 29 days (leap year)
        (D(2026, 11, 1), D(2026, 11, 30)),  # 30 days
        (D(2026, 12, 1), D(2026, 12, 31)),  # 31 days
    ],
)
def test_month_lengths(world, month, last) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    cid = plan.client_id
    assert _state(cid, month, last) == MonthState.DUE
    assert _state(cid, month, last + dt.timedelta(days=1)) == MonthState.LATE
    make_record(world, plan=plan, visited_on=last)
    assert _state(cid, month, last + dt.timedelta(days=1)) == MonthState.DONE
    # the record of the last day does not count for the next month
    following = last + dt.timedelta(days=1)
    assert _state(cid, following, following) == MonthState.DUE


def test_record_counts_for_its_own_month_only(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    make_record(world, plan=plan, visited_on=D(2026, 6, 1))
    assert _state(plan.client_id, D(2026, 5, 1), D(2026, 6, 2)) == MonthState.LATE
    assert _state(plan.client_id, D(2026, 6, 1), D(2026, 6, 2)) == MonthState.DONE


def test_fixed_query_count_and_client_months_agree(world) -> None:  # noqa: ANN001
    plans = [confirmed_plan(world) for _ in range(3)]
    _stay(plans[1].client, D(2026, 6, 20), D(2026, 8, 2))
    make_record(world, plan=plans[0], visited_on=D(2026, 6, 3))
    ended = plans[2].client
    ended.status, ended.status_changed_on = "ended", D(2026, 9, 10)
    ended.save()
    ids = [p.client_id for p in plans]
    months = [D(2026, m, 1) for m in range(3, 12)]
    today = D(2026, 10, 15)
    for month in months:
        with CaptureQueriesContext(connection) as queries:
            by_client = month_status(ids, month, today=today)
        assert len(queries) == 4
        for cid in ids:
            assert client_months(cid, [month], today=today)[month] == by_client[cid], (cid, month)
    with CaptureQueriesContext(connection) as queries:
        history = client_months(ids[1], months, today=today)
    assert len(queries) == 4
    assert history[D(2026, 7, 1)] == MonthState.EXEMPT_HOSPITAL
    assert history[D(2026, 6, 1)] == MonthState.LATE
    assert history[D(2026, 3, 1)] == MonthState.NOT_REQUIRED
    assert history[D(2026, 10, 1)] == MonthState.DUE
