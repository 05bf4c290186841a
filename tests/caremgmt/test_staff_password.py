"""The own password change and the must-change hold after a temporary password (docs/staff.md)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from caremgmt.models import AccessLog, Staff
from caremgmt.models.audit import AccessAction

pytestmark = pytest.mark.django_db
NEW = "kusunoki-hikari-2026"


def _login(username: str, password: str) -> HttpClient:
    http = HttpClient()
    response = http.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return http


def test_change_own_password_keeps_this_session_and_ends_the_others(world) -> None:  # noqa: ANN001
    staff = world.care_manager
    here = _login(staff.username, settings.DEMO_PASSWORD)
    elsewhere = _login(staff.username, settings.DEMO_PASSWORD)
    response = here.post(
        reverse("password_change"),
        {"old_password": settings.DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert "パスワードを変更しました。" in response.content.decode()
    assert here.get(reverse("dashboard")).status_code == 200
    other = elsewhere.get(reverse("dashboard"))
    assert other.status_code == 302 and "/login/" in other["Location"]
    staff.refresh_from_db()
    assert staff.check_password(NEW)
    row = AccessLog.objects.get(action=AccessAction.PASSWORD_CHANGE)
    assert row.staff_id == staff.pk and row.subject_id == staff.pk and row.client_id is None


def test_wrong_current_password_is_a_field_error_in_japanese(world, login) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    page = http.post(
        reverse("password_change"),
        {"old_password": "wrong-password-x", "new_password1": NEW, "new_password2": NEW},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="field-error"' in html
    assert "元のパスワードが間違っています" in html
    world.care_manager.refresh_from_db()
    assert world.care_manager.check_password(settings.DEMO_PASSWORD)
    assert not AccessLog.objects.filter(action=AccessAction.PASSWORD_CHANGE).exists()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("12345678901234", "数字しか使われていません"),
        ("short-pw", "短すぎます"),
    ],
)
def test_django_validators_answer_in_japanese(world, login, new, message) -> None:  # noqa: ANN001
    page = login(world.care_manager).post(
        reverse("password_change"),
        {"old_password": settings.DEMO_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert message in page.content.decode()


def test_mismatch_is_refused(world, login) -> None:  # noqa: ANN001
    page = login(world.care_manager).post(
        reverse("password_change"),
        {"old_password": settings.DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"},
    )
    assert "確認用パスワードが一致しません" in page.content.decode()


def test_must_change_holds_the_person_on_the_password_page(world, login) -> None:  # noqa: ANN001
    Staff.objects.filter(pk=world.care_manager.pk).update(must_change_password=True)
    http = login(world.care_manager)
    page = http.get(reverse("clients:index"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("password_change"))
    htmx = http.get(reverse("clients:index"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == reverse("password_change")
    posted = http.post(reverse("switch_office"), {"office": world.office.pk})
    assert posted["Location"].startswith(reverse("password_change"))
    assert http.post(reverse("session_keepalive")).status_code == 204
    assert http.get(reverse("health")).status_code == 200
    form = http.get(reverse("password_change"))
    assert form.status_code == 200 and "初回ログイン時に変更が必要です" in form.content.decode()
    done = http.post(
        reverse("password_change"),
        {"old_password": settings.DEMO_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302
    assert http.get(reverse("clients:index")).status_code == 200
    assert not Staff.objects.get(pk=world.care_manager.pk).must_change_password


def test_hold_runs_after_the_second_factor_step(world, login) -> None:  # noqa: ANN001
    """A person who must enrol a device does that first (the enrolment pages stay open)."""
    world.office.require_mfa = True
    world.office.save()
    Staff.objects.filter(pk=world.care_manager.pk).update(must_change_password=True)
    http = login(world.care_manager)
    assert http.get(reverse("clients:index"))["Location"].startswith(reverse("mfa_setup"))
    assert http.get(reverse("mfa_setup")).status_code == 200
