"""The renewal-window alert (60 days) per care manager and per office, on the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caremgmt.access import actor_for
from clients.selectors import certifications_expiring
from tests.factories import CertificationApplicationFactory, CertificationFactory, ClientFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def certified(world, staff, name, valid_to, **client_kwargs):  # noqa: ANN001, ANN003, ANN201
    record = ClientFactory(office=world.office, care_manager=staff, name=name, **client_kwargs)
    CertificationFactory(client=record, valid_from=dt.date(2026, 1, 1), valid_to=valid_to)
    return record


@pytest.fixture
def caseload(world):  # noqa: ANN001, ANN201
    certified(world, world.care_manager, "今月末", dt.date(2026, 11, 30))
    certified(world, world.care_manager, "六十日目", dt.date(2027, 1, 22))
    certified(world, world.care_manager, "六十一日目", dt.date(2027, 1, 31))
    certified(
        world,
        world.care_manager,
        "終了済",
        dt.date(2026, 12, 31),
        status="ended",
        status_changed_on=TODAY,
    )
    renewed = certified(world, world.care_manager, "更新済", dt.date(2026, 12, 31))
    CertificationFactory(
        client=renewed, valid_from=dt.date(2027, 1, 1), valid_to=dt.date(2027, 12, 31)
    )
    applied = certified(world, world.colleague, "申請済", dt.date(2026, 12, 31))
    CertificationApplicationFactory(client=applied, applied_on=dt.date(2026, 11, 5))
    other = ClientFactory(office=world.other_office, care_manager=world.outsider, name="他所")
    CertificationFactory(
        client=other, valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31)
    )


def names(staff) -> list[str]:  # noqa: ANN001
    return [row.client.name for row in certifications_expiring(actor=actor_for(staff), today=TODAY)]


def test_care_manager_sees_own_expiring_soonest_first(world, caseload) -> None:  # noqa: ANN001
    assert names(world.care_manager) == ["今月末", "六十日目"]


def test_manager_sees_the_office_grouped_by_care_manager(world, caseload) -> None:  # noqa: ANN001
    rows = list(certifications_expiring(actor=actor_for(world.manager), today=TODAY))
    assert sorted(row.client.name for row in rows) == ["今月末", "六十日目", "申請済"]
    assert {row.client.name: row.renewal_pending for row in rows}["申請済"] is True
    assert names(world.outsider) == ["他所"]


def test_dashboard_lists_them(world, caseload, login, time_machine) -> None:  # noqa: ANN001
    time_machine.move_to(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))
    page = login(world.care_manager).get(reverse("dashboard")).content.decode()
    assert "認定の有効期間が60日以内に終わる利用者" in page
    assert "今月末" in page and "六十日目" in page and "申請済" not in page
    assert "未申請" in page
    expiring_page = login(world.manager).get(reverse("clients:expiring")).content.decode()
    assert "申請済" in expiring_page and "他所" not in expiring_page
