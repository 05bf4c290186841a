"""On the 1st an office clerk opens the 給付管理 board, receives and confirms a provider's
実績 as planned, sees the pre-submission check clear, runs the month batch and downloads the
給付管理票 exchange file (8222, MS932, CRLF)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_from_the_board_to_a_downloaded_file(live_server, page, log_in) -> None:  # noqa: ANN001
    from billing.tickets.generate import generate_ticket
    from caremgmt.models import Membership, Role
    from clients.models import PlanRequestFiling
    from tests.billing.ticket_world import make_ticket_world
    from tests.factories import OfficeFactory, ensure_fee_schedule, staff_in

    ensure_fee_schedule()
    office = OfficeFactory(name="月初居宅")
    manager = staff_in(office, Role.CARE_MANAGER, username="cm_e2e", full_name="担当 月初")
    Membership.objects.filter(staff=manager).update(care_manager_number="13099999")
    staff_in(office, Role.CLERK, username="clerk_e2e", full_name="事務 月初")
    tw = make_ticket_world(office, manager)
    PlanRequestFiling.objects.create(client=tw.client, filed_on=dt.date(2026, 4, 1))
    ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
    providers = sorted({row.provider.name for row in ticket.rows.select_related("provider")})

    log_in("clerk_e2e")
    page.goto(f"{live_server.url}/billing/benefit/?month=2026-12")
    page.get_by_role("link", name="1. 実績の受領・照合").click()
    page.get_by_role("link", name=tw.client.name).first.click()
    for _name in providers:
        page.get_by_role("button", name="この事業所をすべて予定どおりにする").first.click()
        page.get_by_role("button", name="入力した実績で受領とする").first.click()
        page.get_by_role("button", name="確定", exact=True).first.click()
    ticket.refresh_from_db()
    assert ticket.provider_actuals.filter(status="confirmed").count() == len(providers)

    page.goto(f"{live_server.url}/billing/presubmission/?month=2026-12")
    assert "提出を止める問題はありません" in page.content()

    page.goto(f"{live_server.url}/billing/benefit/?month=2026-12")
    page.get_by_role("button", name="給付管理票を作成して提出ファイルを書き出す").click()
    link = page.get_by_role("link", name="をダウンロード")
    link.wait_for(timeout=45_000)
    with page.expect_download() as info:
        link.click()
    data = open(info.value.path(), "rb").read()  # noqa: PTH123, SIM115
    records = data.decode("cp932").split("\r\n")
    assert records[0].startswith("1,") and records[-1] == ""
    assert records[-2].startswith("3,")
    assert any(r.startswith("2,") and '"8222"' in r for r in records)
    page.goto("about:blank")  # stop htmx polling before the live server is torn down
