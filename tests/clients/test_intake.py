"""Intake: consultation → contract (→ certification), duplicates, mass assignment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.models import AccessLog
from clients import services
from clients.models import Client, ClientStatus, Consultation, Contract
from tests.factories import ClientFactory, DoctorFactory

pytestmark = pytest.mark.django_db

INTAKE = {
    "consultation-consulted_on": "2026-11-20",
    "consultation-route": "community_center",
    "consultation-route_detail": "神田地域包括支援センター",
    "consultation-chief_complaint": "一人暮らしで買い物が難しい",
    "client-name": "井上 和子",
    "client-name_kana": "いのうえ かずこ",
    "client-birth_date": "1938-05-05",
    "client-sex": "2",
    "client-insurer_number": "131011",
    "client-insurer_name": "千代田区",
    "client-insured_number": "0001234567",
    "client-living_situation": "alone",
}


def test_consultation_then_contract_without_certification(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    response = http.post(reverse("clients:intake"), INTAKE)
    record = Client.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "clients:detail", args=[record.pk]
    )
    assert (record.status, record.care_manager, record.office) == (
        ClientStatus.CONSULTING,
        world.care_manager,
        world.office,
    )
    assert record.name_kana == "イノウエ カズコ"  # hiragana typed, katakana stored
    consultation = Consultation.objects.get()
    assert (consultation.route, consultation.taken_by) == ("community_center", world.care_manager)

    contract_page = http.get(reverse("clients:contract", args=[record.pk])).content.decode()
    assert "この方には有効な要介護認定がありません（申請中）。" in contract_page

    refused = http.post(
        reverse("clients:contract", args=[record.pk]), {"contracted_on": "2026-11-25"}
    )
    assert "契約の前に重要事項説明を行い、同意を得てください。" in refused.content.decode()
    assert not Contract.objects.exists()

    http.post(
        reverse("clients:contract", args=[record.pk]),
        {
            "contracted_on": "2026-11-25",
            "important_matters_explained": "on",
            "personal_info_consent": "on",
        },
    )
    record.refresh_from_db()
    assert record.status == ClientStatus.CONTRACTED
    assert record.status_changed_on == dt.date(2026, 11, 25)
    detail = http.get(reverse("clients:detail", args=[record.pk])).content.decode()
    assert "要介護認定がありません" in detail and "契約中" in detail

    http.post(
        reverse("clients:certification_add", args=[record.pk]),
        {
            "application_kind": "new",
            "applied_on": "2026-11-20",
            "certified_on": "2026-12-18",
            "care_level": "21",
            "valid_from": "2026-11-20",
            "valid_to": "2027-05-31",
        },
    )
    assert record.certifications.get().care_level == "21"


def test_duplicate_in_another_caseload_names_only_whom_to_ask(world, login) -> None:  # noqa: ANN001
    """Issue 9 item 4: the client of another caseload is neither named nor linked."""
    existing = ClientFactory(
        office=world.office,
        care_manager=world.colleague,
        name="石井 茂",
        name_kana="イシイ シゲル",
        insurer_number="131011",
        insured_number="0001234567",
    )
    response = login(world.care_manager).post(reverse("clients:intake"), INTAKE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "この保険者番号・被保険者番号の利用者は既に登録されています。" in page
    assert (
        "同じ保険者番号・被保険者番号の利用者が、この事業所に既に登録されています（ほかの職員の担当です）。"
        f"二重登録を避けるため、担当の{world.colleague.full_name}さんに確認してください。"
    ) in page
    assert "石井" not in page and "イシイ" not in page
    assert reverse("clients:detail", args=[existing.pk]) not in page
    assert Client.objects.count() == 1
    assert not AccessLog.objects.exists()  # nothing of that client was shown


def test_duplicate_the_user_can_see_is_named_with_a_link(world, login) -> None:  # noqa: ANN001
    existing = ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="石井 茂",
        name_kana="イシイ シゲル",
        insurer_number="131011",
        insured_number="0001234567",
    )
    response = login(world.care_manager).post(reverse("clients:intake"), INTAKE)
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<a href="{reverse("clients:detail", args=[existing.pk])}">'
        "石井 茂（イシイ シゲル）の記録を開く</a>"
    ) in page
    assert Client.objects.count() == 1
    row = AccessLog.objects.get()
    assert (row.client_id, row.staff_id) == (existing.pk, world.care_manager.pk)


def test_duplicate_on_edit_hides_another_caseloads_client(world, login) -> None:  # noqa: ANN001
    hidden = ClientFactory(
        office=world.office,
        care_manager=world.colleague,
        name="石井 茂",
        name_kana="イシイ シゲル",
        insured_number="0001111111",
    )
    own = ClientFactory(
        office=world.office, care_manager=world.care_manager, insured_number="0002222222"
    )
    response = login(world.care_manager).post(
        reverse("clients:edit", args=[own.pk]),
        {
            "name": own.name,
            "name_kana": own.name_kana,
            "birth_date": "1940-04-01",
            "sex": "2",
            "insurer_number": hidden.insurer_number,
            "insured_number": "0001111111",
            "version": own.version,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"担当の{world.colleague.full_name}さんに確認してください。" in page
    assert "石井" not in page and reverse("clients:detail", args=[hidden.pk]) not in page
    own.refresh_from_db()
    assert own.insured_number == "0002222222"
    assert set(AccessLog.objects.values_list("client_id", flat=True)) == {own.pk}


def test_duplicate_refused_by_the_database_too(world) -> None:  # noqa: ANN001
    from django.db import IntegrityError, transaction

    ClientFactory(office=world.office, insured_number="0009999999")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(office=world.office, insured_number="0009999999")


def test_duplicate_refused_on_edit(world) -> None:  # noqa: ANN001
    ClientFactory(office=world.office, insured_number="0001111111")
    other = ClientFactory(
        office=world.office, care_manager=world.care_manager, insured_number="0002222222"
    )
    with pytest.raises(services.DuplicateClientError):
        services.client_update(
            actor=actor_for(world.care_manager),
            client=other,
            expected_version=other.version,
            fields={"insured_number": "0001111111"},
        )
    other.refresh_from_db()
    assert other.insured_number == "0002222222"


def test_care_manager_cannot_reassign_or_move_by_extra_post_fields(world, login) -> None:  # noqa: ANN001
    """QUALITY §4 test 2: 担当, office and version are not taken from a care manager's POST."""
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    doctor_elsewhere = DoctorFactory(office=world.other_office)
    response = login(world.care_manager).post(
        reverse("clients:edit", args=[record.pk]),
        {
            "name": record.name,
            "name_kana": record.name_kana,
            "birth_date": "1940-04-01",
            "sex": "2",
            "insurer_number": record.insurer_number,
            "insured_number": record.insured_number,
            "version": record.version,
            "care_manager": world.colleague.pk,
            "deputy_care_manager": world.colleague.pk,
            "office": world.other_office.pk,
            "status": "ended",
            "search_kana": "X",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.care_manager, record.deputy_care_manager, record.office, record.status) == (
        world.care_manager,
        None,
        world.office,
        ClientStatus.CONTRACTED,
    )
    assert record.version == 2
    # A doctor from another office cannot be linked.
    bad = login(world.care_manager).post(
        reverse("clients:edit", args=[record.pk]),
        {
            "name": record.name,
            "name_kana": record.name_kana,
            "birth_date": "1940-04-01",
            "sex": "2",
            "version": record.version,
            "primary_doctor": doctor_elsewhere.pk,
        },
    )
    assert bad.status_code == 200 and "field-error" in bad.content.decode()


def test_manager_can_reassign(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    login(world.manager).post(
        reverse("clients:edit", args=[record.pk]),
        {
            "name": record.name,
            "name_kana": record.name_kana,
            "birth_date": "1940-04-01",
            "sex": "2",
            "insurer_number": record.insurer_number,
            "insured_number": record.insured_number,
            "version": record.version,
            "care_manager": world.colleague.pk,
            "deputy_care_manager": world.care_manager.pk,
        },
    )
    record.refresh_from_db()
    assert (record.care_manager, record.deputy_care_manager) == (
        world.colleague,
        world.care_manager,
    )


def test_status_end_requires_reason_and_closes_contract(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    Contract.objects.create(
        client=record,
        contracted_on=dt.date(2025, 4, 1),
        important_matters_explained=True,
        created_by=world.care_manager,
    )
    http = login(world.care_manager)
    url = reverse("clients:status", args=[record.pk])
    refused = http.post(url, {"status": "ended", "changed_on": "2026-11-10"})
    assert "終了理由を選んでください。" in refused.content.decode()
    http.post(
        url,
        {
            "status": "ended",
            "changed_on": "2026-11-10",
            "end_reason": "facility",
            "end_note": "特養入所",
        },
    )
    record.refresh_from_db()
    assert (record.status, record.end_reason, record.status_changed_on) == (
        "ended",
        "facility",
        dt.date(2026, 11, 10),
    )
    assert Contract.objects.get().ended_on == dt.date(2026, 11, 10)


def test_application_tracking_closes_on_certification(world) -> None:  # noqa: ANN001
    actor = actor_for(world.care_manager)
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    application = services.application_create(
        actor=actor, client=record, kind="renewal", applied_on=dt.date(2026, 11, 2)
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.application_create(
            actor=actor, client=record, kind="change", applied_on=dt.date(2026, 11, 3)
        )
    certification = services.certification_add(
        actor=actor,
        client=record,
        application_kind="renewal",
        applied_on=dt.date(2026, 11, 2),
        certified_on=dt.date(2026, 12, 20),
        care_level="22",
        valid_from=dt.date(2027, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )
    application.refresh_from_db()
    assert (application.status, application.decided_on, application.certification) == (
        "certified",
        dt.date(2026, 12, 20),
        certification,
    )


def test_auditor_cannot_write_through_services(world) -> None:  # noqa: ANN001
    from django.http import Http404

    record = ClientFactory(office=world.office)
    with pytest.raises(Http404):
        services.burden_ratio_add(
            actor=actor_for(world.auditor),
            client=record,
            ratio=1,
            valid_from=dt.date(2026, 8, 1),
            valid_to=dt.date(2027, 7, 31),
        )
