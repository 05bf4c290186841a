"""支援経過 services: hand entries, the date rules, corrections (chains), and immutability
at the database level (the append-only trigger)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from caremgmt.access import actor_for
from clients.models import Consultation
from clients.models.intake import ConsultationRoute
from monitoring.models import LogKind, SupportLogEntry
from monitoring.support_log.services import (
    client_log_floor,
    support_log_correct,
    support_log_write,
)
from tests.factories import ClientFactory

D = dt.date


@pytest.fixture
def client_record(world):  # noqa: ANN001, ANN201
    return ClientFactory(office=world.office, care_manager=world.care_manager)


def _write(world, client, **overrides):  # noqa: ANN001, ANN003, ANN202
    kwargs = {
        "occurred_on": timezone.localdate(),
        "occurred_at": dt.time(10, 15),
        "kind": LogKind.PHONE,
        "counterpart": "長女",
        "content": "デイの利用日を相談した。",
        **overrides,
    }
    return support_log_write(actor=actor_for(world.care_manager), client=client, **kwargs)


def test_hand_entry_is_written_as_typed(world, client_record) -> None:  # noqa: ANN001
    entry = _write(world, client_record, content="  デイの利用日を相談した。\n次回は来週。 ")
    assert (entry.kind, entry.occurred_at, entry.counterpart, entry.author) == (
        LogKind.PHONE,
        dt.time(10, 15),
        "長女",
        world.care_manager,
    )
    assert entry.content == "デイの利用日を相談した。\n次回は来週。"
    assert not entry.is_automatic and entry.corrects is None


def test_future_date_is_refused(world, client_record) -> None:  # noqa: ANN001
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        _write(world, client_record, occurred_on=tomorrow)
    assert "未来の日付は記録できません" in error.value.message_dict["occurred_on"][0]
    assert not SupportLogEntry.objects.exists()


def test_date_before_the_intake_is_refused(world, client_record) -> None:  # noqa: ANN001
    floor = client_log_floor(client_record)
    with pytest.raises(ValidationError) as error:
        _write(world, client_record, occurred_on=floor - dt.timedelta(days=1))
    assert "より前の日付は記録できません" in error.value.message_dict["occurred_on"][0]
    assert _write(world, client_record, occurred_on=floor).occurred_on == floor


def test_floor_is_the_first_consultation_when_it_precedes_registration(
    world, client_record
) -> None:  # noqa: ANN001
    registered = timezone.localtime(client_record.created_at).date()
    assert client_log_floor(client_record) == registered
    Consultation.objects.create(
        client=client_record,
        consulted_on=D(2025, 1, 6),
        route=ConsultationRoute.values[0],
        chief_complaint="入浴が不安",
        taken_by=world.care_manager,
    )
    assert client_log_floor(client_record) == D(2025, 1, 6)


def test_blank_content_and_unknown_kind_are_refused_at_their_fields(world, client_record) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        _write(world, client_record, content="   ", kind="plan")
    assert error.value.message_dict == {
        "kind": ["種別を選んでください。"],
        "content": ["内容を入力してください。"],
    }


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_cannot_write(world, client_record, role) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        support_log_write(
            actor=actor_for(getattr(world, role)),
            client=client_record,
            occurred_on=timezone.localdate(),
            kind=LogKind.PHONE,
            content="x",
        )
    assert not SupportLogEntry.objects.exists()


def test_update_and_delete_are_refused_by_the_database(world, client_record) -> None:  # noqa: ANN001
    entry = _write(world, client_record)
    rows = SupportLogEntry.objects.filter(pk=entry.pk)
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        rows.update(content="書き換え")
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        rows.delete()
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        entry.content = "書き換え"
        entry.save()
    assert SupportLogEntry.objects.get(pk=entry.pk).content == "デイの利用日を相談した。"


def test_correction_is_a_new_entry_and_may_be_corrected_again(world, client_record) -> None:  # noqa: ANN001
    actor = actor_for(world.care_manager)
    original = _write(world, client_record)
    first = support_log_correct(
        actor=actor,
        original=original,
        occurred_on=original.occurred_on,
        occurred_at=original.occurred_at,
        counterpart="長男",
        content="デイの利用日を相談した。",
    )
    second = support_log_correct(
        actor=actor,
        original=first,
        occurred_on=original.occurred_on,
        occurred_at=dt.time(10, 30),
        counterpart="長男",
        content="デイの利用日を相談した（10:30）。",
    )
    assert (first.corrects, second.corrects) == (original, first)
    assert first.kind == LogKind.PHONE and first.client == client_record
    assert SupportLogEntry.objects.get(pk=original.pk).counterpart == "長女"
    assert SupportLogEntry.objects.count() == 3


def test_unchanged_correction_is_refused(world, client_record) -> None:  # noqa: ANN001
    original = _write(world, client_record)
    with pytest.raises(ValidationError) as error:
        support_log_correct(
            actor=actor_for(world.care_manager),
            original=original,
            occurred_on=original.occurred_on,
            occurred_at=original.occurred_at,
            counterpart=original.counterpart,
            content=original.content,
        )
    assert "元の記録と同じ" in error.value.message_dict["content"][0]
    assert SupportLogEntry.objects.count() == 1


def test_automatic_entry_is_corrected_keeping_its_kind(world, client_record) -> None:  # noqa: ANN001
    auto = SupportLogEntry.objects.create(
        client=client_record,
        occurred_on=D(2026, 11, 2),
        kind=LogKind.PLAN,
        content="計画を交付した。",
        author=world.care_manager,
        event="plan_confirmed",
        source="careplans.careplan:1",
    )
    correction = support_log_correct(
        actor=actor_for(world.care_manager),
        original=auto,
        occurred_on=D(2026, 11, 3),
        content="計画を交付した（交付日は11月3日）。",
    )
    assert (correction.kind, correction.event, correction.source) == (LogKind.PLAN, "", "")
