"""Bad input on the ticket (issue 10 "Bad input"): refused with a Japanese message at the
field and nothing written — a 予定 outside the 認定 or while 入院中, a code the fee schedule
does not know or not in force in the month, a claimed month, an allocation that does not sum
to the excess. (Closed days and overlapping visits only warn: tests/billing/test_ticket_checks.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.calc import OverLimitAllocation
from billing.fee_schedule import clear_fee_schedule_cache
from billing.models import TicketRow
from billing.tickets.compute import recompute_and_cache, ticket_figures
from billing.tickets.generate import generate_ticket
from billing.tickets.services import (
    ticket_allocation_save,
    ticket_row_delete,
    ticket_row_save,
    ticket_set_day,
)
from caremgmt.access import actor_for
from clients.models import HospitalStay
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    return make_ticket_world(world.office, world.care_manager)


@pytest.fixture
def actor(world):  # noqa: ANN001, ANN201
    return actor_for(world.care_manager)


def _messages(error: ValidationError) -> str:
    return " ".join(m for msgs in error.message_dict.values() for m in msgs)


def _state(ticket) -> tuple:  # noqa: ANN001
    ticket.refresh_from_db()
    rows = sorted(
        (r.pk, r.service_code, tuple(r.planned_days), r.edited) for r in ticket.rows.all()
    )
    return ticket.version, ticket.total_units, rows


# --- 予定 outside the 認定 period / while in hospital ------------------------------------


def test_a_day_outside_the_certification_is_refused(tw, actor) -> None:  # noqa: ANN001
    type(tw.certification).objects.filter(pk=tw.certification.pk).update(
        ended_on=dt.date(2026, 12, 15)
    )
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    row = ticket.rows.get(service_code="111211")
    assert max(row.planned_days) <= 15
    assert any("認定の有効期間外" in line for line in report.lines)
    before = _state(ticket)
    with pytest.raises(ValidationError) as error:
        ticket_set_day(actor=actor, ticket=ticket, row_id=row.pk, day=17, on=True,
                       expected_version=ticket.version)  # fmt: skip
    assert "days" in error.value.message_dict
    assert "12月17日は要介護認定の有効期間外" in _messages(error.value)
    assert _state(ticket) == before
    # inside the period it is accepted
    ticket_set_day(actor=actor, ticket=ticket, row_id=row.pk, day=15, on=True,
                   expected_version=ticket.version)  # fmt: skip
    row.refresh_from_db()
    assert 15 in row.planned_days


def test_a_day_strictly_inside_a_hospital_stay_is_refused(tw, actor) -> None:  # noqa: ANN001
    HospitalStay.objects.create(
        client=tw.client, hospital_name="中央病院",
        admitted_on=dt.date(2026, 12, 7), discharged_on=dt.date(2026, 12, 14),
    )  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    row = ticket.rows.get(service_code="111211")
    # Mon 7 (admission) and Mon 14 (discharge) kept; Thu 10 skipped
    assert {7, 14} <= set(row.planned_days) and 10 not in row.planned_days
    before = _state(ticket)
    with pytest.raises(ValidationError) as error:
        ticket_set_day(actor=actor, ticket=ticket, row_id=row.pk, day=10, on=True,
                       expected_version=ticket.version)  # fmt: skip
    assert "12月10日は入院中" in _messages(error.value)
    assert _state(ticket) == before
    # the discharge day itself may carry a visit; clearing a day is always allowed
    ticket_set_day(actor=actor, ticket=ticket, row_id=row.pk, day=7, on=False,
                   expected_version=ticket.version)  # fmt: skip


def test_row_save_refuses_new_days_while_in_hospital(tw, actor) -> None:  # noqa: ANN001
    HospitalStay.objects.create(client=tw.client, hospital_name="中央病院",
                                admitted_on=dt.date(2026, 12, 20))  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    before = _state(ticket)
    with pytest.raises(ValidationError) as error:
        ticket_row_save(
            actor=actor, ticket=ticket, row=None,
            fields={"provider": tw.home_help, "service_code": "117211",
                    "starts_at": dt.time(15), "ends_at": dt.time(15, 40)},
            planned_days=[19, 20, 21, 22], expected_version=ticket.version,
        )  # fmt: skip
    assert "planned_days" in error.value.message_dict
    assert "12月21日、12月22日は入院中" in _messages(error.value)
    assert _state(ticket) == before


# --- codes ------------------------------------------------------------------------------


def test_an_unknown_code_is_refused_at_the_field(tw, actor) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    before = _state(ticket)
    with pytest.raises(ValidationError) as error:
        ticket_row_save(
            actor=actor, ticket=ticket, row=None,
            fields={"provider": tw.home_help, "service_code": "119999"},
            planned_days=[3], expected_version=ticket.version,
        )  # fmt: skip
    assert error.value.message_dict["service_code"] == [
        "サービスコード「119999」は単位数表にありません。"
    ]
    assert _state(ticket) == before


@pytest.fixture
def future_code(db):  # noqa: ANN001, ANN201
    from caremgmt.models import ServiceCode

    ServiceCode.objects.create(
        code="11Z901", service_type_id="11", name="将来の訪問介護", units=100, basis="visit",
        kind="base", valid_from=dt.date(2027, 4, 1),
    )  # fmt: skip
    clear_fee_schedule_cache()
    yield "11Z901"
    clear_fee_schedule_cache()


def test_a_code_not_in_force_in_the_month_is_refused(tw, actor, future_code) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    row = ticket.rows.get(service_code="111211")
    before = _state(ticket)
    with pytest.raises(ValidationError) as error:
        ticket_row_save(actor=actor, ticket=ticket, row=row,
                        fields={"service_code": future_code},
                        expected_version=ticket.version)  # fmt: skip
    assert "service_code" in error.value.message_dict
    assert "時点で有効ではありません" in _messages(error.value)
    assert _state(ticket) == before
    with pytest.raises(ValidationError, match="2026年12月に有効ではありません"):
        ticket_row_save(actor=actor, ticket=ticket, row=None,
                        fields={"provider": tw.home_help, "service_code": future_code},
                        expected_version=ticket.version)  # fmt: skip


def test_a_valid_code_is_saved_in_upper_case(tw, actor) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    row = ticket_row_save(
        actor=actor, ticket=ticket, row=None,
        fields={"provider": tw.home_help, "service_code": " 117211 ",
                "starts_at": dt.time(15), "ends_at": dt.time(15, 40)},
        planned_days=[3, 4], expected_version=ticket.version,
    )  # fmt: skip
    assert row.service_code == "117211" and row.planned_days == [3, 4]


# --- claimed month ------------------------------------------------------------------------


def test_every_edit_of_a_claimed_month_is_refused(tw, actor) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    row = ticket.rows.get(service_code="111211")
    type(ticket).objects.filter(pk=ticket.pk).update(claimed_at=timezone.now())
    before = _state(ticket)
    version = ticket.version
    edits = [
        lambda: ticket_set_day(actor=actor, ticket=ticket, row_id=row.pk, day=5, on=True,
                               expected_version=version),
        lambda: ticket_row_save(actor=actor, ticket=ticket, row=row,
                                fields={"content": "変更"}, expected_version=version),
        lambda: ticket_row_delete(actor=actor, ticket=ticket, row_id=row.pk,
                                  expected_version=version),
        lambda: ticket_allocation_save(actor=actor, ticket=ticket, allocation=None,
                                       expected_version=version),
        lambda: generate_ticket(client=tw.client, month=DECEMBER),
    ]  # fmt: skip
    for edit in edits:
        with pytest.raises(ValidationError, match="請求済み"):
            edit()
    assert _state(ticket) == before


# --- allocation not summing to the excess -------------------------------------------------


def test_an_allocation_not_summing_to_the_excess_is_refused_with_the_figures(tw, actor) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    TicketRow.objects.create(
        ticket=ticket, provider=tw.home_help, service_code="111311", planned_days=list(range(1, 32)),
        count_per_date=2, starts_at=dt.time(18), ends_at=dt.time(19, 10), order=9,
    )  # fmt: skip
    recompute_and_cache(ticket)
    figures = ticket_figures(ticket)
    excess = figures.result.totals.over_limit_units
    assert excess > 0
    home_help = tw.home_help.provider_number
    wrong = [OverLimitAllocation(home_help, "11", excess - 100)]
    before = _state(ticket)
    with pytest.raises(ValidationError) as error:
        ticket_allocation_save(actor=actor, ticket=ticket, allocation=wrong,
                               expected_version=ticket.version)  # fmt: skip
    text = _messages(error.value)
    assert "allocation" in error.value.message_dict
    assert f"{excess - 100}単位" in text and f"{excess}単位" in text
    assert _state(ticket) == before
    ticket.refresh_from_db()
    assert ticket.over_limit_allocation is None
    right = [OverLimitAllocation(home_help, "11", excess)]
    saved = ticket_allocation_save(actor=actor, ticket=ticket, allocation=right,
                                   expected_version=ticket.version)  # fmt: skip
    assert saved.over_limit_allocation == [
        {"provider_number": home_help, "service_type": "11", "units": excess}
    ]


def test_the_day_checks_cost_a_fixed_number_of_queries(tw, actor) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    row = ticket.rows.get(service_code="111211")

    def toggle_on(day: int) -> int:
        ticket.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            ticket_set_day(actor=actor, ticket=ticket, row_id=row.pk, day=day, on=True,
                           expected_version=ticket.version)  # fmt: skip
        return len(queries.captured_queries)

    few = toggle_on(4)
    for n in range(7):
        TicketRow.objects.create(ticket=ticket, provider=tw.home_help, service_code="117211",
                                 planned_days=[n + 1], starts_at=dt.time(13 + n % 5),
                                 ends_at=dt.time(13 + n % 5, 40), order=20 + n)  # fmt: skip
    assert toggle_on(5) == few
