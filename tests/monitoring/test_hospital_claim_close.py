"""The hospital-record sync and a 送信済み office-claim month (monitoring/hospital/evidence.py,
billing/office_claim/close.py): the sync leaves the closed month's evidence alone, and the
claim page lists 「記録と請求の相違」 from the same proofs and the same planned changes —
exactly what the sync would write once the month is open again (property)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models.office_claim import ClaimEvidence, OfficeClaimMonthClose
from billing.office_claim import close
from caremgmt.access import actor_for
from clients.models import HospitalStay
from monitoring.hospital import services
from monitoring.hospital.evidence import claim_differences, refresh_client_month
from monitoring.models import DischargeConference, OutpatientLiaison
from tests.billing.office_claim_world import MONTH, make_case

D = dt.date
TODAY = D(2027, 1, 10)
PAGE = reverse("billing:office_claim")

pytestmark = pytest.mark.django_db


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


def _outpatient(actor, client, day):  # noqa: ANN001, ANN202
    return services.outpatient_record(
        actor=actor,
        client=client,
        accompanied_on=day,
        clinic="みどり内科",
        doctor=None,
        doctor_name="緑 医師",
        information_given="在宅での服薬状況",
        information_received="血圧の目標値",
        today=TODAY,
    )


def _evidence(client) -> dict[str, tuple]:  # noqa: ANN001
    return {
        row.kind: (row.variant, row.proof_on, row.note)
        for row in ClaimEvidence.objects.filter(client=client, month=MONTH)
    }


def _discharged_with_interview(world, client):  # noqa: ANN001, ANN202
    actor = actor_for(world.care_manager)
    stay = services.stay_admit(
        actor=actor,
        client=client,
        hospital_name="さくら病院",
        admitted_on=D(2026, 12, 1),
        ward_contact="3階東病棟",
        today=TODAY,
    )
    _liaison(actor, stay, D(2026, 12, 8), "interview")
    services.stay_discharge(actor=actor, stay=stay, discharged_on=D(2026, 12, 15), today=TODAY)
    return stay


def test_sync_leaves_a_closed_month_alone_and_the_page_lists_the_difference(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    actor = actor_for(world.care_manager)
    stay = _discharged_with_interview(world, client)
    _outpatient(actor, client, D(2026, 12, 3))
    assert ClaimEvidence.objects.get(kind="discharge").variant == "1i"
    clerk = login(world.clerk)
    closed = clerk.post(reverse("billing:office_claim_close"), {"month": "2026-12", "confirm": "1"})
    assert closed.status_code == 302
    before = _evidence(client)

    # After sending: a conference is recorded (Ⅱロ now), the visit is deleted on the
    # hospital page (入退院・医療連携 → 削除), and an admission sheet would not matter — the
    # month's rows stay as sent.
    _liaison(actor, stay, D(2026, 12, 12), "conference")
    visit = OutpatientLiaison.objects.get(client=client)
    services.outpatient_delete(actor=actor, liaison=visit, expected_version=visit.version)
    assert not OutpatientLiaison.objects.filter(client=client).exists()
    assert _evidence(client) == before

    page = clerk.get(PAGE, {"month": "2026-12"}).content.decode()
    assert "記録と請求の相違 1件" in page
    assert "記録では退院・退所加算（Ⅱロ）ですが、送信した請求は退院・退所加算（Ⅰイ）です" in page
    assert "送信した請求の通院時情報連携加算は、記録ではもう裏付けられません。" in page
    # the live lines still claim what was sent (Ⅰイ 436132)
    assert "436132" in page and "436145" not in page

    # 管理者 undoes 送信済み: the next sync applies the records, and the difference is gone
    row = OfficeClaimMonthClose.objects.get()
    manager = login(world.manager)
    assert (
        manager.post(
            reverse("billing:office_claim_reopen"), {"month": "2026-12", "close": row.pk}
        ).status_code
        == 302
    )
    refresh_client_month(client_id=client.pk, month=MONTH, staff=world.care_manager)
    assert set(_evidence(client)) == {"discharge"}
    assert _evidence(client)["discharge"][0] == "2ro"


def test_a_newly_recorded_visit_is_a_difference_not_a_row(world, login) -> None:  # noqa: ANN001
    client = make_case(world.office, world.care_manager)
    close.close_month(actor=actor_for(world.clerk), month=MONTH)
    _outpatient(actor_for(world.care_manager), client, D(2026, 12, 3))
    assert not ClaimEvidence.objects.exists()
    page = login(world.manager).get(PAGE, {"month": "2026-12"}).content.decode()
    assert "記録では通院時情報連携加算を算定できますが、送信した請求にありません" in page
    # other months are synced as before
    _outpatient(actor_for(world.care_manager), client, D(2027, 1, 5))
    assert ClaimEvidence.objects.get().month == D(2027, 1, 1)


def test_hand_typed_rows_are_no_difference(world) -> None:  # noqa: ANN001
    """The sync never touches a hand-typed row, so neither does the difference list."""
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
    close.close_month(actor=actor_for(world.clerk), month=MONTH)
    rows = list(ClaimEvidence.objects.filter(client=client))
    assert claim_differences(MONTH, {client.pk: rows}) == {}


def _hospital_case(world, staff, index: int):  # noqa: ANN001, ANN202
    client = make_case(world.office, staff)
    stay = HospitalStay.objects.create(
        client=client,
        hospital_name="さくら病院",
        admitted_on=D(2026, 11, 20),
        discharged_on=D(2026, 12, 10 + index % 10),
        created_by=world.care_manager,
    )
    DischargeConference.objects.create(
        stay=stay,
        held_on=D(2026, 12, 5),
        kind="conference",
        attendees="病棟看護師",
        content="退院後の生活",
        author=world.care_manager,
    )
    OutpatientLiaison.objects.create(
        client=client,
        accompanied_on=D(2026, 12, 20),
        clinic="みどり内科",
        information_given="服薬",
        information_received="血圧",
        author=world.care_manager,
    )
    return client


def test_closed_page_with_differences_has_a_fixed_query_count(world, login) -> None:  # noqa: ANN001
    http = login(world.clerk)
    for index in range(3):
        _hospital_case(world, world.care_manager, index)
    close.close_month(actor=actor_for(world.clerk), month=MONTH)
    http.get(PAGE, {"month": "2026-12"})  # warm caches
    with CaptureQueriesContext(connection) as few:
        page = http.get(PAGE, {"month": "2026-12"})
    assert "記録と請求の相違 3件" in page.content.decode()
    for index in range(9):
        _hospital_case(world, world.colleague, index)
    with CaptureQueriesContext(connection) as many:
        page = http.get(PAGE, {"month": "2026-12"})
    assert "記録と請求の相違 12件" in page.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


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
    return client, stay


KINDS = st.lists(st.sampled_from(["conference", "interview", "other"]), max_size=4)


def _set_liaisons(world, stay, kinds) -> None:  # noqa: ANN001
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


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sent=KINDS, later=KINDS)
def test_a_difference_is_listed_exactly_when_the_sync_would_change_the_sent_rows(
    world, discharged, sent, later
) -> None:  # noqa: ANN001
    client, stay = discharged
    OfficeClaimMonthClose.objects.all().delete()
    _set_liaisons(world, stay, sent)
    refresh_client_month(client_id=client.pk, month=MONTH, staff=world.care_manager)
    close.close_month(actor=actor_for(world.clerk), month=MONTH)
    sent_rows = _evidence(client)

    _set_liaisons(world, stay, later)
    refresh_client_month(client_id=client.pk, month=MONTH, staff=world.care_manager)
    assert _evidence(client) == sent_rows  # closed: left alone
    rows = list(ClaimEvidence.objects.filter(client=client, month=MONTH))
    differences = claim_differences(MONTH, {client.pk: rows})

    OfficeClaimMonthClose.objects.all().delete()  # open again: the sync applies the records
    refresh_client_month(client_id=client.pk, month=MONTH, staff=world.care_manager)
    assert bool(differences) == (_evidence(client) != sent_rows)
