"""Browser: a care manager records an admission from the client page (a missing hospital is
refused at the field first), then records that the 入院時情報提供書 was provided the same day."""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone

from tests.factories import ClientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def _field(page, label: str):  # noqa: ANN001, ANN202, F811
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*必須)?$"))


def _shot(page, name: str) -> None:  # noqa: ANN001, F811
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_admission_and_sheet_provision(live_server, page, log_in, world) -> None:  # noqa: ANN001, F811
    record = ClientFactory(office=world.office, care_manager=world.care_manager, name="青木 トメ")
    today = timezone.localdate().isoformat()
    log_in(world.care_manager.username)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/clients/{record.pk}/")
    page.get_by_role("link", name="入退院・医療連携").click()
    page.get_by_role("link", name="入院を記録する").click()

    _field(page, "入院日").fill(today)
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("入院先の医療機関を入力してください。").is_visible()
    _field(page, "入院先（医療機関）").fill("さくら総合病院")
    _field(page, "病棟・連絡先（担当看護師・地域連携室など）").fill("5階西病棟")
    page.get_by_role("button", name="保存する").click()

    page.wait_for_url(re.compile(r"/monitoring/clients/\d+/hospital/$"))
    assert page.get_by_text("入院を記録しました（入院中）").is_visible()
    assert page.get_by_role("heading", name=re.compile("さくら総合病院")).is_visible()
    _shot(page, "hospital_page")
    page.get_by_role("link", name="提供書を開く").click()
    assert page.get_by_text("台帳・認定・ケアプラン・アセスメントから下書きしました").is_visible()
    _shot(page, "hospital_sheet")
    page.get_by_role("link", name="提供を記録する").click()
    _field(page, "提供方法").select_option(label="FAX")
    _field(page, "提供先（職種・氏名）").fill("地域連携室 山田")
    page.get_by_role("button", name="保存する").click()

    page.wait_for_url(re.compile(r"/monitoring/stays/\d+/sheet/$"))
    assert page.get_by_text("入院時情報連携加算（Ⅰ）の根拠を登録しました。").is_visible()
    record.refresh_from_db()
    assert record.status == "hospitalized"
    page.goto("about:blank")
