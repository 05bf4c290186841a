"""運営基準 第13条 at confirmation: 主治医 delivery for 医療系サービス (第19号の2) and
「福祉用具貸与が必要な理由」 for 福祉用具貸与 lines (第22号)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans import selectors, services
from careplans.models import (
    CarePlan,
    Goal,
    PlanDelivery,
    PlanDoctorDelivery,
    PlanStatus,
    SupportItem,
)
from careplans.service_kinds import EQUIPMENT_RENTAL_SERVICE_TYPES, MEDICAL_SERVICE_TYPES
from tests.careplans.test_lifecycle import CONSENT_DAY, _fill, _meet
from tests.factories import DoctorFactory, ServiceProviderFactory

D = dt.date
RENTAL_GAP = "第2表「車いすの貸与」（福祉用具貸与）に「福祉用具貸与が必要な理由」を書いてください。"


def _add_line(setup, plan, service_type, provider, reason=""):  # noqa: ANN001, ANN202
    plan.refresh_from_db()
    result = services.support_item_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        goal=Goal.objects.get(need__plan=plan),
        item=None,
        fields={
            "content": "車いすの貸与" if service_type == "17" else "訪問看護（服薬管理）",
            "insured": True,
            "service_type": service_type,
            "provider": provider,
            "frequency": "毎月" if service_type == "17" else "週1回",
            "period_from": D(2026, 4, 10),
            "period_to": D(2026, 9, 30),
            "equipment_rental_reason": reason,
        },
    )
    plan.refresh_from_db()
    return result


def _ready(setup, plan, service_type=None, provider=None, reason=""):  # noqa: ANN001, ANN202
    _fill(setup, plan)
    result = _add_line(setup, plan, service_type, provider, reason) if service_type else None
    _meet(setup, plan)
    plan.refresh_from_db()
    return result


def _confirm(setup, plan, **extra):  # noqa: ANN001, ANN202
    return services.careplan_confirm(
        actor=setup.actor,
        plan=plan,
        consented_on=CONSENT_DAY,
        delivered_on=CONSENT_DAY,
        provider_deliveries={setup.home_help.pk: CONSENT_DAY},
        **extra,
    )


def _assert_unchanged(plan: CarePlan) -> None:
    plan.refresh_from_db()
    assert plan.status == PlanStatus.MET and plan.consented_on is None
    assert PlanDelivery.objects.count() == 0 and PlanDoctorDelivery.objects.count() == 0


def _nursing(world):  # noqa: ANN001, ANN202
    return ServiceProviderFactory(office=world.office, name="みどり訪問看護", service_types=["13"])


def test_service_type_groups_are_data() -> None:
    assert sorted(MEDICAL_SERVICE_TYPES) == [
        "13", "14", "16", "22", "23", "25", "26", "2A",
        "2B", "31", "34", "63", "64", "66", "77", "79",
    ]  # fmt: skip
    assert sorted(EQUIPMENT_RENTAL_SERVICE_TYPES) == ["17", "67"]


def test_rental_line_without_reason_refuses_confirmation(plan_setup, draft_plan) -> None:  # noqa: ANN001
    result = _ready(plan_setup, draft_plan, "17", plan_setup.rental)
    assert result.warnings == [services.EQUIPMENT_RENTAL_REASON_WARNING]
    assert selectors.confirmation_gaps(draft_plan) == [RENTAL_GAP]
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan)
    assert error.value.message_dict == {"__all__": [RENTAL_GAP]}
    _assert_unchanged(draft_plan)


def test_rental_line_with_reason_confirms_and_shows_it(
    plan_setup, draft_plan, world, login
) -> None:  # noqa: ANN001
    result = _ready(plan_setup, draft_plan, "17", plan_setup.rental, " 自力での移動が困難なため ")
    assert result.warnings == []
    assert SupportItem.objects.get(service_type="17").equipment_rental_reason == (
        "自力での移動が困難なため"
    )
    plan = _confirm(plan_setup, draft_plan)
    assert plan.status == PlanStatus.CONFIRMED
    page = login(world.care_manager).get(reverse("careplans:plan", args=[plan.pk]))
    assert "福祉用具貸与が必要な理由：</small>自力での移動が困難なため" in page.content.decode()


def test_medical_plan_without_primary_doctor_is_refused(plan_setup, draft_plan, world) -> None:  # noqa: ANN001
    _ready(plan_setup, draft_plan, "13", _nursing(world))
    assert selectors.confirmation_gaps(draft_plan) == [
        "主治医の登録（医療系サービスを位置付けたため主治医にも交付します）"
    ]
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan, doctor_delivered_on=CONSENT_DAY)
    assert error.value.message_dict == {"__all__": [services.NO_PRIMARY_DOCTOR_MESSAGE]}
    _assert_unchanged(draft_plan)


def test_medical_plan_needs_the_doctor_delivery_date(plan_setup, draft_plan, world) -> None:  # noqa: ANN001
    doctor = DoctorFactory(office=world.office, institution_name="さくら医院", doctor_name="桜井")
    plan_setup.client.primary_doctor = doctor
    plan_setup.client.save()
    _ready(plan_setup, draft_plan, "13", _nursing(world))
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan)
    assert error.value.message_dict == {
        "doctor_delivered_on": [
            "主治医（さくら医院 内科 桜井）への交付日を入力してください。"
            "医療系サービスを位置付けた計画は主治医にも交付します。"
        ]
    }
    _assert_unchanged(draft_plan)
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan, doctor_delivered_on=D(2026, 4, 7))
    assert error.value.message_dict == {
        "doctor_delivered_on": [
            "主治医への交付日は説明・同意日（令和8年4月8日）以降の日付にしてください。"
        ]
    }
    _assert_unchanged(draft_plan)
    plan = _confirm(plan_setup, draft_plan, doctor_delivered_on=D(2026, 4, 9))
    assert plan.status == PlanStatus.CONFIRMED
    assert list(PlanDoctorDelivery.objects.values_list("plan", "doctor", "delivered_on")) == [
        (plan.pk, doctor.pk, D(2026, 4, 9))
    ]


def test_plan_without_medical_services_needs_no_doctor(plan_setup, draft_plan) -> None:  # noqa: ANN001
    _ready(plan_setup, draft_plan)
    assert selectors.confirmation_gaps(draft_plan) == []
    plan = _confirm(plan_setup, draft_plan)
    assert plan.status == PlanStatus.CONFIRMED and PlanDoctorDelivery.objects.count() == 0


def test_confirm_screen_records_the_doctor_delivery(plan_setup, draft_plan, world, login) -> None:  # noqa: ANN001
    doctor = DoctorFactory(office=world.office, institution_name="さくら医院", doctor_name="桜井")
    plan_setup.client.primary_doctor = doctor
    plan_setup.client.save()
    _ready(plan_setup, draft_plan, "13", _nursing(world))
    http = login(world.care_manager)
    url = reverse("careplans:confirm", args=[draft_plan.pk])
    assert "主治医（さくら医院 内科 桜井）への交付日" in http.get(url).content.decode()
    data = {"consented_on": "2026-04-08", "delivered_on": "2026-04-08", "consented_by": ""}
    refused = http.post(url, {**data, "doctor_delivered_on": ""})
    assert (
        "主治医（さくら医院 内科 桜井）への交付日を入力してください。" in refused.content.decode()
    )
    _assert_unchanged(draft_plan)
    response = http.post(url, {**data, "doctor_delivered_on": "2026-04-10"})
    assert response.status_code == 302
    assert PlanDoctorDelivery.objects.get().delivered_on == D(2026, 4, 10)
    page = http.get(reverse("careplans:plan", args=[draft_plan.pk])).content.decode()
    assert "主治医（さくら医院 内科 桜井）への交付日：令和8年4月10日" in page


def test_rental_reason_is_printed_on_table2(
    plan_setup, draft_plan, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    from tests.careplans.test_plan_pdf import _flat, _print

    settings.MEDIA_ROOT = tmp_path / "media"
    _ready(plan_setup, draft_plan, "17", plan_setup.rental, "自力での移動が困難なため")
    plan = _confirm(plan_setup, draft_plan)
    _, text = _print(plan_setup, plan, "2", django_capture_on_commit_callbacks)
    assert _flat("［福祉用具貸与が必要な理由］自力での移動が困難なため") in text


def _weekly(setup, plan, provider, code, content, support_item=None):  # noqa: ANN001, ANN202
    plan.refresh_from_db()
    services.weekly_service_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        weekly=None,
        fields={
            "weekdays": [4],
            "starts_at": dt.time(13),
            "ends_at": dt.time(14),
            "content": content,
            "insured": True,
            "provider": provider,
            "service_code": code,
            "support_item": support_item,
        },
    )
    plan.refresh_from_db()


def test_weekly_medical_code_alone_needs_the_doctor(plan_setup, draft_plan, world) -> None:  # noqa: ANN001
    _fill(plan_setup, draft_plan)
    _weekly(plan_setup, draft_plan, _nursing(world), "131111", "訪問看護")
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    assert services.plan_places_medical_services(draft_plan)
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan)
    assert error.value.message_dict == {"__all__": [services.NO_PRIMARY_DOCTOR_MESSAGE]}
    _assert_unchanged(draft_plan)


def test_unlinked_weekly_rental_row_needs_a_reason_on_table2(plan_setup, draft_plan) -> None:  # noqa: ANN001
    _fill(plan_setup, draft_plan)
    _weekly(plan_setup, draft_plan, plan_setup.rental, "171001", "車いす")
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    gap = (
        "第3表「車いす」（福祉用具貸与）の理由がありません。第2表の福祉用具貸与の援助内容に"
        "結び付け、「福祉用具貸与が必要な理由」を書いてください。"
    )
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan)
    assert error.value.message_dict == {"__all__": [gap]}
    _assert_unchanged(draft_plan)


def test_weekly_rental_row_linked_to_an_item_without_reason(plan_setup, draft_plan) -> None:  # noqa: ANN001
    _fill(plan_setup, draft_plan)
    bath = SupportItem.objects.get(goal__need__plan=draft_plan)
    _add_line(plan_setup, draft_plan, "17", plan_setup.rental, "立ち上がりが不安定なため")
    _weekly(plan_setup, draft_plan, plan_setup.rental, "171001", "車いす", support_item=bath)
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, draft_plan)
    assert error.value.message_dict == {
        "__all__": [
            "第3表「車いす」（福祉用具貸与）が結び付いている第2表「入浴介助」に"
            "「福祉用具貸与が必要な理由」を書いてください。"
        ]
    }
    _assert_unchanged(draft_plan)
