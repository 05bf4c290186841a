"""Bad input: field-level Japanese messages, and a failed save keeps everything typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from caremgmt.access import actor_for
from clients.forms import BurdenRatioForm, CertificationForm, ClientForm, ProviderForm
from clients.models import Certification, Client
from clients.validators import insurer_check_digit
from tests.factories import CertificationFactory, ClientFactory

pytestmark = pytest.mark.django_db

VALID_CLIENT = {
    "name": "井上 和子",
    "name_kana": "イノウエ カズコ",
    "birth_date": "1938-05-05",
    "sex": "2",
    "insurer_number": "131011",
    "insured_number": "0001234567",
}


def client_errors(world, **changes) -> dict[str, list[str]]:  # noqa: ANN001, ANN003
    form = ClientForm({**VALID_CLIENT, **changes}, actor=actor_for(world.care_manager))
    form.is_valid()
    return form.errors


@pytest.mark.parametrize(
    ("first_five", "check"), [("13101", 1), ("13102", 9), ("14100", 2), ("27100", 7), ("13106", 0)]
)
def test_insurer_check_digit(first_five, check) -> None:  # noqa: ANN001
    assert insurer_check_digit(first_five) == check


def test_valid_client_has_no_errors(world) -> None:  # noqa: ANN001
    assert client_errors(world) == {}


def test_full_width_digits_are_accepted_as_ascii(world) -> None:  # noqa: ANN001
    form = ClientForm(
        {
            **VALID_CLIENT,
            "insured_number": "０００１２３４５６７",
            "insurer_number": "１３１０１１",
        },
        actor=actor_for(world.care_manager),
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["insured_number"], form.cleaned_data["insurer_number"]) == (
        "0001234567",
        "131011",
    )


@pytest.mark.parametrize("value", ["123456789", "12345678901", "12345abcde", "１２３４５"])
def test_insured_number_must_be_10_digits(world, value) -> None:  # noqa: ANN001
    assert client_errors(world, insured_number=value)["insured_number"] == [
        "被保険者番号は半角数字10桁で入力してください。"
    ]


@pytest.mark.parametrize("value", ["13101", "1310111", "13a011"])
def test_insurer_number_must_be_6_digits(world, value) -> None:  # noqa: ANN001
    assert client_errors(world, insurer_number=value)["insurer_number"] == [
        "保険者番号は半角数字6桁で入力してください。"
    ]


def test_insurer_number_check_digit(world, settings) -> None:  # noqa: ANN001
    assert client_errors(world, insurer_number="131012")["insurer_number"] == [
        "保険者番号の検証番号（6桁目）が正しくありません。被保険者証の番号を確認してください。"
    ]
    settings.INSURER_NUMBER_CHECK_DIGIT = False
    assert client_errors(world, insurer_number="131012") == {}


def test_birth_date_in_the_future(world) -> None:  # noqa: ANN001
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert client_errors(world, birth_date=tomorrow.isoformat())["birth_date"] == [
        "生年月日に未来の日付は入力できません。"
    ]


def certification_errors(**changes) -> dict[str, list[str]]:  # noqa: ANN003
    data = {
        "application_kind": "new",
        "care_level": "21",
        "valid_from": "2026-11-10",
        "valid_to": "2027-05-31",
        **changes,
    }
    form = CertificationForm(data)
    form.is_valid()
    return form.errors


def test_certification_period_rules() -> None:
    assert certification_errors() == {}
    assert certification_errors(valid_to="2026-10-31")["valid_to"] == [
        "有効期間の終了日は開始日以降の日付にしてください。"
    ]
    assert certification_errors(valid_to="2027-05-30")["valid_to"] == [
        "有効期間の終了日は月末日にしてください。"
    ]
    assert certification_errors(care_level="99")["care_level"] == [
        "正しく選択してください。 99 は候補にありません。"
    ]


@pytest.mark.parametrize("ratio", ["0", "4", "1.5", ""])
def test_burden_ratio_must_be_1_to_3(ratio) -> None:  # noqa: ANN001
    form = BurdenRatioForm({"ratio": ratio, "valid_from": "2026-08-01", "valid_to": "2027-07-31"})
    assert form.errors["ratio"] == ["負担割合は1割・2割・3割のいずれかを選んでください。"]


def test_burden_ratio_period_order() -> None:
    form = BurdenRatioForm({"ratio": "2", "valid_from": "2026-08-01", "valid_to": "2026-07-31"})
    assert form.errors["valid_to"] == ["有効期間の終了日は開始日以降の日付にしてください。"]


def test_provider_number_must_be_10_digits(world) -> None:  # noqa: ANN001
    form = ProviderForm(
        {
            "provider_number": "137123",
            "name": "テスト",
            "service_types": ["11"],
            "regional_grade": "1",
        },
        actor=actor_for(world.manager),
    )
    assert form.errors["provider_number"] == ["事業所番号は半角数字10桁で入力してください。"]
    unknown = ProviderForm(
        {
            "provider_number": "1371200001",
            "name": "テスト",
            "service_types": ["99"],
            "regional_grade": "1",
        },
        actor=actor_for(world.manager),
    )
    assert unknown.errors["service_types"] == ["サービス種類コード「99」は一覧にありません。"]


def test_overlapping_certification_shown_at_the_field_and_input_kept(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    CertificationFactory(
        client=record, valid_from=dt.date(2026, 4, 1), valid_to=dt.date(2027, 3, 31)
    )
    response = login(world.care_manager).post(
        reverse("clients:certification_add", args=[record.pk]),
        {
            "application_kind": "renewal",
            "care_level": "23",
            "valid_from": "2027-01-01",
            "valid_to": "2028-03-31",
            "committee_opinion": "通所リハビリテーションが望ましい",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="field-error" role="alert">有効期間が既存の認定（令和8年4月1日〜令和9年3月31日）と重なっています。</p>'
        in page
    )
    assert 'value="2027-01-01"' in page and "通所リハビリテーションが望ましい" in page
    assert 'aria-invalid="true"' in page
    assert Certification.objects.count() == 1


def test_failed_intake_keeps_everything_typed(world, login) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("clients:intake"),
        {
            "consultation-consulted_on": "2026-11-20",
            "consultation-route": "hospital",
            "consultation-route_detail": "神田中央病院 地域連携室",
            "consultation-chief_complaint": "退院後の生活が不安",
            "client-name": "井上 和子",
            "client-name_kana": "イノウエ カズコ",
            "client-birth_date": "1938-05-05",
            "client-sex": "2",
            "client-insurer_number": "131012",
            "client-insured_number": "12345",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "被保険者番号は半角数字10桁で入力してください。" in page
    assert "保険者番号の検証番号（6桁目）が正しくありません。" in page
    for typed in (
        "神田中央病院 地域連携室",
        "退院後の生活が不安",
        "井上 和子",
        "イノウエ カズコ",
        "1938-05-05",
    ):
        assert typed in page
    assert not Client.objects.exists()
