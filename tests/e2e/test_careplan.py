"""A care manager walks one client from assessment → 原案 → 担当者会議 → 説明・同意・交付."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("CAREPLAN_SHOTS", "")) if os.environ.get("CAREPLAN_SHOTS") else None


def _shot(page, name: str) -> None:  # noqa: ANN001
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_assessment_to_consent(page, live_server, log_in) -> None:  # noqa: ANN001
    from caremgmt.models import Office, Staff
    from careplans.models import CarePlan
    from tests.factories import (
        CertificationFactory,
        ClientFactory,
        ServiceProviderFactory,
        ensure_fee_schedule,
    )

    ensure_fee_schedule()
    call_command("load_demo", verbosity=0)
    office = Office.objects.get(office_number="1370100011")
    sato = Staff.objects.get(username="sato")
    today = timezone.localdate()
    client = ClientFactory(
        office=office, care_manager=sato, name="試験 ウメ", name_kana="シケン ウメ"
    )
    CertificationFactory(
        client=client,
        care_level="22",
        certified_on=today - dt.timedelta(days=40),
        valid_from=today.replace(day=1) - dt.timedelta(days=31),
        valid_to=today.replace(day=1) + dt.timedelta(days=365),
    )
    ServiceProviderFactory(office=office, name="えいと訪問介護", service_types=["11"])

    log_in("sato")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="ケアプラン", exact=True).click()
    assert page.get_by_role("heading", name="ケアプラン").is_visible()
    _shot(page, "01_index")
    page.get_by_role("link", name="試験 ウメ").click()
    _shot(page, "02_workflow_start")

    # 1. assessment
    page.get_by_role("link", name="次にすること：アセスメントを始める").click()
    page.get_by_role("button", name="作成する").click()
    assert page.get_by_text("アセスメントを作成しました。").is_visible()
    page.locator("#id_item7_client_wish").fill("自宅で暮らし続けたい")
    page.locator("#id_item11_adl_9").select_option("一部介助")
    page.locator("#id_item2_note").fill("元は小学校の教員。一人暮らし。")
    _shot(page, "03_assessment")
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("アセスメントを保存しました。").is_visible()

    # 2. 原案
    page.get_by_role("link", name="試験 ウメさんの計画の進み具合").click()
    page.get_by_role("link", name="次にすること：原案を作成する").click()
    page.get_by_role("button", name="原案を作成する").click()
    assert page.get_by_text("原案を作成しました。").is_visible()
    page.get_by_role("link", name="＋ ニーズを追加").click()
    page.locator("#id_text").fill("自宅で安全に入浴したい")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("link", name="＋目標").click()
    page.locator("#id_long_term").fill("週2回、安心して入浴できる")
    page.locator("#id_short_term").fill("介助を受けて浴槽をまたげる")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("link", name="＋援助内容").click()
    page.locator("#id_content").fill("入浴介助")
    with page.expect_response(lambda response: "/item-providers/" in response.url):
        page.locator("#id_service_type").select_option("11")  # htmx reloads the 事業所 list
    page.locator("#id_provider").select_option(label="えいと訪問介護")
    page.locator("#id_frequency").fill("週2回")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("link", name="＋ 週間サービス").click()
    page.get_by_label("火").check()
    page.locator("#id_starts_at").fill("10:00")
    page.locator("#id_ends_at").fill("11:00")
    page.locator("#id_content").fill("訪問介護（入浴介助）")
    page.locator("#id_provider").select_option(label="えいと訪問介護")
    page.locator("#id_service_code").fill("111211")
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("第3表 週間サービスを保存しました。").is_visible()
    _shot(page, "04_plan_draft")

    # 3. 担当者会議
    page.get_by_role("link", name="担当者会議を記録").first.click()
    page.locator("#id_starts_at").fill("14:00")
    page.locator("#id_ends_at").fill("14:45")
    page.locator("#id_attendees-1-name").fill("田村")
    page.locator("#id_discussion").fill("入浴時の介助方法を確認した。")
    page.locator("#id_conclusion").fill("原案のとおり実施する。")
    _shot(page, "05_meeting")
    page.get_by_role("button", name="会議の記録を保存する").click()
    assert page.get_by_text("原案は会議済になりました。").is_visible()

    # 4. 説明・同意・交付
    page.get_by_role("link", name="説明・同意・交付を記録").click()
    _shot(page, "06_confirm")
    page.get_by_role("button", name="同意を記録して確定する").click()
    assert page.get_by_text("説明・同意・交付を記録し、計画を確定しました。").is_visible()
    _shot(page, "07_plan_confirmed")
    plan = CarePlan.objects.get(client=client)
    assert plan.status == "confirmed" and plan.consented_on == today
    assert plan.deliveries.get().provider.name == "えいと訪問介護"
    page.get_by_role("link", name="試験 ウメさんの計画の進み具合").click()
    assert page.locator("[aria-current=step]").inner_text().strip() == "利用中"
    _shot(page, "08_workflow_done")
