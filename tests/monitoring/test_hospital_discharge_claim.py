"""The 退院・退所加算 variant travels from the hospital records to the office claim: the sync
writes the derived 区分 on the evidence row and corrects it when the liaisons change, and the
office-claim line claims that 区分's code (property over random liaison lists)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models.office_claim import ClaimEvidence
from billing.office_claim.additions import DISCHARGE_ADDITIONS
from billing.office_claim.claim import office_month_claim
from caremgmt.access import actor_for
from clients.models import HospitalStay
from monitoring.hospital import services
from monitoring.hospital.additions import DISCHARGE_VARIANTS, discharge_addition_variant
from monitoring.hospital.evidence import AUTO_NOTE_PREFIX, refresh_client_month
from monitoring.models import DischargeConference
from tests.billing.office_claim_world import MONTH, make_case

D = dt.date
TODAY = D(2027, 1, 10)
DISCHARGE_CODES = {addition.code for addition in DISCHARGE_ADDITIONS.values()}

pytestmark = pytest.mark.django_db


def _discharge_codes(world, client) -> dict[str, int]:  # noqa: ANN001
    claim = office_month_claim(world.office, MONTH)
    line = next(line for line in claim.lines if line.client.pk == client.pk)
    return {code.code: code.units for code in line.codes if code.code in DISCHARGE_CODES}


def _liaison(actor, stay, day, kind):  # noqa: ANN001, ANN202
    return services.conference_record(
        actor=actor,
        stay=stay,
        held_on=day,
        kind=kind,
        place="さくら病院 会議室",
        attendees="主治医、病棟看護師、MSW、本人",
        content="退院後は訪問看護を週1回追加",
        plan_review_needed=True,
        today=TODAY,
    )


def test_the_variant_follows_the_liaisons_as_they_change(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    actor = actor_for(world.care_manager)
    stay = services.stay_admit(
        actor=actor,
        client=client,
        hospital_name="さくら病院",
        admitted_on=D(2026, 12, 1),
        ward_contact="3階東病棟",
        today=TODAY,
    )
    interview = _liaison(actor, stay, D(2026, 12, 8), "interview")
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 12, 15), today=TODAY)
    row = ClaimEvidence.objects.get(kind="discharge")
    assert (row.month, row.variant, row.proof_on) == (MONTH, "1i", D(2026, 12, 15))
    assert _discharge_codes(world, client) == {"436132": 450}

    # A conference held before the discharge is recorded afterwards: two liaisons, one of
    # them a conference → Ⅱロ.
    conference = _liaison(actor, stay, D(2026, 12, 12), "conference")
    row.refresh_from_db()
    assert row.variant == "2ro" and "（Ⅱロ）" in row.note
    assert _discharge_codes(world, client) == {"436145": 750}

    # Deleting the conference (入退院・医療連携 → 削除) leaves the interview: Ⅰイ; correcting
    # the single liaison to a conference: Ⅰロ. The claim's code follows each time.
    services.conference_delete(actor=actor, conference=conference, expected_version=1)
    row.refresh_from_db()
    assert row.variant == "1i" and row.note.startswith(AUTO_NOTE_PREFIX)
    assert _discharge_codes(world, client) == {"436132": 450}
    services.conference_update(
        actor=actor,
        conference=interview,
        expected_version=1,
        fields={
            "held_on": interview.held_on,
            "kind": "conference",
            "place": interview.place,
            "attendees": interview.attendees,
            "content": interview.content,
            "plan_review_needed": True,
        },
        today=TODAY,
    )
    row.refresh_from_db()
    assert row.variant == "1ro" and "（Ⅰロ）" in row.note
    assert _discharge_codes(world, client) == {"436143": 600}


def test_hand_typed_discharge_evidence_keeps_its_variant(world) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    ClaimEvidence.objects.create(
        client=client,
        month=MONTH,
        kind="discharge",
        variant="2ro",
        proof_on=D(2026, 12, 15),
        note="手入力",
        created_by=world.clerk,
    )
    stay = HospitalStay.objects.create(
        client=client,
        hospital_name="さくら病院",
        admitted_on=D(2026, 12, 1),
        discharged_on=D(2026, 12, 15),
        created_by=world.care_manager,
    )
    _liaison(actor_for(world.care_manager), stay, D(2026, 12, 10), "interview")
    row = ClaimEvidence.objects.get(kind="discharge")
    assert (row.variant, row.note) == ("2ro", "手入力")
    assert _discharge_codes(world, client) == {"436145": 750}


@pytest.fixture
def discharged(world):  # noqa: ANN001, ANN201
    client = make_case(world.office, world.care_manager)
    stay = HospitalStay.objects.create(
        client=client,
        hospital_name="さくら病院",
        admitted_on=D(2026, 12, 1),
        discharged_on=D(2026, 12, 20),
        created_by=world.care_manager,
    )
    office_month_claim(world.office, MONTH)  # warm the fee schedule cache
    return client, stay


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kinds=st.lists(st.sampled_from(["conference", "interview", "other"]), max_size=5))
def test_claimed_discharge_units_follow_the_liaisons(world, discharged, kinds) -> None:  # noqa: ANN001
    client, stay = discharged
    DischargeConference.objects.filter(stay=stay).delete()
    DischargeConference.objects.bulk_create(
        DischargeConference(
            stay=stay,
            held_on=D(2026, 12, 2 + index),
            kind=kind,
            attendees="病棟看護師",
            content="退院後の生活",
            author=world.care_manager,
        )
        for index, kind in enumerate(kinds)
    )
    refresh_client_month(client_id=client.pk, month=MONTH, staff=world.care_manager)
    variant = discharge_addition_variant(kinds)
    claimed = _discharge_codes(world, client)
    if variant is None:
        assert claimed == {}
        assert not ClaimEvidence.objects.filter(client=client, kind="discharge").exists()
    else:
        assert list(claimed.values()) == [DISCHARGE_VARIANTS[variant]]
        assert list(claimed) == [DISCHARGE_ADDITIONS[variant].code]
