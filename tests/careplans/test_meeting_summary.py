"""第4表 on the plan screen (attendees without a trailing 「、」, absentees and 照会 shown like
the PDF) and its 作成年月日: a stored, editable date defaulting to today in Asia/Tokyo."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from careplans.models import Meeting
from careplans.printing import careplan_print_html
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

# 2026-11-27 23:30 UTC is 2026-11-28 08:30 in Tokyo.
TOKYO_MORNING = dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC)


def _meeting_data(plan_setup, **extra: str) -> dict[str, str]:  # noqa: ANN001
    return {
        "held_on": "2026-11-27",
        "place": "利用者宅",
        "starts_at": "14:00",
        "ends_at": "14:45",
        "items_discussed": "原案",
        "discussion": "入浴",
        "conclusion": "原案のとおり",
        "concludes_plan": "on",
        "attendees-TOTAL_FORMS": "1",
        "attendees-INITIAL_FORMS": "0",
        "attendees-0-kind": "client",
        "attendees-0-affiliation": "本人",
        "attendees-0-name": "青木 トメ",
        "attendees-0-attended": "on",
        **extra,
    }


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@time_machine.travel(TOKYO_MORNING, tick=False)
def test_sheet_date_defaults_to_the_tokyo_date_on_screen_and_pdf(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("careplans:meeting_new", args=[draft_plan.pk])
    assert http.get(url).context["form"].initial["sheet_date"] == dt.date(2026, 11, 28)
    assert http.post(url, _meeting_data(plan_setup)).status_code == 302
    meeting = Meeting.objects.get(plan=draft_plan)
    assert meeting.sheet_date == dt.date(2026, 11, 28)
    page = http.get(reverse("careplans:plan", args=[draft_plan.pk])).content.decode()
    assert "作成年月日 令和8年11月28日" in _text(page)
    pdf_html = careplan_print_html(plan=draft_plan, table="4")
    assert "作成年月日　令和8年11月28日" in pdf_html


def test_sheet_date_is_editable_in_the_meeting_form(plan_setup, draft_plan, login, world) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = reverse("careplans:meeting_new", args=[draft_plan.pk])
    http.post(url, _meeting_data(plan_setup, sheet_date="2026-11-20"))
    meeting = Meeting.objects.get(plan=draft_plan)
    assert meeting.sheet_date == dt.date(2026, 11, 20)
    http.post(
        reverse("careplans:meeting", args=[meeting.pk]),
        {**_meeting_data(plan_setup, sheet_date="2026-11-21"), "version": str(meeting.version)},
    )
    meeting.refresh_from_db()
    assert meeting.sheet_date == dt.date(2026, 11, 21)
    assert "作成年月日　令和8年11月21日" in careplan_print_html(plan=draft_plan, table="4")


def test_screen_summary_lists_attendees_then_absentees_with_inquiries(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    meeting = MeetingFactory(plan=draft_plan, held_on=dt.date(2026, 4, 7))
    meeting.attendees.create(kind="client", affiliation="本人", name="青木 トメ")
    meeting.attendees.create(kind="family", affiliation="長女", name="青木 花")
    meeting.attendees.create(
        kind="provider",
        affiliation="ひまわり訪問介護",
        name="田中",
        attended=False,
        absence_reason="訪問中",
        inquiry_on=dt.date(2026, 4, 6),
        inquiry_content="原案への意見",
        inquiry_answer="異論なし",
    )
    page = _text(
        login(world.care_manager)
        .get(reverse("careplans:plan", args=[draft_plan.pk]))
        .content.decode()
    )
    assert "出席：本人 青木 トメ、長女 青木 花 " in page
    assert "青木 花、" not in page
    assert (
        "欠席：ひまわり訪問介護 田中（訪問中） 照会日 令和8年4月6日 照会内容：原案への意見 "
        "回答：異論なし"
    ) in page
