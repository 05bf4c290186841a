import pytest
from django.urls import reverse

from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_client_page_plans_tab_leads_to_the_plan_workflow(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    response = login(world.care_manager).get(
        reverse("clients:tab", args=[record.pk, "plans"]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert reverse("careplans:client", args=[record.pk]) in response.content.decode()
