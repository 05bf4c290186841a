"""職員管理 by the office manager: list, add, roles, retirement, temporary passwords
(docs/staff.md)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from caremgmt.models import AccessLog, Membership, Role, Staff
from caremgmt.models.audit import AccessAction
from tests.factories import ClientFactory, OfficeFactory, staff_in

pytestmark = pytest.mark.django_db
NEW = "kusunoki-hikari-2026"
INJECTED = {
    "office": "999",
    "is_superuser": "on",
    "is_staff": "on",
    "has_mfa_device": "on",
    "password": "injected-password-123",
    "must_change_password": "",
    "version": "987654",
}


def _add(http: HttpClient, **extra: str):  # noqa: ANN202
    data = {
        "full_name": "新人 花子",
        "full_name_kana": "シンジン ハナコ",
        "username": "shinjin",
        "email": "shinjin@example.jp",
        "roles": ["care_manager"],
        "care_manager_number": "13000001",
        **extra,
    }
    return http.post(reverse("staff_add"), data)


def _temporary_password(http: HttpClient) -> str:
    page = http.get(reverse("staff_issued_password")).content.decode()
    assert "初回ログイン時に変更が必要です" in page
    return re.search(r'class="temporary-password">([^<]+)<', page).group(1)


def _edit_data(staff: Staff, **changes) -> dict:  # noqa: ANN003
    roles = list(
        Membership.objects.filter(staff=staff, is_active=True).values_list("role", flat=True)
    )
    number = Membership.objects.filter(staff=staff).exclude(care_manager_number="").first()
    data = {
        "full_name": staff.full_name,
        "full_name_kana": staff.full_name_kana or "カナ",
        "email": staff.email,
        "roles": roles,
        "care_manager_number": number.care_manager_number if number else "",
        "version": str(staff.version),
    }
    data.update(changes)
    return data


# --- list ------------------------------------------------------------------------------------


def test_list_shows_roles_numbers_mfa_and_caseload(world, login) -> None:  # noqa: ANN001
    ClientFactory(office=world.office, care_manager=world.care_manager)
    ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        status="ended",
        status_changed_on=dt.date(2026, 11, 1),
    )
    ClientFactory(office=world.other_office, care_manager=world.care_manager)
    Membership.objects.filter(staff=world.clerk).update(is_active=False)
    page = login(world.manager).get(reverse("staff_list")).content.decode()
    assert world.care_manager.username in page
    assert "介護支援専門員（" in page
    assert f'?cm={world.care_manager.pk}">1人</a>' in page
    assert "退職した職員" in page and world.clerk.full_name in page
    assert world.outsider.username not in page


def test_list_query_count_is_constant(world, login, django_assert_num_queries) -> None:  # noqa: ANN001
    http = login(world.manager)
    http.get(reverse("staff_list"))

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert http.get(reverse("staff_list")).status_code == 200
        return len(queries)

    few = count()
    for n in range(8):
        cm = staff_in(world.office, Role.CARE_MANAGER, full_name=f"追加 {n}")
        ClientFactory(office=world.office, care_manager=cm)
    assert count() == few
    with django_assert_num_queries(few):
        http.get(reverse("staff_list"))


# --- add -------------------------------------------------------------------------------------


def test_add_care_manager_then_the_temporary_password_works_once(world, login) -> None:  # noqa: ANN001
    http = login(world.manager)
    response = _add(http, **INJECTED)
    assert response.status_code == 302 and response["Location"] == reverse("staff_issued_password")
    password = _temporary_password(http)
    assert len(password) >= 12 and not set("0O1lI") & set(password)
    # Shown once: the second visit goes back to the list.
    assert http.get(reverse("staff_issued_password"))["Location"] == reverse("staff_list")
    staff = Staff.objects.get(username="shinjin")
    assert staff.must_change_password and not staff.is_superuser and not staff.is_staff
    assert not staff.has_mfa_device and staff.version == 1
    assert not staff.check_password("injected-password-123")
    membership = Membership.objects.get(staff=staff)
    assert membership.office == world.office and membership.care_manager_number == "13000001"

    person = HttpClient()
    person.post(reverse("login"), {"username": "shinjin", "password": password})
    assert person.get(reverse("dashboard"))["Location"].startswith(reverse("password_change"))
    changed = person.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW, "new_password2": NEW},
    )
    assert changed.status_code == 302
    assert person.get(reverse("dashboard")).status_code == 200
    again = HttpClient().post(reverse("login"), {"username": "shinjin", "password": password})
    assert again.status_code == 200  # the temporary password no longer works


def test_care_manager_number_is_required_at_the_field(world, login) -> None:  # noqa: ANN001
    page = _add(login(world.manager), care_manager_number="")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(
        r'id="field-care_manager_number".*?介護支援専門員番号（8桁）が必要', html, re.S
    )
    assert not Staff.objects.filter(username="shinjin").exists()


def test_another_corporations_login_id_is_taken(world, login) -> None:  # noqa: ANN001
    page = _add(login(world.manager), username=world.outsider.username)
    assert "このログインIDは既に使われています。" in page.content.decode()
    assert not Membership.objects.filter(staff=world.outsider, office=world.office).exists()


def test_same_corporation_login_id_offers_adding_that_person(world, login) -> None:  # noqa: ANN001
    sister = OfficeFactory(corporation=world.office.corporation, name="姉妹居宅")
    person = staff_in(sister, Role.CARE_MANAGER, full_name="姉妹 花子")
    accounts = Staff.objects.count()
    http = login(world.manager)
    offer = _add(http, username=person.username.upper())
    assert "同じ法人の 姉妹 花子 さん" in offer.content.decode()
    assert not Membership.objects.filter(staff=person, office=world.office).exists()
    done = _add(http, username=person.username, add_existing="on", password="x-y-z-123456")
    assert done.status_code == 302
    assert Staff.objects.count() == accounts
    assert Membership.objects.get(staff=person, office=world.office).role == Role.CARE_MANAGER
    person.refresh_from_db()
    assert person.check_password(settings.DEMO_PASSWORD)


# --- edit and retire -------------------------------------------------------------------------


def test_edit_roles_and_name(world, login) -> None:  # noqa: ANN001
    http = login(world.manager)
    data = _edit_data(
        world.clerk,
        full_name="事務 直美",
        roles=["clerk", "care_manager"],
        **{"is_superuser": "on"},
    )
    data["care_manager_number"] = "13000002"
    response = http.post(reverse("staff_edit", args=[world.clerk.pk]), data)
    assert response.status_code == 302
    world.clerk.refresh_from_db()
    assert world.clerk.full_name == "事務 直美" and not world.clerk.is_superuser
    assert world.clerk.version == 2
    assert set(
        Membership.objects.filter(staff=world.clerk, is_active=True).values_list("role", flat=True)
    ) == {"clerk", "care_manager"}


def test_stale_edit_is_refused_with_409(world, login) -> None:  # noqa: ANN001
    http = login(world.manager)
    loaded = _edit_data(world.clerk)
    assert (
        http.post(
            reverse("staff_edit", args=[world.clerk.pk]), {**loaded, "full_name": "先の名前"}
        ).status_code
        == 302
    )
    stale = http.post(
        reverse("staff_edit", args=[world.clerk.pk]), {**loaded, "full_name": "古い画面の名前"}
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "他の人が先にこの職員の設定を変更しました。" in html and "古い画面の名前" in html
    world.clerk.refresh_from_db()
    assert world.clerk.full_name == "先の名前"


def test_stale_retire_is_refused(world, login) -> None:  # noqa: ANN001
    http = login(world.manager)
    response = http.post(reverse("staff_retire", args=[world.clerk.pk]), {"version": "0"})
    assert response.status_code == 409
    assert Membership.objects.get(staff=world.clerk).is_active


def test_last_manager_cannot_drop_the_role_or_retire(world, login) -> None:  # noqa: ANN001
    http = login(world.manager)
    page = http.post(
        reverse("staff_edit", args=[world.manager.pk]), _edit_data(world.manager, roles=["clerk"])
    )
    assert "管理者がいなくなるため" in page.content.decode()
    retire = http.post(
        reverse("staff_retire", args=[world.manager.pk]), {"version": world.manager.version}
    )
    assert retire.status_code == 200 and "管理者がいなくなるため" in retire.content.decode()
    assert Membership.objects.get(staff=world.manager).is_active
    # With a second manager, the first may step down.
    staff_in(world.office, Role.OFFICE_MANAGER, full_name="管理 二郎")
    done = http.post(
        reverse("staff_edit", args=[world.manager.pk]), _edit_data(world.manager, roles=["clerk"])
    )
    assert done.status_code == 302


def test_active_caseload_blocks_retirement_and_dropping_the_role(world, login) -> None:  # noqa: ANN001
    ClientFactory(office=world.office, care_manager=world.care_manager)
    ClientFactory(office=world.office, care_manager=world.care_manager, status="hospitalized")
    http = login(world.manager)
    url = reverse("staff_retire", args=[world.care_manager.pk])
    page = http.post(url, {"version": "1"})
    html = page.content.decode()
    assert "担当利用者が 2人います。先に担当を変更してください。" in html
    assert f"?cm={world.care_manager.pk}" in html
    dropped = http.post(
        reverse("staff_edit", args=[world.care_manager.pk]),
        _edit_data(world.care_manager, roles=["clerk"]),
    )
    assert "担当利用者が 2人います。" in dropped.content.decode()
    assert Membership.objects.get(staff=world.care_manager, role="care_manager").is_active


def test_retirement_clears_deputy_assignments_and_ends_login(world, login) -> None:  # noqa: ANN001
    client = ClientFactory(
        office=world.office, care_manager=world.care_manager, deputy_care_manager=world.colleague
    )
    version = client.version
    http = login(world.manager)
    response = http.post(reverse("staff_retire", args=[world.colleague.pk]), {"version": "1"})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.deputy_care_manager is None and client.version == version + 1
    world.colleague.refresh_from_db()
    assert not world.colleague.is_active
    assert not Membership.objects.filter(staff=world.colleague, is_active=True).exists()
    failed = HttpClient().post(
        reverse("login"), {"username": world.colleague.username, "password": settings.DEMO_PASSWORD}
    )
    assert failed.status_code == 200
    assert "代理担当 1件を解除しました" in http.get(reverse("staff_list")).content.decode()


# --- temporary password by the manager -------------------------------------------------------


def test_reset_password_ends_sessions_and_is_logged(world, login) -> None:  # noqa: ANN001
    person = HttpClient()
    person.post(
        reverse("login"), {"username": world.clerk.username, "password": settings.DEMO_PASSWORD}
    )
    assert person.get(reverse("dashboard")).status_code == 200
    http = login(world.manager)
    response = http.post(reverse("staff_password_reset", args=[world.clerk.pk]), INJECTED)
    assert response.status_code == 302
    password = _temporary_password(http)
    world.clerk.refresh_from_db()
    assert world.clerk.must_change_password and world.clerk.check_password(password)
    assert person.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    row = AccessLog.objects.get(action=AccessAction.PASSWORD_RESET)
    assert row.staff_id == world.manager.pk and row.subject_id == world.clerk.pk
    assert row.office_id == world.office.pk
