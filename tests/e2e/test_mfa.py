"""Two-factor login in the browser: enrol an authenticator app, then log in again with it."""

import base64
import datetime as dt

import pytest
import time_machine
from django_otp.oath import totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_from_secret(secret: str) -> str:
    """What the phone app would show now: django-otp's TOTP helper over the key on the page."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=0):06d}"


def test_enrol_totp_then_log_in_with_it(live_server, page, log_in) -> None:  # noqa: ANN001
    from caremgmt.models import Role
    from tests.factories import OfficeFactory, staff_in

    staff_in(OfficeFactory(), Role.CARE_MANAGER, username="mfa_user", full_name="二段 認証")
    # Start of the current minute: a fresh TOTP step; the second login is two steps later,
    # so the enrolment code is not a replay.
    t0 = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    with time_machine.travel(t0, tick=True):
        log_in("mfa_user")
        page.wait_for_url(f"{live_server.url}/")
        page.get_by_role("link", name="二段 認証：2要素認証の設定").click()
        page.get_by_role("link", name="認証アプリを登録する").click()
        assert page.locator(".qr-code svg").count() == 1
        secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("確認コード").fill(code_from_secret(secret))
        page.get_by_role("button", name="登録する").click()
        page.wait_for_url(f"{live_server.url}/account/mfa/recovery/")
        assert page.locator("#recovery-codes li").count() == 10
        with page.expect_download() as download:
            page.get_by_role("link", name="テキストファイルで保存").click()
        assert "caremgmt 回復コード" in download.value.path().read_text(encoding="utf-8")
        page.get_by_role("link", name="保管しました").click()
        assert page.get_by_role("cell", name="認証アプリ").first.is_visible()
        page.get_by_role("button", name="ログアウト").click()
        page.wait_for_url("**/login/**")
    with time_machine.travel(t0 + dt.timedelta(seconds=65), tick=True):
        log_in("mfa_user")
        page.wait_for_url("**/login/verify/**")
        assert page.get_by_role("heading", name="2要素認証").is_visible()
        page.goto(f"{live_server.url}/clients/")  # nothing else until the second step
        assert "/login/verify/" in page.url
        page.get_by_label("確認コード").fill(code_from_secret(secret))
        page.get_by_role("button", name="確認").click()
        page.wait_for_url(f"{live_server.url}/clients/")
        assert "二段 認証" in page.locator(".session-box").inner_text()
    page.goto("about:blank")
