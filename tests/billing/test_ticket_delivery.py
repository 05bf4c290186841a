"""交付・同意 services: versions and snapshots, consent policy, dates, copies, 提供票 sends."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from billing import delivery
from billing.models import (
    ProviderTicketSend,
    ServiceTicket,
    TicketCopy,
    TicketStatus,
    TicketVersion,
)
from billing.tickets.generate import generate_ticket
from billing.tickets.services import ticket_set_day
from billing.tickets.snapshot import snapshot_hash
from caremgmt.access import actor_for
from caremgmt.locking import StaleEditError
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


@pytest.fixture
def actor(world):  # noqa: ANN001, ANN201
    return actor_for(world.care_manager)


def today() -> dt.date:
    return timezone.localdate()


def deliver(actor, ticket: ServiceTicket, **overrides) -> TicketVersion:  # noqa: ANN001, ANN003
    ticket.refresh_from_db()
    kwargs = {
        "created_on": today(),
        "received_by": "本人",
        "consent_method": "signature",
        "expected_version": ticket.version,
        **overrides,
    }
    return delivery.ticket_deliver(actor=actor, ticket=ticket, **kwargs)


def toggle(actor, ticket: ServiceTicket, day: int = 5) -> ServiceTicket:  # noqa: ANN001
    ticket.refresh_from_db()
    row = ticket.rows.get(service_code="111211")
    return ticket_set_day(
        actor=actor,
        ticket=ticket,
        row_id=row.pk,
        day=day,
        on=day not in row.planned_days,
        expected_version=ticket.version,
    )


def test_first_delivery_freezes_version_one(actor, ticket) -> None:  # noqa: ANN001
    before = ticket.version
    version = deliver(actor, ticket)
    ticket.refresh_from_db()
    assert version.number == 1
    assert ticket.status == TicketStatus.DELIVERED
    assert ticket.version == before + 1
    assert version.snapshot["version_number"] == 1
    assert version.snapshot["created_on"] == today().isoformat()
    assert version.snapshot["ticket_version"] == ticket.version
    assert version.content_hash == snapshot_hash(version.snapshot)
    assert version.change_reason == ""
    assert version.created_by == actor.staff
    overview = delivery.delivery_overview(ticket)
    assert overview.current.version == version
    assert not overview.changed_since_delivery
    assert [p.name for p in overview.current.providers] == [
        "デイサービスなごみ",
        "ヘルパーステーションあおば",
        "福祉用具ひまわり",
    ]


def test_identical_redelivery_is_refused_and_nothing_written(actor, ticket) -> None:  # noqa: ANN001
    deliver(actor, ticket)
    ticket.refresh_from_db()
    version_before = ticket.version
    with pytest.raises(ValidationError) as error:
        deliver(actor, ticket, change_reason="念のため")
    assert error.value.messages == ["前回の交付から変更がありません。"]
    ticket.refresh_from_db()
    assert ticket.version == version_before
    assert TicketVersion.objects.filter(ticket=ticket).count() == 1


def test_edit_and_revert_is_still_identical(actor, ticket) -> None:  # noqa: ANN001
    deliver(actor, ticket)
    toggle(actor, ticket)
    toggle(actor, ticket)
    ticket.refresh_from_db()
    overview = delivery.delivery_overview(ticket)
    assert overview.changed_since_delivery  # cheap check: saved after the delivery
    assert delivery.live_content_changed(ticket, overview) is False  # by content: the same
    with pytest.raises(ValidationError, match="変更がありません"):
        deliver(actor, ticket, change_reason="x")


def test_second_version_needs_a_reason_and_keeps_the_first_snapshot(actor, ticket) -> None:  # noqa: ANN001
    first = deliver(actor, ticket)
    frozen = copy.deepcopy(first.snapshot)
    toggle(actor, ticket, day=5)  # 訪問介護 on Saturday 5th added
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DELIVERED  # edits leave it 交付済 …
    overview = delivery.delivery_overview(ticket)
    assert overview.changed_since_delivery  # … marked 交付後に変更あり
    assert delivery.live_content_changed(ticket, overview) is True

    with pytest.raises(ValidationError) as error:
        deliver(actor, ticket)
    assert error.value.message_dict == {
        "change_reason": ["2回目以降の交付では、月の途中で変更した理由を入力してください。"]
    }
    second = deliver(actor, ticket, change_reason="5日に入浴の追加")
    assert second.number == 2
    assert second.change_reason == "5日に入浴の追加"
    first.refresh_from_db()
    assert first.snapshot == frozen
    home_help = next(r for r in second.snapshot["rows"] if r["service_code"] == "111211")
    assert 5 in home_help["planned_days"]
    old_home_help = next(r for r in first.snapshot["rows"] if r["service_code"] == "111211")
    assert 5 not in old_home_help["planned_days"]
    assert second.content_hash != first.content_hash
    ticket.refresh_from_db()
    assert not delivery.delivery_overview(ticket).changed_since_delivery


def test_future_date_is_refused(actor, ticket) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        deliver(actor, ticket, created_on=today() + dt.timedelta(days=1))
    assert "未来の日付は入れられません" in error.value.message_dict["created_on"][0]
    assert not TicketVersion.objects.exists()


def test_date_before_the_ticket_or_the_previous_version_is_refused(actor, ticket) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        deliver(actor, ticket, created_on=today() - dt.timedelta(days=1))
    assert "作成した日" in error.value.message_dict["created_on"][0]
    ServiceTicket.objects.filter(pk=ticket.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    deliver(actor, ticket, created_on=today() - dt.timedelta(days=3))
    toggle(actor, ticket)
    with pytest.raises(ValidationError) as error:
        deliver(actor, ticket, created_on=today() - dt.timedelta(days=4), change_reason="追加")
    assert "前回の交付（第1版" in error.value.message_dict["created_on"][0]


def test_signature_policy_refuses_oral_consent(world, actor, ticket) -> None:  # noqa: ANN001
    world.office.ticket_consent_method = "signature"
    world.office.save()
    with pytest.raises(ValidationError) as error:
        deliver(actor, ticket, consent_method="oral", consent_note="電話で確認")
    assert error.value.message_dict["consent_method"] == [delivery.ORAL_REFUSED_MESSAGE]
    assert deliver(actor, ticket, consent_method="seal").consent_method == "seal"


@pytest.mark.parametrize("policy", ["any", "oral_allowed"])
def test_oral_consent_needs_a_note(world, actor, ticket, policy) -> None:  # noqa: ANN001
    world.office.ticket_consent_method = policy
    world.office.save()
    with pytest.raises(ValidationError) as error:
        deliver(actor, ticket, consent_method="oral", consent_note="  ")
    assert error.value.message_dict["consent_note"] == [delivery.ORAL_NOTE_MESSAGE]
    version = deliver(actor, ticket, consent_method="oral", consent_note="長女に電話で説明し同意")
    assert version.consent_note == "長女に電話で説明し同意"


def test_stale_version_is_refused_and_nothing_written(actor, ticket) -> None:  # noqa: ANN001
    loaded = ticket.version
    toggle(actor, ticket)
    with pytest.raises(StaleEditError):
        delivery.ticket_deliver(
            actor=actor,
            ticket=ticket,
            created_on=today(),
            received_by="本人",
            consent_method="signature",
            expected_version=loaded,
        )
    assert not TicketVersion.objects.exists()
    assert ServiceTicket.objects.get(pk=ticket.pk).status == TicketStatus.DRAFT


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_cannot_deliver(world, ticket, role) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        deliver(actor_for(getattr(world, role)), ticket)
    assert not TicketVersion.objects.exists()


def test_claimed_month_is_refused(actor, ticket) -> None:  # noqa: ANN001
    ServiceTicket.objects.filter(pk=ticket.pk).update(claimed_at=timezone.now())
    with pytest.raises(ValidationError, match="請求済み"):
        deliver(actor, ticket)
    assert not TicketVersion.objects.exists()


# --- copies -------------------------------------------------------------------------------


def test_copy_candidates_from_contacts_and_the_center(tw, ticket) -> None:  # noqa: ANN001
    guardian = ClientContactFactory(
        client=tw.client, name="後見 一郎", relationship="成年後見人", ticket_copy_role="guardian"
    )
    ClientContactFactory(client=tw.client, name="長女 花子", relationship="長女")
    worker = ClientContactFactory(
        client=tw.client,
        name="福祉 三郎",
        relationship="CW",
        ticket_copy_role="caseworker",
        priority=2,
    )
    tw.client.entrusting_center = "みどり地域包括支援センター"
    tw.client.save()
    care = delivery.copy_candidates(ticket, "23")
    assert [(c.kind, c.contact_id) for c in care] == [
        ("guardian", guardian.pk),
        ("caseworker", worker.pk),
    ]
    support = delivery.copy_candidates(ticket, "12")
    assert [(c.key, c.kind, c.recipient_name) for c in support][-1] == (
        "center",
        "center",
        "みどり地域包括支援センター",
    )
    assert len(delivery.copy_candidates(ticket, "13")) == 3


def test_delivery_creates_copies_and_sent_dates_are_compare_and_set(
    world, tw, actor, ticket
) -> None:  # noqa: ANN001
    ClientContactFactory(
        client=tw.client, name="後見 一郎", relationship="成年後見人", ticket_copy_role="guardian"
    )
    candidates = delivery.copy_candidates(ticket, "23")
    version = deliver(actor, ticket, copies=candidates)
    (made,) = TicketCopy.objects.filter(version=version)
    assert (made.kind, made.recipient_name, made.sent_on) == (
        "guardian",
        "後見 一郎（成年後見人）",
        None,
    )
    clerk = actor_for(world.clerk)  # 事務 records the clerical send
    assert (
        delivery.ticket_copies_mark_sent(
            actor=clerk, ticket=ticket, changes={made.pk: (None, today())}
        )
        == 1
    )
    made.refresh_from_db()
    assert made.sent_on == today()
    # A second page loaded before that save: refused, the date stays.
    with pytest.raises(StaleEditError) as error:
        delivery.ticket_copies_mark_sent(
            actor=actor, ticket=ticket, changes={made.pk: (None, today() - dt.timedelta(days=1))}
        )
    assert error.value.changes[0].label == "後見 一郎（成年後見人）への送付日"
    made.refresh_from_db()
    assert made.sent_on == today()
    with pytest.raises(ValidationError):
        delivery.ticket_copies_mark_sent(
            actor=actor,
            ticket=ticket,
            changes={made.pk: (today(), today() + dt.timedelta(days=2))},
        )
    with pytest.raises(Http404):
        delivery.ticket_copies_mark_sent(
            actor=actor_for(world.auditor), ticket=ticket, changes={made.pk: (today(), None)}
        )
    made.refresh_from_db()
    assert made.sent_on == today()


# --- 提供票 sends and the unsent list -------------------------------------------------------


def _names(unsent: delivery.UnsentMonth) -> dict[str, list[str]]:
    return {
        group.provider.name: [item.client_name for item in group.tickets]
        for group in unsent.providers
    }


def test_unsent_list_and_a_new_version_resets_it(world, tw, actor, ticket) -> None:  # noqa: ANN001
    first = deliver(actor, ticket)
    name = tw.client.name
    unsent = delivery.unsent_providers(actor, DECEMBER)
    assert _names(unsent) == {
        "デイサービスなごみ": [name],
        "ヘルパーステーションあおば": [name],
        "福祉用具ひまわり": [name],
    }
    clerk = actor_for(world.clerk)
    added = delivery.provider_sends_record(
        actor=clerk,
        items=[(first.pk, tw.home_help.pk), (first.pk, tw.rental.pk)],
        sent_on=today(),
        method="fax",
    )
    assert added == 2
    assert _names(delivery.unsent_providers(actor, DECEMBER)) == {"デイサービスなごみ": [name]}
    # Recording the same again adds nothing.
    assert (
        delivery.provider_sends_record(
            actor=actor, items=[(first.pk, tw.home_help.pk)], sent_on=today(), method="mail"
        )
        == 0
    )
    assert ProviderTicketSend.objects.get(version=first, provider=tw.home_help).method == "fax"

    toggle(actor, ticket)
    unsent = delivery.unsent_providers(actor, DECEMBER)
    assert unsent.providers[0].tickets[0].changed_since_delivery
    second = deliver(actor, ticket, change_reason="追加")
    assert len(delivery.unsent_providers(actor, DECEMBER).providers) == 3  # reset
    # The superseded version cannot be recorded any more: nothing written.
    with pytest.raises(ValidationError) as error:
        delivery.provider_sends_record(
            actor=actor, items=[(first.pk, tw.day_service.pk)], sent_on=today(), method="fax"
        )
    assert "第2版が交付されています" in error.value.message_dict["items"][0]
    assert not ProviderTicketSend.objects.filter(version=second).exists()


def test_sends_refuse_strangers_unknown_providers_and_future_dates(
    world, tw, actor, ticket
) -> None:  # noqa: ANN001
    version = deliver(actor, ticket)
    item = [(version.pk, tw.home_help.pk)]
    for stranger in (world.colleague, world.outsider, world.auditor):
        with pytest.raises(Http404):
            delivery.provider_sends_record(
                actor=actor_for(stranger), items=item, sent_on=today(), method="fax"
            )
    from tests.factories import ServiceProviderFactory

    other = ServiceProviderFactory(office=world.office, name="関係のない事業所")
    with pytest.raises(ValidationError, match="載っていない事業所"):
        delivery.provider_sends_record(
            actor=actor, items=[(version.pk, other.pk)], sent_on=today(), method="fax"
        )
    with pytest.raises(ValidationError, match="未来の日付"):
        delivery.provider_sends_record(
            actor=actor, items=item, sent_on=today() + dt.timedelta(days=1), method="fax"
        )
    with pytest.raises(ValidationError):
        delivery.provider_sends_record(actor=actor, items=item, sent_on=today(), method="pigeon")
    assert not ProviderTicketSend.objects.exists()


def test_unsent_list_is_scoped_to_the_caseload(world, actor, ticket, tw) -> None:  # noqa: ANN001
    deliver(actor, ticket)
    other = make_ticket_world(world.office, world.colleague)
    other_ticket, _ = generate_ticket(client=other.client, month=DECEMBER)
    deliver(actor_for(world.colleague), other_ticket)
    undelivered = make_ticket_world(world.office, world.care_manager)
    generate_ticket(client=undelivered.client, month=DECEMBER)

    mine = delivery.unsent_providers(actor, DECEMBER)
    assert {i.client_name for g in mine.providers for i in g.tickets} == {tw.client.name}
    assert mine.undelivered_count == 1
    office = delivery.unsent_providers(actor_for(world.manager), DECEMBER)
    assert {i.client_name for g in office.providers for i in g.tickets} == {
        tw.client.name,
        other.client.name,
    }
    assert delivery.unsent_providers(actor_for(world.outsider), DECEMBER).providers == []
    assert delivery.unsent_providers(actor, dt.date(2027, 1, 1)).providers == []


def test_unsent_list_query_count_is_independent_of_tickets(
    world, actor, django_assert_num_queries
) -> None:  # noqa: ANN001
    def add_client() -> None:
        extra = make_ticket_world(world.office, world.care_manager)
        extra_ticket, _ = generate_ticket(client=extra.client, month=DECEMBER)
        deliver(actor, extra_ticket)

    add_client()
    with django_assert_num_queries(4):
        small = delivery.unsent_providers(actor, DECEMBER)
    for _ in range(3):
        add_client()
    with django_assert_num_queries(4):
        large = delivery.unsent_providers(actor, DECEMBER)
    assert small.send_count == 3 and large.send_count == 12


def test_delivery_overview_query_count(actor, ticket, django_assert_num_queries) -> None:  # noqa: ANN001
    deliver(actor, ticket)
    toggle(actor, ticket)
    deliver(actor, ticket, change_reason="追加")
    with django_assert_num_queries(4):
        overview = delivery.delivery_overview(ticket)
    assert [view.version.number for view in overview.versions] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_two_people_delivering_at_once_make_one_version(world, tw) -> None:  # noqa: ANN001
    """Both loaded the same ticket version; the row lock lets one through, the other is
    refused as stale (nothing written twice)."""
    import threading

    from django.db import connection

    ticket, _ = generate_ticket(client=tw.client, month=DECEMBER)
    loaded = ticket.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(staff) -> None:  # noqa: ANN001
        try:
            barrier.wait()
            delivery.ticket_deliver(
                actor=actor_for(staff),
                ticket=ServiceTicket.objects.get(pk=ticket.pk),
                created_on=today(),
                received_by="本人",
                consent_method="signature",
                expected_version=loaded,
            )
            outcomes.append("delivered")
        except StaleEditError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(s,)) for s in (world.care_manager, world.manager)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["delivered", "stale"]
    assert TicketVersion.objects.filter(ticket=ticket).count() == 1
