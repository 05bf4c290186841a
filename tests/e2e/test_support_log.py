"""A care manager opens the client page's 支援経過 tab, writes two phone calls in a row with
Ctrl+Enter (the focus comes back to 内容 after each save), then sees a refused future date
keep the typed text."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_fast_entry_from_the_client_tab(live_server, page, log_in) -> None:  # noqa: ANN001
    from django.utils import timezone

    from caremgmt.models import Role
    from monitoring.models import SupportLogEntry
    from tests.factories import ClientContactFactory, ClientFactory, OfficeFactory, staff_in

    office = OfficeFactory(name="ブラウザ居宅")
    staff = staff_in(office, Role.CARE_MANAGER, username="log_e2e", full_name="経過 担当")
    client = ClientFactory(office=office, care_manager=staff, name="青木 トメ")
    ClientContactFactory(client=client, name="青木 花子", relationship="長女")

    log_in("log_e2e")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("link", name="支援経過", exact=True).click()
    content = page.locator("#support-log textarea[name=content]")
    content.wait_for()

    page.locator("#support-log input[name=counterpart]").fill("長女 青木 花子")
    content.fill("ショートステイの希望日を聞いた。")
    content.press("Control+Enter")
    page.locator("#support-log", has_text="ショートステイの希望日を聞いた。").locator(
        "tbody"
    ).wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.name === 'content'")
    assert page.locator("#support-log textarea[name=content]").input_value() == ""

    page.keyboard.type("デイの送迎時間を事業所へ連絡した。")
    page.keyboard.press("Control+Enter")
    page.locator("#support-log tbody", has_text="デイの送迎時間を事業所へ連絡した。").wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.name === 'content'")
    assert list(SupportLogEntry.objects.order_by("pk").values_list("content", flat=True)) == [
        "ショートステイの希望日を聞いた。",
        "デイの送迎時間を事業所へ連絡した。",
    ]

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.locator("#support-log input[name=occurred_on]").fill(tomorrow.isoformat())
    page.locator("#support-log textarea[name=content]").fill("明日の予定")
    page.get_by_role("button", name="記録する").click()
    page.locator("#support-log .field-error", has_text="未来の日付は記録できません").wait_for()
    assert page.locator("#support-log textarea[name=content]").input_value() == "明日の予定"
    assert SupportLogEntry.objects.count() == 2
    page.goto("about:blank")
