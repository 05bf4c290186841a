"""Plan checks on the ticket (issue 10 §4): every rule triggered by a fixture, and quiet on
the clean month; acknowledgement by (rule, subject)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import RentalPriceCap, ServiceTicket, TicketRow
from billing.tickets.checks import HOUSEWORK_FILING_COUNTS, RULE_NAMES, ticket_warnings
from billing.tickets.compute import recompute_and_cache, ticket_figures
from billing.tickets.generate import generate_ticket
from tests.billing.ticket_world import make_ticket_world
from tests.factories import CertificationFactory, ServiceProviderFactory

DECEMBER = dt.date(2026, 12, 1)
NOVEMBER = dt.date(2026, 11, 1)


def _fit_home_help(tw) -> None:  # noqa: ANN001
    """10:00–10:45 fits 身体介護2 (30分以上1時間未満); the world's 10:00–11:00 does not."""
    tw.home_help_row.ends_at = dt.time(10, 45)
    tw.home_help_row.save()


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    tw = make_ticket_world(world.office, world.care_manager)
    _fit_home_help(tw)
    return tw


def _end_early(certification, last_day: dt.date) -> None:  # noqa: ANN001
    type(certification).objects.filter(pk=certification.pk).update(ended_on=last_day)


def _warnings(ticket: ServiceTicket) -> list:
    return ticket_warnings(ticket, ticket_figures(ticket))


def _rules(ticket: ServiceTicket) -> dict[str, list]:
    found: dict[str, list] = {}
    for warning in _warnings(ticket):
        found.setdefault(warning.rule, []).append(warning)
    return found


def _add_row(ticket: ServiceTicket, provider, code: str, days, **extra) -> TicketRow:  # noqa: ANN001, ANN003
    row = TicketRow.objects.create(
        ticket=ticket,
        provider=provider,
        service_code=code,
        planned_days=list(days),
        order=90,
        **extra,
    )
    recompute_and_cache(ticket)
    return row


def test_a_clean_month_has_no_findings(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert _warnings(ticket) == []


def test_the_query_count_is_fixed(tw, django_assert_max_num_queries) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    _add_row(ticket, tw.home_help, "117211", range(1, 32), starts_at=dt.time(14))
    figures = ticket_figures(ticket)
    with django_assert_max_num_queries(3):
        ticket_warnings(ticket, figures)


# --- 軽度者の福祉用具貸与 ---------------------------------------------------------------


def test_light_care_rental_warns_without_an_exception(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level="21")
    _fit_home_help(tw)
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    found = _rules(ticket)["light_care_rental"]
    assert len(found) == 1
    assert "要介護1" in found[0].message and "特殊寝台" in found[0].message
    assert found[0].rule_name == RULE_NAMES["light_care_rental"]
    assert found[0].subject_key == "171003:00170-000123"
    tw.rental_item.light_care_exception_on = dt.date(2026, 11, 20)
    tw.rental_item.light_care_exception_note = "医師の意見（11月20日）、保険者確認済"
    tw.rental_item.save()
    assert "light_care_rental" not in _rules(ticket)


def test_light_care_exception_recorded_after_the_month_does_not_count(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level="21")
    tw.rental_item.light_care_exception_on = dt.date(2027, 1, 5)
    tw.rental_item.save()
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert "light_care_rental" in _rules(ticket)


def test_light_care_rental_is_fine_for_care_level_2(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level="22")
    _fit_home_help(tw)
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert "light_care_rental" not in _rules(ticket)


@pytest.mark.parametrize(("care_level", "warns"), [("23", True), ("24", False)])
def test_excretion_device_below_care_level_4(world, care_level, warns) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level=care_level)
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    _add_row(ticket, tw.rental, "171013", [1], rental_price_yen=9000, tais_code="00999-000001")
    found = _rules(ticket).get("light_care_rental", [])
    assert bool(found) is warns
    if warns:
        assert "自動排泄処理装置" in found[0].message


# --- 貸与価格の上限 -----------------------------------------------------------------------


def test_rental_price_above_the_cap(tw) -> None:  # noqa: ANN001
    RentalPriceCap.objects.create(
        tais_code="00170-000123", cap_yen=11000, valid_from=dt.date(2024, 10, 1)
    )
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    found = _rules(ticket)["rental_price_cap"]
    assert "12,000円" in found[0].message and "11,000円" in found[0].message


def test_rental_price_cap_in_force_on_the_first_is_used(tw) -> None:  # noqa: ANN001
    RentalPriceCap.objects.create(
        tais_code="00170-000123", cap_yen=11000, valid_from=dt.date(2024, 10, 1),
        valid_to=dt.date(2026, 11, 30),
    )  # fmt: skip
    RentalPriceCap.objects.create(
        tais_code="00170-000123", cap_yen=12500, valid_from=dt.date(2026, 12, 1)
    )
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert "rental_price_cap" not in _rules(ticket)


# --- 生活援助中心型の回数 --------------------------------------------------------------------


def test_housework_visits_reaching_the_filing_count(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level="21")
    tw.rental_item.delete()
    _fit_home_help(tw)
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    row = _add_row(
        ticket, tw.home_help, "117211", range(1, 27),
        starts_at=dt.time(15), ends_at=dt.time(15, 40),
    )  # fmt: skip
    assert "housework_filing" not in _rules(ticket)  # 26 < 27
    row.planned_days = list(range(1, 28))
    row.save()
    found = _rules(ticket)["housework_filing"]
    assert "月27回" in found[0].message and "27回以上" in found[0].message
    assert found[0].subject_key == "21"


def test_body_care_codes_do_not_count_as_housework(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level="21")
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    _add_row(
        ticket, tw.home_help, "114111", range(1, 32),
        starts_at=dt.time(15), ends_at=dt.time(16, 10),
    )  # fmt: skip
    assert "housework_filing" not in _rules(ticket)


# --- 限度額の7割・訪問介護6割 ------------------------------------------------------------------


def test_limit_share_with_mostly_home_help(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level="21")
    _fit_home_help(tw)
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    _add_row(
        ticket, tw.home_help, "111211", range(1, 32),
        starts_at=dt.time(18), ends_at=dt.time(18, 45),
    )  # fmt: skip
    found = _rules(ticket)["limit_share_filing"]
    assert "訪問介護" in found[0].message


def test_limit_share_not_reached(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert "limit_share_filing" not in _rules(ticket)


# --- 短期入所の半数 ------------------------------------------------------------------------------


def test_short_stay_beyond_half_the_certification_period(world) -> None:  # noqa: ANN001
    from careplans.models import MonthlyService

    tw = make_ticket_world(world.office, world.care_manager)
    _fit_home_help(tw)
    # 区分変更 from November: a new 92-day period (half is 46 days)
    _end_early(tw.certification, dt.date(2026, 10, 31))
    CertificationFactory(client=tw.client, care_level="23", application_kind="change",
                         valid_from=dt.date(2026, 11, 1), valid_to=dt.date(2027, 1, 31))  # fmt: skip
    stay = ServiceProviderFactory(office=world.office, name="ショートステイかえで",
                                  service_types=["21"])  # fmt: skip
    MonthlyService.objects.create(
        plan=tw.plan, kind="short_stay", provider=stay, service_code="211131",
        content="短期入所生活介護", period_from=dt.date(2026, 11, 5),
        period_to=dt.date(2026, 11, 29),
    )  # fmt: skip
    generate_ticket(client=tw.client, month=NOVEMBER)  # 25 days, cached for December
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert "short_stay_half" not in _rules(ticket)
    MonthlyService.objects.create(
        plan=tw.plan, kind="short_stay", provider=stay, service_code="211131",
        content="短期入所生活介護", period_from=dt.date(2026, 12, 10),
        period_to=dt.date(2026, 12, 31),
    )  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    found = _rules(ticket)["short_stay_half"]
    assert "理由書" in found[0].message and "47日" in found[0].message
    assert found[0].subject_key == "20261101"


# --- 提供時間帯 ---------------------------------------------------------------------------------


def test_a_time_band_that_does_not_fit_the_code(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)  # 10:00–11:00 for 身体介護2
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    found = _rules(ticket)["time_band"]
    assert len(found) == 1
    assert "111211" in found[0].message and "1時間" in found[0].message


# --- engine: a code invalid for the date's level or the month ----------------------------


def test_a_code_for_another_level_is_an_error(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    _add_row(ticket, tw.day_service, "152441", [4], starts_at=dt.time(9, 30),
             ends_at=dt.time(16, 30))  # fmt: skip
    found = _rules(ticket)["code_validity"]
    assert found[0].severity == "error"
    assert "152441" in found[0].message
    assert _warnings(ticket)[0].severity == "error"  # errors first


def test_an_unknown_code_is_an_error(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    _add_row(ticket, tw.home_help, "119999", [4])
    found = _rules(ticket)["code_validity"]
    assert found[0].severity == "error" and "119999" in found[0].message


def test_days_outside_the_certification_are_an_error(tw) -> None:  # noqa: ANN001
    _end_early(tw.certification, dt.date(2026, 12, 15))
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    row = ticket.rows.get(service_code="111211")
    row.planned_days = [*row.planned_days, 17, 21]
    row.save()
    found = _rules(ticket)["code_validity"]
    assert any("有効期間外" in w.message for w in found)


# --- closed days and overlapping visits ---------------------------------------------------


def test_a_visit_on_a_closed_weekday(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    tw.day_service.closed_weekdays = [3]
    tw.day_service.save()
    found = _rules(ticket)["closed_day"]
    assert "2日、9日、16日、23日、30日は定休日（水曜日）" in found[0].message
    assert found[0].day == 2


def test_a_visit_on_a_holiday_of_a_provider_closed_on_holidays(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=NOVEMBER)
    assert 23 in ticket.rows.get(service_code="111211").planned_days  # 勤労感謝の日 (Mon)
    tw.home_help.closed_on_holidays = True
    tw.home_help.save()
    found = _rules(ticket)["closed_day"]
    assert "23日は祝日（祝日休み）" in found[0].message


def test_overlapping_visits_of_the_same_provider(tw) -> None:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    _add_row(ticket, tw.home_help, "117211", [7, 8],
             starts_at=dt.time(10, 30), ends_at=dt.time(11, 0))  # fmt: skip
    found = _rules(ticket)["overlapping_visits"]
    assert len(found) == 1 and "7日に重なっています" in found[0].message
    # another provider at the same time is fine
    other = ServiceProviderFactory(office=tw.client.office, service_types=["11"])
    TicketRow.objects.filter(ticket=ticket, service_code="117211").update(provider=other)
    assert "overlapping_visits" not in _rules(ticket)


def test_light_care_applies_when_the_level_drops_mid_month(world) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager, care_level="22")
    _fit_home_help(tw)
    _end_early(tw.certification, dt.date(2026, 12, 14))
    CertificationFactory(client=tw.client, care_level="21", application_kind="change",
                         valid_from=dt.date(2026, 12, 15), valid_to=dt.date(2027, 6, 30))  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    found = _rules(ticket)["light_care_rental"]
    assert "要介護1" in found[0].message


def test_a_short_stay_on_the_facilitys_closed_day_is_not_a_visit(tw) -> None:  # noqa: ANN001
    from careplans.models import MonthlyService

    stay = ServiceProviderFactory(office=tw.client.office, service_types=["21"],
                                  closed_weekdays=[7], closed_on_holidays=True)  # fmt: skip
    MonthlyService.objects.create(
        plan=tw.plan, kind="short_stay", provider=stay, service_code="211131",
        content="短期入所生活介護", period_from=dt.date(2026, 12, 5),
        period_to=dt.date(2026, 12, 8),
    )  # fmt: skip
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    assert ticket.rows.get(provider=stay).planned_days == [5, 6, 7, 8]  # Sunday 6 included
    assert "closed_day" not in _rules(ticket)


_HOUSEWORK: dict[int, object] = {}


@pytest.mark.django_db
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    level=st.sampled_from(["21", "22", "23", "24", "25"]),
    days=st.integers(min_value=0, max_value=31),
    per_day=st.integers(min_value=1, max_value=2),
)
def test_housework_warns_exactly_from_the_filing_count(world, level, days, per_day) -> None:  # noqa: ANN001
    """Property: the warning appears iff planned 生活援助 visits ≥ the level's count."""
    key = (world.office.pk, level)
    if key not in _HOUSEWORK:
        tw = make_ticket_world(world.office, world.care_manager, care_level=level)
        tw.rental_item.delete()
        _fit_home_help(tw)
        ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
        row = _add_row(ticket, tw.home_help, "117311", [], starts_at=dt.time(16),
                       ends_at=dt.time(16, 50))  # fmt: skip
        _HOUSEWORK[key] = (ticket, row)
    ticket, row = _HOUSEWORK[key]
    TicketRow.objects.filter(pk=row.pk).update(
        planned_days=list(range(1, days + 1)), count_per_date=per_day
    )
    warned = "housework_filing" in _rules(ticket)
    assert warned == (days * per_day >= HOUSEWORK_FILING_COUNTS[level])
