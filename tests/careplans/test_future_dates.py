"""Completed events (会議の開催, 同意・交付, 軽微な変更, アセスメント実施) cannot be dated after
today — today in Asia/Tokyo, which differs from the UTC date between 00:00 and 08:59 JST."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from careplans import services
from careplans.models import Assessment, CarePlan, MinorChange, PlanStatus
from tests.careplans.test_lifecycle import _confirm, _fill, _meet

D = dt.date
UTC = dt.UTC
# 2026-11-27 15:30 UTC is 2026-11-28 00:30 in Tokyo: "today" is 11-28 although UTC says 11-27.
JUST_AFTER_JST_MIDNIGHT = dt.datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
# 2026-11-27 14:30 UTC is 2026-11-27 23:30 in Tokyo: 11-28 is still tomorrow.
JUST_BEFORE_JST_MIDNIGHT = dt.datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
FUTURE_MESSAGE = "未来の日付は入力できません（今日は{}です）。実施した日を入力してください。"
AFTER_MIDNIGHT_MESSAGE = FUTURE_MESSAGE.format("令和8年11月28日")
BEFORE_MIDNIGHT_MESSAGE = FUTURE_MESSAGE.format("令和8年11月27日")

pytestmark = pytest.mark.django_db


@time_machine.travel(JUST_AFTER_JST_MIDNIGHT, tick=False)
def test_meeting_dated_today_in_tokyo_is_accepted_after_jst_midnight(
    plan_setup, draft_plan
) -> None:  # noqa: ANN001
    meeting = _meet(plan_setup, draft_plan, held_on=D(2026, 11, 28))
    assert meeting.held_on == D(2026, 11, 28)
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.MET


@time_machine.travel(JUST_BEFORE_JST_MIDNIGHT, tick=False)
def test_meeting_dated_tomorrow_is_refused(plan_setup, draft_plan) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        _meet(plan_setup, draft_plan, held_on=D(2026, 11, 28))
    assert error.value.message_dict == {"held_on": [BEFORE_MIDNIGHT_MESSAGE]}
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT
    assert not draft_plan.meetings.exists()


@time_machine.travel(JUST_AFTER_JST_MIDNIGHT, tick=False)
def test_no_meeting_record_dated_tomorrow_is_refused(plan_setup, draft_plan) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        services.careplan_record_no_meeting(
            actor=plan_setup.actor,
            plan=draft_plan,
            reason="入院中",
            recorded_on=D(2026, 11, 29),
        )
    assert error.value.message_dict == {"recorded_on": [AFTER_MIDNIGHT_MESSAGE]}
    draft_plan.refresh_from_db()
    assert (draft_plan.status, draft_plan.no_meeting_reason) == (PlanStatus.DRAFT, "")


@pytest.fixture
def met_plan(plan_setup, draft_plan):  # noqa: ANN001, ANN201
    _fill(plan_setup, draft_plan)
    _meet(plan_setup, draft_plan)
    draft_plan.refresh_from_db()
    return draft_plan


@pytest.mark.parametrize(
    ("consented", "delivered", "field"),
    [
        (D(2026, 11, 29), D(2026, 11, 29), "consented_on"),
        (D(2026, 11, 28), D(2026, 11, 29), "delivered_on"),
    ],
)
@time_machine.travel(JUST_AFTER_JST_MIDNIGHT, tick=False)
def test_consent_or_delivery_after_today_is_refused(
    plan_setup, met_plan, consented, delivered, field
) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        _confirm(plan_setup, met_plan, consented=consented, delivered=delivered)
    assert error.value.message_dict[field] == [AFTER_MIDNIGHT_MESSAGE]
    met_plan.refresh_from_db()
    assert (met_plan.status, met_plan.consented_on, met_plan.delivered_on) == (
        PlanStatus.MET,
        None,
        None,
    )
    assert not met_plan.deliveries.exists()


@time_machine.travel(JUST_AFTER_JST_MIDNIGHT, tick=False)
def test_consent_and_delivery_today_in_tokyo_are_accepted(plan_setup, met_plan) -> None:  # noqa: ANN001
    plan = _confirm(plan_setup, met_plan, consented=D(2026, 11, 28), delivered=D(2026, 11, 28))
    assert (plan.status, plan.consented_on, plan.delivered_on) == (
        PlanStatus.CONFIRMED,
        D(2026, 11, 28),
        D(2026, 11, 28),
    )


@time_machine.travel(JUST_AFTER_JST_MIDNIGHT, tick=False)
def test_provider_delivery_after_today_is_refused(plan_setup, met_plan) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as error:
        services.careplan_confirm(
            actor=plan_setup.actor,
            plan=met_plan,
            consented_on=D(2026, 11, 28),
            delivered_on=D(2026, 11, 28),
            provider_deliveries={plan_setup.home_help.pk: D(2026, 11, 30)},
        )
    assert error.value.message_dict == {
        f"provider_{plan_setup.home_help.pk}": [AFTER_MIDNIGHT_MESSAGE]
    }
    assert CarePlan.objects.get(pk=met_plan.pk).status == PlanStatus.MET


@time_machine.travel(JUST_BEFORE_JST_MIDNIGHT, tick=False)
def test_minor_change_after_today_is_refused(plan_setup, met_plan) -> None:  # noqa: ANN001
    _confirm(plan_setup, met_plan)
    with pytest.raises(ValidationError) as error:
        services.minor_change_record(
            actor=plan_setup.actor,
            plan=met_plan,
            changed_on=D(2026, 11, 28),
            content="訪問時刻を変更",
            reason="利用者の都合",
        )
    assert error.value.message_dict == {"changed_on": [BEFORE_MIDNIGHT_MESSAGE]}
    assert not MinorChange.objects.filter(plan=met_plan).exists()


@time_machine.travel(JUST_AFTER_JST_MIDNIGHT, tick=False)
def test_assessment_after_today_is_refused(plan_setup) -> None:  # noqa: ANN001
    before = Assessment.objects.count()
    with pytest.raises(ValidationError) as error:
        services.assessment_start(
            actor=plan_setup.actor,
            client=plan_setup.client,
            assessed_on=D(2026, 11, 29),
            reason="renewal",
        )
    assessment = services.assessment_start(
        actor=plan_setup.actor,
        client=plan_setup.client,
        assessed_on=D(2026, 11, 28),
        reason="renewal",
    )
    assert error.value.message_dict == {"assessed_on": [AFTER_MIDNIGHT_MESSAGE]}
    assert Assessment.objects.count() == before + 1
    assert assessment.assessed_on == D(2026, 11, 28)


@time_machine.travel(JUST_BEFORE_JST_MIDNIGHT, tick=False)
def test_meeting_form_shows_the_future_date_message_at_the_field(
    plan_setup, draft_plan, login, world
) -> None:  # noqa: ANN001
    from django.urls import reverse

    response = login(world.care_manager).post(
        reverse("careplans:meeting_new", args=[draft_plan.pk]),
        {
            "held_on": "2026-11-28",
            "place": "利用者宅",
            "starts_at": "14:00",
            "ends_at": "14:45",
            "items_discussed": "原案",
            "discussion": "入浴",
            "conclusion": "原案のとおり",
            "concludes_plan": "on",
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"held_on": [BEFORE_MIDNIGHT_MESSAGE]}
    assert response.context["form"]["discussion"].value() == "入浴"
    assert not draft_plan.meetings.exists()
