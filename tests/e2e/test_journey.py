"""One new client, end to end, through the Japanese UI only: 相談受付 → 契約 → 認定 →
アセスメント → 第1〜3表 → 担当者会議 → 説明・同意・交付 → 翌月の利用票（限度超過の振り分け）
→ 印刷 → モニタリングと支援経過 → 月初の実績 → 提出前チェック → 給付管理票ファイル.

The clock is moved with time_machine (the live server runs in this process), so the journey
spans November 2026 to January 2027 whatever day the suite runs. Only the office, its staff
and the R6 fee schedule come from fixtures; everything else is typed into the browser.
See docs/journey.md."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
JST = ZoneInfo("Asia/Tokyo")
CLIENT_NAME = "春山 ハナ"
INSURED_NUMBER = "0009876543"


def field(page, label: str):  # noqa: ANN001, ANN201
    """A form control by its label; required labels carry a 「必須」 badge."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*必須)?$"))


def shot(page, name: str) -> None:  # noqa: ANN001
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"journey_{name}.png"), full_page=True)


def menu(page, name: str) -> None:  # noqa: ANN001
    page.get_by_role("navigation", name="業務メニュー").get_by_role(
        "link", name=name, exact=True
    ).click()


def saved(page, message: str) -> None:  # noqa: ANN001
    expect(page.get_by_text(message).first).to_be_visible()


def add_provider(page, number: str, name: str, service: str) -> None:  # noqa: ANN001
    menu(page, "利用者")
    page.get_by_role("navigation", name="利用者メニュー").get_by_role(
        "link", name="サービス事業所"
    ).click()
    page.get_by_role("link", name="＋ 事業所を登録").click()
    field(page, "事業所番号").fill(number)
    field(page, "事業所名").fill(name)
    page.get_by_label(service, exact=True).check()
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text(name).first).to_be_visible()


def intake_to_certification(page) -> None:  # noqa: ANN001
    menu(page, "利用者")
    page.get_by_role("link", name="＋ 新規相談の受付").click()
    field(page, "相談日").fill("2026-11-16")
    field(page, "相談経路").select_option(label="地域包括支援センター")
    field(page, "紹介元・相談者").fill("中央地域包括支援センター 木村さん")
    field(page, "主訴").fill("退院後、一人で入浴できない")
    field(page, "氏名").fill(CLIENT_NAME)
    field(page, "フリガナ（カタカナ）").fill("ハルヤマ ハナ")
    field(page, "生年月日").fill("1940-03-03")
    field(page, "性別").select_option(label="女")
    field(page, "保険者番号").fill("131011")
    field(page, "保険者名").fill("千代田区")
    field(page, "被保険者番号").fill(INSURED_NUMBER)
    page.get_by_role("button", name="相談を受け付ける").click()
    page.wait_for_url(re.compile(r"/clients/\d+/$"))
    saved(page, f"{CLIENT_NAME}さんの相談を受け付けました（相談中）。")

    page.get_by_role("link", name="契約する").click()
    field(page, "契約日").fill("2026-11-16")
    field(page, "重要事項説明を行い同意を得た").check()
    field(page, "個人情報の使用（サービス担当者会議等での共有）に同意を得た").check()
    page.get_by_role("button", name="契約を登録する").click()
    saved(page, f"{CLIENT_NAME}さんと契約しました（契約中）。")

    page.get_by_role("link", name="認定・負担割合").click()
    page.get_by_role("link", name="＋ 要介護認定を登録").click()
    field(page, "申請区分").select_option(label="新規")
    field(page, "申請日").fill("2026-11-02")
    field(page, "認定日").fill("2026-11-13")
    field(page, "要介護状態区分").select_option(label="要介護2")
    field(page, "有効期間（開始）").fill("2026-11-02")
    field(page, "有効期間（終了）").fill("2027-05-31")
    page.get_by_role("button", name="保存する").click()
    saved(page, "要介護認定を登録しました。")
    expect(page.locator(".client-header").get_by_text("要介護2")).to_be_visible()

    page.get_by_role("link", name="＋ 負担割合証を登録").click()
    page.get_by_label("1割", exact=True).check()
    field(page, "有効期間（開始）").fill("2026-08-01")
    field(page, "有効期間（終了）").fill("2027-07-31")
    page.get_by_role("button", name="保存する").click()
    saved(page, "負担割合を登録しました。")
    page.get_by_role("link", name="＋ 届出を登録").click()
    field(page, "届出日").fill("2026-11-16")
    page.get_by_role("button", name="保存する").click()
    saved(page, "居宅サービス計画作成依頼届出を登録しました。")


def weekly_service(
    page, days: tuple[str, ...], times: tuple[str, str], content: str, provider: str, code: str
) -> None:  # noqa: ANN001, E501
    page.get_by_role("link", name="＋ 週間サービス").click()
    for day in days:
        page.get_by_label(day, exact=True).check()
    field(page, "開始時刻").fill(times[0])
    field(page, "終了時刻").fill(times[1])
    field(page, "内容").fill(content)
    field(page, "事業所").select_option(label=provider)
    field(page, "サービスコード").fill(code)
    page.get_by_role("button", name="保存する").click()
    saved(page, "第3表 週間サービスを保存しました。")


def support_item(page, content: str, service: str, provider: str, frequency: str) -> None:  # noqa: ANN001
    page.get_by_role("link", name="＋援助内容").first.click()
    field(page, "サービス内容").fill(content)
    # htmx wires the サービス種別 select once the new page has loaded; a change before that (a
    # loaded machine, a fast robot) would never reach the server.
    page.wait_for_load_state("load")
    providers = field(page, "事業所（※2）")
    providers.evaluate("select => { select.dataset.stale = '1'; }")
    field(page, "サービス種別").select_option(label=service)  # htmx swaps in a narrowed 事業所
    expect(providers).not_to_have_attribute("data-stale", "1", timeout=15_000)
    providers.select_option(label=provider)
    field(page, "頻度").fill(frequency)
    page.get_by_role("button", name="保存する").click()


def assessment_to_consent(page) -> None:  # noqa: ANN001
    menu(page, "ケアプラン")
    page.get_by_role("link", name=CLIENT_NAME).click()
    page.get_by_role("link", name="次にすること：アセスメントを始める").click()
    field(page, "実施場所").fill("自宅")
    page.get_by_role("button", name="作成する").click()
    saved(page, "アセスメントを作成しました。")
    page.get_by_role("group", name=re.compile(r"^2\. ")).get_by_label("内容・特記事項").fill(
        "夫と死別後、一人暮らし。長女が隣区に住む。"
    )
    page.get_by_role("group", name=re.compile(r"^7\. ")).get_by_label("本人の意向").fill(
        "自宅で暮らし続けたい"
    )
    page.get_by_role("group", name=re.compile(r"^11\. ")).get_by_label("入浴").select_option(
        "一部介助"
    )
    page.get_by_role("button", name="保存する").click()
    saved(page, "アセスメントを保存しました。")

    page.get_by_role("link", name=f"{CLIENT_NAME}さんの計画の進み具合").click()
    page.get_by_role("link", name="次にすること：原案を作成する").click()
    field(page, "計画の開始日").fill("2026-11-20")
    page.get_by_role("button", name="原案を作成する").click()
    saved(page, "原案を作成しました。")
    page.get_by_role("link", name="＋ ニーズを追加").click()
    field(page, "生活全般の解決すべき課題（ニーズ）").fill(
        "自宅で安全に入浴し、人と話す機会を持ちたい"
    )
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("link", name="＋目標").click()
    field(page, "長期目標").fill("週2回、安心して入浴できる")
    field(page, "短期目標").fill("介助を受けて浴槽をまたげる")
    page.get_by_role("button", name="保存する").click()
    support_item(page, "入浴介助", "訪問介護", "ヘルパーステーションはるかぜ", "週2回")
    support_item(page, "機能訓練・交流", "通所介護", "デイサービスひだまり", "週3回")
    weekly_service(
        page,
        ("火", "金"),
        ("10:00", "10:45"),
        "訪問介護（入浴介助）",
        "ヘルパーステーションはるかぜ",
        "111211",
    )  # noqa: E501
    weekly_service(
        page, ("月", "水", "木"), ("09:30", "16:30"), "通所介護", "デイサービスひだまり", "152442"
    )  # noqa: E501

    page.get_by_role("link", name="担当者会議を記録").first.click()
    field(page, "開催場所").fill("本人宅")
    field(page, "開始時刻").fill("14:00")
    field(page, "終了時刻").fill("14:45")
    field(page, "検討内容").fill("入浴時の介助方法と通所の送迎時間を確認した。")
    field(page, "結論").fill("原案のとおり実施する。")
    page.get_by_role("button", name="会議の記録を保存する").click()
    saved(page, "原案は会議済になりました。")

    page.get_by_role("link", name="説明・同意・交付を記録").click()
    page.get_by_role("button", name="同意を記録して確定する").click()
    saved(page, "説明・同意・交付を記録し、計画を確定しました。")
    page.get_by_role("link", name=f"{CLIENT_NAME}さんの計画の進み具合").click()
    expect(page.locator("[aria-current=step]")).to_have_text(re.compile(r"^\s*利用中\s*$"))


def units(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


def next_month_ticket_over_the_limit(page) -> None:  # noqa: ANN001
    menu(page, "利用票")
    field(page, "サービス提供年月").fill("2026-12")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("heading", name=re.compile("2026年12月分"))).to_be_visible()
    page.get_by_role("button", name="担当利用者の未作成の利用票を計画から作成（1件）").click()
    saved(page, "2026年12月分の利用票を1件作成しました。")
    page.get_by_role("row").filter(has_text=CLIENT_NAME).get_by_role("link", name="開く").click()
    panel = page.get_by_role("region", name="限度額と利用者負担")
    expect(panel.locator('[data-figure="limit"]')).to_have_text("19,705")
    expect(panel.get_by_text("残り")).to_be_visible()  # the plan alone stays under the limit

    page.get_by_role(
        "link", name=re.compile(r"^曜日にコピー\s*（通所介護・デイサービスひだまり）$")
    ).click()
    page.get_by_label("土", exact=True).check()
    page.get_by_label("日", exact=True).check()
    page.get_by_role("button", name="コピーする").click()
    saved(page, "土・日曜日の予定を追加しました。")
    over = panel.locator('[data-figure="over"]')
    expect(over).to_be_visible()
    excess = units(over.inner_text())
    assert excess > 0
    expect(panel.get_by_text("未選択のため既定の順で計算しています")).to_be_visible()
    for box in panel.get_by_role("textbox").all() + panel.get_by_role("spinbutton").all():
        box.fill("0")
    panel.get_by_label(re.compile("デイサービスひだまり")).fill(str(excess))
    panel.get_by_role("button", name="振り分けを保存").click()
    expect(panel.get_by_text("保存した振り分けを使用中")).to_be_visible()

    page.get_by_role("button", name="利用票・別表（本人用）").click()
    download_link = page.get_by_role("link", name="PDFをダウンロード")
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        download_link.click()
    with open(info.value.path(), "rb") as pdf:  # noqa: PTH123
        assert pdf.read(5) == b"%PDF-"


def monitoring_and_support_log(page) -> None:  # noqa: ANN001
    menu(page, "モニタリング")
    row = page.get_by_role("row").filter(has_text=CLIENT_NAME)
    expect(row.get_by_text("未実施")).to_be_visible()
    row.get_by_role("link", name="記録する").click()
    field(page, "面接した人").fill("本人、長女")
    goal = page.get_by_role("region", name=re.compile("介助を受けて浴槽をまたげる"))
    goal.get_by_label("一部達成").check()
    goal.get_by_label(re.compile("^状況")).first.fill("手すりを使って浴槽をまたげた")
    for satisfied in page.get_by_label("満足", exact=True).all():
        satisfied.check()
    field(page, "総括（計画の実施状況）").fill("計画どおり。入浴は安定してきた。")
    page.get_by_role("button", name="保存する").click()
    saved(page, "モニタリングを記録しました。")
    expect(page.get_by_text("手すりを使って浴槽をまたげた")).to_be_visible()
    menu(page, "モニタリング")
    expect(
        page.get_by_role("row").filter(has_text=CLIENT_NAME).get_by_text("実施済")
    ).to_be_visible()

    menu(page, "利用者")
    page.get_by_role("link", name=CLIENT_NAME).click()
    page.get_by_role("link", name="支援経過", exact=True).click()
    log = page.locator("#support-log")
    log.get_by_role("radio", name=re.compile("^電話")).check()
    log.get_by_label("相手").fill("長女")
    log.get_by_label(re.compile("^内容")).fill("年末年始の通所の休みを伝えた。")
    log.get_by_role("button", name="記録する").click()
    expect(log.get_by_role("row").filter(has_text="年末年始の通所の休みを伝えた。")).to_be_visible()
    expect(
        log.get_by_role("row").filter(has_text="年末年始の通所の休みを伝えた。")
    ).to_contain_text("電話")
    # the visit recorded above wrote its own entry (自動) into the same log
    expect(
        log.get_by_role("row").filter(has_text="自動").filter(has_text="モニタリング")
    ).not_to_have_count(0)


def month_start_to_file(page) -> None:  # noqa: ANN001
    menu(page, "給付管理")
    field(page, "サービス提供年月").fill("2026-12")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("heading", name=re.compile("給付管理.*2026年12月分"))).to_be_visible()
    page.get_by_role("link", name="1. 実績の受領・照合").click()
    page.get_by_role("link", name=CLIENT_NAME).first.click()
    for provider in ("ヘルパーステーションはるかぜ", "デイサービスひだまり"):
        section = page.get_by_role("region", name=re.compile(provider))
        section.get_by_role("button", name="この事業所をすべて予定どおりにする").click()
        section = page.get_by_role("region", name=re.compile(provider))
        section.get_by_role("button", name="入力した実績で受領とする").click()
        section = page.get_by_role("region", name=re.compile(provider))
        section.get_by_role("button", name="確定", exact=True).click()
        expect(page.get_by_role("region", name=re.compile(f"{provider}.*確定"))).to_be_visible()
    expect(page.get_by_text("全事業所確定")).to_be_visible()
    expect(
        page.get_by_text("実績の別表には、利用票で設定した振り分けを適用しています。")
    ).to_be_visible()
    shot(page, "08_actuals_confirmed")

    menu(page, "給付管理")
    field(page, "サービス提供年月").fill("2026-12")
    page.get_by_role("button", name="表示").click()
    page.get_by_role("link", name="2. 提出前チェック（返戻予防）").click()
    expect(page.get_by_text("提出を止める問題はありません")).to_be_visible()
    shot(page, "09_presubmission")

    menu(page, "給付管理")
    field(page, "サービス提供年月").fill("2026-12")
    page.get_by_role("button", name="表示").click()
    page.get_by_role("button", name="給付管理票を作成して提出ファイルを書き出す").click()
    saved(page, "2026年12月分の給付管理票の作成を開始しました。")
    link = page.get_by_role("status").get_by_role("link", name=re.compile("をダウンロード$"))
    expect(link).to_be_visible(timeout=45_000)
    shot(page, "10_file_written")
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), "rb") as exchange:  # noqa: PTH123
        records = exchange.read().decode("cp932").split("\r\n")
    sheets = list(csv.reader(r for r in records if r.startswith("2,")))
    assert {r[2] for r in sheets} == {"8222"} and {r[10] for r in sheets} == {INSURED_NUMBER}
    details = {r[18]: int(r[21]) for r in sheets if r[9] != "99"}  # 事業所番号: 単位数
    (summary,) = (r for r in sheets if r[9] == "99")
    assert set(details) == {"1371200011", "1371500012"}
    # the over-limit units were allocated out: what the sheet claims is exactly the limit
    assert sum(details.values()) == int(summary[25]) == int(summary[16]) == 19705
    assert summary[26] == "13012345"  # the care manager's 介護支援専門員番号
    assert records[0].startswith("1,") and records[-2].startswith("3,") and records[-1] == ""


def test_one_client_from_intake_to_the_kyufu_kanri_file(
    live_server, page, log_in, world, settings
) -> None:  # noqa: ANN001, E501
    from caremgmt.models import Membership
    from tests.factories import ensure_fee_schedule

    ensure_fee_schedule()
    # staff data the office keeps outside the UI: the 介護支援専門員番号 on the 給付管理票
    Membership.objects.filter(staff=world.care_manager).update(care_manager_number="13012345")
    settings.CSRF_COOKIE_AGE = 20 * 365 * 86400  # the browser's real clock is ahead of the server's
    url = live_server.url
    try:
        with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=JST), tick=True) as clock:
            log_in(world.care_manager.username)
            page.wait_for_url(f"{url}/")
            add_provider(page, "1371200011", "ヘルパーステーションはるかぜ", "訪問介護")
            add_provider(page, "1371500012", "デイサービスひだまり", "通所介護")
            intake_to_certification(page)
            assessment_to_consent(page)
            next_month_ticket_over_the_limit(page)

            clock.move_to(dt.datetime(2026, 12, 15, 9, 0, tzinfo=JST))  # this month's visit
            log_in(world.care_manager.username)
            page.wait_for_url(f"{url}/")
            monitoring_and_support_log(page)

            clock.move_to(dt.datetime(2027, 1, 4, 9, 0, tzinfo=JST))  # month start
            log_in(world.clerk.username)
            page.wait_for_url(f"{url}/")
            month_start_to_file(page)
    except Exception:
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "journey_failure.png"), full_page=True)
        raise
    finally:
        page.goto("about:blank")
