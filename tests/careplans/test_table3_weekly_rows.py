"""第3表: one row on several weekdays, bands past midnight, the code-duration warning, the
PDF grid filling every row of a band, and the UP3KYO export/import of multi-day rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from careplans import services
from careplans.documents import table3
from careplans.exchange_import import careplan_import
from careplans.exchange_mapping import careplan_export, plan_records
from careplans.models import CarePlan, PlanStatus, WeeklyService
from careplans.printing import _table3_grid, careplan_print_html
from tests.careplans.test_plan_exchange import _populate

T = dt.time


def _weekly(setup, plan, **overrides):  # noqa: ANN001, ANN003, ANN202
    plan.refresh_from_db()
    fields = {
        "weekdays": [1, 3, 5],
        "starts_at": T(9, 30),
        "ends_at": T(16, 0),
        "content": "通所介護",
        "insured": True,
        "provider": setup.day_service,
        "service_code": "152346",  # 通所介護Ⅰ41: 6時間以上7時間未満, 要介護1
    } | overrides
    return services.weekly_service_save(
        actor=setup.actor, plan=plan, expected_version=plan.version, weekly=None, fields=fields
    )


def _family(setup, plan, **overrides):  # noqa: ANN001, ANN003, ANN202
    return _weekly(
        setup,
        plan,
        **{
            "insured": False,
            "provider": None,
            "service_code": "",
            "content": "長女の訪問",
            **overrides,
        },
    )


def test_one_row_covers_several_weekdays(plan_setup, draft_plan) -> None:  # noqa: ANN001
    result = _weekly(plan_setup, draft_plan, weekdays=[5, 1, 3, 1])
    row = WeeklyService.objects.get()
    assert row.weekdays == [1, 3, 5] and result.warnings == []
    assert row.weekdays_label == "月・水・金"
    by_day = table3(draft_plan)["by_weekday"]
    assert [len(by_day[label]) for label in "月火水木金土日"] == [1, 0, 1, 0, 1, 0, 0]


def test_no_weekday_is_refused(plan_setup, draft_plan) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        _weekly(plan_setup, draft_plan, weekdays=[])
    assert error.value.message_dict == {"weekdays": ["曜日を1つ以上選んでください。"]}
    with pytest.raises(ValidationError):
        _weekly(plan_setup, draft_plan, weekdays=[8])
    assert not WeeklyService.objects.exists()
    draft_plan.refresh_from_db()
    assert draft_plan.version == 1


def test_weekday_checkboxes_on_the_form(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    browser = login(world.care_manager)
    url = reverse("careplans:weekly_add", args=[draft_plan.pk])
    page = browser.get(url).content.decode()
    assert page.count('type="checkbox" name="weekdays"') == 7
    data = {
        "plan_version": draft_plan.version,
        "weekdays": ["2", "4"],
        "starts_at": "10:00",
        "ends_at": "10:45",
        "content": "訪問介護（入浴介助）",
        "insured": "on",
        "provider": plan_setup.home_help.pk,
        "service_code": "111211",
    }
    response = browser.post(url, data)
    assert response.status_code == 302
    assert WeeklyService.objects.get().weekdays == [2, 4]
    page = browser.get(reverse("careplans:plan", args=[draft_plan.pk])).content.decode()
    assert "<td>火・木</td><td>10:00〜10:45</td>" in page
    response = browser.post(url, {**data, "weekdays": [], "plan_version": draft_plan.version + 1})
    assert response.context["form"].errors == {"weekdays": ["曜日を1つ以上選んでください。"]}
    assert WeeklyService.objects.count() == 1


def test_band_past_midnight_is_saved_and_shown_as_next_day(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    _family(plan_setup, draft_plan, weekdays=[1], starts_at=T(22), ends_at=T(6))
    row = WeeklyService.objects.get()
    assert (row.starts_at, row.ends_at, row.crosses_midnight) == (T(22), T(6), True)
    assert row.time_band_label == "22:00〜翌06:00"
    assert table3(draft_plan)["weekly_services"][0]["time_band"] == "22:00〜翌06:00"
    page = login(world.care_manager).get(reverse("careplans:plan", args=[draft_plan.pk]))
    assert "22:00〜翌06:00" in page.content.decode()


def test_same_start_and_end_is_refused(plan_setup, draft_plan) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        _family(plan_setup, draft_plan, starts_at=T(22), ends_at=T(22))
    assert list(error.value.message_dict) == ["ends_at"]
    assert not WeeklyService.objects.exists()


def test_time_band_longer_than_the_code_duration_warns(plan_setup, draft_plan) -> None:  # noqa: ANN001
    result = _weekly(
        plan_setup, draft_plan, starts_at=T(9, 30), ends_at=T(16, 30), service_code="152246"
    )
    assert result.warnings == [
        "時間帯 09:30〜16:30（7時間）がサービスコード「152246」（通所介護Ⅰ21：4時間以上5時間未満）"
        "の所要時間と合いません。時間帯かサービスコードを確かめてください。"
    ]
    assert WeeklyService.objects.get().service_code == "152246"  # a warning, saved


def _cells(grid, time):  # noqa: ANN001, ANN202
    row = next(r for r in grid if r["time"] == time)
    return [[(s["content"], s["cont"]) for s in day] for day in row["days"]]


def test_pdf_grid_fills_every_row_of_a_long_band(plan_setup, draft_plan) -> None:  # noqa: ANN001
    _family(plan_setup, draft_plan, weekdays=[2], starts_at=T(9), ends_at=T(12), content="買物")
    grid = _table3_grid(table3(draft_plan))
    assert _cells(grid, "8:00")[1] == [("買物", False)]
    assert _cells(grid, "10:00")[1] == [("買物", True)]
    assert _cells(grid, "12:00")[1] == []
    assert _cells(grid, "6:00")[1] == []
    html = careplan_print_html(plan=draft_plan, table="3")
    assert html.count("cp-cont") == 1 and "09:00〜12:00" in html


def test_pdf_grid_band_past_midnight_continues_next_morning(plan_setup, draft_plan) -> None:  # noqa: ANN001
    _family(plan_setup, draft_plan, weekdays=[1, 7], starts_at=T(22), ends_at=T(6), content="夜")
    grid = _table3_grid(table3(draft_plan))
    # 月 22:00 → 火 0:00〜6:00; 日 22:00 → 月 0:00〜6:00 (the week repeats)
    assert _cells(grid, "22:00") == [[("夜", False)], [], [], [], [], [], [("夜", False)]]
    for time in ("0:00", "2:00", "4:00"):
        assert _cells(grid, time) == [[("夜", True)], [("夜", True)], [], [], [], [], []]
    assert _cells(grid, "6:00") == [[] for _ in range(7)]
    assert "22:00〜翌06:00" in careplan_print_html(plan=draft_plan, table="3")


def test_up3kyo_writes_one_record_per_weekday_and_import_merges(plan_setup, draft_plan) -> None:  # noqa: ANN001
    _populate(plan_setup, draft_plan)  # 第2表 rows and 火 10:00〜11:00 訪問介護
    _weekly(plan_setup, draft_plan, weekdays=[1, 4], service_code="152346")
    _family(plan_setup, draft_plan, weekdays=[6], starts_at=T(22), ends_at=T(6))
    draft_plan.refresh_from_db()
    _, _, rows, _ = plan_records(draft_plan)
    assert [
        (r.weekday, r.start_time, r.end_time, r.service_content) for r in rows if r.weekday
    ] == [
        ("1", "0930", "1600", "通所介護"),
        ("2", "1000", "1100", "訪問介護（入浴介助）"),
        ("4", "0930", "1600", "通所介護"),
        ("6", "2200", "0600", "長女の訪問"),
    ]
    result = careplan_export(
        actor=plan_setup.actor,
        plan=draft_plan,
        provider=plan_setup.home_help,
        sent_at=dt.datetime(2026, 4, 12, 9, 30, 15),
    )
    CarePlan.objects.filter(pk=draft_plan.pk).update(
        status=PlanStatus.CONFIRMED,
        consented_on=dt.date(2026, 4, 9),
        delivered_on=dt.date(2026, 4, 9),
    )
    imported = careplan_import(actor=plan_setup.actor, client=draft_plan.client, files=result.files)
    assert [
        (w.weekdays, w.starts_at, w.ends_at, w.content)
        for w in imported.weekly_services.order_by("starts_at")
    ] == [
        ([1, 4], T(9, 30), T(16), "通所介護"),
        ([2], T(10), T(11), "訪問介護（入浴介助）"),
        ([6], T(22), T(6), "長女の訪問"),
    ]
