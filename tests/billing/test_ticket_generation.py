"""Generating the month from the plan (issue 10 §1): calendars of every length, holidays and
closed days, mid-month 区分変更, days without a 認定, hospital stays, a plan revised mid-month,
short stays across a month boundary, rental months, regeneration and its report."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import RowSource, TicketRow
from billing.tickets.generate import generate_ticket
from billing.tickets.services import ticket_set_day
from caremgmt.access import actor_for
from careplans.models import MonthlyService, WeeklyService
from clients.models import HospitalStay
from tests.billing.ticket_world import make_ticket_world
from tests.factories import CarePlanFactory, CertificationFactory, ServiceProviderFactory

NOVEMBER = dt.date(2026, 11, 1)
DECEMBER = dt.date(2026, 12, 1)
JANUARY = dt.date(2027, 1, 1)


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    return make_ticket_world(world.office, world.care_manager)


def _days(ticket, code: str) -> list[int]:  # noqa: ANN001
    return ticket.rows.get(service_code=code).planned_days


def _weekday_dates(month: dt.date, weekdays: set[int]) -> list[int]:
    last = calendar.monthrange(month.year, month.month)[1]
    return [d for d in range(1, last + 1) if month.replace(day=d).isoweekday() in weekdays]


def _end_early(certification, last_day: dt.date) -> None:  # noqa: ANN001
    type(certification).objects.filter(pk=certification.pk).update(ended_on=last_day)


# --- calendars ----------------------------------------------------------------------------

MONTHS = [
    dt.date(2027, 2, 1),  # 28 days
    dt.date(2028, 2, 1),  # 29 days (leap year)
    dt.date(2026, 11, 1),  # 30 days
    dt.date(2026, 12, 1),  # 31 days
    dt.date(2027, 5, 1),  # 31 days, starts on a Saturday
]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    month=st.sampled_from(MONTHS),
    weekdays=st.sets(st.integers(min_value=1, max_value=7), min_size=1, max_size=7),
)
def test_weekdays_become_the_months_dates(world, month, weekdays) -> None:  # noqa: ANN001
    tw = _world_through_2028(world)
    WeeklyService.objects.filter(pk=tw.home_help_row.pk).update(weekdays=sorted(weekdays))
    ticket, _ = generate_ticket(client=tw.client, month=month, reset=True)
    assert _days(ticket, "111211") == _weekday_dates(month, weekdays)
    assert _days(ticket, "171003") == [1]
    assert max(_days(ticket, "111211")) <= calendar.monthrange(month.year, month.month)[1]


_WORLDS: dict[int, object] = {}


def _world_through_2028(world):  # noqa: ANN001, ANN202
    """One client per test (hypothesis re-runs the body in the same transaction), certified
    2026-04-01〜2027-03-31 and renewed 2027-04-01〜2029-03-31."""
    if world.office.pk not in _WORLDS:
        tw = make_ticket_world(world.office, world.care_manager)
        CertificationFactory(client=tw.client, care_level="23",
                             valid_from=dt.date(2027, 4, 1), valid_to=dt.date(2029, 3, 31))  # fmt: skip
        _WORLDS.clear()
        _WORLDS[world.office.pk] = tw
    return _WORLDS[world.office.pk]


@pytest.mark.parametrize(
    ("month", "length"),
    [(dt.date(2027, 2, 1), 28), (dt.date(2028, 2, 1), 29), (NOVEMBER, 30), (DECEMBER, 31)],
)
def test_every_day_of_the_month_length(world, month, length) -> None:  # noqa: ANN001
    tw = _world_through_2028(world)
    WeeklyService.objects.filter(pk=tw.home_help_row.pk).update(weekdays=[1, 2, 3, 4, 5, 6, 7])
    ticket, _ = generate_ticket(client=tw.client, month=month, reset=True)
    assert _days(ticket, "111211") == list(range(1, length + 1))


# --- holidays and closed days --------------------------------------------------------------


def test_public_holidays_of_a_provider_closed_on_holidays(tw) -> None:  # noqa: ANN001
    tw.home_help.closed_on_holidays = True
    tw.home_help.save()
    WeeklyService.objects.filter(pk=tw.home_help_row.pk).update(weekdays=[1, 5])  # Mon, Fri
    ticket, report = generate_ticket(client=tw.client, month=JANUARY)
    # 2027-01-01 (Fri, 元日) and 2027-01-11 (Mon, 成人の日) are left out
    assert _days(ticket, "111211") == [4, 8, 15, 18, 22, 25, 29]
    assert (
        "ヘルパーステーションあおばの祝日休みのため予定を入れなかった日：1日、11日" in report.lines
    )
    # the rental and the day service (not closed on holidays) are unaffected
    assert _days(ticket, "171003") == [1]


def test_november_holidays_and_a_provider_open_on_holidays(tw) -> None:  # noqa: ANN001
    WeeklyService.objects.filter(pk=tw.home_help_row.pk).update(weekdays=[1, 2])  # Mon, Tue
    ticket, _ = generate_ticket(client=tw.client, month=NOVEMBER)
    assert {3, 23} <= set(_days(ticket, "111211"))  # 文化の日 (Tue), 勤労感謝の日 (Mon)
    tw.home_help.closed_on_holidays = True
    tw.home_help.save()
    ticket, report = generate_ticket(client=tw.client, month=NOVEMBER)
    assert not {3, 23} & set(_days(ticket, "111211"))
    assert any(line.startswith("変更：") for line in report.lines)


def test_a_closed_weekday(tw) -> None:  # noqa: ANN001
    tw.day_service.closed_weekdays = [3]
    tw.day_service.save()
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    assert not ticket.rows.filter(provider=tw.day_service).exists()
    assert "デイサービスなごみの定休日のため予定を入れなかった日：2日、9日、16日、23日、30日" in (
        report.lines
    )


def test_a_rental_provider_closed_on_holidays_still_rents_from_the_first(tw) -> None:  # noqa: ANN001
    tw.rental.closed_on_holidays = True
    tw.rental.save()
    ticket, report = generate_ticket(client=tw.client, month=JANUARY)
    assert _days(ticket, "171003") == [1]
    assert not any("福祉用具ひまわりの祝日休み" in line for line in report.lines)


# --- 認定: mid-month 区分変更 and days without one -----------------------------------------


def test_a_mid_month_care_level_change_splits_the_day_service_row(tw) -> None:  # noqa: ANN001
    _end_early(tw.certification, dt.date(2026, 12, 14))
    CertificationFactory(client=tw.client, care_level="24", application_kind="change",
                         valid_from=dt.date(2026, 12, 15), valid_to=dt.date(2027, 6, 30))  # fmt: skip
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    day_rows = ticket.rows.filter(provider=tw.day_service).order_by("order")
    assert [(r.service_code, r.planned_days) for r in day_rows] == [
        ("152443", [2, 9]),
        ("152444", [16, 23, 30]),
    ]
    assert _days(ticket, "111211") == [3, 7, 10, 14, 17, 21, 24, 28, 31]  # no level variants
    assert len(report.added) == 4


def test_days_without_a_certification_get_nothing(tw) -> None:  # noqa: ANN001
    _end_early(tw.certification, dt.date(2026, 12, 15))
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    assert _days(ticket, "111211") == [3, 7, 10, 14]
    assert _days(ticket, "152443") == [2, 9]
    assert _days(ticket, "171003") == [1]
    assert (
        "認定の有効期間外のため予定を入れなかった日：16日、17日、21日、23日、24日、28日、30日、31日"
        in (report.lines)
    )


def test_a_new_client_certified_from_mid_month(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    type(tw.certification).objects.filter(pk=tw.certification.pk).update(
        ended_on=dt.date(2026, 4, 30)
    )
    CertificationFactory(client=tw.client, care_level="23", application_kind="new",
                         valid_from=dt.date(2026, 12, 10), valid_to=dt.date(2027, 5, 31))  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert _days(ticket, "111211") == [10, 14, 17, 21, 24, 28, 31]
    assert _days(ticket, "171003") == [10]


# --- hospital stays -------------------------------------------------------------------------


def test_days_strictly_inside_a_hospital_stay_are_skipped(tw) -> None:  # noqa: ANN001
    HospitalStay.objects.create(client=tw.client, hospital_name="中央病院",
                                admitted_on=dt.date(2026, 12, 3),
                                discharged_on=dt.date(2026, 12, 10))  # fmt: skip
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    assert _days(ticket, "111211") == [3, 10, 14, 17, 21, 24, 28, 31]  # 7 skipped
    assert _days(ticket, "152443") == [2, 16, 23, 30]  # 9 skipped
    assert "入院中のため予定を入れなかった日：7日、9日" in report.lines


def test_a_whole_month_in_hospital_has_no_rows(tw) -> None:  # noqa: ANN001
    HospitalStay.objects.create(client=tw.client, hospital_name="中央病院",
                                admitted_on=dt.date(2026, 11, 20))  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert not ticket.rows.exists()


# --- a plan revised mid-month ---------------------------------------------------------------


def test_a_plan_revision_takes_over_from_its_start_date(tw) -> None:  # noqa: ANN001
    type(tw.plan).objects.filter(pk=tw.plan.pk).update(status="superseded")
    revised = CarePlanFactory(
        client=tw.client, certification=tw.certification, assessment=None,
        status="confirmed", starts_on=dt.date(2026, 12, 16),
        consented_on=dt.date(2026, 12, 15), delivered_on=dt.date(2026, 12, 15),
    )  # fmt: skip
    WeeklyService.objects.create(
        plan=revised, weekdays=[2], starts_at=dt.time(10), ends_at=dt.time(10, 45),
        content="訪問介護", provider=tw.home_help, service_code="111211",
    )  # fmt: skip
    MonthlyService.objects.create(  # the same bed carried over: billed once
        plan=revised, kind="rental", provider=tw.rental, service_code="171003",
        content="特殊寝台", period_from=dt.date(2026, 12, 16), tais_code="00170-000123",
        item_name="楽匠Ｚ", rental_price_yen=12000,
    )  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    home = ticket.rows.filter(provider=tw.home_help).order_by("order")
    assert [r.planned_days for r in home] == [[3, 7, 10, 14], [22, 29]]
    assert _days(ticket, "152443") == [2, 9]  # the revised plan has no day service
    assert ticket.rows.filter(service_code="171003").count() == 1
    assert _days(ticket, "171003") == [1]
    assert ticket.plan == revised


# --- short stays and rental months ----------------------------------------------------------


def test_a_short_stay_across_the_month_boundary(tw) -> None:  # noqa: ANN001
    stay = ServiceProviderFactory(office=tw.client.office, name="ショートステイかえで",
                                  service_types=["21"], closed_weekdays=[7])  # fmt: skip
    MonthlyService.objects.create(
        plan=tw.plan, kind="short_stay", provider=stay, service_code="211131",
        content="短期入所生活介護", period_from=dt.date(2026, 11, 25),
        period_to=dt.date(2026, 12, 5),
    )  # fmt: skip
    november, _ = generate_ticket(client=tw.client, month=NOVEMBER)
    december, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert november.rows.get(provider=stay).planned_days == [25, 26, 27, 28, 29, 30]
    row = december.rows.get(provider=stay)
    assert row.planned_days == [1, 2, 3, 4, 5]  # Sunday 29 Nov kept: a stay is not a visit
    assert row.source == RowSource.SHORT_STAY and row.starts_at is None
    november.refresh_from_db()
    assert november.short_stay_last_run_days == 6


def test_rental_months_follow_the_items_period(tw) -> None:  # noqa: ANN001
    MonthlyService.objects.filter(pk=tw.rental_item.pk).update(period_to=dt.date(2026, 11, 15))
    MonthlyService.objects.create(
        plan=tw.plan, kind="rental", provider=tw.rental, service_code="171007",
        content="手すり", period_from=dt.date(2026, 12, 10), tais_code="00200-000001",
        item_name="たよれーる", rental_price_yen=3000,
    )  # fmt: skip
    november, _ = generate_ticket(client=tw.client, month=NOVEMBER)
    december, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert november.rows.filter(service_code="171003").exists()
    assert not november.rows.filter(service_code="171007").exists()
    assert not december.rows.filter(service_code="171003").exists()
    rail = december.rows.get(service_code="171007")
    assert rail.planned_days == [10]
    assert (rail.tais_code, rail.item_name, rail.rental_price_yen) == (
        "00200-000001",
        "たよれーる",
        3000,
    )


# --- regeneration ---------------------------------------------------------------------------


def test_regeneration_keeps_edited_and_manual_rows_unless_reset(world, tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    actor = actor_for(world.care_manager)
    row = ticket.rows.get(service_code="111211")
    ticket = ticket_set_day(actor=actor, ticket=ticket, row_id=row.pk, day=3, on=False,
                            expected_version=ticket.version)  # fmt: skip
    manual = TicketRow.objects.create(ticket=ticket, provider=tw.home_help,
                                      service_code="117211", planned_days=[5], order=50)  # fmt: skip
    WeeklyService.objects.filter(pk=tw.home_help_row.pk).update(weekdays=[1])
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    row.refresh_from_db()
    assert 3 not in row.planned_days and 10 in row.planned_days  # kept as edited
    assert TicketRow.objects.filter(pk=manual.pk).exists()
    kept = [line for line in report.lines if line.startswith("手修正を保持：")]
    assert len(kept) == 2
    assert report.is_empty
    version = ticket.version
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER, reset=True)
    row.refresh_from_db()
    assert row.planned_days == [7, 14, 21, 28] and not row.edited
    assert not TicketRow.objects.filter(pk=manual.pk).exists()
    assert any(line.startswith("変更：10:00 訪問介護（入浴介助）") for line in report.lines)
    assert any(line.startswith("削除：") and "117211" in line for line in report.lines)
    assert ticket.version == version + 1


def test_the_report_names_added_and_removed_rows(tw) -> None:  # noqa: ANN001
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    assert sorted(line.split("：")[0] for line in report.lines) == ["追加", "追加", "追加"]
    assert "追加：09:30 通所介護（デイサービスなごみ・152443）" in report.lines
    version = ticket.version
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    assert report.is_empty and ticket.version == version  # nothing changed, no new version
    tw.day_service_row.delete()
    ticket, report = generate_ticket(client=tw.client, month=DECEMBER)
    assert report.lines == ["削除：09:30 通所介護（デイサービスなごみ・152443）"]
    assert ticket.version == version + 1
