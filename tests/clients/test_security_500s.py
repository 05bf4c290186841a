"""Issue 9 items 9 and 11: a NUL in a search parameter and a name that NFKC expands beyond
the old kana-search column — both used to end in HTTP 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.kana import client_search_kana
from clients.models import Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

# --- item 9 --------------------------------------------------------------------------------

NUL_ROUTES = [
    ("clients:index", "q"),
    ("clients:index", "type"),
    ("clients:index", "kind"),
    ("clients:providers", "q"),
    ("clients:providers", "type"),
    ("clients:providers", "kind"),
    ("clients:doctors", "q"),
    ("clients:doctors", "type"),
    ("clients:doctors", "kind"),
    ("clients:resources", "q"),
    ("clients:resources", "type"),
    ("clients:resources", "kind"),
]


@pytest.mark.parametrize(("route", "param"), NUL_ROUTES)
def test_nul_in_a_search_parameter_is_dropped(world, login, route, param) -> None:  # noqa: ANN001
    response = login(world.care_manager).get(reverse(route), {param: "あ\x00お"})
    assert response.status_code == 200


def test_nul_is_dropped_before_the_search_runs(world, login) -> None:  # noqa: ANN001
    ClientFactory(office=world.office, care_manager=world.care_manager, name="青木 トメ")
    response = login(world.care_manager).get(reverse("clients:index"), {"q": "青\x00木"})
    assert response.status_code == 200
    assert "青木 トメ" in response.content.decode()


def test_nul_in_a_posted_field_is_dropped(world, login) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("clients:intake"), {**INTAKE, "client-name": "井上\x00 和子"}
    )
    assert response.status_code == 302
    assert Client.objects.get().name == "井上 和子"


# --- item 11 -------------------------------------------------------------------------------

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
EXPANDING_NAMES = ["㍿" * 60, "\ufdfa" * 100]


@pytest.mark.parametrize("name", EXPANDING_NAMES)
def test_intake_with_a_name_that_nfkc_expands(world, login, name) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("clients:intake"), {**INTAKE, "client-name": name}
    )
    assert response.status_code == 302
    client = Client.objects.get()
    assert client.name == name
    assert client.search_kana == client_search_kana(name=name, name_kana="イノウエ カズコ")
    assert len(client.search_kana) > 210


@pytest.mark.parametrize("name", EXPANDING_NAMES)
def test_edit_to_a_name_that_nfkc_expands(world, login, name) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    assert http.post(reverse("clients:intake"), INTAKE).status_code == 302
    client = Client.objects.get()
    data = {
        key.removeprefix("client-"): value
        for key, value in INTAKE.items()
        if key.startswith("client-")
    }
    response = http.post(
        reverse("clients:edit", args=[client.pk]), {**data, "name": name, "version": client.version}
    )
    assert response.status_code == 302, response.context["form"].errors
    client.refresh_from_db()
    assert client.name == name
    assert client.search_kana.startswith("株式会社" * 60 if name[0] == "㍿" else "صلى")
    found = http.get(
        reverse("clients:index"), {"q": "株式会社株式会社" if name[0] == "㍿" else "صلى"}
    )
    assert name in found.content.decode()
