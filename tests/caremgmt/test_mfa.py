"""Two-factor login: the second step after the password, enrolment, recovery codes,
throttling, htmx while pending (docs/mfa.md)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from caremgmt import mfa
from caremgmt.models import Role
from tests.factories import OfficeFactory, staff_in

pytestmark = pytest.mark.django_db
# Frozen clocks start at the beginning of the current minute (a TOTP step boundary), so the
# session clocks see no jump when a test leaves the frozen time.
T0 = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset_steps)
    return f"{token:06d}"


@pytest.fixture
def sato(db):  # noqa: ANN001, ANN201
    return staff_in(OfficeFactory(), Role.CARE_MANAGER, username="sato")


@pytest.fixture
def device(sato):  # noqa: ANN001, ANN201
    return TOTPDevice.objects.create(user=sato, name="認証アプリ", confirmed=True)


def password_login(demo_password: str) -> HttpClient:
    http = HttpClient()
    response = http.post(reverse("login"), {"username": "sato", "password": demo_password})
    assert response.status_code == 302
    return http


def test_without_a_device_the_password_is_enough(sato, demo_password) -> None:  # noqa: ANN001
    http = password_login(demo_password)
    assert http.get(reverse("dashboard")).status_code == 200


def test_pending_second_step_reaches_only_verify_and_logout(sato, device, demo_password) -> None:  # noqa: ANN001
    http = password_login(demo_password)
    response = http.get(reverse("clients:index"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_verify')}?next={reverse('clients:index')}"
    for name in ("dashboard", "mfa_setup", "office_security"):
        assert http.get(reverse(name))["Location"].startswith(reverse("mfa_verify"))
    kept = http.get(reverse("clients:index"), {"q": "a", "status": "active"})
    assert kept["Location"].endswith("?next=/clients/%3Fq%3Da%26status%3Dactive")
    assert http.get(reverse("mfa_verify")).status_code == 200
    assert http.get(reverse("health")).status_code == 200
    http.post(reverse("logout"))
    assert http.get(reverse("mfa_verify"))["Location"].startswith(reverse("login"))


def test_htmx_while_pending_gets_hx_redirect_and_no_page(sato, device, demo_password) -> None:  # noqa: ANN001
    http = password_login(demo_password)
    response = http.get(reverse("clients:index"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("mfa_verify")
    assert response.content == b""


def test_totp_code_completes_login_and_replay_is_refused(sato, device, demo_password) -> None:  # noqa: ANN001
    with time_machine.travel(T0, tick=False):
        http = password_login(demo_password)
        code = code_for(device)
        response = http.post(reverse("mfa_verify"), {"code": code, "next": "/clients/"})
        assert response.status_code == 302
        assert response["Location"] == "/clients/"
        assert http.get(reverse("dashboard")).status_code == 200
        # The same code in a second login in the same time step: refused (django-otp last_t).
        again = password_login(demo_password)
        refused = again.post(reverse("mfa_verify"), {"code": code})
        assert refused.status_code == 200
        assert "確認コードが正しくありません。" in refused.content.decode()
        assert again.get(reverse("dashboard")).status_code == 302
    with time_machine.travel(T0 + dt.timedelta(seconds=40), tick=False):
        device.refresh_from_db()
        assert again.post(reverse("mfa_verify"), {"code": code_for(device)}).status_code == 302
        assert again.get(reverse("dashboard")).status_code == 200


def test_full_width_code_is_accepted(sato, device, demo_password) -> None:  # noqa: ANN001
    with time_machine.travel(T0, tick=False):
        http = password_login(demo_password)
        wide = code_for(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        assert (
            http.post(reverse("mfa_verify"), {"code": f" {wide[:3]} {wide[3:]}"}).status_code == 302
        )


def test_wrong_codes_are_throttled_and_logged(sato, device, demo_password, caplog) -> None:  # noqa: ANN001
    with time_machine.travel(T0, tick=False):
        http = password_login(demo_password)
        good = code_for(device)
        wrong = f"{(int(good) + 1) % 1_000_000:06d}"
        with caplog.at_level(logging.WARNING, logger="caremgmt.mfa"):
            http.post(reverse("mfa_verify"), {"code": wrong})
            response = http.post(reverse("mfa_verify"), {"code": good})
        assert "しばらく確認できません" in response.content.decode()
        assert http.get(reverse("dashboard")).status_code == 302
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        assert f"mfa wrong code staff_id={sato.pk}" in caplog.text
        assert f"mfa throttled staff_id={sato.pk}" in caplog.text
        assert "sato" not in caplog.text.replace(f"staff_id={sato.pk}", "")
    with time_machine.travel(T0 + dt.timedelta(seconds=2), tick=False):
        assert http.post(reverse("mfa_verify"), {"code": good}).status_code == 302


def test_recovery_code_works_once(sato, device, demo_password) -> None:  # noqa: ANN001
    codes = mfa.new_recovery_codes(sato)
    assert len(codes) == 10 and len(set(codes)) == 10
    http = password_login(demo_password)
    response = http.post(reverse("mfa_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=sato).count() == 9
    again = password_login(demo_password)
    refused = again.post(reverse("mfa_verify"), {"code": codes[0]})
    assert "確認コードが正しくありません。" in refused.content.decode()
    assert again.get(reverse("dashboard")).status_code == 302


def test_enrol_totp_then_recovery_codes_shown_once_and_downloadable(sato, login) -> None:  # noqa: ANN001
    http = login(sato)
    page = http.get(reverse("mfa_totp"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "<?xml" not in body
    device = TOTPDevice.objects.get(user=sato, confirmed=False)
    with time_machine.travel(T0, tick=False):
        wrong = http.post(
            reverse("mfa_totp"), {"code": "000000" if code_for(device) != "000000" else "111111"}
        )
        assert "確認コードが正しくありません。" in wrong.content.decode()
    with time_machine.travel(T0 + dt.timedelta(seconds=2), tick=False):  # after the throttle
        device.refresh_from_db()
        response = http.post(reverse("mfa_totp"), {"code": code_for(device)})
    assert response["Location"] == reverse("mfa_recovery")
    device.refresh_from_db()
    assert device.confirmed
    codes_page = http.get(reverse("mfa_recovery")).content.decode()
    tokens = list(StaticToken.objects.filter(device__user=sato).values_list("token", flat=True))
    assert len(tokens) == 10 and all(token in codes_page for token in tokens)
    download = http.get(reverse("mfa_recovery_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert all(token in download.content.decode() for token in tokens)
    # The session is verified by the enrolment itself.
    assert http.get(reverse("dashboard")).status_code == 200
    # Leaving for the device list forgets the codes: shown once.
    assert http.get(reverse("mfa_setup")).status_code == 200
    assert http.get(reverse("mfa_recovery")).status_code == 302
    assert http.get(reverse("mfa_recovery_download")).status_code == 404


def test_removing_the_last_device_needs_password_or_code(sato, device, demo_password) -> None:  # noqa: ANN001
    mfa.new_recovery_codes(sato)
    with time_machine.travel(T0, tick=False):
        http = password_login(demo_password)
        assert http.post(reverse("mfa_verify"), {"code": code_for(device)}).status_code == 302
    url = reverse("mfa_remove")
    http.post(url, {"device": device.persistent_id})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    http.post(url, {"device": device.persistent_id, "password": "wrong-password-123"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    http.post(url, {"device": device.persistent_id, "password": demo_password})
    assert not TOTPDevice.objects.filter(user=sato).exists()
    assert not StaticDevice.objects.filter(user=sato).exists()


def test_cannot_remove_another_staff_members_device(sato, login) -> None:  # noqa: ANN001
    other = staff_in(OfficeFactory(), Role.CARE_MANAGER)
    theirs = TOTPDevice.objects.create(user=other, name="x", confirmed=True)
    response = login(sato).post(reverse("mfa_remove"), {"device": theirs.persistent_id})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_passkey_endpoints_refuse_passwordless_login(sato) -> None:  # noqa: ANN001
    """Passkeys are a second factor only: without the password step nothing starts."""
    response = HttpClient().post(reverse("otp_webauthn:credential-authentication-begin"))
    assert response.status_code in (302, 403)


# --- Passkeys (the browser ceremony itself: tests/e2e/test_passkey.py) -----------------------


def passkey_for(staff) -> WebAuthnCredential:  # noqa: ANN001
    return WebAuthnCredential.objects.create(
        user=staff,
        name="",
        confirmed=True,
        credential_id=b"cred-" + staff.username.encode(),
        public_key=b"not-a-real-key",
    )


def verified_client(login, staff, device) -> HttpClient:  # noqa: ANN001
    """A session that passed the second step with `device`, as the passkey API leaves it."""
    http = login(staff)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return http


def test_first_passkey_gets_recovery_codes_shown_once(sato, login) -> None:  # noqa: ANN001
    passkey = passkey_for(sato)
    http = verified_client(login, sato, passkey)
    response = http.post(reverse("mfa_recovery"), {"after": "passkey"})
    assert response["Location"] == reverse("mfa_recovery")
    page = http.get(reverse("mfa_recovery")).content.decode()
    assert "パスキーを登録しました。" in page
    tokens = list(StaticToken.objects.filter(device__user=sato).values_list("token", flat=True))
    assert len(tokens) == 10 and all(token in page for token in tokens)


def test_another_passkey_keeps_the_recovery_codes(sato, device, login) -> None:  # noqa: ANN001
    codes = mfa.new_recovery_codes(sato)
    passkey = passkey_for(sato)
    http = verified_client(login, sato, passkey)
    response = http.post(reverse("mfa_recovery"), {"after": "passkey"})
    assert response["Location"] == reverse("mfa_setup")
    kept = set(StaticToken.objects.filter(device__user=sato).values_list("token", flat=True))
    assert kept == set(codes)
    page = http.get(reverse("mfa_setup")).content.decode()
    assert "パスキーを登録しました。" in page
    assert f"{timezone.localdate(passkey.created_at):%Y年%-m月%-d日} 登録" in page


def test_passkey_pages_load_the_japanese_script_not_the_english_catalog(sato, login) -> None:  # noqa: ANN001
    """The library has no Japanese catalog; static/js/passkey.js provides gettext() and must
    come before the library's module script, and the library's jsi18n must not replace it."""
    http = login(sato)
    setup = http.get(reverse("mfa_setup")).content.decode()
    assert 'id="otp_webauthn_config"' in setup
    assert setup.index("js/passkey.js") < setup.index("otp_webauthn_register.js")
    assert reverse("otp_webauthn:js-i18n-catalog") not in setup
    assert 'id="passkey-registered-form"' in setup
    passkey = passkey_for(sato)
    assert passkey.pk
    verify = login(sato).get(reverse("mfa_verify")).content.decode()
    assert verify.index("js/passkey.js") < verify.index("otp_webauthn_auth.js")
    assert reverse("otp_webauthn:js-i18n-catalog") not in verify
    assert "パスキーで確認" in verify
