"""The month list, the client-month entry point, the client tab and the editor page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.calc import calculate_client_month
from billing.fee_schedule import fee_schedule_from_database
from billing.models import ServiceTicket
from billing.tickets.generate import generate_ticket
from billing.tickets.inputs import client_month_for, load_register, ticket_rows
from billing.views.editor import default_month
from caremgmt.models import AccessLog
from tests.billing.editor_helpers import DECEMBER, december_ticket, figure, push_over_limit
from tests.billing.ticket_world import make_ticket_world

pytestmark = pytest.mark.django_db


def test_default_month_turns_on_the_20th() -> None:
    assert default_month(dt.date(2026, 11, 19)) == dt.date(2026, 11, 1)
    assert default_month(dt.date(2026, 11, 20)) == dt.date(2026, 12, 1)
    assert default_month(dt.date(2026, 12, 25)) == dt.date(2027, 1, 1)


def test_editor_figures_equal_the_engine(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    response = login(world.care_manager).get(reverse("billing:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    direct = calculate_client_month(
        client_month_for(ticket, ticket_rows(ticket), load_register(ticket)),
        fee_schedule_from_database(),
    )
    assert figure(html, "used") == str(direct.totals.limit_target_units)
    assert figure(html, "limit") == str(direct.limit_units) == "27048"
    assert figure(html, "copay") == f"{direct.totals.user_copay}円"
    assert figure(html, "full-pay") == f"{direct.totals.user_full_pay}円"
    assert figure(html, "user-charge") == f"{direct.totals.user_total}円"
    assert (
        figure(html, "remaining") == f"{direct.limit_units - direct.totals.limit_target_units}単位"
    )
    # grid: 31 day heads, 予定 buttons for plan writers, 祝日 none in December but 土日 marked
    assert html.count('class="day-head') == 31
    assert f'value="{ticket.rows.get(service_code="111211").pk}:planned:3"' in html
    assert "要介護3" in html and ticket.client.name in html


def test_editor_shows_over_limit_and_the_allocation_form(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    ticket = push_over_limit(ticket, tw)
    html = login(world.care_manager).get(reverse("billing:ticket", args=[ticket.pk])).content
    html = html.decode()
    assert figure(html, "over") == f"{ticket.over_limit_units}単位"
    assert "限度超過の振り分け" in html
    number = tw.home_help.provider_number
    assert f'name="units_{number}_11"' in html


def test_holidays_are_marked_in_the_heads(world, login) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    ticket, _ = generate_ticket(client=tw.client, month=dt.date(2027, 1, 1))
    html = login(world.care_manager).get(reverse("billing:ticket", args=[ticket.pk])).content
    assert 'class="day-head holiday" title="元日"' in html.decode()


def test_month_list_counts_and_query_count_do_not_grow(
    world, login, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    http = login(world.care_manager)
    url = reverse("billing:tickets")
    response = http.get(url, {"month": "2026-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert tw.client.name in html and reverse("billing:ticket", args=[ticket.pk]) in html
    with django_assert_max_num_queries(12) as few:
        http.get(url, {"month": "2026-12"})
    for _ in range(6):
        december_ticket(world)
    for _ in range(3):
        make_ticket_world(world.office, world.care_manager)  # no ticket yet
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(url, {"month": "2026-12"})
    html = response.content.decode()
    assert "未作成の利用票を計画から作成（3件）" in html
    missing = http.get(url, {"month": "2026-12", "status": "missing"}).content.decode()
    assert missing.count("billing/tickets/clients/") == 3


def test_month_list_groups_the_thousands_of_units(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    ticket.refresh_from_db()
    html = login(world.care_manager).get(reverse("billing:tickets"), {"month": "2026-12"})
    html = html.content.decode()
    assert ticket.limit_units >= 1000 and ticket.total_units >= 1000
    assert f'<td class="number">{ticket.limit_units:,}</td>' in html
    assert f'<td class="number">{ticket.total_units:,}</td>' in html


def test_month_list_is_the_caseload_only(world, login) -> None:  # noqa: ANN001
    tw, _ticket = december_ticket(world)
    other = make_ticket_world(world.office, world.colleague)
    html = login(world.care_manager).get(reverse("billing:tickets"), {"month": "2026-12"})
    html = html.content.decode()
    assert tw.client.name in html and other.client.name not in html
    manager_html = login(world.manager).get(reverse("billing:tickets"), {"month": "2026-12"})
    assert other.client.name in manager_html.content.decode()


def test_generate_all_creates_missing_tickets_of_my_clients(world, login) -> None:  # noqa: ANN001
    mine = [make_ticket_world(world.office, world.care_manager) for _ in range(2)]
    theirs = make_ticket_world(world.office, world.colleague)
    response = login(world.care_manager).post(
        reverse("billing:tickets_generate"), {"month": "2026-12"}
    )
    assert response.status_code == 302
    made = set(ServiceTicket.objects.filter(month=DECEMBER).values_list("client_id", flat=True))
    assert made == {tw.client.pk for tw in mine}
    assert theirs.client.pk not in made


def test_generate_all_is_refused_for_clerk_and_auditor(world, login) -> None:  # noqa: ANN001
    make_ticket_world(world.office, world.care_manager)
    for staff in (world.clerk, world.auditor):
        response = login(staff).post(reverse("billing:tickets_generate"), {"month": "2026-12"})
        assert response.status_code in (403, 404)
    assert not ServiceTicket.objects.exists()


def test_client_month_get_never_writes_and_post_generates(world, login) -> None:  # noqa: ANN001
    tw = make_ticket_world(world.office, world.care_manager)
    http = login(world.care_manager)
    url = reverse("billing:ticket_client_month", args=[tw.client.pk, 2026, 12])
    page = http.get(url)
    assert page.status_code == 200 and "計画から作成" in page.content.decode()
    assert not ServiceTicket.objects.exists()
    created = http.post(url)
    ticket = ServiceTicket.objects.get()
    assert created.status_code == 302 and created["Location"].endswith(f"/tickets/{ticket.pk}/")
    assert http.get(url).status_code == 302  # now opens the ticket
    refused = login(world.clerk).post(
        reverse("billing:ticket_client_month", args=[tw.client.pk, 2027, 1])
    )
    assert refused.status_code == 403
    assert ServiceTicket.objects.count() == 1


def test_client_tab_lists_tickets_by_month(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    http = login(world.care_manager)
    tab = http.get(
        reverse("clients:tab", args=[tw.client.pk, "tickets"]), headers={"HX-Request": "true"}
    )
    assert reverse("billing:client_tickets", args=[tw.client.pk]) in tab.content.decode()
    panel = http.get(
        reverse("billing:client_tickets", args=[tw.client.pk]), headers={"HX-Request": "true"}
    )
    html = panel.content.decode()
    assert "2026年12月" in html and reverse("billing:ticket", args=[ticket.pk]) in html
    assert "<html" not in html
    assert AccessLog.objects.filter(client_id=tw.client.pk).exists()


def test_claimed_ticket_is_read_only(world, login) -> None:  # noqa: ANN001
    from django.utils import timezone

    _tw, ticket = december_ticket(world)
    ServiceTicket.objects.filter(pk=ticket.pk).update(claimed_at=timezone.now())
    html = login(world.care_manager).get(reverse("billing:ticket", args=[ticket.pk])).content
    html = html.decode()
    assert "請求済み" in html and "day-toggle" not in html and "行を追加" not in html


def test_clerk_sees_actual_buttons_only_and_auditor_none(world, login) -> None:  # noqa: ANN001
    _tw, ticket = december_ticket(world)
    url = reverse("billing:ticket", args=[ticket.pk])
    clerk = login(world.clerk).get(url).content.decode()
    assert ":actual:" in clerk and ":planned:" not in clerk and "行を追加" not in clerk
    auditor = login(world.auditor).get(url).content.decode()
    assert "day-toggle" not in auditor and "閲覧のみ" in auditor


def test_editor_query_count_does_not_depend_on_rows(
    world, login, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    from billing.models import TicketRow

    tw, ticket = december_ticket(world)
    http = login(world.care_manager)
    url = reverse("billing:ticket", args=[ticket.pk])
    http.get(url)
    # 16 for the editor + 2 for the panels in its slots (plan checks: 上限額 and 確認済み;
    # print actions: the handed-over versions)
    with django_assert_max_num_queries(18) as three_rows:
        http.get(url)
    for n in range(8):
        TicketRow.objects.create(
            ticket=ticket,
            order=20 + n,
            provider=tw.home_help,
            service_code="111211",
            starts_at=dt.time(12 + n % 6),
            ends_at=dt.time(13 + n % 6),
            planned_days=[1, 8, 15],
        )
    with django_assert_max_num_queries(len(three_rows.captured_queries)):
        response = http.get(url)
    assert response.content.decode().count('class="ticket-row"') == 11
