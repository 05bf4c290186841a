"""閲覧記録: the client page and every htmx tab write one access-log row each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caremgmt.models import AccessLog
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_page_and_each_tab_are_logged(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    http = login(world.care_manager)
    page = http.get(reverse("clients:detail", args=[record.pk]), REMOTE_ADDR="10.0.0.7")
    assert page.status_code == 200
    for tab in ("history", "contacts", "applications", "intake", "plans"):
        response = http.get(
            reverse("clients:tab", args=[record.pk, tab]),
            headers={"HX-Request": "true"},
            REMOTE_ADDR="10.0.0.7",
        )
        assert response.status_code == 200
        assert "<html" not in response.content.decode()
    rows = list(AccessLog.objects.order_by("pk"))
    assert [row.subject_type for row in rows] == [
        "client",
        "client_tab:history",
        "client_tab:contacts",
        "client_tab:applications",
        "client_tab:intake",
        "client_tab:plans",
    ]
    assert {
        (row.staff_id, row.client_id, row.office_id, row.action, row.ip_address) for row in rows
    } == {(world.care_manager.pk, record.pk, world.office.pk, "view", "10.0.0.7")}
    assert all(row.request_id is not None for row in rows)


def test_tab_without_htmx_redirects_to_the_page_and_refusals_log_nothing(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    response = login(world.care_manager).get(reverse("clients:tab", args=[record.pk, "contacts"]))
    assert response["Location"] == reverse("clients:detail", args=[record.pk]) + "?tab=contacts"
    login(world.colleague).get(
        reverse("clients:tab", args=[record.pk, "contacts"]), headers={"HX-Request": "true"}
    )
    assert not AccessLog.objects.exists()


def test_unknown_tab_is_404(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    response = login(world.care_manager).get(
        reverse("clients:tab", args=[record.pk, "secrets"]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
