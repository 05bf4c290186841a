"""Acknowledging a plan-check warning: plan writers and 管理者, once per (rule, subject),
never an error; the panel and its routes are scoped and logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from billing.models import TicketCheckAcknowledgement, TicketRow
from billing.tickets.acknowledge import acknowledge_warning
from billing.tickets.checks import ticket_warnings
from billing.tickets.compute import recompute_and_cache, ticket_figures
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from caremgmt.models import AccessLog
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)
TIME_BAND_KEY = "111211:1000-1100"  # the world's 10:00–11:00 身体介護2 does not fit


@pytest.fixture
def ticket(world):  # noqa: ANN001, ANN201
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    return ticket


def _warning(ticket, rule):  # noqa: ANN001, ANN202
    return next(w for w in ticket_warnings(ticket, ticket_figures(ticket)) if w.rule == rule)


@pytest.mark.parametrize("role", ["care_manager", "chief", "manager"])
def test_plan_writers_and_the_manager_acknowledge(world, ticket, role) -> None:  # noqa: ANN001
    if role == "chief":
        ticket.client.deputy_care_manager = world.chief
        ticket.client.save(update_fields=["deputy_care_manager"])
    staff = getattr(world, role)
    version = ticket.version
    acknowledge_warning(
        actor=actor_for(staff),
        ticket=ticket,
        rule="time_band",
        subject_key=TIME_BAND_KEY,
        note="事業所と確認済み。実際は45分で提供。",
    )
    warning = _warning(ticket, "time_band")
    assert warning.acknowledged
    assert warning.acknowledged_note == "事業所と確認済み。実際は45分で提供。"
    assert warning.acknowledged_by == staff.full_name
    ticket.refresh_from_db()
    assert ticket.version == version  # content unchanged: the editor's version stays valid


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_are_refused(world, ticket, role) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        acknowledge_warning(
            actor=actor_for(getattr(world, role)),
            ticket=ticket,
            rule="time_band",
            subject_key=TIME_BAND_KEY,
            note="x",
        )
    assert not TicketCheckAcknowledgement.objects.exists()


def test_a_second_acknowledgement_names_the_first(world, ticket) -> None:  # noqa: ANN001
    acknowledge_warning(
        actor=actor_for(world.care_manager),
        ticket=ticket,
        rule="time_band",
        subject_key=TIME_BAND_KEY,
        note="確認済み",
    )
    with pytest.raises(ValidationError, match="担当 花子さんが確認済み"):
        acknowledge_warning(
            actor=actor_for(world.manager),
            ticket=ticket,
            rule="time_band",
            subject_key=TIME_BAND_KEY,
            note="もう一度",
        )
    assert TicketCheckAcknowledgement.objects.count() == 1


def test_note_is_required_and_unknown_warnings_are_refused(world, ticket) -> None:  # noqa: ANN001
    actor = actor_for(world.care_manager)
    with pytest.raises(ValidationError) as error:
        acknowledge_warning(
            actor=actor, ticket=ticket, rule="time_band", subject_key=TIME_BAND_KEY, note=" "
        )
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError, match="現在の利用票にはありません"):
        acknowledge_warning(
            actor=actor, ticket=ticket, rule="time_band", subject_key="nothing", note="x"
        )
    assert not TicketCheckAcknowledgement.objects.exists()


def test_an_error_cannot_be_acknowledged(world, ticket) -> None:  # noqa: ANN001
    TicketRow.objects.create(
        ticket=ticket, provider=ticket.rows.first().provider, service_code="119999",
        planned_days=[4],
    )  # fmt: skip
    recompute_and_cache(ticket)
    error = _warning(ticket, "code_validity")
    with pytest.raises(ValidationError, match="エラーのため"):
        acknowledge_warning(
            actor=actor_for(world.care_manager),
            ticket=ticket,
            rule=error.rule,
            subject_key=error.subject_key,
            note="x",
        )


def test_a_claimed_month_is_refused(world, ticket) -> None:  # noqa: ANN001
    from django.utils import timezone

    type(ticket).objects.filter(pk=ticket.pk).update(claimed_at=timezone.now())
    with pytest.raises(ValidationError, match="請求済み"):
        acknowledge_warning(
            actor=actor_for(world.care_manager),
            ticket=ticket,
            rule="time_band",
            subject_key=TIME_BAND_KEY,
            note="x",
        )


def test_the_acknowledgement_survives_regeneration_but_not_a_new_finding(world, ticket) -> None:  # noqa: ANN001
    acknowledge_warning(
        actor=actor_for(world.care_manager),
        ticket=ticket,
        rule="time_band",
        subject_key=TIME_BAND_KEY,
        note="確認済み",
    )
    ticket, _ = generate_ticket(client=ticket.client, month=DECEMBER, reset=True)
    assert _warning(ticket, "time_band").acknowledged
    ticket.rows.filter(service_code="111211").update(ends_at=dt.time(11, 30))
    assert not _warning(ticket, "time_band").acknowledged


# --- views --------------------------------------------------------------------------------


def test_the_panel_lists_warnings_and_logs_the_access(world, login, ticket) -> None:  # noqa: ANN001
    url = reverse("billing:ticket_checks", args=[ticket.pk])
    response = login(world.care_manager).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "提供時間帯とサービスコードの所要時間" in body
    assert "確認済みにする" in body
    assert AccessLog.objects.filter(client_id=ticket.client_id, subject_id=ticket.pk).exists()
    partial = login(world.care_manager).get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()


def test_the_auditor_sees_the_panel_without_the_form(world, login, ticket) -> None:  # noqa: ANN001
    body = login(world.auditor).get(reverse("billing:ticket_checks", args=[ticket.pk]))
    assert "提供時間帯とサービスコードの所要時間" in body.content.decode()
    assert "確認済みにする" not in body.content.decode()


def test_acknowledge_by_htmx_swaps_the_panel(world, login, ticket) -> None:  # noqa: ANN001
    url = reverse("billing:ticket_check_ack", args=[ticket.pk])
    data = {"rule": "time_band", "subject_key": TIME_BAND_KEY, "note": "事業所確認済み"}
    response = login(world.care_manager).post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "確認者：担当 花子" in body and "事業所確認済み" in body
    again = login(world.manager).post(url, data)
    assert again.status_code == 400 and "確認済みにしています" in again.content.decode()
    assert TicketCheckAcknowledgement.objects.count() == 1


def test_acknowledge_without_js_redirects(world, login, ticket) -> None:  # noqa: ANN001
    url = reverse("billing:ticket_check_ack", args=[ticket.pk])
    data = {"rule": "time_band", "subject_key": TIME_BAND_KEY, "note": "確認"}
    response = login(world.care_manager).post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:ticket_checks", args=[ticket.pk])


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_acknowledge_view_refuses_clerk_and_auditor(world, login, ticket, role) -> None:  # noqa: ANN001
    url = reverse("billing:ticket_check_ack", args=[ticket.pk])
    data = {"rule": "time_band", "subject_key": TIME_BAND_KEY, "note": "確認"}
    assert login(getattr(world, role)).post(url, data).status_code == 403
    assert not TicketCheckAcknowledgement.objects.exists()


def test_acknowledge_view_refuses_strangers(world, login, ticket) -> None:  # noqa: ANN001
    url = reverse("billing:ticket_check_ack", args=[ticket.pk])
    data = {"rule": "time_band", "subject_key": TIME_BAND_KEY, "note": "確認"}
    for stranger in (world.colleague, world.outsider):
        assert login(stranger).post(url, data).status_code == 404
    assert not TicketCheckAcknowledgement.objects.exists()
