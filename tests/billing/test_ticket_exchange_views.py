"""Screens of the month's ケアプランデータ連携: scoping, access log, ZIP contents, query counts."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from billing.tickets.generate import generate_ticket
from caremgmt.models import AccessLog
from caremgmt.models.audit import AccessAction
from tests.billing.test_ticket_exchange import _deliver
from tests.billing.ticket_world import make_ticket_world

DECEMBER = dt.date(2026, 12, 1)
SEQUENCE = re.compile(r"_(\d{14})\.CSV$")


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    return make_ticket_world(world.office, world.care_manager)


@pytest.fixture
def ticket(tw):  # noqa: ANN001, ANN201
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    return ticket


def _zip(response) -> dict[str, bytes]:  # noqa: ANN001
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _new_logs(before: set[int]) -> list[tuple]:
    return [
        (row.client_id, row.action, row.subject_id)
        for row in AccessLog.objects.exclude(pk__in=before).order_by("pk")
    ]


def test_page_lists_recipients_and_warns_of_a_draft(
    world, login, tw, ticket, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("billing:ticket_exchange", args=[ticket.pk])
    with django_assert_max_num_queries(60):
        response = http.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "まだ交付されていません" in html
    for provider in (tw.home_help, tw.day_service, tw.rental):
        assert provider.name in html and provider.provider_number in html
    assert html.count("UPPLAN_202612_") == 3
    assert AccessLog.objects.filter(
        client_id=tw.client.pk, action=AccessAction.VIEW, subject_id=ticket.pk
    ).exists()


def test_download_is_a_zip_of_every_unit_and_is_logged(world, login, tw, ticket) -> None:  # noqa: ANN001
    _deliver(ticket, world.care_manager)
    before = set(AccessLog.objects.values_list("pk", flat=True))
    files = _zip(
        login(world.care_manager).get(
            reverse("billing:ticket_exchange_download", args=[ticket.pk, "plan"])
        )
    )
    assert len(files) == 9
    assert len({SEQUENCE.search(name)[1] for name in files}) == 1
    assert sorted({name.split("_")[0] for name in files}) == ["UPHOSOKU", "UPPLAN", "UPSIKYU"]
    assert _new_logs(before) == [(tw.client.pk, AccessAction.EXPORT, ticket.pk)]
    delete = _zip(
        login(world.care_manager).get(
            reverse("billing:ticket_exchange_download", args=[ticket.pk, "delete"])
        )
    )
    assert len(delete) == 3 and all(name.startswith("DLTPLAN_202612_") for name in delete)


def test_wrong_users_get_404_and_nothing_is_logged(world, login, ticket) -> None:  # noqa: ANN001
    before = set(AccessLog.objects.values_list("pk", flat=True))
    for stranger in (world.colleague, world.outsider):
        http = login(stranger)
        assert http.get(reverse("billing:ticket_exchange", args=[ticket.pk])).status_code == 404
        download = reverse("billing:ticket_exchange_download", args=[ticket.pk, "plan"])
        assert http.get(download).status_code == 404
    assert _new_logs(before) == []
    bad_kind = reverse("billing:ticket_exchange_download", args=[ticket.pk, "other"])
    assert login(world.care_manager).get(bad_kind).status_code == 404


def test_month_download_holds_every_client_and_logs_each(world, login, tw, ticket) -> None:  # noqa: ANN001
    other = make_ticket_world(world.office, world.care_manager)
    other_ticket, _ = generate_ticket(client=other.client, month=DECEMBER)
    colleague_world = make_ticket_world(world.office, world.colleague)
    generate_ticket(client=colleague_world.client, month=DECEMBER)
    http = login(world.care_manager)
    page = http.get(reverse("billing:exchange_month"), {"month": "2026-12"})
    html = page.content.decode()
    assert tw.client.name in html and other.client.name in html
    assert colleague_world.client.name not in html
    before = set(AccessLog.objects.values_list("pk", flat=True))
    files = _zip(
        http.get(reverse("billing:exchange_month_download"), {"month": "2026-12", "kind": "plan"})
    )
    assert len(files) == 18  # 2 clients × 3 providers each × 3 files
    assert len({SEQUENCE.search(name)[1] for name in files}) == 1
    assert sorted(_new_logs(before)) == sorted(
        [
            (tw.client.pk, AccessAction.EXPORT, ticket.pk),
            (other.client.pk, AccessAction.EXPORT, other_ticket.pk),
        ]
    )
    # the office manager exports the whole office
    manager_files = _zip(
        login(world.manager).get(
            reverse("billing:exchange_month_download"),
            {"month": "2026-12", "kind": "delete", "scope": "office"},
        )
    )
    assert len(manager_files) == 9 and all(n.startswith("DLTPLAN_") for n in manager_files)


def test_month_download_of_an_empty_month_explains(world, login) -> None:  # noqa: ANN001
    response = login(world.care_manager).get(
        reverse("billing:exchange_month_download"), {"month": "2027-01"}, follow=True
    )
    assert "この月の利用票がありません" in response.content.decode()


def test_month_export_query_count_grows_by_a_constant_per_client(
    world, login, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    """Delivered tickets are exported from their version (no recompute); each client costs
    its history look-ups (利用者補足 17/59/60) and its access-log row, nothing per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http = login(world.care_manager)
    url = reverse("billing:exchange_month_download")

    def add_delivered_client() -> None:
        tw = make_ticket_world(world.office, world.care_manager)
        ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
        _deliver(ticket, world.care_manager)

    add_delivered_client()
    with CaptureQueriesContext(connection) as one:
        _zip(http.get(url, {"month": "2026-12"}))
    add_delivered_client()
    add_delivered_client()
    with CaptureQueriesContext(connection) as three:
        _zip(http.get(url, {"month": "2026-12"}))
    per_client = (len(three) - len(one)) / 2
    assert per_client <= 7, per_client
    with django_assert_max_num_queries(len(one) + 2 * 7):
        _zip(http.get(url, {"month": "2026-12"}))


def test_editor_slot_links_to_the_exchange_page(ticket) -> None:  # noqa: ANN001
    html = render_to_string("billing/_editor_exchange.html", {"ticket": ticket})
    assert reverse("billing:ticket_exchange", args=[ticket.pk]) in html
    assert "データ連携ファイル" in html


def test_a_value_that_cannot_be_written_is_shown_not_downloaded(world, login, tw, ticket) -> None:  # noqa: ANN001
    from clients.models import Client

    Client.objects.filter(pk=tw.client.pk).update(insurer_number="")
    http = login(world.care_manager)
    page = http.get(reverse("billing:ticket_exchange", args=[ticket.pk]))
    assert page.status_code == 200
    assert "保険者番号" in page.content.decode() and "exchange-problems" in page.content.decode()
    before = set(AccessLog.objects.values_list("pk", flat=True))
    download = http.get(
        reverse("billing:ticket_exchange_download", args=[ticket.pk, "plan"]), follow=True
    )
    assert download["Content-Type"].startswith("text/html")
    assert "保険者番号" in download.content.decode()
    assert [action for _c, action, _s in _new_logs(before)] == [AccessAction.VIEW]


def test_delivered_ticket_page_names_the_version_and_readers_may_export(
    world, login, ticket
) -> None:  # noqa: ANN001
    _deliver(ticket, world.care_manager)
    url = reverse("billing:ticket_exchange", args=[ticket.pk])
    html = login(world.care_manager).get(url).content.decode()
    assert "交付済みの第1版（作成年月日 2026年11月28日）" in html
    assert "まだ交付されていません" not in html
    # an export is a read: the office's 監査 and 事務 see what the office sends
    for reader in (world.auditor, world.clerk, world.manager):
        assert login(reader).get(url).status_code == 200, reader
