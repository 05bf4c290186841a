"""Scoping of every clients route (QUALITY §4 test 1) with the three actors, anonymous, and
`HX-Request: true`. `CLIENT_ROUTES` has the same shape as ROUTES in
tests/test_route_scoping.py so the project-wide matrix can include it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import get_resolver, reverse

from clients.models import Certification, ClientContact
from tests.conftest import World
from tests.factories import (
    BenefitRestrictionFactory,
    BurdenRatioFactory,
    CertificationApplicationFactory,
    CertificationFactory,
    ClientContactFactory,
    ClientFactory,
    DoctorFactory,
    InformalResourceFactory,
    PublicExpenseFactory,
    ServiceProviderFactory,
)

pytestmark = pytest.mark.django_db


def _client(world: World) -> Any:
    return ClientFactory(office=world.office, care_manager=world.care_manager)


def _pk(world: World) -> dict[str, Any]:
    return {"pk": _client(world).pk}


def _tab(world: World) -> dict[str, Any]:
    return {"pk": _client(world).pk, "tab": "contacts"}


def _certification(world: World) -> dict[str, Any]:
    certification = CertificationFactory(client=_client(world))
    return {"pk": certification.client_id, "certification_pk": certification.pk}


def _burden(world: World) -> dict[str, Any]:
    burden = BurdenRatioFactory(client=_client(world))
    return {"pk": burden.client_id, "burden_pk": burden.pk}


def _public_expense(world: World) -> dict[str, Any]:
    row = PublicExpenseFactory(client=_client(world))
    return {"pk": row.client_id, "public_expense_pk": row.pk}


def _restriction(world: World) -> dict[str, Any]:
    row = BenefitRestrictionFactory(client=_client(world))
    return {"pk": row.client_id, "restriction_pk": row.pk}


def _application(world: World) -> dict[str, Any]:
    application = CertificationApplicationFactory(client=_client(world))
    return {"pk": application.client_id, "application_pk": application.pk}


def _contact(world: World) -> dict[str, Any]:
    contact = ClientContactFactory(client=_client(world))
    return {"pk": contact.client_id, "contact_pk": contact.pk}


# Caseload-scoped: the owning care manager only (and office-wide roles).
CLIENT_ROUTES: dict[str, Callable[[World], dict[str, Any]]] = {
    "clients:detail": _pk,
    "clients:tab": _tab,
    "clients:edit": _pk,
    "clients:contract": _pk,
    "clients:status": _pk,
    "clients:certification_add": _pk,
    "clients:certification_correct": _certification,
    "clients:burden_add": _pk,
    "clients:burden_correct": _burden,
    "clients:filing_add": _pk,
    "clients:public_expense_add": _pk,
    "clients:public_expense_correct": _public_expense,
    "clients:restriction_add": _pk,
    "clients:restriction_correct": _restriction,
    "clients:application_add": _pk,
    "clients:application_edit": _application,
    "clients:contact_add": _pk,
    "clients:contact_edit": _contact,
    "clients:contact_delete": _contact,
}
POST_ONLY = {"clients:contact_delete"}
# Office-scoped directories: the whole office, never another office.
DIRECTORY_ROUTES: dict[str, Callable[[World], dict[str, Any]]] = {
    "clients:provider_edit": lambda w: {"pk": ServiceProviderFactory(office=w.office).pk},
    "clients:provider_regional_grades": lambda w: {
        "pk": ServiceProviderFactory(office=w.office).pk
    },
    "clients:doctor_edit": lambda w: {"pk": DoctorFactory(office=w.office).pk},
    "clients:resource_edit": lambda w: {"pk": InformalResourceFactory(office=w.office).pk},
}
LIST_ROUTES = {
    "clients:index",
    "clients:intake",
    "clients:expiring",
    "clients:providers",
    "clients:provider_add",
    "clients:doctors",
    "clients:doctor_add",
    "clients:resources",
    "clients:resource_add",
}
READ_ONLY_ROUTES = {"clients:detail", "clients:tab"}


def test_every_clients_route_is_covered_here() -> None:
    names = {
        f"clients:{name}"
        for name in get_resolver().namespace_dict["clients"][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == set(CLIENT_ROUTES) | set(DIRECTORY_ROUTES) | LIST_ROUTES


def _call(http, name: str, url: str, **headers: str):  # noqa: ANN001, ANN202
    if name in POST_ONLY:
        return http.post(url, headers=headers)
    return http.get(url, headers=headers)


@pytest.mark.parametrize("name", sorted(CLIENT_ROUTES))
def test_client_route_scoping(world, login, client, name) -> None:  # noqa: ANN001
    url = reverse(name, kwargs=CLIENT_ROUTES[name](world))
    anonymous = _call(client, name, url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    anonymous_htmx = _call(client, name, url, **{"HX-Request": "true"})
    assert anonymous_htmx.status_code == 204 and "/login/" in anonymous_htmx["HX-Redirect"]
    for stranger in (world.colleague, world.outsider):
        assert _call(login(stranger), name, url).status_code == 404, stranger
        assert _call(login(stranger), name, url, **{"HX-Request": "true"}).status_code == 404
    auditor_status = _call(login(world.auditor), name, url).status_code
    assert (auditor_status in (200, 302)) == (name in READ_ONLY_ROUTES)
    owner = login(world.care_manager)
    if name not in POST_ONLY:  # a delete succeeds once
        assert _call(owner, name, url, **{"HX-Request": "true"}).status_code in (200, 302)
        assert _call(login(world.manager), name, url).status_code in (200, 302)
    assert _call(owner, name, url).status_code in (200, 302)


@pytest.mark.parametrize("name", sorted(DIRECTORY_ROUTES))
def test_directory_route_scoping(world, login, client, name) -> None:  # noqa: ANN001
    url = reverse(name, kwargs=DIRECTORY_ROUTES[name](world))
    assert "/login/" in client.get(url)["Location"]
    assert login(world.care_manager).get(url).status_code == 200
    assert login(world.colleague).get(url).status_code == 200  # office-wide address book
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.outsider).get(url, headers={"HX-Request": "true"}).status_code == 404
    assert login(world.auditor).get(url).status_code == 404  # read-only role cannot edit


@pytest.mark.parametrize("name", sorted(LIST_ROUTES))
def test_list_routes_require_login(client, world, login, name) -> None:  # noqa: ANN001
    url = reverse(name)
    assert "/login/" in client.get(url)["Location"]
    assert login(world.care_manager).get(url).status_code == 200


def test_lists_show_only_the_actors_scope(world, login) -> None:  # noqa: ANN001
    ClientFactory(office=world.office, care_manager=world.care_manager, name="自分の利用者")
    ClientFactory(office=world.office, care_manager=world.colleague, name="同僚の利用者")
    ClientFactory(office=world.other_office, care_manager=world.outsider, name="他所の利用者")
    ServiceProviderFactory(office=world.office, name="うちの訪問介護")
    ServiceProviderFactory(office=world.other_office, name="よその訪問介護")
    own = login(world.care_manager)
    page = own.get(reverse("clients:index")).content.decode()
    assert "自分の利用者" in page and "同僚の利用者" not in page and "他所の利用者" not in page
    providers = own.get(reverse("clients:providers")).content.decode()
    assert "うちの訪問介護" in providers and "よその訪問介護" not in providers
    whole_office = login(world.manager).get(reverse("clients:index")).content.decode()
    assert "同僚の利用者" in whole_office and "他所の利用者" not in whole_office


def test_colleague_post_changes_nothing(world, login) -> None:  # noqa: ANN001
    record = ClientFactory(office=world.office, care_manager=world.care_manager)
    response = login(world.colleague).post(
        reverse("clients:certification_add", args=[record.pk]),
        {
            "application_kind": "new",
            "care_level": "21",
            "valid_from": "2026-11-01",
            "valid_to": "2027-04-30",
        },
    )
    assert response.status_code == 404
    assert not Certification.objects.exists()
    contact = ClientContactFactory(client=record)
    assert (
        login(world.outsider)
        .post(reverse("clients:contact_delete", args=[record.pk, contact.pk]))
        .status_code
        == 404
    )
    assert ClientContact.objects.filter(pk=contact.pk).exists()


def test_sub_object_of_another_client_is_404(world, login) -> None:  # noqa: ANN001
    """A certification id from a client the user cannot see, put under their own client's URL."""
    mine = ClientFactory(office=world.office, care_manager=world.care_manager)
    theirs = CertificationFactory(
        client=ClientFactory(office=world.office, care_manager=world.colleague)
    )
    url = reverse("clients:certification_correct", args=[mine.pk, theirs.pk])
    assert login(world.care_manager).get(url).status_code == 404
