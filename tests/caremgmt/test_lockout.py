"""Login lockout: one counter per normalised login id + real client IP (issue 9, item 2)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory, override_settings
from django.urls import reverse

from caremgmt.auth_backends import normalize_login_id
from caremgmt.client_ip import client_ip
from caremgmt.models import AccessLog, Role
from tests.factories import ClientFactory, OfficeFactory, staff_in

pytestmark = pytest.mark.django_db

LOCKED = "ログインを一時停止しています"
WRONG = "wrong-password-123"
VARIANTS = [
    "kansa_sec",
    "KANSA_SEC",
    "Kansa_sec",
    " kansa_sec",
    "kansa_sec ",
    "\tkansa_sec",
    "\u3000kansa_sec\u3000",
    "ｋａｎｓａ＿ｓｅｃ",
    "ＫＡＮＳＡ＿ＳＥＣ",
]
PROXY = "172.28.0.1"
PROXY_NET = ["172.28.0.0/16"]


@pytest.fixture
def kansa(db):  # noqa: ANN001, ANN201
    return staff_in(OfficeFactory(), Role.AUDITOR, username="kansa_sec", email="kansa@example.jp")


def post_login(client, username: str, password: str, **extra):  # noqa: ANN001, ANN201
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:  # noqa: ANN001
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_normalises_to_the_login_id(variant: str) -> None:
    assert normalize_login_id(variant) == "kansa_sec"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_logs_in_while_not_locked(client, kansa, demo_password, variant) -> None:  # noqa: ANN001
    assert post_login(client, variant, demo_password).status_code == 302
    assert logged_in(client)


def test_failures_with_mixed_variants_share_one_counter_and_lock_every_variant(
    client, kansa, demo_password, settings
) -> None:  # noqa: ANN001
    statuses = [
        post_login(client, VARIANTS[i % len(VARIANTS)], WRONG).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last one locks
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "kansa_sec",
        "127.0.0.1",
        settings.AXES_FAILURE_LIMIT,
    )
    for variant in VARIANTS:
        response = post_login(client, variant, demo_password)
        assert response.status_code == 429, variant
        assert LOCKED in response.content.decode()
        assert not logged_in(client)
    assert AccessAttempt.objects.count() == 1


def test_the_right_password_resets_the_counter_for_every_variant(
    client, kansa, demo_password, settings
) -> None:  # noqa: ANN001
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "KANSA_SEC", WRONG)
    assert post_login(client, " ｋａｎｓａ＿ｓｅｃ", demo_password).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_email_shares_the_login_ids_counter(client, kansa, demo_password, settings) -> None:  # noqa: ANN001
    ids = ["kansa@example.jp", "KANSA_SEC", " ＫＡＮＳＡ＠ｅｘａｍｐｌｅ．ｊｐ"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, ids[i % len(ids)], WRONG)
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("kansa_sec", settings.AXES_FAILURE_LIMIT)
    ]
    for typed in ("Kansa@Example.jp", "kansa_sec"):
        assert post_login(client, typed, demo_password).status_code == 429
        assert not logged_in(client)


def test_unknown_ids_are_counted_under_their_normalised_text(client, kansa, settings) -> None:  # noqa: ANN001
    post_login(client, " Nobody", WRONG)
    post_login(client, "ＮＯＢＯＤＹ", WRONG)
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("nobody", 2)
    ]


# --- the client IP ------------------------------------------------------------------------


def ip_of(remote_addr: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_by_default_no_proxy_is_trusted(settings) -> None:  # noqa: ANN001
    assert settings.TRUSTED_PROXIES == []
    assert ip_of("203.0.113.9", "198.51.100.1") == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=PROXY_NET)
def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    assert ip_of("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert ip_of("203.0.113.9", PROXY) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=PROXY_NET)
def test_from_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() -> None:
    assert ip_of(PROXY, "198.51.100.1") == "198.51.100.1"
    # The client prepended a forged address; the proxy appended the real one.
    assert ip_of(PROXY, "10.9.9.9, 198.51.100.1") == "198.51.100.1"
    # Two proxies in the trusted network.
    assert ip_of(PROXY, "198.51.100.1, 172.28.0.7") == "198.51.100.1"
    assert ip_of(PROXY, " 2001:db8::1 ") == "2001:db8::1"
    # Nothing forwarded, or only garbage: the proxy itself.
    assert ip_of(PROXY) == PROXY
    assert ip_of(PROXY, "not-an-ip") == PROXY
    assert ip_of(PROXY, "198.51.100.1, garbage, 172.28.0.7") == "172.28.0.7"


def test_no_peer_address_gives_none() -> None:
    assert ip_of("") is None


def lock_out(client, settings, **extra) -> None:  # noqa: ANN001
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "kansa_sec", WRONG, **extra)


@override_settings(TRUSTED_PROXIES=PROXY_NET)
def test_spoofed_forwarded_for_does_not_escape_the_lock(
    client, kansa, demo_password, settings
) -> None:  # noqa: ANN001
    lock_out(client, settings, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    response = post_login(
        client,
        "kansa_sec",
        demo_password,
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 429
    assert not logged_in(client)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


@override_settings(TRUSTED_PROXIES=PROXY_NET)
def test_two_clients_behind_the_proxy_have_separate_counters(
    client, kansa, demo_password, settings
) -> None:  # noqa: ANN001
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    lock_out(client, settings, **attacker)
    assert post_login(client, "kansa_sec", demo_password, **attacker).status_code == 429
    # Forging an address in front of the real one does not help the attacker either.
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.1, 198.51.100.66"}
    assert post_login(client, "kansa_sec", demo_password, **forged).status_code == 429
    assert not logged_in(client)
    # The real user, another client behind the same proxy, is not locked out.
    owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert post_login(client, "kansa_sec", demo_password, **owner).status_code == 302
    assert logged_in(client)
    attempt = AccessAttempt.objects.get()
    assert (attempt.ip_address, attempt.failures_since_start) == (
        "198.51.100.66",
        settings.AXES_FAILURE_LIMIT + 2,
    )


@override_settings(TRUSTED_PROXIES=PROXY_NET)
def test_the_access_log_records_the_real_client_behind_the_proxy(world, login) -> None:  # noqa: ANN001
    client_record = ClientFactory(office=world.office, care_manager=world.care_manager)
    browser = login(world.care_manager)
    url = reverse("clients:detail", args=[client_record.pk])
    browser.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7")
    browser.get(url, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert list(AccessLog.objects.order_by("pk").values_list("ip_address", flat=True)) == [
        "198.51.100.7",
        "203.0.113.9",
    ]
