"""The テレビ電話 rule (monitoring.records.video) and its use by record_save."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from caremgmt.access import actor_for
from monitoring.models import MonitoringRecord
from monitoring.records.services import record_save
from monitoring.records.video import video_check
from tests.factories import MeetingFactory
from tests.monitoring.routes.records import confirmed_plan, make_consent, make_record

D = dt.date
pytestmark = pytest.mark.django_db

NO_CONSENT = "本人の文書による同意が記録されていません"
NO_AGREEMENT = "サービス担当者会議でテレビ電話による実施の合意"
NO_HOME = "自宅訪問によるモニタリングの記録がありません"
ENDED = "同意は令和8年7月20日に終了しています"


def _save(world, plan, day: dt.date, place: str) -> MonitoringRecord:  # noqa: ANN001
    goal = plan.needs.first().goals.first()
    item = goal.support_items.first()
    return record_save(
        actor=actor_for(world.care_manager),
        client=plan.client,
        fields={
            "visited_on": day,
            "visited_at": None,
            "place": place,
            "met_persons": "本人",
            "decision": "continue",
            "decision_reason": "",
            "next_ticket_explained": False,
            "next_ticket_version": None,
        },
        goal_reviews={goal.pk: {"achievement": "achieved", "observation": ""}},
        service_reviews={item.pk: {"delivered_as_planned": True, "satisfaction": "5"}},
        today=D(2026, 11, 27),
    )


def test_home_video_then_second_video_refused(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    make_consent(world, plan.client, consented_on=D(2026, 5, 20), agreed_on=D(2026, 5, 20))
    _save(world, plan, D(2026, 6, 10), "home")
    assert video_check(plan.client_id, D(2026, 7, 10)).allowed
    _save(world, plan, D(2026, 7, 10), "video")
    check = video_check(plan.client_id, D(2026, 8, 10))
    assert not check.allowed
    assert len(check.reasons) == 1 and NO_HOME in check.reasons[0]
    assert "令和8年7月" in check.reasons[0]
    with pytest.raises(ValidationError) as refused:
        _save(world, plan, D(2026, 8, 10), "video")
    assert NO_HOME in str(refused.value.message_dict["place"])
    assert MonitoringRecord.objects.filter(month=D(2026, 8, 1)).count() == 0
    # back home in August, video again allowed in September
    _save(world, plan, D(2026, 8, 10), "home")
    assert video_check(plan.client_id, D(2026, 9, 3)).allowed


def test_ended_consent_refuses_video(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    make_record(world, plan=plan, visited_on=D(2026, 6, 10))
    make_consent(
        world,
        plan.client,
        consented_on=D(2026, 5, 20),
        agreed_on=D(2026, 5, 20),
        ended_on=D(2026, 7, 20),
        end_reason="状態の変化",
    )
    assert video_check(plan.client_id, D(2026, 7, 10)).allowed  # before the end
    check = video_check(plan.client_id, D(2026, 7, 20))  # the end day: face to face
    assert not check.allowed
    assert ENDED in check.reasons[0] and "状態の変化" in check.reasons[0]


def test_missing_consent_refused_with_its_message(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    make_record(world, plan=plan, visited_on=D(2026, 6, 10))
    check = video_check(plan.client_id, D(2026, 7, 10))
    assert not check.allowed and check.reasons == [
        "テレビ電話による実施について、本人の文書による同意が記録されていません。"
    ]
    # consent dated after the visit does not count
    make_consent(world, plan.client, consented_on=D(2026, 7, 11), agreed_on=D(2026, 7, 11))
    assert NO_CONSENT in video_check(plan.client_id, D(2026, 7, 10)).reasons[0]


def test_missing_meeting_agreement_refused(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    make_record(world, plan=plan, visited_on=D(2026, 6, 10))
    consent = make_consent(world, plan.client, consented_on=D(2026, 5, 20), agreed_on=None)
    check = video_check(plan.client_id, D(2026, 7, 10))
    assert not check.allowed and len(check.reasons) == 1 and NO_AGREEMENT in check.reasons[0]
    with pytest.raises(ValidationError) as refused:
        _save(world, plan, D(2026, 7, 10), "video")
    assert NO_AGREEMENT in str(refused.value.message_dict["place"])
    # a meeting held after the visit does not count; one held before does
    consent.meeting = MeetingFactory(plan=plan, held_on=D(2026, 7, 15))
    consent.save()
    assert not video_check(plan.client_id, D(2026, 7, 10)).allowed
    consent.meeting.held_on = D(2026, 7, 1)
    consent.meeting.save()
    assert video_check(plan.client_id, D(2026, 7, 10)).allowed


def test_first_monitoring_of_a_first_plan_is_at_home(world) -> None:  # noqa: ANN001
    """The first plan's start month has no monitoring record: video refused (documented)."""
    plan = confirmed_plan(world, starts_on=D(2026, 6, 25))
    make_consent(world, plan.client, consented_on=D(2026, 6, 20), agreed_on=D(2026, 6, 20))
    check = video_check(plan.client_id, D(2026, 7, 10))
    assert not check.allowed and NO_HOME in check.reasons[0]


def test_first_monitoring_after_a_revision_may_be_video(world) -> None:  # noqa: ANN001
    old = confirmed_plan(world)
    make_record(world, plan=old, visited_on=D(2026, 6, 10))
    old.status, old.superseded_on = "superseded", D(2026, 6, 28)
    old.save()
    new = confirmed_plan(world, client=old.client, starts_on=D(2026, 7, 1))
    make_consent(world, old.client, consented_on=D(2026, 6, 28), agreed_on=D(2026, 6, 28))
    record = _save(world, new, D(2026, 7, 10), "video")
    assert record.plan == new and record.place == "video"


def test_all_reasons_are_listed(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    check = video_check(plan.client_id, D(2026, 7, 10))
    assert len(check.reasons) == 2
    assert NO_CONSENT in check.reasons[0] and NO_HOME in check.reasons[1]


def test_correction_cannot_remove_the_home_visit_a_video_month_needs(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    make_consent(world, plan.client, consented_on=D(2026, 5, 20), agreed_on=D(2026, 5, 20))
    home = _save(world, plan, D(2026, 6, 10), "home")
    _save(world, plan, D(2026, 7, 10), "video")
    goal = plan.needs.first().goals.first()
    item = goal.support_items.first()
    for day, place in ((D(2026, 6, 10), "video"), (D(2026, 5, 30), "home")):
        with pytest.raises(ValidationError) as refused:
            record_save(
                actor=actor_for(world.care_manager),
                client=plan.client,
                fields={
                    "visited_on": day,
                    "place": place,
                    "met_persons": "本人",
                    "decision": "continue",
                    "decision_reason": "",
                },
                goal_reviews={goal.pk: {"achievement": "achieved"}},
                service_reviews={item.pk: {"satisfaction": "5"}},
                record=home,
                expected_version=1,
                today=D(2026, 11, 27),
            )
        assert "翌月のテレビ電話" in str(refused.value.message_dict["place"])
    home.refresh_from_db()
    assert (home.place, home.visited_on) == ("home", D(2026, 6, 10))
