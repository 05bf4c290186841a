"""第3表 service codes typed in full width are stored as ASCII and checked as such."""

from __future__ import annotations

import pytest
from django.urls import reverse

from careplans.models import WeeklyService

pytestmark = pytest.mark.django_db


def _weekly(draft_plan, provider, code: str) -> dict[str, object]:  # noqa: ANN001
    return {
        "plan_version": draft_plan.version,
        "weekdays": ["3"],
        "starts_at": "09:30",
        "ends_at": "16:00",
        "content": "通所介護",
        "insured": "on",
        "provider": provider.pk,
        "service_code": code,
    }


@pytest.mark.parametrize("code", ["１５２３４６", "１５２３－４６", " 152346 "])
def test_full_width_service_code_is_saved_as_ascii(
    plan_setup, draft_plan, login, world, code
) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("careplans:weekly_add", args=[draft_plan.pk]),
        _weekly(draft_plan, plan_setup.day_service, code),
    )
    assert response.status_code in (200, 204, 302)
    assert list(WeeklyService.objects.filter(plan=draft_plan).values_list("service_code")) == [
        ("152346",)
    ]


def test_full_width_valid_code_gets_the_real_message_not_invalid_on_start_date(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("careplans:weekly_add", args=[draft_plan.pk]),
        _weekly(draft_plan, plan_setup.home_help, "１５２３４６"),
    )
    assert response.context["form"].errors == {
        "provider": ["この事業所は「通所介護」を提供していません。"]
    }
    assert not WeeklyService.objects.filter(plan=draft_plan).exists()


def test_full_width_lower_case_letters_are_upper_cased(plan_setup, draft_plan) -> None:  # noqa: ANN001
    from careplans.forms import WeeklyServiceForm

    form = WeeklyServiceForm(
        {**_weekly(draft_plan, plan_setup.day_service, "ａｂ１２３４")},
        providers=plan_setup.day_service.__class__.objects.all(),
        plan=draft_plan,
    )
    form.is_valid()
    assert form.cleaned_data["service_code"] == "AB1234"
