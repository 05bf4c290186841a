"""第4表: a stale correction of a meeting is refused, attendees included (issue 9, item 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from caremgmt.locking import StaleEditError
from careplans import services
from careplans.models import Meeting, MeetingAttendee

pytestmark = pytest.mark.django_db

FIELDS = {
    "held_on": dt.date(2026, 4, 7),
    "place": "利用者宅",
    "starts_at": dt.time(14),
    "ends_at": dt.time(14, 45),
    "items_discussed": "原案",
    "discussion": "入浴",
    "conclusion": "原案のとおり",
    "remaining_issues": "",
    "concludes_plan": False,
}


def _record(setup, plan, meeting=None, expected=None, **changes):  # noqa: ANN001, ANN003, ANN202
    return services.meeting_record(
        actor=setup.actor,
        plan=plan,
        fields={**FIELDS, **changes.pop("fields", {})},
        attendees=changes.pop(
            "attendees", [{"kind": "client", "name": "本人", "affiliation": "本人"}]
        ),
        meeting=meeting,
        expected_version=expected,
    )


def test_stale_meeting_correction_changes_nothing(plan_setup, draft_plan) -> None:  # noqa: ANN001
    meeting = _record(plan_setup, draft_plan)
    assert meeting.version == 1
    _record(
        plan_setup,
        draft_plan,
        meeting=Meeting.objects.get(pk=meeting.pk),
        expected=1,
        fields={"discussion": "先に保存"},
        attendees=[{"kind": "family", "name": "長女", "affiliation": "家族"}],
    )
    with pytest.raises(StaleEditError) as caught:
        _record(
            plan_setup,
            draft_plan,
            meeting=Meeting.objects.get(pk=meeting.pk),
            expected=1,
            fields={"discussion": "古い画面"},
            attendees=[],
        )
    assert [(c.label, c.loaded, c.current) for c in caught.value.changes] == [
        ("検討内容", "入浴", "先に保存")
    ]
    row = Meeting.objects.get(pk=meeting.pk)
    assert (row.discussion, row.version) == ("先に保存", 2)
    assert list(MeetingAttendee.objects.filter(meeting=row).values_list("name", flat=True)) == [
        "長女"
    ]
