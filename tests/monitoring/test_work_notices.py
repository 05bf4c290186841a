"""Notices (in-app), the notification settings (own row, version-checked) and the morning
e-mail digest (counts and a link only — no client data)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from caremgmt.events import emit
from monitoring.models import DigestSent, Notice, NotificationPreference, WorkItem
from monitoring.tasks import refresh_work_queues, send_morning_digests
from monitoring.work.digest import send_digests
from monitoring.work.refresh import refresh_office
from tests.factories import ClientFactory
from tests.monitoring.work_world import TODAY, make_work_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_the_5th(time_machine) -> None:  # noqa: ANN001
    time_machine.move_to(dt.datetime(2026, 11, 5, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))


def _admit(client, actor, capture) -> None:  # noqa: ANN001
    with capture(execute=True):
        emit(
            "admitted",
            client_id=client.pk,
            on=TODAY,
            summary="中央病院に入院",
            source="clients.hospitalstay:1",
            actor=actor,
        )


# --- notices -------------------------------------------------------------------------------


def test_admission_by_someone_else_notifies_the_care_manager(
    world, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager, name="入院 太郎")
    _admit(client, world.clerk, django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    assert (notice.recipient, notice.office, notice.kind) == (
        world.care_manager,
        world.office,
        "admitted",
    )
    assert "入院 太郎さんの入院" in notice.message and "事務 直子" in notice.message


def test_own_admission_and_other_events_notify_nobody(
    world, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    _admit(client, world.care_manager, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        emit("meeting_held", client_id=client.pk, on=TODAY, summary="会議", source="x:1")
    assert not Notice.objects.exists()


def test_deputy_is_notified_too(world, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    client = ClientFactory(
        office=world.office, care_manager=world.care_manager, deputy_care_manager=world.colleague
    )
    _admit(client, None, django_capture_on_commit_callbacks)
    assert set(Notice.objects.values_list("recipient_id", flat=True)) == {
        world.care_manager.pk,
        world.colleague.pk,
    }
    assert "自動登録" in Notice.objects.first().message


def test_notices_on_the_page_unread_first_and_marked_read(world, login) -> None:  # noqa: ANN001
    old = Notice.objects.create(
        office=world.office, recipient=world.care_manager, kind="admitted", message="古いお知らせ"
    )
    new = Notice.objects.create(
        office=world.office, recipient=world.care_manager, kind="admitted", message="新しいお知らせ"
    )
    Notice.objects.create(
        office=world.office, recipient=world.colleague, kind="admitted", message="同僚あて"
    )
    http = login(world.care_manager)
    response = http.post(reverse("monitoring:notice_read", args=[new.pk]))
    assert response.status_code == 302
    page = http.get(reverse("dashboard")).content.decode()
    assert "同僚あて" not in page
    assert page.index("古いお知らせ") < page.index("新しいお知らせ")  # unread first
    assert "未読 1件" in page
    first_read = Notice.objects.get(pk=new.pk).read_at
    partial = http.post(
        reverse("monitoring:notice_read", args=[new.pk]), headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert Notice.objects.get(pk=new.pk).read_at == first_read  # idempotent
    assert Notice.objects.get(pk=old.pk).read_at is None


def test_someone_elses_notice_cannot_be_marked(world, login) -> None:  # noqa: ANN001
    notice = Notice.objects.create(
        office=world.office, recipient=world.colleague, kind="admitted", message="同僚あて"
    )
    assert (
        login(world.manager).post(reverse("monitoring:notice_read", args=[notice.pk])).status_code
        == 404
    )
    assert (
        login(world.care_manager)
        .get(reverse("monitoring:notice_read", args=[notice.pk]))
        .status_code
        == 405
    )
    assert Notice.objects.get().read_at is None


# --- settings ------------------------------------------------------------------------------


def test_settings_save_and_a_stale_tab_is_refused(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("monitoring:notification_settings")
    assert http.get(url).status_code == 200
    preference = NotificationPreference.objects.get(staff=world.care_manager)
    assert preference.email_digest is True and preference.version == 1
    saved = http.post(url, {"version": "1"})  # unchecked: off
    assert saved.status_code == 302
    preference.refresh_from_db()
    assert (preference.email_digest, preference.version) == (False, 2)
    stale = http.post(url, {"version": "1", "email_digest": "on"})
    assert stale.status_code == 200 and "別の画面" in stale.content.decode()
    preference.refresh_from_db()
    assert (preference.email_digest, preference.version) == (False, 2)
    # the conflict page carries the current version: a deliberate second save applies
    assert 'name="version" value="2"' in stale.content.decode()
    assert http.post(url, {"version": "2", "email_digest": "on"}).status_code == 302
    assert NotificationPreference.objects.get(pk=preference.pk).email_digest is True


def test_settings_are_each_staff_members_own(world, login) -> None:  # noqa: ANN001
    login(world.care_manager).post(reverse("monitoring:notification_settings"), {"version": "1"})
    login(world.colleague).get(reverse("monitoring:notification_settings"))
    assert dict(NotificationPreference.objects.values_list("staff_id", "email_digest")) == {
        world.care_manager.pk: False,
        world.colleague.pk: True,
    }


# --- digest --------------------------------------------------------------------------------


def _client_data(ww) -> list[str]:  # noqa: ANN001
    data = []
    for client in ww.clients.values():
        data += [client.name, client.name_kana, client.insured_number, client.search_kana]
    return data


def test_digest_has_counts_and_a_link_but_no_client_data(world, settings) -> None:  # noqa: ANN001
    settings.SITE_URL = "https://caremgmt.example.jp"
    ww = make_work_world(world.office, world.care_manager)
    refresh_office(world.office, TODAY)
    assert send_digests(TODAY) == 1
    (message,) = mail.outbox
    assert message.to == [world.care_manager.email]
    text = message.subject + message.body
    assert "https://caremgmt.example.jp/" in message.body
    assert "サービス担当者会議の開催：2件" in message.body
    assert "今月のモニタリング未実施：1件" in message.body
    assert f"{len(ww.expected())}件" in message.subject
    leaked = [value for value in _client_data(ww) if value and value in text]
    assert leaked == [], leaked
    assert DigestSent.objects.get().item_count == len(ww.expected())


def test_digest_once_per_day_and_skips(world) -> None:  # noqa: ANN001
    make_work_world(world.office, world.care_manager)
    other = ClientFactory(office=world.office, care_manager=world.colleague)
    from tests.monitoring.work_world import OCTOBER, confirmed_plan, monitored

    monitored(other, confirmed_plan(other), OCTOBER)
    refresh_office(world.office, TODAY)
    world.colleague.email = ""
    world.colleague.save()
    assert send_digests(TODAY) == 1  # the colleague has no address
    assert send_digests(TODAY) == 0  # already sent today
    assert send_digests(TODAY + dt.timedelta(days=1)) == 1
    NotificationPreference.objects.create(staff=world.care_manager, email_digest=False)
    assert send_digests(TODAY + dt.timedelta(days=2)) == 0
    assert len(mail.outbox) == 2


def test_nothing_due_sends_nothing(world) -> None:  # noqa: ANN001
    assert send_digests(TODAY) == 0 and not mail.outbox


def test_beat_tasks(world) -> None:  # noqa: ANN001
    make_work_world(world.office, world.care_manager)
    assert refresh_work_queues.delay().get().endswith("items")
    assert WorkItem.objects.filter(office=world.office).exists()
    assert send_morning_digests.delay().get() == "sent 1"
