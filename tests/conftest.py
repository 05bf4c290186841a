"""Shared fixtures: an office with one actor per role, a colleague and another office."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from caremgmt.models import Office, Role, Staff

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_or_skip(available: bool, reason: str) -> None:
    """Skip locally when a service is missing; in CI the test must run, so fail instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@dataclass
class World:
    office: Office
    other_office: Office
    care_manager: Staff
    colleague: Staff
    chief: Staff
    manager: Staff
    clerk: Staff
    auditor: Staff
    outsider: Staff  # care manager of another office


@pytest.fixture
def world(db) -> World:  # noqa: ANN001
    from tests.factories import OfficeFactory, staff_in

    office = OfficeFactory(name="さくら居宅")
    other_office = OfficeFactory(name="よその居宅")
    return World(
        office=office,
        other_office=other_office,
        care_manager=staff_in(office, Role.CARE_MANAGER, full_name="担当 花子"),
        colleague=staff_in(office, Role.CARE_MANAGER, full_name="同僚 太郎"),
        chief=staff_in(office, Role.CHIEF_CARE_MANAGER, full_name="主任 次郎"),
        manager=staff_in(office, Role.OFFICE_MANAGER, full_name="管理 一郎"),
        clerk=staff_in(office, Role.CLERK, full_name="事務 直子"),
        auditor=staff_in(office, Role.AUDITOR, full_name="監査 三郎"),
        outsider=staff_in(other_office, Role.OFFICE_MANAGER, full_name="他所 管理"),
    )


@pytest.fixture
def login():  # noqa: ANN201
    """login(staff) → a test client with that staff member logged in."""

    def _login(staff: Staff) -> HttpClient:
        http = HttpClient()
        http.force_login(staff, backend="caremgmt.auth_backends.LoginIdOrEmailBackend")
        return http

    return _login


@pytest.fixture
def demo_password() -> str:
    return settings.DEMO_PASSWORD


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # noqa: ANN001
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fee_schedule_seeded(request) -> None:  # noqa: ANN001
    """The R6 fee schedule comes from a data migration, which transactional tests flush away.
    Every database test starts with it present, whatever ran before."""
    marker = request.node.get_closest_marker("django_db")
    wanted = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if marker is None and not wanted:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & wanted
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from tests.factories import ensure_fee_schedule

    ensure_fee_schedule()


@pytest.fixture(autouse=True)
def fresh_fee_schedule_cache():  # noqa: ANN201
    """A test that edits the fee schedule rolls back at its end; the process cache must not
    carry the edited rows into the next test."""
    from billing.fee_schedule import clear_fee_schedule_cache

    clear_fee_schedule_cache()
    yield
    clear_fee_schedule_cache()
