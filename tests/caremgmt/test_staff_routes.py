"""Route matrix of the per-member 職員管理 routes (registered with tests/test_route_scoping.py,
walked by tests/test_mass_assignment.py): only the office manager of the member's office
reaches them; every other role of the office gets 403, another office's manager 404,
anonymous visitors the login page — with and without `HX-Request`."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caremgmt.models import Membership, Staff
from tests.conftest import World
from tests.test_route_scoping import Route


def _clerk(world: World) -> dict[str, Any]:
    """The member acted on: the office's 事務 (no caseload, not a manager)."""
    return {"pk": world.clerk.pk}


MEMBER_ROUTES: dict[str, Route] = {
    "staff_edit": Route(_clerk),
    "staff_retire": Route(_clerk, method="post", data={"version": "1"}),
    "staff_password_reset": Route(_clerk, method="post"),
}


def _state(world: World) -> list[Any]:
    staff = list(Staff.objects.order_by("pk").values("pk", "password", "version", "is_active"))
    return [staff, list(Membership.objects.order_by("pk").values())]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MEMBER_ROUTES))
def test_member_route_is_for_the_office_manager_only(world, login, client, name) -> None:  # noqa: ANN001
    route = MEMBER_ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    before = _state(world)

    def call(http, **headers):  # noqa: ANN001, ANN003, ANN202
        return getattr(http, route.method)(url, route.data, headers=headers)

    anonymous = call(client)
    assert anonymous.status_code in (302, 204)
    assert "/login/" in (anonymous.get("Location") or anonymous.get("HX-Redirect") or "")
    for role in ("care_manager", "colleague", "chief", "clerk", "auditor"):
        assert call(login(getattr(world, role))).status_code == 403, role
        assert call(login(getattr(world, role)), **{"HX-Request": "true"}).status_code == 403
    assert call(login(world.outsider)).status_code == 404
    assert call(login(world.outsider), **{"HX-Request": "true"}).status_code == 404
    assert _state(world) == before
    assert call(login(world.manager)).status_code in (200, 302)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MEMBER_ROUTES))
def test_another_offices_member_is_404_for_the_manager(world, login, name) -> None:  # noqa: ANN001
    route = MEMBER_ROUTES[name]
    url = reverse(name, kwargs={"pk": world.outsider.pk})
    before = _state(world)
    response = getattr(login(world.manager), route.method)(url, route.data)
    assert response.status_code == 404
    assert _state(world) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["staff_list", "staff_add", "staff_issued_password"])
def test_office_routes_refuse_other_roles(world, login, name) -> None:  # noqa: ANN001
    url = reverse(name)
    for role in ("care_manager", "chief", "clerk", "auditor"):
        assert login(getattr(world, role)).get(url).status_code == 403, role
        assert login(getattr(world, role)).post(url, {"username": "x"}).status_code == 403
    assert login(world.manager).get(url).status_code in (200, 302)
