"""Staff pages are never stored (no-store), and Back after a failed POST must not land on the
browser's cache-miss page: the re-rendered form turns its history entry into a GET."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clients.models import Client

pytestmark = pytest.mark.django_db

REPLACE_STATE = 'history.replaceState(history.state, "", location.href);'


def test_failed_post_is_not_stored_and_rewrites_its_history_entry(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    response = http.post(reverse("clients:intake"), {"client-name": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "field-error" in text
    nonce = re.search(r"script-src [^;]*'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    assert f'<script nonce="{nonce.group(1)}">{REPLACE_STATE}</script>' in text
    assert Client.objects.count() == 0


def test_get_pages_are_not_stored_and_leave_history_alone(world, login) -> None:  # noqa: ANN001
    response = login(world.care_manager).get(reverse("clients:intake"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "private" not in response["Cache-Control"]
    assert "history.replaceState" not in response.content.decode()


def test_successful_post_redirects(world, login) -> None:  # noqa: ANN001
    response = login(world.manager).post(
        reverse("switch_office"), {"office": world.office.pk, "next": "/clients/"}
    )
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
