"""職員管理 in the browser: the manager adds a care manager, who logs in with the temporary
password, is made to change it, and reaches ホーム (docs/staff.md)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NEW = "kusunoki-hikari-2026"


def test_manager_adds_a_care_manager_who_changes_the_temporary_password(
    live_server, page, log_in
) -> None:  # noqa: ANN001
    from caremgmt.models import Role
    from tests.factories import OfficeFactory, staff_in

    staff_in(OfficeFactory(), Role.OFFICE_MANAGER, username="boss", full_name="管理 一郎")
    log_in("boss")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("navigation", name="業務メニュー").get_by_role("link", name="職員").click()
    page.get_by_role("link", name="職員を追加する").click()
    page.wait_for_url("**/office/staff/new/")
    page.locator("input[name=full_name]").fill("新人 花子")
    page.locator("input[name=full_name_kana]").fill("シンジン ハナコ")
    page.locator("input[name=username]").fill("shinjin")
    page.locator("input[name=roles][value=care_manager]").check()
    page.locator("input[name=care_manager_number]").fill("13000001")
    page.get_by_role("button", name="追加して仮パスワードを発行する").click()
    page.wait_for_url("**/office/staff/issued/")
    assert "初回ログイン時に変更が必要です" in page.content()
    password = page.locator(".temporary-password").inner_text().strip()
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login/**")

    page.get_by_label("ログインID またはメールアドレス").fill("shinjin")
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/account/password/**")
    page.goto(f"{live_server.url}/clients/")  # nothing else until the password is changed
    assert "/account/password/" in page.url
    page.locator("input[name=old_password]").fill(password)
    page.locator("input[name=new_password1]").fill(NEW)
    page.locator("input[name=new_password2]").fill(NEW)
    page.get_by_role("button", name="変更する").click()
    page.wait_for_url("**/clients/")
    assert "パスワードを変更しました。" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="ホーム").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="ホーム").is_visible()
    page.goto("about:blank")
