"""Passkeys in the browser: Chromium's virtual authenticator (CDP WebAuthn domain) stands in
for the PC's built-in authenticator or a phone. Enrol a passkey at 2要素認証の設定, log in
again with the password and the passkey, and show that without the authenticator the second
step does not pass, says so in Japanese and still offers the codes."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}
NOT_PASSED = (
    "パスキーで確認できませんでした（取り消されたか、この端末に登録済みのパスキーがありません）。"
    "確認コードか回復コードを入力してください。"
)


@pytest.fixture
def passkey_site(live_server, settings):  # noqa: ANN001, ANN201
    """WebAuthn needs a secure context and an RP ID matching the page's host. pytest-django
    serves the live server on http://localhost:<port> (localhost is a secure context), so the
    relying party is `localhost` and the one allowed origin is that exact URL."""
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server.url


def test_enrol_passkey_then_log_in_with_it(passkey_site, page, log_in, settings) -> None:  # noqa: ANN001
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp_webauthn.models import WebAuthnCredential

    from caremgmt.models import Role, Staff
    from tests.factories import OfficeFactory, staff_in

    url = passkey_site
    staff_in(OfficeFactory(), Role.CARE_MANAGER, username="passkey_user", full_name="鍵 登録")
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and csp_violations.append(msg.text),
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR}
    )["authenticatorId"]

    # 1. Enrol at 2要素認証の設定: the first device gets its recovery codes, shown once.
    log_in("passkey_user")
    page.wait_for_url(f"{url}/")
    page.get_by_role("link", name="鍵 登録：2要素認証の設定").click()
    page.wait_for_url(f"{url}/account/mfa/")
    page.get_by_role("button", name="パスキーを登録する").click()
    page.wait_for_url(f"{url}/account/mfa/recovery/")
    assert "パスキーを登録しました。" in page.locator(".messages").inner_text()
    assert page.locator("#recovery-codes li").count() == 10
    recovery_code = page.locator("#recovery-codes li").first.inner_text().strip()
    page.get_by_role("link", name="保管しました").click()
    assert page.get_by_role("cell", name="パスキー", exact=True).is_visible()
    staff = Staff.objects.get(username="passkey_user")
    assert staff.has_mfa_device
    assert WebAuthnCredential.objects.filter(user=staff, confirmed=True).count() == 1
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login/**")

    # 2. Password, then the passkey: no code is typed.
    log_in("passkey_user")
    page.wait_for_url("**/login/verify/**")
    page.goto(f"{url}/clients/")  # nothing else until the second step
    assert "/login/verify/" in page.url
    page.get_by_role("button", name="パスキーで確認").click()
    page.wait_for_url(f"{url}/clients/")
    assert "鍵 登録" in page.locator(".session-box").inner_text()
    assert WebAuthnCredential.objects.get(user=staff).last_used_at is not None
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login/**")

    # 3. The authenticator is gone (another PC, a lost phone): the passkey does not pass, the
    # page says so in Japanese and the codes are still offered. Without an authenticator
    # Chromium waits for the ceremony's timeout, shortened here from five minutes.
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
    settings.OTP_WEBAUTHN_TIMEOUT_SECONDS = 2
    log_in("passkey_user")
    page.wait_for_url("**/login/verify/**")
    page.get_by_role("button", name="パスキーで確認").click()
    status = page.locator("#passkey-verification-status-message")
    status.wait_for(state="visible")
    page.wait_for_function(
        "el => el.textContent.includes('確認コード')", arg=status.element_handle()
    )
    assert status.inner_text() == NOT_PASSED
    assert page.get_by_role("button", name="パスキーで確認").is_enabled()
    page.goto(f"{url}/clients/")
    assert "/login/verify/" in page.url
    page.get_by_label("確認コード").fill(recovery_code)
    page.get_by_role("button", name="確認", exact=True).click()
    page.wait_for_url(f"{url}/clients/")
    assert "回復コードを使いました。残りは 9 個です。" in page.locator(".messages").inner_text()
    assert StaticToken.objects.filter(device__user=staff).count() == 9
    assert csp_violations == []
    page.goto("about:blank")
