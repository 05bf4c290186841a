"""Dates a user reads are 和暦: no 2026-11-27 style date in the visible text of the main pages
(input values of type=date and other attributes are not visible text)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from careplans.forms import PlanForm
from tests.factories import (
    BurdenRatioFactory,
    CertificationApplicationFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: no scripts, styles or tags (and so no attributes)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def full_plan(plan_setup, draft_plan):  # noqa: ANN001, ANN201
    BurdenRatioFactory(client=plan_setup.client)
    CertificationApplicationFactory(client=plan_setup.client)
    meeting = MeetingFactory(plan=draft_plan, held_on=dt.date(2026, 4, 7))
    meeting.attendees.create(kind="client", affiliation="本人", name="青木 トメ")
    meeting.attendees.create(
        kind="provider",
        affiliation="ひまわり訪問介護",
        name="田中",
        attended=False,
        inquiry_on=dt.date(2026, 4, 6),
        inquiry_content="意見",
    )
    return draft_plan


def test_assessment_choice_label_is_wareki(plan_setup, full_plan) -> None:  # noqa: ANN001
    form = PlanForm(instance=full_plan)
    labels = [label for _, label in form.fields["assessment"].choices]
    assert "アセスメント 第1回（令和8年4月3日）" in labels


@pytest.mark.parametrize(
    "page",
    [
        "clients:detail",
        "tab:history",
        "tab:contacts",
        "tab:applications",
        "tab:intake",
        "careplans:client",
        "careplans:plan",
        "careplans:plan_edit",
        "meeting",
    ],
)
def test_main_pages_show_no_seireki_dates(plan_setup, full_plan, login, world, page) -> None:  # noqa: ANN001
    http = login(world.care_manager)
    url = {
        "clients:detail": reverse("clients:detail", args=[plan_setup.client.pk]),
        "careplans:client": reverse("careplans:client", args=[plan_setup.client.pk]),
        "careplans:plan": reverse("careplans:plan", args=[full_plan.pk]),
        "careplans:plan_edit": reverse("careplans:plan_edit", args=[full_plan.pk]),
        "meeting": reverse("careplans:meeting", args=[full_plan.meetings.get().pk]),
        **{
            f"tab:{tab}": reverse("clients:tab", args=[plan_setup.client.pk, tab])
            for tab in ("history", "contacts", "applications", "intake")
        },
    }[page]
    # The register tabs are htmx fragments (a full load redirects to the client page).
    headers = {"HX-Request": "true"} if page.startswith("tab:") else {}
    response = http.get(url, headers=headers)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert ISO_DATE.findall(text) == []
