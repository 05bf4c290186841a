"""The work queue in a browser: a notice marked read in place (htmx), the kind filter, and
the office manager's caseload table (demo office)."""

import os

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_care_manager_reads_a_notice_and_filters_the_queue(live_server, page, log_in) -> None:  # noqa: ANN001
    call_command("load_demo", verbosity=0)
    from caremgmt.models import Staff
    from monitoring.models import Notice

    sato = Staff.objects.get(username="sato")
    office = sato.memberships.first().office
    Notice.objects.create(office=office, recipient=sato, kind="admitted", message="入院のお知らせ")
    log_in("sato")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="やること").is_visible()
    assert "未読 1件" in page.locator("#notices").inner_text()
    page.get_by_role("button", name="既読にする").click()
    page.locator("#notices").get_by_text("既読", exact=True).wait_for()
    assert "未読" not in page.locator("#notices").inner_text()
    assert Notice.objects.get().read_at is not None
    counts = page.locator(".work-counts a")
    if counts.count() > 1:
        counts.nth(1).click()
        page.wait_for_url("**/?kind=*")
        assert page.locator(".work-counts a[aria-current='true']").count() == 1
    if os.environ.get("WORK_SCREENSHOTS"):
        page.screenshot(path=os.environ["WORK_SCREENSHOTS"] + "/cm.png", full_page=True)
    page.goto("about:blank")


def test_manager_sees_the_caseload_table(live_server, page, log_in) -> None:  # noqa: ANN001
    call_command("load_demo", verbosity=0)
    log_in("kanri")
    page.wait_for_url(f"{live_server.url}/")
    table = page.locator(".caseload-table")
    assert table.is_visible()
    assert "佐藤 美咲" in table.inner_text()
    if os.environ.get("WORK_SCREENSHOTS"):
        page.screenshot(path=os.environ["WORK_SCREENSHOTS"] + "/manager.png", full_page=True)
    page.goto("about:blank")
