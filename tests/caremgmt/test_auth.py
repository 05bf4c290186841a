"""Login, logout, lockout and session lifetime."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from caremgmt.models import Role
from tests.factories import OfficeFactory, staff_in

pytestmark = pytest.mark.django_db
INVALID = "ログインIDまたはパスワードが正しくありません。"


@pytest.fixture
def sato(db):  # noqa: ANN001, ANN201
    return staff_in(OfficeFactory(), Role.CARE_MANAGER, username="sato", email="sato@example.jp")


def post_login(client, username: str, password: str):  # noqa: ANN001, ANN201
    return client.post(reverse("login"), {"username": username, "password": password})


def test_every_page_but_login_requires_login(client) -> None:  # noqa: ANN001
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_login_with_login_id_then_logout(client, sato, demo_password) -> None:  # noqa: ANN001
    response = post_login(client, "sato", demo_password)
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_login_with_email_any_case(client, sato, demo_password) -> None:  # noqa: ANN001
    assert post_login(client, "SATO@example.jp", demo_password).status_code == 302


def test_unknown_login_and_wrong_password_get_the_same_message(client, sato) -> None:  # noqa: ANN001
    unknown = post_login(client, "nobody", "whatever-password-1")
    wrong = post_login(client, "sato", "whatever-password-1")
    assert unknown.status_code == wrong.status_code == 200
    assert INVALID in unknown.content.decode()
    assert INVALID in wrong.content.decode()


def test_disabled_staff_cannot_log_in_and_loses_open_sessions(client, sato, demo_password) -> None:  # noqa: ANN001
    assert post_login(client, "sato", demo_password).status_code == 302
    sato.is_active = False
    sato.save()
    assert client.get(reverse("dashboard")).status_code == 302  # the open session is dead
    response = post_login(client, "sato", demo_password)
    assert INVALID in response.content.decode()


def test_repeated_failures_lock_the_login_id_for_a_while(
    client, sato, demo_password, settings
) -> None:  # noqa: ANN001
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "sato", "wrong-password-123")
    locked = post_login(client, "sato", demo_password)
    assert locked.status_code == 429
    assert "ログインを一時停止しています" in locked.content.decode()
    with time_machine.travel("2099-01-01"):  # after the cool-off
        assert post_login(client, "sato", demo_password).status_code == 302


def test_session_expires_after_idle_timeout(client, sato, demo_password, settings) -> None:  # noqa: ANN001
    with time_machine.travel("2026-12-01 09:00 +0900", tick=False) as traveller:
        post_login(client, "sato", demo_password)
        assert client.get(reverse("dashboard")).status_code == 200
        traveller.shift(settings.SESSION_IDLE_TIMEOUT_SECONDS - 60)
        assert client.get(reverse("dashboard")).status_code == 200  # activity renews the idle clock
        traveller.shift(settings.SESSION_IDLE_TIMEOUT_SECONDS + 60)
        assert client.get(reverse("dashboard")).status_code == 302


def test_session_has_an_absolute_lifetime(client, sato, demo_password, settings) -> None:  # noqa: ANN001
    with time_machine.travel("2026-12-01 08:00 +0900", tick=False) as traveller:
        post_login(client, "sato", demo_password)
        step = settings.SESSION_IDLE_TIMEOUT_SECONDS // 2
        elapsed = 0
        while elapsed < settings.SESSION_ABSOLUTE_LIFETIME_SECONDS - step:
            traveller.shift(step)
            elapsed += step
            assert client.get(reverse("dashboard")).status_code == 200
        traveller.shift(step * 2)
        assert client.get(reverse("dashboard")).status_code == 302


def test_expired_session_on_htmx_request_redirects_the_whole_page(client) -> None:  # noqa: ANN001
    response = client.get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_session_id_changes_at_login(client, sato, demo_password) -> None:  # noqa: ANN001
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    post_login(client, "sato", demo_password)
    assert client.session.session_key != before


def test_passwords_are_hashed_with_argon2(sato) -> None:  # noqa: ANN001
    from caremgmt import settings as project_settings

    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        sato.set_password("a-long-enough-passphrase")
        assert sato.password.startswith("argon2")
        assert sato.check_password("a-long-enough-passphrase")
