"""The list search survives browser Back: htmx pushes the query to the address bar and a full
load (or an htmx history restore) of that address renders the filtered page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_clients(world):  # noqa: ANN001, ANN201
    ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="青木 トメ",
        name_kana="アオキ トメ",
    )
    ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="井上 ハナ",
        name_kana="イノウエ ハナ",
    )


def test_search_form_and_pages_push_the_query_to_the_address_bar(world, login, two_clients) -> None:  # noqa: ANN001
    text = login(world.care_manager).get(reverse("clients:index")).content.decode()
    form = text[text.index('<form method="get" class="search-bar"') :]
    form = form[: form.index(">")]
    assert 'hx-push-url="true"' in form


def test_full_load_of_the_pushed_address_renders_the_filtered_page(
    world, login, two_clients
) -> None:  # noqa: ANN001
    response = login(world.care_manager).get(
        reverse("clients:index"), {"q": "ｱｵｷ", "cm": "", "status": "", "sort": "kana"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" in text
    assert 'name="q" value="ｱｵｷ"' in text
    assert "1人（「ｱｵｷ」で検索）" in text
    assert "青木 トメ" in text and "井上 ハナ" not in text


def test_history_restore_request_gets_the_whole_page(world, login, two_clients) -> None:  # noqa: ANN001
    response = login(world.care_manager).get(
        reverse("clients:index"),
        {"q": "ｲﾉｳｴ"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    text = response.content.decode()
    assert "<html" in text and 'name="q" value="ｲﾉｳｴ"' in text
    assert "井上 ハナ" in text and "青木 トメ" not in text


def test_careplans_index_sort_is_pushed_and_restored(world, login, two_clients) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    page = http.get(reverse("careplans:index")).content.decode()
    assert page.count('hx-push-url="true"') == 4 and 'hx-push-url="false"' not in page
    restored = http.get(
        reverse("careplans:index"),
        {"sort": "-kana"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ).content.decode()
    assert "<html" in restored and "利用者 ▼" in restored
    assert restored.index("井上 ハナ") < restored.index("青木 トメ")
    fragment = http.get(
        reverse("careplans:index"), {"sort": "-kana"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="plan-results">')
