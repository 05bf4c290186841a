"""地域区分 over time: the grade valid on the service date, for offices and providers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.providers import calc_provider
from caremgmt.models import OfficeRegionalGrade
from caremgmt.regional_grades import regional_grade_add, regional_grade_on
from clients.models import ProviderRegionalGrade
from tests.factories import ServiceProviderFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_without_history_the_registered_grade_is_the_fallback(world) -> None:  # noqa: ANN001
    provider = ServiceProviderFactory(office=world.office, regional_grade="4")
    assert regional_grade_on(provider, D(2020, 1, 1)) == "4"


def test_new_grade_from_a_date_closes_the_previous_one(actor, world) -> None:  # noqa: ANN001
    provider = ServiceProviderFactory(office=world.office, regional_grade="3")
    first = regional_grade_add(actor=actor, entity=provider, grade="3", valid_from=D(2024, 4, 1))
    regional_grade_add(actor=actor, entity=provider, grade="2", valid_from=D(2027, 4, 1))
    first.refresh_from_db()
    assert first.valid_to == D(2027, 3, 31)
    assert regional_grade_on(provider, D(2024, 4, 1)) == "3"
    assert regional_grade_on(provider, D(2027, 3, 31)) == "3"
    assert regional_grade_on(provider, D(2027, 4, 1)) == "2"
    provider.refresh_from_db()
    assert provider.regional_grade == "2"  # the directory shows the latest grade
    assert calc_provider(provider, service_month=D(2027, 3, 15)).regional_grade == "3"
    assert calc_provider(provider, service_month=D(2027, 4, 30)).regional_grade == "2"


def test_overlap_is_refused_and_nothing_changes(actor, world) -> None:  # noqa: ANN001
    provider = ServiceProviderFactory(office=world.office, regional_grade="3")
    regional_grade_add(actor=actor, entity=provider, grade="3", valid_from=D(2024, 4, 1))
    with pytest.raises(ValidationError) as refused:
        regional_grade_add(
            actor=actor,
            entity=provider,
            grade="5",
            valid_from=D(2023, 4, 1),
            valid_to=D(2024, 9, 30),
        )
    assert refused.value.message_dict == {
        "valid_from": ["適用期間が既存の地域区分（令和6年4月1日〜）と重なっています。"]
    }
    assert list(ProviderRegionalGrade.objects.values_list("grade", "valid_to")) == [("3", None)]
    provider.refresh_from_db()
    assert provider.regional_grade == "3"


def test_an_earlier_closed_period_keeps_the_current_field(actor, world) -> None:  # noqa: ANN001
    provider = ServiceProviderFactory(office=world.office, regional_grade="3")
    regional_grade_add(actor=actor, entity=provider, grade="3", valid_from=D(2024, 4, 1))
    regional_grade_add(
        actor=actor, entity=provider, grade="5", valid_from=D(2021, 4, 1), valid_to=D(2024, 3, 31)
    )
    assert regional_grade_on(provider, D(2022, 6, 1)) == "5"
    provider.refresh_from_db()
    assert provider.regional_grade == "3"


def test_office_grade_history(actor, world) -> None:  # noqa: ANN001
    regional_grade_add(actor=actor, entity=world.office, grade="1", valid_from=D(2024, 4, 1))
    regional_grade_add(actor=actor, entity=world.office, grade="2", valid_from=D(2027, 4, 1))
    assert regional_grade_on(world.office, D(2026, 12, 1)) == "1"
    assert regional_grade_on(world.office, D(2027, 4, 1)) == "2"
    assert OfficeRegionalGrade.objects.filter(office=world.office).count() == 2


def test_provider_screen_lists_and_adds(world, login) -> None:  # noqa: ANN001
    provider = ServiceProviderFactory(office=world.office, regional_grade="3")
    http = login(world.care_manager)
    url = reverse("clients:provider_regional_grades", args=[provider.pk])
    bad = http.post(url, {"grade": "2", "valid_from": "2027-04-01", "valid_to": "2027-03-01"})
    assert bad.context["form"].errors == {
        "valid_to": ["適用終了日は適用開始日以降の日付にしてください。"]
    }
    assert not ProviderRegionalGrade.objects.exists()
    good = http.post(url, {"grade": "2", "valid_from": "2027-04-01"})
    assert good.status_code == 302
    page = http.get(url).content.decode()
    assert "2級地" in page and "令和9年4月1日〜（適用中）" in page


def test_provider_form_grade_is_read_only_once_a_history_exists(actor, world) -> None:  # noqa: ANN001
    from clients.forms import ProviderForm

    provider = ServiceProviderFactory(office=world.office, regional_grade="3")
    assert not ProviderForm(instance=provider, actor=actor).fields["regional_grade"].disabled
    regional_grade_add(actor=actor, entity=provider, grade="3", valid_from=D(2024, 4, 1))
    form = ProviderForm(
        {
            "provider_number": provider.provider_number,
            "name": provider.name,
            "service_types": provider.service_types,
            "regional_grade": "1",
        },
        instance=provider,
        actor=actor,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["regional_grade"] == "3"
