"""第3表 週単位以外のサービス on the plan: 福祉用具貸与 items and 短期入所 stays (the data the
monthly 利用票 is generated from). Plan writers only, on an editable plan, under the plan's
version lock; bad input refused at the field with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans import services
from careplans.models import MonthlyService
from careplans.services.monthly import monthly_service_save
from tests.factories import ServiceProviderFactory

D = dt.date


def _rental_fields(setup, **overrides):  # noqa: ANN001, ANN003, ANN202
    return {
        "provider": setup.rental,
        "service_code": "171007",
        "content": "",
        "tais_code": "00200-000001",
        "notified_code": "",
        "item_name": "据置型手すり",
        "rental_price_yen": 3000,
        "period_from": D(2026, 4, 10),
        "period_to": None,
        "light_care_exception_on": None,
        "light_care_exception_note": "",
    } | overrides


def _save(setup, plan, kind="rental", item=None, **fields):  # noqa: ANN001, ANN003, ANN202
    plan.refresh_from_db()
    return monthly_service_save(
        actor=setup.actor,
        plan=plan,
        expected_version=plan.version,
        item=item,
        kind=kind,
        fields=fields,
    )


def test_a_rental_item_is_saved_with_the_codes_name(plan_setup, draft_plan) -> None:  # noqa: ANN001
    result = _save(plan_setup, draft_plan, **_rental_fields(plan_setup))
    item = MonthlyService.objects.get()
    assert (item.kind, item.service_code, item.tais_code, item.rental_price_yen) == (
        "rental",
        "171007",
        "00200-000001",
        3000,
    )
    assert item.content == "手すり貸与"  # the fee schedule's name when left blank
    assert result.warnings == []
    draft_plan.refresh_from_db()
    assert draft_plan.version == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"tais_code": ""}, "tais_code", "TAISコードか福祉用具届出コード"),
        ({"item_name": ""}, "item_name", "用具名称"),
        ({"rental_price_yen": None}, "rental_price_yen", "貸与価格"),
        ({"service_code": "111211"}, "service_code", "福祉用具貸与のコードではありません"),
        ({"service_code": "179999"}, "service_code", "有効ではありません"),
        ({"period_from": None}, "period_from", "開始日"),
        ({"period_to": D(2026, 4, 1)}, "period_to", "終了日は開始日以降"),
        ({"period_to": D(2027, 6, 30)}, "period_from", "認定の有効期間"),
        ({"light_care_exception_on": D(2026, 4, 8)}, "light_care_exception_note", "根拠"),
    ],
)
def test_bad_rental_input_is_refused_at_the_field(
    plan_setup, draft_plan, overrides, field, message
) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        _save(plan_setup, draft_plan, **_rental_fields(plan_setup, **overrides))
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not MonthlyService.objects.exists()
    draft_plan.refresh_from_db()
    assert draft_plan.version == 1


def test_a_provider_not_offering_rental_is_refused(plan_setup, draft_plan) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        _save(plan_setup, draft_plan, **_rental_fields(plan_setup, provider=plan_setup.home_help))
    assert "provider" in error.value.message_dict
    assert not MonthlyService.objects.exists()


def test_a_light_care_item_warns_until_the_exception_is_recorded(plan_setup, draft_plan) -> None:  # noqa: ANN001
    result = _save(plan_setup, draft_plan, **_rental_fields(plan_setup, service_code="171003",
                                                            tais_code="00170-000123"))  # fmt: skip
    assert any("要介護1の方は「特殊寝台貸与」" in w for w in result.warnings)
    item = result.instance
    result = _save(
        plan_setup, draft_plan, item=item,
        **_rental_fields(plan_setup, service_code="171003", tais_code="00170-000123",
                         light_care_exception_on=D(2026, 4, 8),
                         light_care_exception_note="医師の意見（4月8日）、担当者会議、保険者確認済"),
    )  # fmt: skip
    assert result.warnings == []
    item.refresh_from_db()
    assert item.light_care_exception_on == D(2026, 4, 8)


def test_a_short_stay_needs_its_end_and_a_short_stay_code(plan_setup, draft_plan) -> None:  # noqa: ANN001
    stay = ServiceProviderFactory(office=plan_setup.client.office, service_types=["21"])
    fields = {"provider": stay, "service_code": "211111", "content": "",
              "period_from": D(2026, 5, 1), "period_to": None}  # fmt: skip
    with pytest.raises(ValidationError) as error:
        _save(plan_setup, draft_plan, kind="short_stay", **fields)
    assert "period_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _save(plan_setup, draft_plan, kind="short_stay",
              **{**fields, "service_code": "171003", "period_to": D(2026, 5, 7)})  # fmt: skip
    assert "短期入所のコードではありません" in error.value.message_dict["service_code"][0]
    result = _save(plan_setup, draft_plan, kind="short_stay",
                   **{**fields, "period_to": D(2026, 5, 7), "tais_code": "x"})  # fmt: skip
    item = result.instance
    assert (item.kind, item.period_from, item.period_to, item.tais_code) == (
        "short_stay",
        D(2026, 5, 1),
        D(2026, 5, 7),
        "",
    )


def test_a_confirmed_plan_is_read_only(plan_setup, draft_plan) -> None:  # noqa: ANN001
    type(draft_plan).objects.filter(pk=draft_plan.pk).update(
        status="confirmed", consented_on=D(2026, 4, 8), delivered_on=D(2026, 4, 8)
    )
    with pytest.raises(ValidationError, match="確定した計画"):
        _save(plan_setup, draft_plan, **_rental_fields(plan_setup))
    assert not MonthlyService.objects.exists()


def test_a_stale_save_is_refused(plan_setup, draft_plan) -> None:  # noqa: ANN001
    result = _save(plan_setup, draft_plan, **_rental_fields(plan_setup))
    with pytest.raises(services.PlanEditConflictError):
        monthly_service_save(
            actor=plan_setup.actor, plan=draft_plan, expected_version=1,
            item=result.instance, kind="rental",
            fields=_rental_fields(plan_setup, rental_price_yen=3500),
        )  # fmt: skip
    result.instance.refresh_from_db()
    assert result.instance.rental_price_yen == 3000


def test_revising_the_plan_carries_the_items_over(plan_setup, draft_plan) -> None:  # noqa: ANN001
    _save(plan_setup, draft_plan, **_rental_fields(plan_setup))
    type(draft_plan).objects.filter(pk=draft_plan.pk).update(
        status="confirmed", consented_on=D(2026, 4, 8), delivered_on=D(2026, 4, 8)
    )
    draft_plan.refresh_from_db()
    revision = services.careplan_revise(
        actor=plan_setup.actor, plan=draft_plan, drafted_on=D(2026, 10, 1)
    )
    copied = revision.monthly_services.get()
    assert (copied.service_code, copied.rental_price_yen) == ("171007", 3000)
    assert draft_plan.monthly_services.count() == 1


# --- views --------------------------------------------------------------------------------


def _post_data(setup, plan, **overrides):  # noqa: ANN001, ANN003, ANN202
    plan.refresh_from_db()
    return {
        "plan_version": plan.version,
        "provider": setup.rental.pk,
        "service_code": "171007",
        "content": "手すり（玄関）",
        "tais_code": "00200-000001",
        "item_name": "据置型手すり",
        "rental_price_yen": "3000",
        "period_from": "2026-04-10",
    } | overrides


def test_add_edit_and_delete_through_the_plan_page(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    browser = login(world.care_manager)
    plan_url = reverse("careplans:plan", args=[draft_plan.pk])
    page = browser.get(plan_url).content.decode()
    assert "＋ 福祉用具貸与" in page and "＋ 短期入所" in page
    add = reverse("careplans:monthly_add", args=[draft_plan.pk, "rental"])
    assert "用具名称" in browser.get(add).content.decode()
    response = browser.post(add, _post_data(plan_setup, draft_plan))
    assert response.status_code == 302 and response["Location"].endswith("#table3-monthly")
    item = MonthlyService.objects.get()
    page = browser.get(plan_url).content.decode()
    assert "手すり（玄関）" in page and "TAIS 00200-000001" in page and "3,000円／月" in page
    edit = reverse("careplans:monthly_edit", args=[draft_plan.pk, item.pk])
    response = browser.post(edit, _post_data(plan_setup, draft_plan, rental_price_yen="3200"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.rental_price_yen == 3200
    delete = reverse("careplans:monthly_delete", args=[draft_plan.pk, item.pk])
    assert "削除しますか" in browser.get(delete).content.decode()
    draft_plan.refresh_from_db()
    stale = browser.post(delete, {"plan_version": draft_plan.version - 1})
    assert stale.status_code == 302 and MonthlyService.objects.exists()
    browser.post(delete, {"plan_version": draft_plan.version})
    assert not MonthlyService.objects.exists()


def test_bad_input_on_the_form_keeps_what_was_typed(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    browser = login(world.care_manager)
    add = reverse("careplans:monthly_add", args=[draft_plan.pk, "rental"])
    response = browser.post(add, _post_data(plan_setup, draft_plan, rental_price_yen="",
                                            tais_code=""))  # fmt: skip
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "rental_price_yen" in errors and "tais_code" in errors
    assert "据置型手すり" in response.content.decode()
    assert not MonthlyService.objects.exists()


def test_an_unknown_kind_is_404(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    url = reverse("careplans:monthly_add", args=[draft_plan.pk, "weekly"])
    assert login(world.care_manager).get(url).status_code == 404


@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_are_refused(plan_setup, draft_plan, login, world, role) -> None:  # noqa: ANN001
    browser = login(getattr(world, role))
    add = reverse("careplans:monthly_add", args=[draft_plan.pk, "rental"])
    assert browser.get(add).status_code == 403
    assert browser.post(add, _post_data(plan_setup, draft_plan)).status_code == 403
    assert not MonthlyService.objects.exists()
    page = browser.get(reverse("careplans:plan", args=[draft_plan.pk])).content.decode()
    assert "＋ 福祉用具貸与" not in page


def test_strangers_get_404(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    add = reverse("careplans:monthly_add", args=[draft_plan.pk, "rental"])
    for stranger in (world.colleague, world.outsider):
        assert login(stranger).post(add, _post_data(plan_setup, draft_plan)).status_code == 404
    assert not MonthlyService.objects.exists()


def test_the_plan_page_lists_items_without_a_query_per_item(
    plan_setup, draft_plan, login, world, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    browser = login(world.care_manager)
    plan_url = reverse("careplans:plan", args=[draft_plan.pk])
    _save(plan_setup, draft_plan, **_rental_fields(plan_setup))
    browser.get(plan_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        browser.get(plan_url)
    for n in range(3):
        other = ServiceProviderFactory(office=plan_setup.client.office, service_types=["17"])
        _save(plan_setup, draft_plan, **_rental_fields(plan_setup, provider=other,
                                                       tais_code=f"00200-00000{n + 2}"))  # fmt: skip
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = browser.get(plan_url).content.decode()
    assert page.count("据置型手すり") == 4
