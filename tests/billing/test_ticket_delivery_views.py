"""交付・同意 pages: the form, stale pages, roles, copies, sends, version prints, unsent list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing import delivery
from billing.models import ProviderTicketSend, ServiceTicket, TicketCopy, TicketVersion
from billing.tickets.generate import generate_ticket
from billing.tickets.services import ticket_set_day
from caremgmt.access import actor_for
from caremgmt.models import AccessLog, PrintJob
from tests.billing.ticket_world import make_ticket_world
from tests.factories import ClientContactFactory

DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def tw(world):  # noqa: ANN001, ANN201
    return make_ticket_world(world.office, world.care_manager)


@pytest.fixture
def ticket(tw) -> ServiceTicket:  # noqa: ANN001
    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    return ticket


def today() -> dt.date:
    return timezone.localdate()


def form_data(ticket: ServiceTicket, **overrides: str) -> dict[str, str]:
    ticket.refresh_from_db()
    return {
        "version": str(ticket.version),
        "created_on": today().isoformat(),
        "received_by_choice": "self",
        "consent_method": "signature",
        **overrides,
    }


def toggle(world, ticket: ServiceTicket, day: int = 5) -> None:  # noqa: ANN001
    ticket.refresh_from_db()
    row = ticket.rows.get(service_code="111211")
    ticket_set_day(
        actor=actor_for(world.care_manager),
        ticket=ticket,
        row_id=row.pk,
        day=day,
        on=day not in row.planned_days,
        expected_version=ticket.version,
    )


def deliver(world, ticket: ServiceTicket, **kwargs) -> TicketVersion:  # noqa: ANN001, ANN003
    ticket.refresh_from_db()
    return delivery.ticket_deliver(
        actor=actor_for(world.care_manager),
        ticket=ticket,
        created_on=today(),
        received_by="本人",
        consent_method="signature",
        expected_version=ticket.version,
        **kwargs,
    )


def test_deliver_form_offers_contacts_and_copies_then_records(world, login, tw, ticket) -> None:  # noqa: ANN001
    daughter = ClientContactFactory(client=tw.client, name="山田 花子", relationship="長女")
    ClientContactFactory(
        client=tw.client, name="後見 一郎", relationship="成年後見人", ticket_copy_role="guardian"
    )
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    page = http.get(url).content.decode()
    assert "本人" in page and "長女 山田 花子" in page and "その他" in page
    assert "成年後見人：後見 一郎（成年後見人）" in page
    assert 'name="change_reason"' not in page  # first version: no change reason

    response = http.post(
        url,
        form_data(
            ticket, received_by_choice=f"contact:{daughter.pk}", copies=f"contact:{daughter.pk}"
        )
        | {"copies": [c.key for c in delivery.copy_candidates(ticket, "23")]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:ticket_delivery", args=[ticket.pk])
    version = TicketVersion.objects.get(ticket=ticket)
    assert version.received_by == "長女 山田 花子"
    assert list(TicketCopy.objects.values_list("kind", "recipient_name")) == [
        ("guardian", "後見 一郎（成年後見人）")
    ]
    page = http.get(response["Location"]).content.decode()
    assert "第1版" in page and "長女 山田 花子" in page
    assert "提供票：ヘルパーステーションあおば" in page
    assert "送付済みにする" in page


def test_other_receiver_needs_a_name(world, login, ticket) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    response = http.post(url, form_data(ticket, received_by_choice="other"))
    assert response.status_code == 200
    assert "受け取った人の名前（続柄）を入力してください。" in response.content.decode()
    response = http.post(
        url, form_data(ticket, received_by_choice="other", received_by_other="長男の妻")
    )
    assert response.status_code == 302
    assert TicketVersion.objects.get().received_by == "長男の妻"


def test_bad_input_is_shown_at_the_field_and_kept(world, login, ticket) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    page = http.post(
        url, form_data(ticket, created_on=tomorrow, consent_method="oral", consent_note="")
    ).content.decode()
    assert "未来の日付は入れられません" in page
    assert "口頭同意のときは、確認した状況" in page
    assert f'value="{tomorrow}"' in page
    assert not TicketVersion.objects.exists()


def test_signature_policy_does_not_offer_oral_consent(world, login, ticket) -> None:  # noqa: ANN001
    world.office.ticket_consent_method = "signature"
    world.office.save()
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    page = http.get(url).content.decode()
    assert 'value="oral"' not in page and "口頭同意" not in page
    response = http.post(url, form_data(ticket, consent_method="oral", consent_note="電話"))
    assert response.status_code == 200
    assert not TicketVersion.objects.exists()


def test_identical_redelivery_is_refused_on_the_page(world, login, ticket) -> None:  # noqa: ANN001
    deliver(world, ticket)
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    assert "前回の交付から変更がありません。" in http.get(url).content.decode()
    response = http.post(url, form_data(ticket, change_reason="再交付"))
    assert response.status_code == 200
    assert "前回の交付から変更がありません。" in response.content.decode()
    assert TicketVersion.objects.count() == 1


def test_stale_page_is_refused_then_a_deliberate_resave_works(world, login, ticket) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    loaded = form_data(ticket)
    toggle(world, ticket)  # someone changes the ticket while the form is open
    response = http.post(url, loaded)
    page = response.content.decode()
    assert response.status_code == 200
    assert "他の職員" in page
    assert not TicketVersion.objects.exists()
    ticket.refresh_from_db()
    assert f'name="version" value="{ticket.version}"' in page
    assert http.post(url, form_data(ticket)).status_code == 302
    assert TicketVersion.objects.get().snapshot["ticket_version"] == ticket.version + 1


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_cannot_deliver(world, login, ticket, role) -> None:  # noqa: ANN001
    http = login(getattr(world, role))
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    assert http.get(url).status_code == 403
    assert http.post(url, form_data(ticket)).status_code == 403
    assert not TicketVersion.objects.exists()
    assert ServiceTicket.objects.get(pk=ticket.pk).status == "draft"
    # … but they read the delivery page.
    assert http.get(reverse("billing:ticket_delivery", args=[ticket.pk])).status_code == 200


def test_strangers_get_404_and_nothing_is_written(world, login, tw, ticket) -> None:  # noqa: ANN001
    version = deliver(world, ticket)
    ClientContactFactory(client=tw.client, ticket_copy_role="guardian")
    made = TicketCopy.objects.create(version=version, kind="guardian", recipient_name="後見人")
    posts = {
        "billing:ticket_deliver": form_data(ticket, change_reason="x"),
        "billing:ticket_sends": {
            "items": f"{version.pk}:{tw.home_help.pk}",
            "sent_on": today().isoformat(),
            "method": "fax",
        },
        "billing:ticket_copies": {f"sent_on_{made.pk}": today().isoformat()},
    }
    for stranger in (world.colleague, world.outsider):
        http = login(stranger)
        for name, data in posts.items():
            assert http.post(reverse(name, args=[ticket.pk]), data).status_code == 404
        assert (
            http.post(
                reverse("billing:tickets_unsent"),
                {
                    "items": posts["billing:ticket_sends"]["items"],
                    "sent_on": today(),
                    "method": "fax",
                },
            ).status_code
            == 404
        )
    auditor = login(world.auditor)
    for name in ("billing:ticket_sends", "billing:ticket_copies"):
        assert auditor.post(reverse(name, args=[ticket.pk]), posts[name]).status_code == 404
    assert TicketVersion.objects.count() == 1
    assert not ProviderTicketSend.objects.exists()
    made.refresh_from_db()
    assert made.sent_on is None


def test_clerk_records_sends_and_copy_dates(world, login, tw, ticket) -> None:  # noqa: ANN001
    version = deliver(world, ticket)
    made = TicketCopy.objects.create(version=version, kind="caseworker", recipient_name="区役所")
    http = login(world.clerk)
    response = http.post(
        reverse("billing:ticket_sends", args=[ticket.pk]),
        {
            "items": [f"{version.pk}:{tw.home_help.pk}", f"{version.pk}:{tw.day_service.pk}"],
            "sent_on": today().isoformat(),
            "method": "data",
        },
    )
    assert response.status_code == 302
    assert set(ProviderTicketSend.objects.values_list("provider_id", "method", "sent_by")) == {
        (tw.home_help.pk, "data", world.clerk.pk),
        (tw.day_service.pk, "data", world.clerk.pk),
    }
    copies_url = reverse("billing:ticket_copies", args=[ticket.pk])
    page = http.get(reverse("billing:ticket_delivery", args=[ticket.pk])).content.decode()
    assert "福祉用具ひまわり" in page
    assert http.post(copies_url, {f"sent_on_{made.pk}": today().isoformat()}).status_code == 302
    made.refresh_from_db()
    assert made.sent_on == today()
    # A page loaded before that save (empty date) does not overwrite it.
    stale = http.post(
        copies_url,
        {
            f"sent_on_{made.pk}": (today() - dt.timedelta(days=1)).isoformat(),
            f"loaded_{made.pk}": "",
        },
    )
    assert stale.status_code == 200
    assert "他の職員" in stale.content.decode()
    made.refresh_from_db()
    assert made.sent_on == today()


def test_send_form_errors_are_shown_on_the_page(world, login, tw, ticket) -> None:  # noqa: ANN001
    version = deliver(world, ticket)
    http = login(world.care_manager)
    before = AccessLog.objects.count()
    response = http.post(
        reverse("billing:ticket_sends", args=[ticket.pk]),
        {
            "items": f"{version.pk}:{tw.home_help.pk}",
            "sent_on": (today() + dt.timedelta(days=3)).isoformat(),
            "method": "fax",
        },
    )
    assert response.status_code == 200
    assert "未来の日付は入れられません" in response.content.decode()
    assert not ProviderTicketSend.objects.exists()
    assert AccessLog.objects.count() == before + 1


def test_every_version_prints_as_handed_over(world, login, ticket) -> None:  # noqa: ANN001
    first = deliver(world, ticket)
    toggle(world, ticket)
    second = deliver(world, ticket, change_reason="追加")
    http = login(world.auditor)  # printing counts as reading
    jobs = []
    versions = {1: first, 2: second}
    for number in (1, 2):
        response = http.post(reverse("billing:version_print", args=[versions[number].pk, "client"]))
        assert response.status_code == 302
        jobs.append(PrintJob.objects.order_by("-pk").first())
        assert response["Location"] == reverse("printing:status", args=[jobs[-1].pk])
    assert jobs[0].pk != jobs[1].pk and jobs[0].content_hash != jobs[1].content_hash
    assert first.snapshot != second.snapshot
    provider_id = first.snapshot["rows"][0]["provider_id"]
    url = reverse("billing:version_print_provider", args=[first.pk, "provider", provider_id])
    assert http.post(url).status_code == 302
    other = reverse("billing:version_print_provider", args=[first.pk, "provider", 999999])
    assert http.post(other).status_code == 404
    assert (
        http.post(reverse("billing:version_print", args=[first.pk, "nonsense"])).status_code == 404
    )
    assert http.post(reverse("billing:version_print", args=[999999, "client"])).status_code == 404


def test_panel_marks_changes_after_delivery(world, login, ticket) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("billing:ticket_delivery_panel", args=[ticket.pk])
    assert "まだ交付していません" in http.get(url, headers={"HX-Request": "true"}).content.decode()
    deliver(world, ticket)
    page = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "第1版" in page and "交付後に変更あり" not in page
    assert "<html" not in page
    toggle(world, ticket)
    assert "交付後に変更あり" in http.get(url, headers={"HX-Request": "true"}).content.decode()


def test_delivery_page_query_count_does_not_grow_with_versions(
    world, login, ticket, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    deliver(world, ticket)
    http = login(world.manager)
    url = reverse("billing:ticket_delivery", args=[ticket.pk])
    with CaptureQueriesContext(connection) as one:
        assert http.get(url).status_code == 200
    for day in (5, 6):
        toggle(world, ticket, day)
        deliver(world, ticket, change_reason=f"{day}日追加")
    with CaptureQueriesContext(connection) as three:
        assert http.get(url).status_code == 200
    assert len(three) == len(one)
    with django_assert_max_num_queries(20):
        http.get(url)


def test_unsent_page_lists_and_bulk_sends(world, login, tw, ticket) -> None:  # noqa: ANN001
    version = deliver(world, ticket)
    http = login(world.care_manager)
    url = reverse("billing:tickets_unsent")
    page = http.get(url, {"month": "2026-12"}).content.decode()
    for name in ("デイサービスなごみ", "ヘルパーステーションあおば", "福祉用具ひまわり"):
        assert name in page
    assert tw.client.name in page
    response = http.post(
        url,
        {
            "month": "2026-12",
            "items": [f"{version.pk}:{tw.home_help.pk}", f"{version.pk}:{tw.rental.pk}"],
            "sent_on": today().isoformat(),
            "method": "fax",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}?month=2026-12"
    page = http.get(url, {"month": "2026-12"}).content.decode()
    assert "デイサービスなごみ" in page and "福祉用具ひまわり" not in page
    # Bad input: the page again with the message and the choice kept.
    response = http.post(
        url,
        {"month": "2026-12", "items": f"{version.pk}:{tw.day_service.pk}", "method": "fax"},
    )
    assert response.status_code == 200
    assert "このフィールドは必須です。" in response.content.decode()
    assert ProviderTicketSend.objects.count() == 2
    assert http.get(url, {"month": "nonsense"}).status_code == 200


def test_unsent_page_query_count_is_independent_of_tickets(world, login) -> None:  # noqa: ANN001
    def add_client() -> None:
        extra = make_ticket_world(world.office, world.care_manager)
        extra_ticket, _ = generate_ticket(client=extra.client, month=DECEMBER)
        deliver(world, extra_ticket)

    http = login(world.care_manager)
    url = reverse("billing:tickets_unsent")
    add_client()
    with CaptureQueriesContext(connection) as small:
        assert http.get(url, {"month": "2026-12"}).status_code == 200
    for _ in range(3):
        add_client()
    with CaptureQueriesContext(connection) as large:
        assert http.get(url, {"month": "2026-12"}).status_code == 200
    assert len(large) == len(small)


def test_support_client_under_a_center_gets_the_center_copy(world, login) -> None:  # noqa: ANN001
    support = make_ticket_world(world.office, world.care_manager, care_level="12")
    support.client.entrusting_center = "みどり地域包括支援センター"
    support.client.save()
    ticket, _ = generate_ticket(client=support.client, month=DECEMBER)
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    page = http.get(url).content.decode()
    assert "地域包括支援センター（委託元）：みどり地域包括支援センター" in page
    assert http.post(url, form_data(ticket, copies="center")).status_code == 302
    made = TicketCopy.objects.get()
    assert (made.kind, made.recipient_name, made.contact_id) == (
        "center",
        "みどり地域包括支援センター",
        None,
    )
    assert (
        "委託元へ送付"
        in http.get(reverse("billing:ticket_delivery", args=[ticket.pk])).content.decode()
    )


def test_deliver_form_and_save_query_counts(
    world, login, tw, ticket, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    for number in range(3):
        ClientContactFactory(client=tw.client, ticket_copy_role="guardian", priority=number + 1)
    http = login(world.care_manager)
    url = reverse("billing:ticket_deliver", args=[ticket.pk])
    http.get(url)  # warm the fee schedule cache
    with django_assert_max_num_queries(20):
        assert http.get(url).status_code == 200
    keys = [c.key for c in delivery.copy_candidates(ticket, "23")]
    with django_assert_max_num_queries(36):
        assert http.post(url, form_data(ticket) | {"copies": keys}).status_code == 302
    assert TicketCopy.objects.count() == 3
