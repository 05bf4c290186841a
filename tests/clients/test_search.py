"""Kana-insensitive search and constant query counts on the list (QUALITY §4 test 23)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caremgmt.access import actor_for
from clients import services
from clients.selectors import client_search
from tests.factories import BurdenRatioFactory, CertificationFactory, ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def aoki(world):  # noqa: ANN001, ANN201
    """Registered through the service, which maintains the search column."""
    return services.consultation_record(
        actor=actor_for(world.care_manager),
        client_fields={
            "name": "青木 トメ",
            "name_kana": "アオキ トメ",
            "birth_date": dt.date(1935, 4, 12),
            "sex": "2",
            "insurer_number": "131011",
            "insured_number": "0000012345",
        },
        consulted_on=dt.date(2026, 11, 1),
        route="family",
        route_detail="長女",
        chief_complaint="入浴が難しくなった",
    )


def names(world, query: str, staff=None) -> list[str]:  # noqa: ANN001
    clients = client_search(
        actor=actor_for(staff or world.care_manager),
        query=query,
        today=timezone.localdate(),
        status="all",
    )
    return [client.name for client in clients]


@pytest.mark.parametrize(
    "query",
    [
        "青木",
        "青木トメ",
        "あおき",
        "アオキ",
        "ｱｵｷ",
        "ｱｵｷ ﾄﾒ",
        "あおき　とめ",
        "とめ",
        "0000012345",
        "00000123",
    ],
)
def test_search_finds_the_client_in_any_kana_form(world, aoki, query) -> None:  # noqa: ANN001
    ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="石井 正男",
        name_kana="イシイ マサオ",
    )
    assert names(world, query) == ["青木 トメ"]


def test_search_does_not_cross_name_and_kana(world, aoki) -> None:  # noqa: ANN001
    assert names(world, "トメアオキ") == []


def test_search_is_scoped(world, aoki) -> None:  # noqa: ANN001
    assert names(world, "あおき", staff=world.colleague) == []
    assert names(world, "あおき", staff=world.outsider) == []
    assert names(world, "あおき", staff=world.manager) == ["青木 トメ"]


def test_edit_keeps_the_search_column_in_step(world, aoki) -> None:  # noqa: ANN001
    services.client_update(
        actor=actor_for(world.care_manager),
        client=aoki,
        expected_version=aoki.version,
        fields={"name": "青木 とめ子", "name_kana": "アオキ トメコ"},
    )
    assert names(world, "ﾄﾒｺ") == ["青木 とめ子"]


def test_filter_by_care_manager(world, login) -> None:  # noqa: ANN001
    ClientFactory(office=world.office, care_manager=world.care_manager, name="担当の方")
    ClientFactory(office=world.office, care_manager=world.colleague, name="同僚の方")
    page = login(world.manager).get(reverse("clients:index"), {"cm": world.colleague.pk})
    text = page.content.decode()
    assert "同僚の方" in text and "担当の方" not in text


def test_htmx_search_returns_only_the_results_fragment(world, login, aoki) -> None:  # noqa: ANN001
    response = login(world.care_manager).get(
        reverse("clients:index"), {"q": "ｱｵｷ"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="results">')
    assert "青木 トメ" in text and "<html" not in text


def make_caseload(world, count: int) -> None:  # noqa: ANN001
    for number in range(count):
        record = ClientFactory(
            office=world.office,
            care_manager=world.care_manager if number % 2 else world.colleague,
            deputy_care_manager=world.care_manager,
        )
        CertificationFactory(
            client=record, valid_from=dt.date(2026, 4, 1), valid_to=dt.date(2027, 3, 31)
        )
        BurdenRatioFactory(client=record)


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_does_not_grow(world, login, django_assert_max_num_queries, count) -> None:  # noqa: ANN001
    make_caseload(world, count)
    http = login(world.care_manager)
    with django_assert_max_num_queries(12):
        response = http.get(reverse("clients:index"), {"sort": "manager", "status": "all"})
    assert response.status_code == 200
    assert response.content.decode().count('class="client-name"') == min(count, 25)


def test_list_query_count_is_the_same_for_5_and_50(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    counts = []
    for added in (5, 45):
        make_caseload(world, added)
        with CaptureQueriesContext(connection) as captured:
            http.get(reverse("clients:index"), {"status": "all", "q": "リヨウシャ"})
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_search_by_welfare_only_insured_number(world) -> None:  # noqa: ANN001
    welfare = ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        insurer_number="",
        insured_number="H123456789",
    )
    found = client_search(
        actor=actor_for(world.care_manager), query="ｈ１２３４", today=dt.date(2026, 11, 1)
    )
    assert list(found) == [welfare]
