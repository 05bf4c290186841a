"""A care manager opens next month's ticket, toggles days (mouse and keyboard), watches the
limit panel change, pushes the month over the limit, allocates the excess and prints."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ["TICKET_SHOTS"]) if os.environ.get("TICKET_SHOTS") else None


def _shot(page, name: str) -> None:  # noqa: ANN001
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _number(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


def test_edit_a_ticket_over_the_limit_and_allocate(live_server, page, log_in) -> None:  # noqa: ANN001
    from billing.models import ServiceTicket
    from billing.tickets.generate import generate_ticket
    from caremgmt.models import Role
    from tests.billing.ticket_world import make_ticket_world
    from tests.factories import OfficeFactory, ensure_fee_schedule, staff_in

    ensure_fee_schedule()
    office = OfficeFactory(name="ブラウザ居宅")
    staff = staff_in(office, Role.CARE_MANAGER, username="ticket_e2e", full_name="利用票 担当")
    tw = make_ticket_world(office, staff)
    ticket, _ = generate_ticket(client=tw.client, month=dt.date(2026, 12, 1))
    home_row = ticket.rows.get(service_code="111211")

    log_in("ticket_e2e")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/billing/tickets/?month=2026-12")
    page.get_by_role("link", name="開く").first.click()
    page.wait_for_url(re.compile(r"/billing/tickets/\d+/$"))
    panel = page.locator("#limit-panel")
    used = panel.locator('[data-figure="used"]')
    before_text = used.inner_text().strip()
    before = _number(before_text)

    # one click on 5 December (a Saturday) adds a visit; the panel follows
    cell = page.locator(f"#c-{home_row.pk}-p-5")
    assert cell.get_attribute("aria-pressed") == "false"
    cell.click()
    page.wait_for_function(
        "([sel, old]) => document.querySelector(sel).textContent.trim() !== old",
        arg=['#limit-panel [data-figure="used"]', before_text],
    )
    assert _number(used.inner_text()) > before
    assert page.locator(f"#c-{home_row.pk}-p-5").get_attribute("aria-pressed") == "true"

    # keyboard: → moves to the 6th, Space toggles it
    page.locator(f"#c-{home_row.pk}-p-5").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id",
        arg=f"c-{home_row.pk}-p-6",
    )
    page.keyboard.press("Space")
    page.wait_for_function(
        "sel => document.querySelector(sel).getAttribute('aria-pressed') === 'true'",
        arg=f"#c-{home_row.pk}-p-6",
    )
    home_row.refresh_from_db()
    assert {5, 6} <= set(home_row.planned_days)

    # copy 通所介護 to every other weekday: far over 27,048 units
    day_row = ticket.rows.get(service_code="152443")
    page.locator(f"#row-{day_row.pk}").get_by_role("link", name="曜日にコピー").click()
    for name in ("月", "火", "木", "金", "土", "日"):
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="コピーする").click()
    page.wait_for_url(re.compile(r"/billing/tickets/\d+/"))
    over = page.locator('#limit-panel [data-figure="over"]')
    excess = _number(over.inner_text())
    assert excess > 0
    _shot(page, "01_over_limit")

    # allocate everything to 通所介護, preview, then save
    number = tw.day_service.provider_number
    for field in page.locator("#limit-panel input.units-input").all():
        field.fill("0")
    page.locator(f'input[name="units_{number}_15"]').fill(str(excess))
    page.get_by_role("button", name="試算する").click()
    page.locator("#allocation-preview").wait_for()
    _shot(page, "02_preview")
    assert "円" in page.locator('[data-figure="preview-charge"]').inner_text()
    page.get_by_role("button", name="振り分けを保存").click()
    page.get_by_text("保存した振り分けを使用中").wait_for()
    ticket = ServiceTicket.objects.get(pk=ticket.pk)
    assert ticket.over_limit_allocation == [
        {"provider_number": number, "service_type": "15", "units": excess}
    ]

    # a toggle after the allocation still carries the fresh version (no stale message)
    page.locator(f"#c-{home_row.pk}-p-7").click()
    page.wait_for_function(
        "sel => document.querySelector(sel).getAttribute('aria-pressed') === 'true'",
        arg=f"#c-{home_row.pk}-p-7",
    )
    assert page.locator(".stale-message").count() == 0

    # print, when the print actions are in place
    prints = page.get_by_role("link", name=re.compile("印刷"))
    if prints.count():
        prints.first.click()
        page.wait_for_load_state()
    page.goto("about:blank")  # stop htmx polling before the live server is torn down
