"""Hospital services: admission/discharge rules and status, events, and the 加算 evidence the
records feed (created, moved, removed; hand-typed rows untouched)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError

from billing.models.office_claim import ClaimEvidence
from caremgmt.access import actor_for
from caremgmt.events import client_event
from clients.models import Client, HospitalStay
from monitoring.hospital import services
from monitoring.hospital.evidence import AUTO_NOTE_PREFIX
from monitoring.models import DischargeConference, OutpatientLiaison
from tests.factories import ClientFactory, DoctorFactory

D = dt.date
TODAY = D(2026, 11, 27)

pytestmark = pytest.mark.django_db


@pytest.fixture
def events() -> Iterator[list[dict]]:
    seen: list[dict] = []

    def receiver(sender, **kwargs) -> None:  # noqa: ANN001
        seen.append(kwargs)

    client_event.connect(receiver, dispatch_uid="test_hospital_events")
    yield seen
    client_event.disconnect(dispatch_uid="test_hospital_events")


@pytest.fixture
def actor(world):  # noqa: ANN001, ANN201
    return actor_for(world.care_manager)


@pytest.fixture
def record(world) -> Client:  # noqa: ANN001
    return ClientFactory(office=world.office, care_manager=world.care_manager)


OCTOBER_31 = D(2026, 10, 31)


def _admit(actor, record, day=OCTOBER_31, **kwargs) -> HospitalStay:  # noqa: ANN001
    return services.stay_admit(
        actor=actor,
        client=record,
        hospital_name=kwargs.pop("hospital_name", "さくら病院"),
        admitted_on=day,
        ward_contact="3階東病棟",
        today=TODAY,
        **kwargs,
    )


def _evidence(record: Client) -> list[tuple]:
    return list(
        ClaimEvidence.objects.filter(client=record)
        .order_by("month", "kind")
        .values_list("month", "kind", "proof_on")
    )


def test_admission_sets_hospitalized_and_emits(actor, record, events) -> None:  # noqa: ANN001
    stay = _admit(actor, record)
    record.refresh_from_db()
    assert (record.status, record.status_changed_on) == ("hospitalized", D(2026, 10, 31))
    assert (stay.hospital_name, stay.discharged_on, stay.ward_contact) == (
        "さくら病院",
        None,
        "3階東病棟",
    )
    assert [(e["event"], e["on"], e["source"]) for e in events] == [
        ("admitted", D(2026, 10, 31), f"clients.hospitalstay:{stay.pk}")
    ]
    assert "さくら病院に入院" in events[0]["summary"]


@pytest.mark.parametrize(
    ("hospital", "day", "field", "message"),
    [
        ("", D(2026, 11, 1), "hospital_name", "入院先の医療機関を入力してください。"),
        ("さくら病院", None, "admitted_on", "入院日を入力してください。"),
        ("さくら病院", D(2026, 11, 28), "admitted_on", "未来の日付は入力できません。"),
    ],
)
def test_bad_admission_is_refused_at_the_field(
    actor, record, events, hospital, day, field, message
) -> None:  # noqa: ANN001, E501
    with pytest.raises(ValidationError) as refused:
        _admit(actor, record, day=day, hospital_name=hospital)
    assert refused.value.message_dict[field] == [message]
    record.refresh_from_db()
    assert (record.status, HospitalStay.objects.count(), events) == ("contracted", 0, [])


def test_admission_today_is_allowed(actor, record) -> None:  # noqa: ANN001
    assert _admit(actor, record, day=TODAY).admitted_on == TODAY


def test_admission_overlapping_an_open_stay_is_refused(actor, record) -> None:  # noqa: ANN001
    _admit(actor, record, day=D(2026, 11, 1))
    with pytest.raises(ValidationError) as refused:
        _admit(actor, record, day=D(2026, 11, 10))
    assert "入院中の記録があります" in refused.value.message_dict["admitted_on"][0]
    assert HospitalStay.objects.count() == 1


def test_admission_inside_a_past_stay_is_refused_but_same_day_readmission_is_allowed(
    actor, record
) -> None:  # noqa: ANN001, E501
    stay = _admit(actor, record, day=D(2026, 10, 1))
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 10, 20), today=TODAY)
    with pytest.raises(ValidationError) as refused:
        _admit(actor, record, day=D(2026, 10, 5))
    assert "期間が重なります" in refused.value.message_dict["admitted_on"][0]
    assert _admit(actor, record, day=D(2026, 10, 20)).admitted_on == D(2026, 10, 20)


def test_admission_of_an_ended_client_is_refused(actor, world) -> None:  # noqa: ANN001
    ended = ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        status="ended",
        status_changed_on=D(2026, 9, 30),
    )
    with pytest.raises(ValidationError) as refused:
        _admit(actor, ended)
    assert "契約中の方のみ" in refused.value.messages[0]


def test_discharge_before_admission_is_refused(actor, record, events) -> None:  # noqa: ANN001
    stay = _admit(actor, record)
    events.clear()
    with pytest.raises(ValidationError) as refused:
        services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 10, 30), today=TODAY)
    assert refused.value.message_dict["discharged_on"] == [
        "退院日は入院日（令和8年10月31日）以降の日付にしてください。"
    ]
    stay.refresh_from_db()
    record.refresh_from_db()
    assert (stay.discharged_on, stay.version, record.status, events) == (
        None,
        1,
        "hospitalized",
        [],
    )


def test_discharge_sets_contracted_and_a_second_discharge_is_refused(actor, record, events) -> None:  # noqa: ANN001, E501
    stay = _admit(actor, record)
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 11, 12), today=TODAY)
    record.refresh_from_db()
    assert (record.status, record.status_changed_on) == ("contracted", D(2026, 11, 12))
    assert [e["event"] for e in events] == ["admitted", "discharged"]
    with pytest.raises(ValidationError):
        services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 11, 13), today=TODAY)
    stay.refresh_from_db()
    assert stay.discharged_on == D(2026, 11, 12)


def _provide(actor, stay, day, after_hours=False, version=None):  # noqa: ANN001, ANN202
    return services.admission_sheet_provided(
        actor=actor,
        stay=stay,
        expected_version=version,
        provided_on=day,
        provided_method="fax",
        provided_to="地域連携室 看護師",
        after_hours=after_hours,
        today=TODAY,
    )


def test_provided_on_the_2nd_of_next_month_is_hospital_2_in_the_admission_month(
    actor, record, events
) -> None:  # noqa: ANN001, E501
    stay = _admit(actor, record, day=D(2026, 10, 31))
    sheet = _provide(actor, stay, D(2026, 11, 2))
    assert _evidence(record) == [(D(2026, 10, 1), "hospital_2", D(2026, 11, 2))]
    assert ClaimEvidence.objects.get().note.startswith(AUTO_NOTE_PREFIX)
    assert events[-1]["event"] == "admission_info_provided"
    assert "（Ⅱ）" in events[-1]["summary"]
    # Corrected to the admission day: Ⅱ becomes Ⅰ (one row for the month).
    _provide(actor, stay, D(2026, 10, 31), version=sheet.version)
    assert _evidence(record) == [(D(2026, 10, 1), "hospital_1", D(2026, 10, 31))]
    # Corrected to too late: the evidence goes.
    sheet.refresh_from_db()
    _provide(actor, stay, D(2026, 11, 3), version=sheet.version)
    assert _evidence(record) == []
    assert [e["event"] for e in events].count("admission_info_provided") == 1


def test_after_hours_admission_moves_the_deadline(actor, record) -> None:  # noqa: ANN001
    stay = _admit(actor, record, day=D(2026, 10, 31))
    _provide(actor, stay, D(2026, 11, 1), after_hours=True)
    assert _evidence(record) == [(D(2026, 10, 1), "hospital_1", D(2026, 11, 1))]


def test_provided_in_the_future_is_refused_before_admission_is_allowed(actor, record) -> None:  # noqa: ANN001, E501
    stay = _admit(actor, record, day=D(2026, 11, 20))
    with pytest.raises(ValidationError) as refused:
        _provide(actor, stay, D(2026, 11, 28))
    assert refused.value.message_dict["provided_on"] == ["未来の日付は入力できません。"]
    assert _evidence(record) == []
    _provide(actor, stay, D(2026, 11, 18))
    assert _evidence(record) == [(D(2026, 11, 1), "hospital_1", D(2026, 11, 18))]


def test_hand_typed_evidence_is_never_touched(actor, record, world) -> None:  # noqa: ANN001
    ClaimEvidence.objects.create(
        client=record,
        month=D(2026, 10, 1),
        kind="hospital_2",
        proof_on=D(2026, 10, 31),
        note="手入力",
        created_by=world.clerk,
    )
    stay = _admit(actor, record, day=D(2026, 10, 31))
    _provide(actor, stay, D(2026, 10, 31))
    assert [(row.kind, row.note) for row in ClaimEvidence.objects.all()] == [
        ("hospital_2", "手入力")
    ]


def _conference(actor, stay, day, kind="conference"):  # noqa: ANN001, ANN202
    return services.conference_record(
        actor=actor,
        stay=stay,
        held_on=day,
        kind=kind,
        place="さくら病院 会議室",
        attendees="主治医、病棟看護師、MSW、本人、長女",
        content="退院後は訪問看護を週1回追加",
        plan_review_needed=True,
        today=TODAY,
    )


def test_discharge_evidence_in_the_discharge_month_once_discharged(actor, record, events) -> None:  # noqa: ANN001, E501
    stay = _admit(actor, record, day=D(2026, 10, 20))
    _conference(actor, stay, D(2026, 10, 30))
    _conference(actor, stay, D(2026, 11, 2), kind="interview")
    assert _evidence(record) == []  # not yet discharged
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 11, 5), today=TODAY)
    assert _evidence(record) == [(D(2026, 11, 1), "discharge", D(2026, 11, 5))]
    row = ClaimEvidence.objects.get()
    assert "（Ⅱロ）" in row.note and "連携2回・カンファレンス1回" in row.note
    assert row.variant == "2ro"
    assert [e["event"] for e in events] == [
        "admitted",
        "discharge_conference",
        "discharge_conference",
        "discharged",
    ]
    # A conference recorded after discharge (held before it) updates the variant.
    _conference(actor, stay, D(2026, 11, 4), kind="interview")
    row = ClaimEvidence.objects.get()
    assert "（Ⅲ）" in row.note and row.variant == "3"


def test_conference_outside_the_stay_is_refused(actor, record) -> None:  # noqa: ANN001
    stay = _admit(actor, record, day=D(2026, 10, 20))
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 11, 5), today=TODAY)
    for day in (D(2026, 10, 19), D(2026, 11, 6)):
        with pytest.raises(ValidationError) as refused:
            _conference(actor, stay, day)
        assert "までの日付にしてください" in refused.value.message_dict["held_on"][0]
    assert DischargeConference.objects.count() == 0


def test_discharge_before_a_recorded_conference_is_refused(actor, record) -> None:  # noqa: ANN001
    stay = _admit(actor, record, day=D(2026, 10, 20))
    _conference(actor, stay, D(2026, 11, 3))
    with pytest.raises(ValidationError) as refused:
        services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 11, 2), today=TODAY)
    assert "カンファレンスより前" in refused.value.message_dict["discharged_on"][0]


def test_stay_correction_moves_the_evidence(actor, record) -> None:  # noqa: ANN001
    stay = _admit(actor, record, day=D(2026, 10, 31))
    _provide(actor, stay, D(2026, 11, 1))
    assert _evidence(record) == [(D(2026, 10, 1), "hospital_2", D(2026, 11, 1))]
    stay.refresh_from_db()
    services.stay_update(
        actor=actor,
        stay=stay,
        expected_version=stay.version,
        fields={"hospital_name": "さくら病院", "admitted_on": D(2026, 11, 1), "notes": "訂正"},
        today=TODAY,
    )
    assert _evidence(record) == [(D(2026, 11, 1), "hospital_1", D(2026, 11, 1))]


def test_stale_stay_correction_is_refused(actor, record) -> None:  # noqa: ANN001
    from caremgmt.locking import StaleEditError

    stay = _admit(actor, record, day=D(2026, 10, 31))
    fields = {"hospital_name": "さくら病院", "admitted_on": D(2026, 10, 31), "notes": "一"}
    services.stay_update(actor=actor, stay=stay, expected_version=1, fields=fields, today=TODAY)
    with pytest.raises(StaleEditError):
        services.stay_update(
            actor=actor,
            stay=stay,
            expected_version=1,
            fields={**fields, "notes": "二"},
            today=TODAY,
        )
    stay.refresh_from_db()
    assert (stay.notes, stay.version) == ("一", 2)


def test_outpatient_liaison_once_per_month(actor, record, world, events) -> None:  # noqa: ANN001
    doctor = DoctorFactory(
        office=world.office, institution_name="みどり内科", doctor_name="緑 医師"
    )
    for day in (D(2026, 11, 20), D(2026, 11, 6)):
        services.outpatient_record(
            actor=actor,
            client=record,
            accompanied_on=day,
            clinic="",
            doctor=doctor,
            doctor_name="",
            information_given="自宅での服薬状況",
            information_received="血圧の薬を変更",
            today=TODAY,
        )
    assert _evidence(record) == [(D(2026, 11, 1), "outpatient", D(2026, 11, 6))]
    liaison = OutpatientLiaison.objects.order_by("pk").first()
    assert (liaison.clinic, liaison.doctor_name) == ("みどり内科", "緑 医師")
    assert [e["event"] for e in events] == ["outpatient_liaison", "outpatient_liaison"]


def test_outpatient_without_clinic_or_information_is_refused(actor, record) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as refused:
        services.outpatient_record(
            actor=actor,
            client=record,
            accompanied_on=D(2026, 11, 30),
            clinic="",
            doctor=None,
            doctor_name="",
            information_given="",
            information_received="x",
            today=TODAY,
        )
    assert set(refused.value.message_dict) == {"accompanied_on", "clinic", "information_given"}
    assert (OutpatientLiaison.objects.count(), ClaimEvidence.objects.count()) == (0, 0)


def test_clerk_records_admission_but_not_the_sheet(world, record) -> None:  # noqa: ANN001
    from django.core.exceptions import PermissionDenied

    clerk = actor_for(world.clerk)
    stay = _admit(clerk, record)
    with pytest.raises(PermissionDenied):
        _provide(clerk, stay, D(2026, 10, 31))
