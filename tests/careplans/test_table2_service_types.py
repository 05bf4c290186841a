"""第2表 サービス種別: only home-care types (予防 variants for 要支援), and the 事業所 list
narrowed to the providers offering the chosen type (form, htmx fragment, service)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caremgmt.choices import (
    PLAN_SERVICE_TYPES,
    PREVENTIVE_PLAN_SERVICE_TYPES,
    plan_service_type_choices,
    plan_service_types,
)
from careplans import selectors, services
from careplans.forms import SupportItemForm
from careplans.models import SupportItem
from tests.factories import CertificationFactory, ClientFactory, ServiceProviderFactory


def test_facility_and_own_plan_types_are_not_plannable() -> None:
    for code in ("51", "52", "55", "43", "46", "32", "33", "73", "77"):
        assert code not in PLAN_SERVICE_TYPES + PREVENTIVE_PLAN_SERVICE_TYPES, code
    assert plan_service_types("21") == PLAN_SERVICE_TYPES
    assert plan_service_types("12") == PREVENTIVE_PLAN_SERVICE_TYPES
    assert plan_service_types(None) == PLAN_SERVICE_TYPES + PREVENTIVE_PLAN_SERVICE_TYPES
    care = dict(plan_service_type_choices("22"))
    assert care["15"] == "通所介護" and "62" not in care and "51" not in care
    support = dict(plan_service_type_choices("13"))
    assert support["62"] == "介護予防訪問入浴介護" and support["A6"].startswith("総合事業")
    assert "11" not in support


def _goal(setup, plan):  # noqa: ANN001, ANN202
    need = services.need_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, need=None, text="入浴"
    ).instance
    plan.refresh_from_db()
    goal = services.goal_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        need=need,
        goal=None,
        fields={
            "long_term": "自宅で入浴できる",
            "long_term_from": dt.date(2026, 4, 10),
            "short_term": "週2回入浴する",
            "short_term_from": dt.date(2026, 4, 10),
        },
    ).instance
    plan.refresh_from_db()
    return goal


def _item(setup, plan, goal, **overrides):  # noqa: ANN001, ANN003, ANN202
    fields = {
        "content": "入浴介助",
        "insured": True,
        "service_type": "11",
        "provider": setup.home_help,
        "frequency": "週2回",
        "period_from": dt.date(2026, 4, 10),
    } | overrides
    return services.support_item_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        goal=goal,
        item=None,
        fields=fields,
    )


def test_facility_type_is_refused_on_a_plan(plan_setup, draft_plan, world) -> None:  # noqa: ANN001
    goal = _goal(plan_setup, draft_plan)
    facility = ServiceProviderFactory(office=world.office, name="特養さくら", service_types=["51"])
    version = draft_plan.version
    with pytest.raises(ValidationError) as error:
        _item(plan_setup, draft_plan, goal, service_type="51", provider=facility)
    assert error.value.message_dict == {
        "service_type": [
            "「介護福祉施設」は居宅サービス計画に位置付けられるサービス種別ではありません（施設サービス等）。"
        ]
    }
    assert not SupportItem.objects.exists()
    draft_plan.refresh_from_db()
    assert draft_plan.version == version


def _support_level_plan(setup, world):  # noqa: ANN001, ANN202
    client = ClientFactory(office=world.office, care_manager=world.care_manager, name="森 ハナ")
    CertificationFactory(
        client=client,
        care_level="12",
        certified_on=dt.date(2026, 3, 20),
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2027, 3, 31),
    )
    assessment = services.assessment_start(
        actor=setup.actor, client=client, assessed_on=dt.date(2026, 4, 3), reason="initial"
    )
    return services.careplan_create(
        actor=setup.actor,
        client=client,
        assessment=assessment,
        drafted_on=dt.date(2026, 4, 5),
        starts_on=dt.date(2026, 4, 10),
    )


def test_support_level_client_gets_preventive_types_only(plan_setup, world) -> None:  # noqa: ANN001
    draft_plan = _support_level_plan(plan_setup, world)
    assert draft_plan.certification.care_level == "12"
    goal = _goal(plan_setup, draft_plan)
    with pytest.raises(ValidationError) as error:
        _item(plan_setup, draft_plan, goal)
    assert error.value.message_dict == {
        "service_type": [
            "「訪問介護」は要支援・事業対象者の方の計画では選べません。介護予防のサービス種別を選んでください。"
        ]
    }
    assert not SupportItem.objects.exists()
    form = SupportItemForm(
        providers=selectors.visible_providers(actor=plan_setup.actor), plan=draft_plan
    )
    offered = [value for value, _ in form.fields["service_type"].choices if value]
    assert offered and set(offered) <= set(PREVENTIVE_PLAN_SERVICE_TYPES) and "62" in offered


def test_care_level_client_is_refused_a_preventive_type(plan_setup, draft_plan) -> None:  # noqa: ANN001
    goal = _goal(plan_setup, draft_plan)
    with pytest.raises(ValidationError) as error:
        _item(plan_setup, draft_plan, goal, service_type="67", provider=plan_setup.rental)
    assert error.value.message_dict == {
        "service_type": [
            "「介護予防福祉用具貸与」は要支援の方向けのサービス種別です。要介護の方には居宅サービスの種別を選んでください。"
        ]
    }


def test_form_lists_only_providers_offering_the_chosen_type(plan_setup, draft_plan) -> None:  # noqa: ANN001
    providers = selectors.visible_providers(actor=plan_setup.actor)
    bound = SupportItemForm({"service_type": "15"}, providers=providers, plan=draft_plan)
    assert list(bound.fields["provider"].queryset) == [plan_setup.day_service]
    unbound = SupportItemForm(providers=providers, plan=draft_plan)
    assert set(unbound.fields["provider"].queryset) == {
        plan_setup.home_help,
        plan_setup.day_service,
        plan_setup.rental,
    }
    attrs = unbound.fields["service_type"].widget.attrs
    assert attrs["hx-get"] == reverse("careplans:item_providers", args=[draft_plan.pk])
    assert attrs["hx-target"] == "#id_provider"


def test_provider_fragment_is_narrowed_by_type(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    browser = login(world.care_manager)
    url = reverse("careplans:item_providers", args=[draft_plan.pk])
    html = browser.get(
        url, {"service_type": "15", "provider": plan_setup.day_service.pk}
    ).content.decode()
    assert html.startswith("<select") and 'id="id_provider"' in html
    assert "あおぞらデイサービス" in html and "ひまわり訪問介護" not in html
    assert f'value="{plan_setup.day_service.pk}" selected' in html
    html = browser.get(url, {"service_type": "11"}).content.decode()
    assert "ひまわり訪問介護" in html and "あおぞらデイサービス" not in html
    html = browser.get(url, {"service_type": "51"}).content.decode()  # not plannable: no filter
    assert "ひまわり訪問介護" in html and "あおぞらデイサービス" in html
    assert login(world.outsider).get(url, {"service_type": "15"}).status_code == 404


def test_without_js_a_provider_of_another_type_is_refused_at_the_field(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    goal = _goal(plan_setup, draft_plan)
    response = login(world.care_manager).post(
        reverse("careplans:item_add", args=[goal.pk]),
        {
            "plan_version": draft_plan.version,
            "content": "デイサービス",
            "insured": "on",
            "service_type": "15",
            "provider": plan_setup.home_help.pk,
            "frequency": "週1回",
            "period_from": "2026-04-10",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["provider"]
    assert not SupportItem.objects.exists()
