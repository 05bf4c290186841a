"""A care manager records this month's monitoring visit from the month list (モニタリング)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_record_a_visit_from_the_month_list(live_server, page, log_in) -> None:  # noqa: ANN001
    from caremgmt.models import Role
    from monitoring.models import MonitoringRecord
    from tests.factories import ClientFactory, OfficeFactory, staff_in
    from tests.monitoring.routes.records import confirmed_plan

    office = OfficeFactory()
    care_manager = staff_in(office, Role.CARE_MANAGER, username="monitor_cm", full_name="担当 花子")
    world = type("W", (), {"office": office, "care_manager": care_manager})()
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=10)
    client = ClientFactory(office=office, care_manager=care_manager, name="試験 モニ")
    plan = confirmed_plan(world, client=client, starts_on=start)
    goal = plan.needs.first().goals.first()

    log_in("monitor_cm")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="モニタリング", exact=True).click()
    row = page.locator("#monitoring-month tr", has_text="試験 モニ")
    assert row.get_by_text("未実施").is_visible()
    row.get_by_role("link", name="記録する").click()

    page.get_by_label("面接した人").fill("本人、長女")
    page.locator(f"#id_goal_{goal.pk}_achievement").get_by_label("一部達成").check()
    page.locator(f"#id_goal_{goal.pk}_observation").fill("手すりを使って浴槽をまたげた")
    page.get_by_label("満足", exact=True).check()
    page.get_by_label("総括（計画の実施状況）").fill("計画どおり。")
    page.get_by_role("button", name="保存する").click()

    assert page.get_by_text("モニタリングを記録しました。").is_visible()
    assert page.get_by_text("手すりを使って浴槽をまたげた").is_visible()
    record = MonitoringRecord.objects.get(client=client)
    assert (record.visited_on, record.goals.get().achievement) == (today, "partly")

    page.get_by_role("link", name="今月のモニタリング").click()
    row = page.locator("#monitoring-month tr", has_text="試験 モニ")
    assert row.get_by_text("実施済").is_visible()
    page.goto("about:blank")


def test_record_a_visit_from_the_work_queue(live_server, page, log_in) -> None:  # noqa: ANN001
    """The care manager starts the day on the work queue: this month's visit is listed, one
    click opens the record form for that month, and once saved the item is gone."""
    from caremgmt.models import Role
    from monitoring.models import MonitoringRecord, WorkItem
    from tests.factories import ClientFactory, OfficeFactory, staff_in
    from tests.monitoring.routes.records import confirmed_plan

    office = OfficeFactory()
    care_manager = staff_in(office, Role.CARE_MANAGER, username="queue_cm", full_name="担当 次郎")
    world = type("W", (), {"office": office, "care_manager": care_manager})()
    today = timezone.localdate()
    start = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=10)
    client = ClientFactory(office=office, care_manager=care_manager, name="試験 キュー")
    plan = confirmed_plan(world, client=client, starts_on=start)
    goal = plan.needs.first().goals.first()

    log_in("queue_cm")
    page.wait_for_url(f"{live_server.url}/")
    item = page.locator('tr[data-kind="monitoring"]', has_text="試験 キュー")
    assert item.get_by_text("今月のモニタリング未実施").is_visible()
    item.get_by_role("link", name="記録する").click()
    page.wait_for_url(f"**/monitoring/clients/{client.pk}/records/new/?month={today:%Y-%m}")

    page.get_by_label("面接した人").fill("本人")
    page.locator(f"#id_goal_{goal.pk}_achievement").get_by_label("達成", exact=True).check()
    page.get_by_label("満足", exact=True).check()
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("モニタリングを記録しました。").is_visible()
    assert MonitoringRecord.objects.get(client=client).goals.get().achievement == "achieved"
    assert not WorkItem.objects.filter(client=client, kind="monitoring").exists()

    page.goto(f"{live_server.url}/")
    assert page.locator('tr[data-kind="monitoring"]', has_text="試験 キュー").count() == 0
    page.goto("about:blank")
