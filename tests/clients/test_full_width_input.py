"""Full-width input (IME) in every number/code field is stored as ASCII (one helper:
`caremgmt.normalize`), and 生保単独 被保険者番号 (H + 9 digits) is accepted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.normalize import to_ascii
from clients.forms import ClientForm, ContactForm, DoctorForm, ProviderForm, ResourceForm
from clients.models import Client, ServiceProvider

pytestmark = pytest.mark.django_db

VALID_CLIENT = {
    "name": "井上 和子",
    "name_kana": "イノウエ カズコ",
    "birth_date": "1938-05-05",
    "sex": "2",
    "insurer_number": "131011",
    "insured_number": "0001234567",
}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１２３－４５６７", "123-4567"),
        ("１２３ー４５６７", "123-4567"),
        ("１２３‐４５６７", "123-4567"),
        ("１２３―４５６７", "123-4567"),
        ("１２３−４５６７", "123-4567"),
        ("０３（１２３４）５６７８", "03(1234)5678"),
        ("ＡＢＣ１２３", "ABC123"),
    ],
)
def test_to_ascii(typed, stored) -> None:  # noqa: ANN001
    assert to_ascii(typed) == stored


def test_client_form_postal_code_and_phone(world) -> None:  # noqa: ANN001
    form = ClientForm(
        {
            **VALID_CLIENT,
            "postal_code": "１２３－４５６７",
            "phone": "０３－１２３４－５６７８",
            "insured_number": "０００１－２３４－５６７",
        },
        actor=actor_for(world.care_manager),
    )
    assert form.is_valid(), form.errors
    assert (
        form.cleaned_data["postal_code"],
        form.cleaned_data["phone"],
        form.cleaned_data["insured_number"],
    ) == ("123-4567", "03-1234-5678", "0001234567")


def test_client_edit_stores_ascii(world, login) -> None:  # noqa: ANN001
    from tests.factories import ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    data = {**VALID_CLIENT, "version": client.version}
    data.update(postal_code="１０１ー００４７", phone="０３ー３２５１ー００００")
    response = login(world.care_manager).post(reverse("clients:edit", args=[client.pk]), data)
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.postal_code, client.phone) == ("101-0047", "03-3251-0000")


def test_contact_form_phone_and_mobile() -> None:
    form = ContactForm(
        {
            "name": "井上 花子",
            "relationship": "長女",
            "is_emergency_contact": "on",
            "priority": "1",
            "phone": "０３－１２３４－５６７８",
            "mobile_phone": "０９０ー１２３４ー５６７８",
        }
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["phone"], form.cleaned_data["mobile_phone"]) == (
        "03-1234-5678",
        "090-1234-5678",
    )


def test_provider_form_number_postal_phone_fax(world) -> None:  # noqa: ANN001
    form = ProviderForm(
        {
            "provider_number": "１３７１２０００１１",
            "name": "ひまわり訪問介護",
            "service_types": ["11"],
            "regional_grade": "1",
            "postal_code": "１２３－４５６７",
            "phone": "０３－１１１１－２２２２",
            "fax": "０３－１１１１－２２２３",
        },
        actor=actor_for(world.manager),
    )
    assert form.is_valid(), form.errors
    assert [
        form.cleaned_data[name] for name in ("provider_number", "postal_code", "phone", "fax")
    ] == ["1371200011", "123-4567", "03-1111-2222", "03-1111-2223"]


def test_doctor_and_resource_forms() -> None:
    doctor = DoctorForm(
        {
            "institution_name": "神田中央病院",
            "postal_code": "１０１－００４７",
            "phone": "０３－１２３４－５６７８",
            "fax": "０３－１２３４－５６７９",
            "contact_channel": "phone",
        }
    )
    assert doctor.is_valid(), doctor.errors
    assert [doctor.cleaned_data[n] for n in ("postal_code", "phone", "fax")] == [
        "101-0047",
        "03-1234-5678",
        "03-1234-5679",
    ]
    resource = ResourceForm(
        {"kind": "meals", "name": "配食", "phone": "０３－１２３４－５６７８", "offers": "昼食"}
    )
    assert resource.is_valid(), resource.errors
    assert resource.cleaned_data["phone"] == "03-1234-5678"


def test_bad_postal_code_still_gets_its_message(world) -> None:  # noqa: ANN001
    form = ClientForm(
        {**VALID_CLIENT, "postal_code": "１２３－４５"}, actor=actor_for(world.care_manager)
    )
    assert form.errors["postal_code"] == ["郵便番号は「123-4567」の形式で入力してください。"]


# --- 生保単独 被保険者番号 ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["H123456789", "ｈ１２３４５６７８９", "Ｈ123-456-789"])
def test_welfare_only_insured_number_is_accepted(world, typed) -> None:  # noqa: ANN001
    form = ClientForm(
        {**VALID_CLIENT, "insured_number": typed, "insurer_number": ""},
        actor=actor_for(world.care_manager),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["insured_number"] == "H123456789"


@pytest.mark.parametrize("typed", ["H12345678", "H1234567890", "HA23456789"])
def test_welfare_only_insured_number_shape(world, typed) -> None:  # noqa: ANN001
    form = ClientForm(
        {**VALID_CLIENT, "insured_number": typed, "insurer_number": ""},
        actor=actor_for(world.care_manager),
    )
    assert form.errors["insured_number"] == [
        "生活保護単独の被保険者番号は「H」と半角数字9桁で入力してください（例：H123456789）。"
    ]


def test_welfare_only_number_with_insurer_number_is_refused(world) -> None:  # noqa: ANN001
    form = ClientForm(
        {**VALID_CLIENT, "insured_number": "H123456789"}, actor=actor_for(world.care_manager)
    )
    assert form.errors["insurer_number"] == [
        "生活保護単独（H番号）の利用者は介護保険の保険者番号を空欄にしてください。"
        "公費は「認定・負担割合」タブの公費欄に登録します。"
    ]


def test_welfare_only_number_is_saved_through_intake(world, login) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("clients:intake"),
        {
            "consultation-consulted_on": "2026-11-20",
            "consultation-route": "municipality",
            "consultation-chief_complaint": "生活保護の方の相談",
            "client-name": "井上 和子",
            "client-name_kana": "イノウエ カズコ",
            "client-birth_date": "1966-05-05",
            "client-sex": "2",
            "client-insured_number": "Ｈ１２３４５６７８９",
        },
    )
    assert response.status_code == 302
    assert Client.objects.get().insured_number == "H123456789"
    assert ServiceProvider.objects.count() == 0
