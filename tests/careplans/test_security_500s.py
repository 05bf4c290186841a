"""Issue 9 items 8, 9 (UP2KYO) and 10: printing a plan without a meeting, a NUL in an
imported text field, and integer overflow in plan forms — Japanese messages, not HTTP 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from caremgmt import wareki
from careplans.exchange.layout import CsvReadError, parse_rows
from careplans.exchange.up2kyo import UP2KYO, Table2Row, read_up2kyo, write_up2kyo
from careplans.forms import MeetingForm, NeedForm
from careplans.models import Meeting, Need
from careplans.printing import careplan_print_html

pytestmark = pytest.mark.django_db
OVERFLOW = "99999999999"


# --- item 8 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [None, "", "2026-04-01", 20260401, object(), dt.date(1872, 12, 31)]
)
@pytest.mark.parametrize("function", [wareki.wareki_date, wareki.wareki_month, wareki.wareki_short])
def test_wareki_functions_are_total(function, value) -> None:  # noqa: ANN001
    assert function(value) == ""


def test_wareki_functions_still_format_dates() -> None:
    day = dt.date(2026, 12, 1)
    assert wareki.wareki_date(dt.datetime(2026, 12, 1, 9)) == "令和8年12月1日"
    assert wareki.wareki_month(day) == "令和8年12月"
    assert wareki.wareki_short(day) == "R8.12.1"


def test_table4_of_a_plan_without_meeting_says_not_held(draft_plan) -> None:  # noqa: ANN001
    assert not draft_plan.meetings.exists()
    html = careplan_print_html(plan=draft_plan, table="4")
    assert "<th>開催日</th><td>未開催</td>" in html
    assert "サービス担当者会議は未開催です" in html


def test_all_tables_of_a_plan_without_meeting_print_1_to_3_and_not_held(draft_plan) -> None:  # noqa: ANN001
    html = careplan_print_html(plan=draft_plan, table="all")
    for form_title in ("居宅サービス計画書（1）", "居宅サービス計画書（2）", "週間サービス計画表"):
        assert form_title in html
    assert "<th>開催日</th><td>未開催</td>" in html


@pytest.mark.parametrize("table", ["4", "all"])
def test_print_routes_of_a_plan_without_meeting_answer(
    draft_plan, login, world, settings, tmp_path, table
) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path / "media"
    response = login(world.care_manager).post(
        reverse("careplans:print", args=[draft_plan.pk, table])
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/")


# --- item 9 (UP2KYO) ------------------------------------------------------------------------


def test_nul_in_an_imported_up2kyo_text_field_is_a_row_numbered_problem() -> None:
    row = Table2Row(
        insurer_number="131001",
        insured_number="1234567890",
        created_on=dt.date(2026, 4, 1),
        plan_date=dt.date(2026, 4, 1),
        need_number=1,
        goal_number=1,
        support_number=1,
        need="入浴MARKERしたい",
    )
    data = write_up2kyo([row])
    assert b"MARKER" in data
    broken = data.replace(b"MARKER", b"\x00")
    parsed = parse_rows(UP2KYO, broken)
    assert [(p.row, p.field_number, p.message) for p in parsed.problems] == [
        (1, 7, "NUL文字(制御文字 0x00)が含まれています: '入浴␀したい'")
    ]
    assert "UP2KYO 1件目" in str(parsed.problems[0])
    with pytest.raises(CsvReadError):
        read_up2kyo(broken)


# --- item 10 -------------------------------------------------------------------------------


def test_need_order_overflow_is_a_field_error_and_nothing_is_saved(
    draft_plan, login, world
) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("careplans:need_add", args=[draft_plan.pk]),
        {"plan_version": draft_plan.version, "order": OVERFLOW, "text": "入浴したい"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"order": ["999以下の数を入力してください。"]}
    assert not Need.objects.filter(plan=draft_plan).exists()


def test_meeting_count_overflow_is_a_field_error_and_nothing_is_saved(
    draft_plan, login, world
) -> None:  # noqa: ANN001
    response = login(world.care_manager).post(
        reverse("careplans:meeting_new", args=[draft_plan.pk]),
        {
            "held_on": "2026-04-08",
            "place": "利用者宅",
            "starts_at": "14:00",
            "ends_at": "14:30",
            "count": OVERFLOW,
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["count"] == ["999以下の数を入力してください。"]
    assert not Meeting.objects.filter(plan=draft_plan).exists()


@pytest.mark.parametrize("form_class", [NeedForm, MeetingForm])
def test_every_integer_field_of_plan_forms_rejects_overflow(form_class) -> None:  # noqa: ANN001
    names = [
        name
        for name, field in form_class().fields.items()
        if type(field).__name__ in ("IntegerField", "TypedChoiceField")
        and hasattr(field, "max_value")
    ]
    assert names
    form = form_class(data=dict.fromkeys(names, OVERFLOW))
    assert not form.is_valid()
    for name in names:
        assert form.errors[name][0].endswith("以下の数を入力してください。"), name
        limit = form.fields[name].max_value
        assert limit is not None and limit <= 2_147_483_647
