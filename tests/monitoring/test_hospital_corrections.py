"""Correcting and deleting recorded hospital liaisons (退院前カンファレンス・面談,
通院時情報連携) and providers' reports: the 加算 evidence follows, the 第5表 gets a correction
entry pointing at the automatic one, stale forms are refused with nothing written, and other
caseloads / offices get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models.office_claim import ClaimEvidence
from caremgmt.access import actor_for
from caremgmt.locking import StaleEditError
from caremgmt.models import AccessLog
from clients.models import Client, HospitalStay
from monitoring.hospital import services
from monitoring.hospital.additions import discharge_addition_variant
from monitoring.models import DischargeConference, OutpatientLiaison, SupportLogEntry
from tests.factories import ClientFactory

D = dt.date
TODAY = D(2026, 11, 27)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(world):  # noqa: ANN001, ANN201
    return actor_for(world.care_manager)


@pytest.fixture
def record(world) -> Client:  # noqa: ANN001
    return ClientFactory(office=world.office, care_manager=world.care_manager)


def _discharged_stay(actor, record) -> HospitalStay:  # noqa: ANN001
    stay = services.stay_admit(
        actor=actor,
        client=record,
        hospital_name="さくら病院",
        admitted_on=D(2026, 10, 1),
        today=TODAY,
    )
    return stay


def _conference(actor, stay, day, kind="conference") -> DischargeConference:  # noqa: ANN001
    return services.conference_record(
        actor=actor,
        stay=stay,
        held_on=day,
        kind=kind,
        place="会議室",
        attendees="主治医、病棟看護師",
        content="退院後の生活を確認",
        plan_review_needed=True,
        today=TODAY,
    )


def _outpatient(actor, record, day) -> OutpatientLiaison:  # noqa: ANN001
    return services.outpatient_record(
        actor=actor,
        client=record,
        accompanied_on=day,
        clinic="みどり内科",
        doctor=None,
        doctor_name="緑 医師",
        information_given="服薬状況",
        information_received="血圧の薬を変更",
        today=TODAY,
    )


def _conference_fields(conference: DischargeConference, **changes: object) -> dict:
    fields = {
        "held_on": conference.held_on,
        "kind": conference.kind,
        "place": conference.place,
        "attendees": conference.attendees,
        "content": conference.content,
        "plan_review_needed": conference.plan_review_needed,
    }
    return {**fields, **changes}


def _outpatient_fields(liaison: OutpatientLiaison, **changes: object) -> dict:
    fields = {
        "accompanied_on": liaison.accompanied_on,
        "clinic": liaison.clinic,
        "doctor": None,
        "doctor_name": liaison.doctor_name,
        "information_given": liaison.information_given,
        "information_received": liaison.information_received,
    }
    return {**fields, **changes}


def _discharge_variant(record: Client) -> list[tuple]:
    return list(
        ClaimEvidence.objects.filter(client=record, kind="discharge").values_list(
            "month", "variant"
        )
    )


def _outpatient_evidence(record: Client) -> list[tuple]:
    return list(
        ClaimEvidence.objects.filter(client=record, kind="outpatient")
        .order_by("month")
        .values_list("month", "proof_on")
    )


def test_deleting_the_conference_turns_2ro_into_1i(actor, record) -> None:  # noqa: ANN001
    stay = _discharged_stay(actor, record)
    _conference(actor, stay, D(2026, 10, 5), kind="interview")
    conference = _conference(actor, stay, D(2026, 10, 8))
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 10, 10), today=TODAY)
    assert _discharge_variant(record) == [(D(2026, 10, 1), "2ro")]

    services.conference_delete(actor=actor, conference=conference, expected_version=1)

    assert not DischargeConference.objects.filter(pk=conference.pk).exists()
    assert _discharge_variant(record) == [(D(2026, 10, 1), "1i")]
    original = SupportLogEntry.objects.get(
        client=record,
        event="discharge_conference",
        source=f"monitoring.dischargeconference:{conference.pk}",
    )
    correction = SupportLogEntry.objects.get(corrects=original)
    assert correction.occurred_on == D(2026, 10, 8)
    assert correction.content.startswith(
        "（取消）令和8年10月8日の退院前カンファレンス（さくら病院）"
    )
    assert correction.event == "" and correction.kind == original.kind == "hospital"


def test_editing_the_kind_moves_the_variant_and_corrects_the_log(actor, record) -> None:  # noqa: ANN001
    stay = _discharged_stay(actor, record)
    interview = _conference(actor, stay, D(2026, 10, 5), kind="interview")
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 10, 10), today=TODAY)
    assert _discharge_variant(record) == [(D(2026, 10, 1), "1i")]

    saved = services.conference_update(
        actor=actor,
        conference=interview,
        expected_version=1,
        fields=_conference_fields(interview, kind="conference", held_on=D(2026, 10, 6)),
        today=TODAY,
    )
    assert (saved.kind, saved.held_on, saved.version) == ("conference", D(2026, 10, 6), 2)
    assert _discharge_variant(record) == [(D(2026, 10, 1), "1ro")]
    first = SupportLogEntry.objects.get(client=record, event="discharge_conference")
    correction = SupportLogEntry.objects.get(corrects=first)
    assert correction.occurred_on == D(2026, 10, 6)
    assert correction.content.startswith("（訂正）退院前カンファレンス（さくら病院）")

    # A second correction points at the first correction (the chain's newest entry).
    services.conference_update(
        actor=actor,
        conference=saved,
        expected_version=2,
        fields=_conference_fields(saved, kind="other"),
        today=TODAY,
    )
    assert SupportLogEntry.objects.get(corrects=correction).content.startswith("（訂正）その他")
    assert _discharge_variant(record) == []  # phone / writing alone is no liaison


def test_conference_edit_keeps_the_stay_rules(actor, record) -> None:  # noqa: ANN001
    from django.core.exceptions import ValidationError

    stay = _discharged_stay(actor, record)
    conference = _conference(actor, stay, D(2026, 10, 5))
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 10, 10), today=TODAY)
    with pytest.raises(ValidationError) as refused:
        services.conference_update(
            actor=actor,
            conference=conference,
            expected_version=1,
            fields=_conference_fields(conference, held_on=D(2026, 10, 11), attendees=" "),
            today=TODAY,
        )
    assert refused.value.message_dict == {
        "held_on": [
            "実施日は入院日（令和8年10月1日）から退院日（令和8年10月10日）までの日付にしてください。"
        ],
        "attendees": ["参加者を入力してください。"],
    }
    conference.refresh_from_db()
    assert (conference.held_on, conference.version) == (D(2026, 10, 5), 1)


def test_moving_a_liaison_across_months_resyncs_both(actor, record) -> None:  # noqa: ANN001
    liaison = _outpatient(actor, record, D(2026, 10, 30))
    assert _outpatient_evidence(record) == [(D(2026, 10, 1), D(2026, 10, 30))]

    services.outpatient_update(
        actor=actor,
        liaison=liaison,
        expected_version=1,
        fields=_outpatient_fields(liaison, accompanied_on=D(2026, 11, 2)),
        today=TODAY,
    )

    assert _outpatient_evidence(record) == [(D(2026, 11, 1), D(2026, 11, 2))]
    original = SupportLogEntry.objects.get(client=record, event="outpatient_liaison")
    correction = SupportLogEntry.objects.get(corrects=original)
    assert (original.occurred_on, correction.occurred_on) == (D(2026, 10, 30), D(2026, 11, 2))
    assert correction.content.startswith("（訂正）通院に同席（みどり内科・緑 医師）")


def test_deleting_the_only_liaison_removes_the_evidence(actor, record) -> None:  # noqa: ANN001
    first = _outpatient(actor, record, D(2026, 11, 3))
    second = _outpatient(actor, record, D(2026, 11, 10))
    services.outpatient_delete(actor=actor, liaison=first, expected_version=1)
    assert _outpatient_evidence(record) == [(D(2026, 11, 1), D(2026, 11, 10))]
    services.outpatient_delete(actor=actor, liaison=second, expected_version=1)
    assert _outpatient_evidence(record) == []
    assert not OutpatientLiaison.objects.filter(client=record).exists()
    assert SupportLogEntry.objects.filter(client=record, corrects__isnull=False).count() == 2


def test_stale_version_is_refused_with_nothing_written(actor, record) -> None:  # noqa: ANN001
    liaison = _outpatient(actor, record, D(2026, 11, 3))
    entries = SupportLogEntry.objects.count()
    with pytest.raises(StaleEditError):
        services.outpatient_update(
            actor=actor,
            liaison=liaison,
            expected_version=0,
            fields=_outpatient_fields(liaison, accompanied_on=D(2026, 10, 3)),
            today=TODAY,
        )
    with pytest.raises(StaleEditError):
        services.outpatient_delete(actor=actor, liaison=liaison, expected_version=2)
    liaison.refresh_from_db()
    assert (liaison.accompanied_on, liaison.version) == (D(2026, 11, 3), 1)
    assert _outpatient_evidence(record) == [(D(2026, 11, 1), D(2026, 11, 3))]
    assert SupportLogEntry.objects.count() == entries


# --- the screens ----------------------------------------------------------------------------


def test_edit_screen_saves_and_a_stale_form_gets_409(world, login, actor, record) -> None:  # noqa: ANN001
    liaison = _outpatient(actor, record, D(2026, 11, 3))
    http = login(world.care_manager)
    url = reverse("monitoring:outpatient_edit", args=[liaison.pk])
    page = http.get(url)
    assert page.status_code == 200 and "通院時情報連携の修正" in page.content.decode()
    data = {
        "version": "1",
        "accompanied_on": "2026-11-04",
        "clinic": "みどり内科",
        "doctor_name": "緑 医師",
        "information_given": "服薬状況",
        "information_received": "血圧の薬を変更（減量）",
    }
    assert http.post(url, data).status_code == 302
    stale = http.post(url, {**data, "information_received": "古い画面から"})
    assert stale.status_code == 409
    liaison.refresh_from_db()
    assert (liaison.information_received, liaison.version) == ("血圧の薬を変更（減量）", 2)


def test_delete_asks_first_and_deletes_on_post(world, login, actor, record) -> None:  # noqa: ANN001
    stay = _discharged_stay(actor, record)
    conference = _conference(actor, stay, D(2026, 10, 5))
    http = login(world.care_manager)
    url = reverse("monitoring:conference_delete", args=[conference.pk])
    page = http.get(url)
    assert page.status_code == 200 and "この記録を削除しますか" in page.content.decode()
    assert DischargeConference.objects.filter(pk=conference.pk).exists()
    assert AccessLog.objects.filter(client_id=record.pk, subject_id=conference.pk).exists()
    stale = http.post(url, {"version": "2"})  # stale: nothing deleted
    assert stale.status_code == 409 and "まだ何も削除していません" in stale.content.decode()
    assert DischargeConference.objects.filter(pk=conference.pk).exists()
    response = http.post(url, {"version": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:hospital", args=[record.pk])
    assert not DischargeConference.objects.filter(pk=conference.pk).exists()


@pytest.mark.parametrize("who", ["colleague", "outsider"])
@pytest.mark.parametrize(
    "name", ["conference_edit", "conference_delete", "outpatient_edit", "outpatient_delete"]
)
def test_other_caseload_and_office_get_404(world, login, actor, record, who, name) -> None:  # noqa: ANN001
    stay = _discharged_stay(actor, record)
    target = (
        _conference(actor, stay, D(2026, 10, 5))
        if name.startswith("conference")
        else _outpatient(actor, record, D(2026, 11, 3))
    )
    http = login(getattr(world, who))
    url = reverse(f"monitoring:{name}", args=[target.pk])
    assert http.get(url).status_code == 404
    assert http.post(url, {"version": "1"}).status_code == 404
    assert type(target).objects.filter(pk=target.pk, version=1).exists()


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_cannot_delete(world, login, actor, record, role) -> None:  # noqa: ANN001
    liaison = _outpatient(actor, record, D(2026, 11, 3))
    url = reverse("monitoring:outpatient_delete", args=[liaison.pk])
    assert login(getattr(world, role)).post(url, {"version": "1"}).status_code == 403
    assert OutpatientLiaison.objects.filter(pk=liaison.pk).exists()


KINDS = st.sampled_from(["conference", "interview", "other"])


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(KINDS, min_size=1, max_size=4),
    edits=st.lists(st.tuples(st.integers(0, 3), st.one_of(KINDS, st.none())), max_size=4),
)
def test_the_variant_always_matches_the_remaining_liaisons(world, kinds, edits) -> None:  # noqa: ANN001
    """Whatever is recorded, corrected (a new kind) or deleted (None), the discharge month's
    evidence says the variant of the liaisons that remain."""
    actor = actor_for(world.care_manager)
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    stay = _discharged_stay(actor, record)
    alive = [_conference(actor, stay, D(2026, 10, 2 + i), kind=k) for i, k in enumerate(kinds)]
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 10, 10), today=TODAY)
    for index, kind in edits:
        if not alive:
            break
        target = alive[index % len(alive)]
        if kind is None:
            services.conference_delete(
                actor=actor, conference=target, expected_version=target.version
            )
            alive.remove(target)
        else:
            alive[alive.index(target)] = services.conference_update(
                actor=actor,
                conference=target,
                expected_version=target.version,
                fields=_conference_fields(target, kind=kind),
                today=TODAY,
            )
    expected = discharge_addition_variant(c.kind for c in alive)
    assert _discharge_variant(record) == ([(D(2026, 10, 1), expected)] if expected else [])


def test_hospital_page_offers_correction_links_to_care_managers_only(
    world, login, actor, record
) -> None:  # noqa: ANN001, E501
    stay = _discharged_stay(actor, record)
    conference = _conference(actor, stay, D(2026, 10, 5))
    liaison = _outpatient(actor, record, D(2026, 11, 3))
    url = reverse("monitoring:hospital", args=[record.pk])
    links = [
        reverse("monitoring:conference_edit", args=[conference.pk]),
        reverse("monitoring:conference_delete", args=[conference.pk]),
        reverse("monitoring:outpatient_edit", args=[liaison.pk]),
        reverse("monitoring:outpatient_delete", args=[liaison.pk]),
    ]
    page = login(world.care_manager).get(url).content.decode()
    assert all(link in page for link in links)
    page = login(world.clerk).get(url).content.decode()
    assert not any(link in page for link in links)
