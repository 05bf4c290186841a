"""A sending unit written the way another vendor writes it (fixtures/vendor_unit, MS932):
every field quoted, commas inside text, a header row in 第2表, 和暦 periods with full-width
digits and other separators, a full-width date, 2400 as an end time, and one period that
is not a date at all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from careplans.exchange_import import careplan_import
from careplans.exchange_mapping import END_OF_DAY
from careplans.models import CarePlan, PlanStatus

pytestmark = pytest.mark.django_db
UNIT = Path(__file__).parent / "fixtures" / "vendor_unit"


def vendor_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(UNIT.glob("*.CSV"))}


@pytest.fixture
def vendor_client(plan_setup):  # noqa: ANN001, ANN201
    plan_setup.client.insured_number = "2000000001"
    plan_setup.client.save()
    plan_setup.home_help.provider_number = "1379900001"
    plan_setup.home_help.save()
    return plan_setup


def test_fixture_is_ms932_with_quoted_fields() -> None:
    files = vendor_files()
    assert len(files) == 4
    table2 = next(data for name, data in files.items() if name.startswith("UP2KYO"))
    text = table2.decode("cp932")
    assert '"入浴介助、洗身の一部介助, 見守り"' in text and "Ｒ８．４．１～Ｒ８．９．３０" in text


def test_vendor_unit_imports_with_periods_read_and_warnings_listed(vendor_client) -> None:  # noqa: ANN001
    setup = vendor_client
    plan = careplan_import(actor=setup.actor, client=setup.client, files=vendor_files())
    assert plan.status == PlanStatus.DRAFT
    assert (plan.sheet_date, plan.drafted_on, plan.starts_on) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 1),
    )
    assert plan.wishes_and_analysis == "入浴に不安がある、自宅で暮らしたい, 家族も協力的"
    assert plan.non_weekly_services == "福祉用具貸与（手すり）、住宅改修の検討"
    bathing, shopping = plan.needs.order_by("order")
    goal = bathing.goals.get()
    assert (goal.long_term_from, goal.long_term_to) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    assert (goal.short_term_from, goal.short_term_to) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    help_item, family_item = goal.support_items.order_by("order")
    assert (
        help_item.content,
        help_item.insured,
        help_item.provider_id,
        help_item.service_type,
    ) == (
        "入浴介助、洗身の一部介助, 見守り",
        True,
        setup.home_help.pk,
        "11",
    )
    assert (help_item.period_from, help_item.period_to, help_item.frequency) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 9, 30),
        "週２回",
    )
    # "次回更新まで" is not a period: placeholder start (plan start), no end, and a warning
    assert (family_item.period_from, family_item.period_to) == (dt.date(2026, 4, 1), None)
    day_item = shopping.goals.get().support_items.get()
    assert (day_item.provider_text, day_item.insured) == (
        "あおぞらデイサービス（1379900002）",
        False,
    )
    assert (day_item.period_from, day_item.period_to) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    shopping_goal = shopping.goals.get()
    assert (shopping_goal.short_term_from, shopping_goal.short_term_to) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 9, 30),
    )
    weekly = sorted((w.weekdays, w.starts_at, w.ends_at) for w in plan.weekly_services.all())
    assert weekly == [([2], dt.time(10), dt.time(11)), ([5], dt.time(22), END_OF_DAY)]
    assert [(a.starts_at, a.ends_at, a.activity) for a in plan.daily_activities.all()] == [
        (dt.time(6, 30), dt.time(7), "起床, 着替え")
    ]
    assert [(w["row"], w["field"], w["raw"]) for w in plan.import_warnings] == [
        ("第2表 課題1・目標1・援助内容2", "実施期間", "次回更新まで"),
        ("第3表 2件目", "終了時間", "2200～2400"),
    ]
    assert "計画の開始日（令和8年4月1日）" in plan.import_warnings[0]["message"]
    assert "日付として読めません" in plan.import_warnings[0]["message"]
    assert "23:59:59" in plan.import_warnings[1]["message"]


def test_import_view_shows_the_warnings_on_the_result_page(vendor_client, login, world) -> None:  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    http = login(world.care_manager)
    uploads = [SimpleUploadedFile(name, data) for name, data in vendor_files().items()]
    response = http.post(
        reverse("careplans:import", args=[vendor_client.client.pk]), {"files": uploads}, follow=True
    )
    plan = CarePlan.objects.get(client=vendor_client.client, status=PlanStatus.DRAFT)
    assert response.redirect_chain[-1][0].endswith(f"/plans/{plan.pk}/")
    page = response.content.decode()
    assert 'id="import-warnings"' in page and "取り込み時の確認事項（2件）" in page
    assert "第2表 課題1・目標1・援助内容2" in page and "次回更新まで" in page
    assert "そのまま取り込めなかった箇所が2件あります" in page
