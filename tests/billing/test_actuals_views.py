"""実績 board and reconciliation page over HTTP: scoping, 予定どおり, receipt, the 確定 rule,
stale versions, imports, access-log rows and query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.actuals import services
from billing.actuals.csv_import import HEADER
from billing.models import TicketRow
from billing.models.actuals import ActualsImport, ActualsStatus, ProviderActuals
from billing.tickets.generate import generate_ticket
from caremgmt.access import actor_for
from caremgmt.models import AccessLog
from tests.billing.editor_helpers import DECEMBER, december_ticket, push_over_limit
from tests.billing.ticket_world import make_ticket_world

pytestmark = pytest.mark.django_db
BOARD = "billing:actuals_board"


def _rows(ticket) -> list[tuple]:  # noqa: ANN001
    return list(
        TicketRow.objects.filter(ticket=ticket).order_by("pk").values_list("pk", "actual_days")
    )


def _pa_state(ticket) -> list[tuple]:  # noqa: ANN001
    return list(
        ProviderActuals.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("status", "difference_reason", "version")
    )


def test_board_lists_each_provider_with_its_status(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    response = login(world.clerk).get(reverse(BOARD), {"month": "2026-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert ProviderActuals.objects.filter(ticket=ticket).count() == 3
    for provider in (tw.home_help, tw.day_service, tw.rental):
        assert provider.name in html
    assert 'id="count-pending">3<' in html and 'id="count-confirmed">0<' in html
    assert reverse("billing:ticket_actuals", args=[ticket.pk]) in html
    # filter by status
    response = login(world.clerk).get(reverse(BOARD), {"month": "2026-12", "status": "confirmed"})
    assert tw.home_help.name not in response.content.decode().split('id="actuals-board"')[-1]
    log = AccessLog.objects.filter(staff=world.clerk).latest("pk")
    assert log.action == "search" and log.client_id is None


def test_board_scoping_caseload_and_office(world, login) -> None:  # noqa: ANN001
    tw, _ticket = december_ticket(world)
    theirs = make_ticket_world(world.office, world.colleague)
    generate_ticket(client=theirs.client, month=DECEMBER)
    other = make_ticket_world(world.other_office, world.outsider)
    generate_ticket(client=other.client, month=DECEMBER)
    mine = login(world.care_manager).get(reverse(BOARD), {"month": "2026-12"}).content.decode()
    assert tw.client.name in mine and theirs.client.name not in mine
    assert other.client.name not in mine
    office = login(world.clerk).get(reverse(BOARD), {"month": "2026-12"}).content.decode()
    assert tw.client.name in office and theirs.client.name in office
    assert other.client.name not in office
    audit = login(world.auditor).get(reverse(BOARD), {"month": "2026-12"}).content.decode()
    assert tw.client.name in audit and "実績ファイルの取り込み" not in audit


def test_board_defaults_to_the_previous_month(world, login) -> None:  # noqa: ANN001
    from django.utils import timezone

    from billing.tickets.month import add_months, first_of_month

    response = login(world.clerk).get(reverse(BOARD))
    expected = add_months(first_of_month(timezone.localdate()), -1)
    assert response.context["month"] == expected


def test_board_query_count_does_not_depend_on_tickets(
    world, login, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    december_ticket(world)
    http = login(world.clerk)
    http.get(reverse(BOARD), {"month": "2026-12"})  # creates the rows, warms the session
    with django_assert_max_num_queries(30) as one:
        http.get(reverse(BOARD), {"month": "2026-12"})
    measured = len(one.captured_queries)
    for _ in range(3):
        december_ticket(world)
    http.get(reverse(BOARD), {"month": "2026-12"})
    with django_assert_max_num_queries(measured):
        response = http.get(reverse(BOARD), {"month": "2026-12"})
    assert len(response.context["actuals"]) == 12


def test_reconciliation_page_shows_differences_and_totals(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    planned = list(row.planned_days)
    row.actual_days = [*planned[1:], 2]  # first planned day missing, day 2 added
    row.save()
    response = login(world.care_manager).get(reverse("billing:ticket_actuals", args=[ticket.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "追加: 2日" in html and f"なし: {planned[0]}日" in html
    assert 'class="day added"' in html and 'class="day missing"' in html
    assert 'id="actual-units"' in html and 'id="planned-units"' in html
    assert response.context["actual"].result.totals.limit_target_units < (
        response.context["planned"].result.totals.limit_target_units
    )
    limit = response.context["planned"].result.limit_units
    assert limit >= 1000 and f'<td class="number">{limit:,}</td>' in html  # thousands grouped
    log = AccessLog.objects.latest("pk")
    assert log.client_id == tw.client.pk and log.subject_id == ticket.pk


def test_over_limit_actuals_link_to_the_allocation(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    push_over_limit(ticket, tw)
    TicketRow.objects.filter(ticket=ticket).update(actual_recorded=True)
    for row in ticket.rows.all():
        row.actual_days = row.planned_days
        row.save()
    html = login(world.clerk).get(reverse("billing:ticket_actuals", args=[ticket.pk])).content
    text = html.decode()
    assert 'id="actual-over-limit"' in text and "#allocation" in text
    assert "単位" in text.split('id="actual-over-limit"')[1]


def _copy(http, ticket, **data):  # noqa: ANN001, ANN003, ANN202
    return http.post(
        reverse("billing:ticket_actuals_copy", args=[ticket.pk]),
        {"version": ticket.version, **data},
    )


def test_copy_row_and_provider_as_planned(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    response = _copy(login(world.clerk), ticket, row=row.pk)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.actual_days == row.planned_days and row.actual_recorded
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help)
    assert pa.status == ActualsStatus.RECEIVED and pa.source == "typed"
    ticket.refresh_from_db()
    response = _copy(login(world.care_manager), ticket, provider=tw.day_service.pk)
    assert response.status_code == 302
    for r in ticket.rows.filter(provider=tw.day_service):
        assert r.actual_days == r.planned_days


@pytest.mark.parametrize("who", ["auditor", "colleague", "outsider"])
def test_wrong_user_writes_nothing(world, login, who) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    services.ensure_provider_actuals([ticket.pk])
    row = ticket.rows.get(service_code="111211")
    rows, pas = _rows(ticket), _pa_state(ticket)
    http = login(getattr(world, who))
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help)
    base = [ticket.pk, tw.home_help.pk]
    calls = [
        ("billing:ticket_actuals_copy", [ticket.pk], {"version": ticket.version, "row": row.pk}),
        ("billing:ticket_actuals_receive", base, {"version": ticket.version}),
        (
            "billing:ticket_actuals_reason",
            base,
            {"pa_version": pa.version, "difference_reason": "x"},
        ),
        (
            "billing:ticket_actuals_confirm",
            base,
            {"pa_version": pa.version, "version": ticket.version},
        ),
        ("billing:ticket_actuals_unconfirm", base, {"pa_version": pa.version}),
    ]
    for name, args, data in calls:
        assert http.post(reverse(name, args=args), data).status_code == 404, name
    assert _rows(ticket) == rows and _pa_state(ticket) == pas
    if who == "auditor":
        assert http.get(reverse("billing:ticket_actuals", args=[ticket.pk])).status_code == 200
    else:
        assert http.get(reverse("billing:ticket_actuals", args=[ticket.pk])).status_code == 404


def test_confirm_rule_reason_and_client_month(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    http = login(world.clerk)
    url = lambda name, provider: reverse(name, args=[ticket.pk, provider.pk])  # noqa: E731
    row = ticket.rows.get(service_code="111211")
    row.actual_days = row.planned_days[1:]
    row.save()
    http.post(url("billing:ticket_actuals_receive", tw.home_help), {"version": ticket.version})
    ticket.refresh_from_db()
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help)
    assert pa.status == ActualsStatus.DIFFERS
    response = http.post(
        url("billing:ticket_actuals_confirm", tw.home_help),
        {"version": ticket.version, "pa_version": pa.version},
    )
    assert response.status_code == 400
    assert "差異の理由を入力してから確定" in response.content.decode()
    pa.refresh_from_db()
    assert pa.status == ActualsStatus.DIFFERS and pa.confirmed_at is None
    http.post(
        url("billing:ticket_actuals_reason", tw.home_help),
        {"pa_version": pa.version, "difference_reason": "利用者の体調不良で1回中止"},
    )
    pa.refresh_from_db()
    assert pa.difference_reason == "利用者の体調不良で1回中止"
    response = http.post(
        url("billing:ticket_actuals_confirm", tw.home_help),
        {"version": ticket.version, "pa_version": pa.version},
    )
    assert response.status_code == 302
    pa.refresh_from_db()
    assert pa.status == ActualsStatus.CONFIRMED and pa.confirmed_by == world.clerk
    # a confirmed provider's 実績 can no longer be copied over
    assert _copy(http, ticket, row=row.pk).status_code == 400
    # the others: as planned, then confirm → the client-month is confirmed
    for provider in (tw.day_service, tw.rental):
        ticket.refresh_from_db()
        _copy(http, ticket, provider=provider.pk)
        ticket.refresh_from_db()
        other = ProviderActuals.objects.get(ticket=ticket, provider=provider)
        assert other.status == ActualsStatus.RECEIVED
        http.post(
            url("billing:ticket_actuals_confirm", provider),
            {"version": ticket.version, "pa_version": other.version},
        )
    page = http.get(reverse("billing:ticket_actuals", args=[ticket.pk]))
    assert page.context["confirmed"] and 'id="client-month-confirmed"' in page.content.decode()


def test_confirm_before_receipt_is_refused(world) -> None:  # noqa: ANN001
    from django.core.exceptions import ValidationError

    tw, ticket = december_ticket(world)
    services.ensure_provider_actuals([ticket.pk])
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.rental)
    pa.ticket = ticket
    with pytest.raises(ValidationError):
        services.confirm(
            actor=actor_for(world.clerk),
            pa=pa,
            expected_version=pa.version,
            expected_ticket_version=ticket.version,
        )


def test_stale_versions_write_nothing(world, login) -> None:  # noqa: ANN001
    tw, ticket = december_ticket(world)
    row = ticket.rows.get(service_code="111211")
    old = ticket.version
    services.ensure_provider_actuals([ticket.pk])
    pa = ProviderActuals.objects.get(ticket=ticket, provider=tw.home_help)
    _copy(login(world.manager), ticket, provider=tw.day_service.pk)  # someone saves first
    rows, pas = _rows(ticket), _pa_state(ticket)
    http = login(world.clerk)
    response = http.post(
        reverse("billing:ticket_actuals_copy", args=[ticket.pk]), {"version": old, "row": row.pk}
    )
    assert response.status_code == 409 and "別のタブ" in response.content.decode()
    response = http.post(
        reverse("billing:ticket_actuals_reason", args=[ticket.pk, tw.home_help.pk]),
        {"pa_version": pa.version - 1, "difference_reason": "古い"},
    )
    assert response.status_code == 409
    assert _rows(ticket) == rows and _pa_state(ticket) == pas


def test_import_over_http_good_and_bad(world, login) -> None:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    tw, ticket = december_ticket(world)
    insured, hh = tw.client.insured_number, tw.home_help.provider_number
    header = ",".join(HEADER)
    good = f"{header}\n{insured},202612,{hh},111211,1000,1100,3 10\n".encode()
    http = login(world.clerk)
    response = http.post(
        reverse("billing:actuals_import"),
        {"month": "2026-12", "kind": "csv", "file": SimpleUploadedFile("j.csv", good)},
    )
    assert response.status_code == 302 and "month=2026-12" in response["Location"]
    assert ticket.rows.get(service_code="111211").actual_days == [3, 10]
    bad = f"{header}\n{insured},202612,{hh},111211,1000,1100,3 40\n".encode()
    response = http.post(
        reverse("billing:actuals_import"),
        {"month": "2026-12", "kind": "csv", "file": SimpleUploadedFile("k.csv", bad)},
        follow=True,
    )
    html = response.content.decode()
    assert "取り込みませんでした" in html and "2行目" in html
    assert ticket.rows.get(service_code="111211").actual_days == [3, 10]
    # the auditor may not import; nothing recorded
    count = ActualsImport.objects.count()
    response = login(world.auditor).post(
        reverse("billing:actuals_import"),
        {"month": "2026-12", "kind": "csv", "file": SimpleUploadedFile("l.csv", good)},
    )
    assert response.status_code == 404 and ActualsImport.objects.count() == count


def test_reconciliation_query_count_does_not_depend_on_rows(
    world, login, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    import datetime as dt

    tw, ticket = december_ticket(world)
    http = login(world.clerk)
    url = reverse("billing:ticket_actuals", args=[ticket.pk])
    http.get(url)  # creates the provider rows, warms caches
    with django_assert_max_num_queries(40) as three:
        http.get(url)
    measured = len(three.captured_queries)
    for n in range(8):
        TicketRow.objects.create(
            ticket=ticket,
            order=20 + n,
            provider=tw.home_help,
            service_code="111211",
            starts_at=dt.time(12 + n % 6),
            ends_at=dt.time(13 + n % 6),
            planned_days=[1, 8, 15],
            actual_days=[1, 9],
        )
    with django_assert_max_num_queries(measured):
        http.get(url)


def test_a_rental_counts_in_the_actuals_only_once_its_provider_sent_it(world, login) -> None:  # noqa: ANN001
    """Before any 実績, the 実績 別表 is empty: the 1月につき rental (1,200単位) of a provider
    still 未受領 is not taken as delivered. 予定どおり for that provider brings it in."""
    tw, ticket = december_ticket(world)
    http = login(world.clerk)
    url = reverse("billing:ticket_actuals", args=[ticket.pk])
    actual = http.get(url).context["actual"].result.totals
    assert (actual.total_units, actual.total_cost, actual.insurance_claim) == (0, 0, 0)
    assert _copy(http, ticket, provider=tw.rental.pk).status_code == 302
    actual = http.get(url).context["actual"].result.totals
    assert (actual.total_units, actual.total_cost) == (1200, 12000)
