"""Browser: a care manager registers a client through intake — consultation → contract →
certification — in the Japanese UI, then finds them with half-width kana."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from caremgmt.demo import load_demo_office
from clients.demo import load_demo_clients
from clients.models import Client

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def field(page, label: str):  # noqa: ANN001, ANN201
    """A form control by its label; required labels carry a 「必須」 badge."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*必須)?$"))


def shot(page, name: str) -> None:  # noqa: ANN001
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_intake_consultation_contract_certification(page, live_server, log_in, world) -> None:  # noqa: ANN001
    log_in(world.care_manager.username)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/clients/")
    page.get_by_role("link", name="＋ 新規相談の受付").click()
    assert page.get_by_role("heading", name="新規相談の受付").is_visible()

    field(page, "相談日").fill("2026-11-20")
    field(page, "相談経路").select_option(label="地域包括支援センター")
    field(page, "紹介元・相談者").fill("神田地域包括支援センター 森さん")
    field(page, "主訴").fill("一人暮らしで買い物と入浴が難しくなってきた")
    field(page, "氏名").fill("井上 和子")
    field(page, "フリガナ（カタカナ）").fill("いのうえ かずこ")
    field(page, "生年月日").fill("1938-05-05")
    field(page, "性別").select_option(label="女")
    field(page, "保険者番号").fill("131012")  # wrong check digit first
    field(page, "保険者名").fill("千代田区")
    field(page, "被保険者番号").fill("0001234567")
    page.get_by_role("button", name="相談を受け付ける").click()

    assert page.get_by_text("保険者番号の検証番号（6桁目）が正しくありません。").is_visible()
    assert field(page, "主訴").input_value() == "一人暮らしで買い物と入浴が難しくなってきた"
    assert field(page, "保険者番号").get_attribute("aria-invalid") == "true"
    field(page, "保険者番号").fill("131011")
    page.get_by_role("button", name="相談を受け付ける").click()

    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    assert page.get_by_text("井上 和子さんの相談を受け付けました（相談中）。").is_visible()
    assert page.get_by_text("要介護認定がありません").is_visible()
    shot(page, "intake_consulting")

    page.get_by_role("link", name="契約する").click()
    assert page.get_by_text("この方には有効な要介護認定がありません（申請中）。").is_visible()
    field(page, "契約日").fill("2026-11-25")
    field(page, "重要事項説明を行い同意を得た").check()
    field(page, "個人情報の使用（サービス担当者会議等での共有）に同意を得た").check()
    page.get_by_role("button", name="契約を登録する").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    assert page.get_by_text("井上 和子さんと契約しました（契約中）。").is_visible()

    page.get_by_role("link", name="相談・契約").click()  # htmx tab
    expect(page.get_by_text("神田地域包括支援センター 森さん")).to_be_visible()
    expect(page.get_by_role("link", name="相談・契約")).to_have_attribute("aria-current", "page")
    assert "?tab=" not in page.url  # swapped in place by htmx, not a page load

    page.get_by_role("link", name="認定・負担割合").click()
    page.get_by_role("link", name="＋ 要介護認定を登録").click()
    field(page, "申請区分").select_option(label="新規")
    field(page, "申請日").fill("2026-11-20")
    field(page, "認定日").fill("2026-12-18")
    field(page, "要介護状態区分").select_option(label="要介護1")
    field(page, "有効期間（開始）").fill("2026-11-20")
    field(page, "有効期間（終了）").fill("2027-05-30")
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("有効期間の終了日は月末日にしてください。").is_visible()
    field(page, "有効期間（終了）").fill("2027-05-31")
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("要介護認定を登録しました。").is_visible()
    assert page.locator(".client-header").get_by_text("要介護1").is_visible()
    assert page.get_by_text("令和8年11月20日〜令和9年5月31日").first.is_visible()

    record = Client.objects.get()
    assert (record.status, record.name_kana) == ("contracted", "イノウエ カズコ")
    assert record.certifications.get().care_level == "21"

    page.get_by_role("link", name="利用者一覧").click()
    page.get_by_label("氏名・フリガナ・被保険者番号").fill("ｲﾉｳｴ")
    page.get_by_role("button", name="検索").click()
    assert page.get_by_role("link", name="井上 和子").is_visible()


def test_demo_office_list_and_client_page(page, live_server, log_in) -> None:  # noqa: ANN001
    load_demo_office()  # only the parts this app owns: later apps' demos are theirs to test
    load_demo_clients()
    log_in("kanri")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("認定の有効期間が60日以内に終わる利用者").is_visible()
    shot(page, "dashboard")
    page.goto(f"{live_server.url}/clients/")
    expect(page.locator(".result-count")).to_contain_text("28人")  # さくら: 30 clients, 2 ended
    shot(page, "client_list")
    page.get_by_label("氏名・フリガナ・被保険者番号").fill("いしい")
    expect(page.locator("#results .client-name")).to_have_count(1)  # htmx live search
    page.get_by_role("link", name="石井 茂").click()
    assert page.locator(".client-header").get_by_text("要介護4").is_visible()
    shot(page, "client_page")
    page.get_by_role("link", name="連絡先・家族").click()
    expect(page.get_by_text("主介護者").first).to_be_visible()
    shot(page, "client_contacts")
    page.goto(f"{live_server.url}/clients/providers/")
    assert page.get_by_text("デイサービスなごみ").is_visible()
    shot(page, "providers")
