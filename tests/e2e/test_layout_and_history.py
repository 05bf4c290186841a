"""Browser walk defects at 1280×800: the top nav on one line, the 第4表 attendee header
inside its cells, Back after a failed POST, and the client search kept on Back."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def _shot(page, name: str) -> None:  # noqa: ANN001
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def demo_plan():  # noqa: ANN201
    """The demo offices, and a 原案 for a client of kanri (two offices, two roles: the
    longest header there is)."""
    from caremgmt.access import actor_for
    from caremgmt.models import Staff
    from careplans import services
    from tests.factories import CertificationFactory, ClientFactory, ensure_fee_schedule

    ensure_fee_schedule()
    call_command("load_demo", verbosity=0)
    kanri = Staff.objects.get(username="kanri")
    actor = actor_for(kanri)
    client = ClientFactory(
        office=actor.office, care_manager=kanri, name="試験 ウメ", name_kana="シケン ウメ"
    )
    CertificationFactory(
        client=client,
        care_level="22",
        certified_on=dt.date(2026, 3, 20),
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2027, 3, 31),
    )
    assessment = services.assessment_start(
        actor=actor, client=client, assessed_on=dt.date(2026, 4, 3), reason="initial"
    )
    return services.careplan_create(
        actor=actor,
        client=client,
        assessment=assessment,
        drafted_on=dt.date(2026, 4, 5),
        starts_on=dt.date(2026, 4, 10),
    )


def test_nav_is_one_line_and_attendee_header_fits_at_1280(
    page, live_server, log_in, demo_plan
) -> None:  # noqa: ANN001
    log_in("kanri")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/careplans/plans/{demo_plan.pk}/meetings/new/")
    assert page.viewport_size == {"width": 1280, "height": 800}
    nav = page.locator(".main-nav").bounding_box()
    first_item = page.locator(".main-nav > *").first.bounding_box()
    assert nav is not None and first_item is not None
    assert nav["height"] <= first_item["height"] + 1  # one line of items, no wrap
    header = page.locator(".site-header").bounding_box()
    session = page.locator(".session-box").bounding_box()
    assert header is not None and session is not None
    assert abs(session["y"] - nav["y"]) < first_item["height"]  # same row as the nav
    # the name and roles are whole (QA: 「山本 恵子（主任介護支援専…」 was cut with an ellipsis)
    name = page.evaluate(
        """() => { const n = document.querySelector('.staff-name');
            return [n.innerText, n.scrollWidth <= n.clientWidth, n.getBoundingClientRect().right]; }"""
    )
    assert "山本 恵子" in name[0] and "主任介護支援専門員・管理者" in name[0]
    assert name[1] and name[2] <= 1280
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.attendee-table th')]
            .filter(th => th.scrollWidth > th.clientWidth).map(th => th.textContent)"""
    )
    assert overflowing == []
    table = page.evaluate(
        """() => { const t = document.querySelector('.attendee-table');
            return [t.scrollWidth, t.parentElement.clientWidth]; }"""
    )
    assert table[0] <= table[1]
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= 1280
    _shot(page, "meeting_1280")


def test_back_after_a_failed_post_is_not_a_cache_miss(page, live_server, log_in, world) -> None:  # noqa: ANN001
    log_in(world.care_manager.username)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/clients/intake/")
    page.get_by_role("button", name="相談を受け付ける").click()  # empty: fails validation
    page.wait_for_load_state()
    assert page.locator(".field-error").count() > 0
    page.goto(f"{live_server.url}/clients/")
    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/clients/intake/"
    assert page.get_by_role("heading", name="新規相談の受付").is_visible()


def test_client_search_is_kept_on_back(page, live_server, log_in, world) -> None:  # noqa: ANN001
    from tests.factories import ClientFactory

    ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="青木 トメ",
        name_kana="アオキ トメ",
    )
    ClientFactory(
        office=world.office,
        care_manager=world.care_manager,
        name="井上 ハナ",
        name_kana="イノウエ ハナ",
    )
    log_in(world.care_manager.username)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/clients/")
    page.get_by_label("氏名・フリガナ・被保険者番号").fill("ｱｵｷ")
    page.wait_for_url(re.compile(r"/clients/\?.*q=%EF%BD%B1%EF%BD%B5%EF%BD%B7"))
    assert page.locator("#results").get_by_text("井上 ハナ").count() == 0
    page.get_by_role("link", name="青木 トメ").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    page.go_back()
    page.wait_for_load_state()
    assert page.get_by_label("氏名・フリガナ・被保険者番号").input_value() == "ｱｵｷ"
    results = page.locator("#results")
    assert results.get_by_text("青木 トメ").count() == 1
    assert results.get_by_text("井上 ハナ").count() == 0
