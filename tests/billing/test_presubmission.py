"""Pre-submission check (返戻予防): each problem from a fixture, blocking vs warnings,
acknowledgement, scoping and a query count that does not grow with the month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import (
    ActualsStatus,
    BenefitManagementSheet,
    ProviderActuals,
    TicketCheckAcknowledgement,
)
from billing.presubmission import acknowledge_problem, check_month
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from caremgmt.models import AccessLog
from clients.models import BurdenRatio, HospitalStay, PlanRequestFiling
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)


def _clean_month(world, care_manager=None):  # noqa: ANN001, ANN202
    """A client-month with nothing wrong: 届出, 実績 = 予定, every provider 確定."""
    tw = make_ticket_world(world.office, care_manager or world.care_manager)
    PlanRequestFiling.objects.create(client=tw.client, filed_on=dt.date(2026, 4, 1))
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    for row in ticket.rows.all():
        row.actual_days = list(row.planned_days)
        row.actual_recorded = True
        row.save()
    for provider_id in set(ticket.rows.values_list("provider_id", flat=True)):
        ProviderActuals.objects.create(
            ticket=ticket, provider_id=provider_id, status=ActualsStatus.CONFIRMED
        )
    return tw, ticket


def _rules(result) -> list[str]:  # noqa: ANN001
    return sorted(p.rule for p in result.problems)


def test_a_clean_month_can_be_submitted(world) -> None:  # noqa: ANN001
    _clean_month(world)
    result = check_month(world.office, DECEMBER)
    assert result.problems == [] and result.can_submit and result.ticket_count == 1


def test_missing_register_facts_and_unconfirmed_actuals_block(world) -> None:  # noqa: ANN001
    tw, ticket = _clean_month(world)
    PlanRequestFiling.objects.all().delete()
    BurdenRatio.objects.filter(client=tw.client).delete()
    ProviderActuals.objects.filter(ticket=ticket, provider=tw.rental).update(
        status=ActualsStatus.DIFFERS
    )
    result = check_month(world.office, DECEMBER)
    assert _rules(result) == ["actuals_unconfirmed", "burden_missing", "filing_missing"]
    assert not result.can_submit and len(result.blocking) == 3
    unconfirmed = next(p for p in result.problems if p.rule == "actuals_unconfirmed")
    assert tw.rental.name in unconfirmed.message and "差異あり" in unconfirmed.message


def test_certification_missing_and_malformed_numbers(world) -> None:  # noqa: ANN001
    tw, _ticket = _clean_month(world)
    tw.certification.superseded_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    type(tw.certification).objects.filter(pk=tw.certification.pk).update(
        superseded_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    # the database refuses a malformed number; a blank one (申請前) is allowed but not billable
    type(tw.client).objects.filter(pk=tw.client.pk).update(insured_number="")
    result = check_month(world.office, DECEMBER)
    assert "certification_missing" in _rules(result)
    malformed = [p for p in result.problems if p.rule == "number_malformed"]
    assert malformed and "被保険者番号「（空欄）」" in malformed[0].message
    assert malformed[0].fix == "client"


def test_actuals_over_plan_is_a_warning_that_can_be_acknowledged(world) -> None:  # noqa: ANN001
    _tw, ticket = _clean_month(world)
    row = ticket.rows.get(service_code="111211")
    row.actual_days = sorted({*row.actual_days, 5})
    row.save()
    result = check_month(world.office, DECEMBER)
    assert _rules(result) == ["actuals_over_plan"]
    warning = result.problems[0]
    assert not warning.blocking and not result.can_submit  # open warning
    actor = actor_for(world.clerk)
    with pytest.raises(ValidationError):
        acknowledge_problem(
            actor=actor, ticket=ticket, rule=warning.rule, subject_key=warning.subject_key, note=""
        )
    acknowledge_problem(
        actor=actor,
        ticket=ticket,
        rule=warning.rule,
        subject_key=warning.subject_key,
        note="事業所に確認済み。12/5の臨時訪問は利用者の希望",
    )
    result = check_month(world.office, DECEMBER)
    assert result.problems[0].acknowledged and result.can_submit
    with pytest.raises(ValidationError):  # once only
        acknowledge_problem(
            actor=actor,
            ticket=ticket,
            rule=warning.rule,
            subject_key=warning.subject_key,
            note="again",
        )


def test_blocking_problems_cannot_be_acknowledged(world) -> None:  # noqa: ANN001
    _tw, ticket = _clean_month(world)
    PlanRequestFiling.objects.all().delete()
    with pytest.raises(ValidationError):
        acknowledge_problem(
            actor=actor_for(world.manager),
            ticket=ticket,
            rule="filing_missing",
            subject_key="",
            note="後で出す",
        )
    assert not TicketCheckAcknowledgement.objects.exists()


def test_invalid_code_hospital_all_month_and_sheet_over_limit(world) -> None:  # noqa: ANN001
    tw, ticket = _clean_month(world)
    row = ticket.rows.get(service_code="111211")
    type(row).objects.filter(pk=row.pk).update(service_code="119999")
    HospitalStay.objects.create(
        client=tw.client, hospital_name="中央病院", admitted_on=dt.date(2026, 11, 20)
    )
    BenefitManagementSheet.objects.create(
        ticket=ticket,
        kind="1",
        created_on=dt.date(2027, 1, 5),
        insurer_number="00131011",
        insured_number=tw.client.insured_number,
        care_level="23",
        limit_units=27048,
        limit_from=dt.date(2026, 4, 1),
        limit_to=dt.date(2027, 3, 31),
        total_units=30000,
    )
    rules = _rules(check_month(world.office, DECEMBER))
    assert {"code_invalid", "hospital_all_month", "sheet_over_limit"} <= set(rules)


def test_query_count_does_not_grow_with_the_month(world, django_assert_max_num_queries) -> None:  # noqa: ANN001
    _clean_month(world)
    with django_assert_max_num_queries(20) as one:
        check_month(world.office, DECEMBER)
    measured = len(one.captured_queries)
    for _ in range(3):
        _clean_month(world)
    with django_assert_max_num_queries(measured):
        assert check_month(world.office, DECEMBER).ticket_count == 4


def test_page_scoping_and_access_log(world, login) -> None:  # noqa: ANN001
    _clean_month(world)  # the care manager's
    _tw, other = _clean_month(world, world.colleague)
    PlanRequestFiling.objects.filter(client=other.client).delete()
    url = reverse("billing:presubmission") + "?month=2026-12"
    before = AccessLog.objects.count()
    mine = login(world.care_manager).get(url).content.decode()
    assert other.client.name not in mine and "提出を止める問題はありません" in mine
    office = login(world.clerk).get(url).content.decode()
    assert other.client.name in office and "届出" in office
    assert AccessLog.objects.count() == before + 2
    outsider = login(world.outsider).get(url).content.decode()
    assert other.client.name not in outsider


def test_ack_route_refuses_invisible_tickets_and_auditors(world, login) -> None:  # noqa: ANN001
    _tw, ticket = _clean_month(world, world.colleague)
    row = ticket.rows.get(service_code="111211")
    row.actual_days = sorted({*row.actual_days, 5})
    row.save()
    data = {
        "ticket": ticket.pk,
        "rule": "actuals_over_plan",
        "subject_key": f"row:{row.pk}",
        "note": "確認",
    }
    url = reverse("billing:presubmission_ack")
    assert login(world.outsider).post(url, data).status_code == 404
    assert login(world.care_manager).post(url, data).status_code == 404  # colleague's client
    assert login(world.auditor).post(url, data).status_code == 404  # read-only role
    assert not TicketCheckAcknowledgement.objects.exists()
    assert login(world.colleague).post(url, data).status_code == 302
    assert TicketCheckAcknowledgement.objects.get().rule == "presubmit:actuals_over_plan"


def test_unconfirmed_actuals_link_to_the_reconciliation_of_that_provider(world, login) -> None:  # noqa: ANN001
    tw, ticket = _clean_month(world)
    ProviderActuals.objects.filter(ticket=ticket, provider=tw.rental).update(
        status=ActualsStatus.RECEIVED
    )
    problem = next(p for p in check_month(world.office, DECEMBER).problems)
    assert (problem.rule, problem.fix, problem.provider_id) == (
        "actuals_unconfirmed",
        "actuals",
        tw.rental.pk,
    )
    html = login(world.clerk).get(reverse("billing:presubmission") + "?month=2026-12")
    link = reverse("billing:ticket_actuals", args=[ticket.pk]) + f"#provider-{tw.rental.pk}"
    assert f'<a href="{link}">実績の照合</a>' in html.content.decode()


def test_a_month_without_tickets_is_not_overdue(world, login) -> None:  # noqa: ANN001
    html = login(world.clerk).get(reverse("billing:presubmission") + "?month=2020-01")
    body = html.content.decode()
    assert "この月に提出するものはありません" in body and "過ぎています" not in body
