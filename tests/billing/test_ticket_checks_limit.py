"""計画のチェック beside an over-limit ticket: the excess is named (QA: 「指摘事項はありません」
was shown while the ticket was 13,972単位 over), a warning while 超過分の振り分け is not
chosen, a plain line once it is saved; the section reloads after a change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.tickets.acknowledge import acknowledge_warning
from billing.tickets.checks import ticket_warnings
from billing.tickets.compute import ticket_figures
from caremgmt.access import actor_for
from tests.billing.editor_helpers import december_ticket, push_over_limit

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _over_limit(world):  # noqa: ANN001, ANN202
    tw, ticket = december_ticket(world)
    return tw, push_over_limit(ticket, tw)


def test_a_month_within_the_limit_has_no_over_limit_finding(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    assert ticket.over_limit_units == 0
    assert "over_limit_allocation" not in {
        w.rule for w in ticket_warnings(ticket, ticket_figures(ticket))
    }
    body = login(world.care_manager).get(reverse("billing:ticket", args=[ticket.pk]))
    assert 'class="check-limit"' not in body.content.decode()


def test_over_limit_without_allocation_is_a_warning(world, login) -> None:  # noqa: ANN001
    _tw, ticket = _over_limit(world)
    excess = ticket.over_limit_units
    found = [
        w
        for w in ticket_warnings(ticket, ticket_figures(ticket))
        if w.rule == "over_limit_allocation"
    ]
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].subject_key == str(excess)
    assert f"区分支給限度基準額を{excess:,}単位超えています" in found[0].message
    assert "振り分けが未選択" in found[0].message
    html = login(world.care_manager).get(reverse("billing:ticket", args=[ticket.pk]))
    body = html.content.decode()
    assert "指摘事項はありません" not in body
    assert 'data-rule="over_limit_allocation"' in body


def test_acknowledging_keeps_the_default_order_for_this_excess(world) -> None:  # noqa: ANN001
    _tw, ticket = _over_limit(world)
    acknowledge_warning(
        actor=actor_for(world.care_manager),
        ticket=ticket,
        rule="over_limit_allocation",
        subject_key=str(ticket.over_limit_units),
        note="利用者と相談し既定の順で了承",
    )
    (warning,) = [
        w
        for w in ticket_warnings(ticket, ticket_figures(ticket))
        if w.rule == "over_limit_allocation"
    ]
    assert warning.acknowledged


def test_a_saved_allocation_ends_the_warning_and_the_excess_is_still_named(world, login) -> None:  # noqa: ANN001
    tw, ticket = _over_limit(world)
    excess = ticket.over_limit_units
    http = login(world.care_manager)
    day = tw.day_service.provider_number
    home = tw.home_help.provider_number
    saved = http.post(
        reverse("billing:ticket_allocation", args=[ticket.pk]),
        {
            "version": ticket.version,
            f"units_{home}_11": 0,
            f"units_{day}_15": excess,
            "action": "save",
        },
        headers=HTMX,
    )
    assert saved.status_code == 200 and saved["HX-Trigger"] == "ticketChanged"
    ticket.refresh_from_db()
    assert "over_limit_allocation" not in {
        w.rule for w in ticket_warnings(ticket, ticket_figures(ticket))
    }
    # the section reloads on ticketChanged and names the excess with its saved 振り分け
    panel = http.get(reverse("billing:ticket_checks", args=[ticket.pk]), headers=HTMX)
    body = panel.content.decode()
    assert 'hx-trigger="ticketChanged from:body"' in body
    assert f"区分支給限度基準額を<strong>{excess:,}単位</strong>超えています" in body
    assert "超過分の振り分けは保存済みです" in body
    assert "指摘事項はありません" not in body or "ほかに指摘事項はありません" in body
