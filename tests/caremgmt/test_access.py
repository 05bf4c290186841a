"""Role scoping: the one access helper, checked with every role."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from caremgmt.access import actor_for, get_visible_or_404, visible
from caremgmt.models import Membership, Role
from clients.models import Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(world):  # noqa: ANN001, ANN201
    own = ClientFactory(office=world.office, care_manager=world.care_manager, name="自分の利用者")
    covered = ClientFactory(
        office=world.office,
        care_manager=world.colleague,
        deputy_care_manager=world.care_manager,
        name="代理で担当",
    )
    colleagues = ClientFactory(
        office=world.office, care_manager=world.colleague, name="同僚の利用者"
    )
    elsewhere = ClientFactory(
        office=world.other_office, care_manager=world.outsider, name="他事業所"
    )
    return own, covered, colleagues, elsewhere


def names(staff) -> set[str]:  # noqa: ANN001
    return set(visible(Client.objects.all(), actor_for(staff)).values_list("name", flat=True))


def test_care_manager_sees_own_and_deputy_caseload(world, clients) -> None:  # noqa: ANN001
    assert names(world.care_manager) == {"自分の利用者", "代理で担当"}


def test_chief_care_manager_without_manager_role_sees_own_caseload_only(world, clients) -> None:  # noqa: ANN001
    assert names(world.chief) == set()


@pytest.mark.parametrize("role_holder", ["manager", "clerk", "auditor"])
def test_office_wide_roles_see_the_whole_office_only(world, clients, role_holder) -> None:  # noqa: ANN001
    assert names(getattr(world, role_holder)) == {"自分の利用者", "代理で担当", "同僚の利用者"}


def test_other_office_sees_none_of_ours(world, clients) -> None:  # noqa: ANN001
    assert names(world.outsider) == {"他事業所"}


def test_staff_without_membership_sees_nothing(world, clients) -> None:  # noqa: ANN001
    Membership.objects.filter(staff=world.manager).update(is_active=False)
    assert names(world.manager) == set()


def test_manager_who_is_also_care_manager_keeps_office_view(world, clients) -> None:  # noqa: ANN001
    Membership.objects.create(
        staff=world.manager,
        office=world.office,
        role=Role.CARE_MANAGER,
        care_manager_number="12345678",
    )
    assert "同僚の利用者" in names(world.manager)


def test_get_visible_or_404_refuses_outsiders_with_404(world, clients) -> None:  # noqa: ANN001
    own, _, colleagues, elsewhere = clients
    actor = actor_for(world.care_manager)
    assert get_visible_or_404(Client, actor, pk=own.pk) == own
    for hidden in (colleagues, elsewhere):
        with pytest.raises(Http404):
            get_visible_or_404(Client, actor, pk=hidden.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Client, actor, pk="not-a-number")


def test_office_switch_only_to_own_offices(world, login) -> None:  # noqa: ANN001
    Membership.objects.create(staff=world.manager, office=world.other_office, role=Role.CLERK)
    http = login(world.manager)
    http.post(reverse("switch_office"), {"office": world.other_office.pk, "next": "/"})
    assert http.session["current_office_id"] == world.other_office.pk
    outsider_http = login(world.outsider)
    response = outsider_http.post(
        reverse("switch_office"), {"office": world.office.pk}, follow=True
    )
    assert "その事業所には所属していません。" in response.content.decode()
    assert "current_office_id" not in outsider_http.session


def test_client_page_http_scoping(world, clients, login, client) -> None:  # noqa: ANN001
    own = clients[0]
    url = reverse("clients:detail", args=[own.pk])
    assert login(world.care_manager).get(url).status_code == 200
    assert login(world.manager).get(url).status_code == 200
    assert login(world.colleague).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
    assert client.get(url).status_code == 302
    assert login(world.colleague).get(url, headers={"HX-Request": "true"}).status_code == 404
