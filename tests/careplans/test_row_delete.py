"""Deleting 第2表/第3表 rows: a confirmation page first, then a POST that is attributable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse

from careplans.models import CarePlan, DailyActivity, Goal, Need, SupportItem, WeeklyService
from tests.factories import CarePlanFactory, ClientFactory, GoalFactory, NeedFactory

pytestmark = pytest.mark.django_db


def _plan_with_rows(world):  # noqa: ANN001, ANN202
    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    plan = CarePlanFactory(client=client)
    need = NeedFactory(plan=plan, text="自宅で安全に入浴したい")
    goal = GoalFactory(need=need)
    item = SupportItem.objects.create(
        goal=goal,
        order=1,
        content="入浴の見守り",
        insured=False,
        service_kind_text="家族",
        frequency="週2回",
        period_from=dt.date(2026, 4, 10),
    )
    weekly = WeeklyService.objects.create(
        plan=plan,
        weekdays=[1],
        starts_at=dt.time(10),
        ends_at=dt.time(11),
        content="家族の訪問",
        insured=False,
        support_item=item,
    )
    activity = DailyActivity.objects.create(plan=plan, starts_at=dt.time(7), activity="起床")
    return plan, need, goal, item, weekly, activity


def _url(plan: CarePlan, kind: str, pk: int) -> str:
    return reverse("careplans:row_delete", args=[plan.pk, kind, pk])


def test_plan_page_offers_delete_for_every_row_kind(world, login) -> None:  # noqa: ANN001
    plan, need, goal, item, weekly, activity = _plan_with_rows(world)
    page = login(world.care_manager).get(reverse("careplans:plan", args=[plan.pk])).content.decode()
    for kind, row in (
        ("need", need),
        ("goal", goal),
        ("item", item),
        ("weekly", weekly),
        ("activity", activity),
    ):
        assert f'href="{_url(plan, kind, row.pk)}"' in page, kind
    # The delete is a link to the confirmation page, never a bare POST button on the plan.
    assert 'action="' + _url(plan, "weekly", weekly.pk) not in page
    clerk_page = login(world.clerk).get(reverse("careplans:plan", args=[plan.pk])).content.decode()
    assert "/delete/" not in clerk_page


def test_need_confirm_page_names_the_children_and_deletes_nothing(world, login) -> None:  # noqa: ANN001
    plan, need, *_ = _plan_with_rows(world)
    response = login(world.care_manager).get(_url(plan, "need", need.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "ニーズを削除しますか" in text
    assert "自宅で安全に入浴したい" in text
    assert "このニーズの援助目標1件と援助内容1件も一緒に削除されます。" in text
    assert "第3表の週間サービス1件はこの援助内容との結び付きが外れます（行は残ります）。" in text
    assert f'name="plan_version" value="{plan.version}"' in text
    assert Need.objects.filter(pk=need.pk).exists()
    assert CarePlan.objects.get(pk=plan.pk).version == plan.version


def test_deleting_a_need_deletes_its_goals_and_items_and_records_the_actor(world, login) -> None:  # noqa: ANN001
    plan, need, goal, item, weekly, _ = _plan_with_rows(world)
    response = login(world.care_manager).post(
        _url(plan, "need", need.pk), {"plan_version": plan.version}
    )
    assert response.status_code == 302
    assert not Need.objects.filter(pk=need.pk).exists()
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert not SupportItem.objects.filter(pk=item.pk).exists()
    assert WeeklyService.objects.get(pk=weekly.pk).support_item_id is None
    assert CarePlan.objects.get(pk=plan.pk).version == plan.version + 1
    for model_name, pk in (("NeedEvent", need.pk), ("GoalEvent", goal.pk)):
        event = apps.get_model("careplans", model_name).objects.get(
            pgh_obj_id=pk, pgh_label="delete"
        )
        assert event.pgh_context is not None
        assert event.pgh_context.metadata["user"] == world.care_manager.pk
        assert event.pgh_context.metadata["action"] == "careplans.plan_row_delete"


@pytest.mark.parametrize("kind", ["goal", "item", "activity", "weekly"])
def test_each_row_kind_can_be_deleted_after_confirming(world, login, kind) -> None:  # noqa: ANN001
    plan, need, goal, item, weekly, activity = _plan_with_rows(world)
    row = {"goal": goal, "item": item, "activity": activity, "weekly": weekly}[kind]
    http = login(world.care_manager)
    assert http.get(_url(plan, kind, row.pk)).status_code == 200
    http.post(_url(plan, kind, row.pk), {"plan_version": plan.version})
    assert not type(row).objects.filter(pk=row.pk).exists()
    assert Need.objects.filter(pk=need.pk).exists()


def test_stale_version_deletes_nothing(world, login) -> None:  # noqa: ANN001
    plan, need, goal, item, *_ = _plan_with_rows(world)
    response = login(world.care_manager).post(
        _url(plan, "need", need.pk), {"plan_version": plan.version - 1}, follow=True
    )
    assert "他の職員が先に計画を変更しました" in response.content.decode()
    assert Need.objects.filter(pk=need.pk).exists()
    assert SupportItem.objects.filter(pk=item.pk).exists()
    assert CarePlan.objects.get(pk=plan.pk).version == plan.version


def test_confirmed_plan_rows_cannot_be_deleted(world, login) -> None:  # noqa: ANN001
    plan, need, *_ = _plan_with_rows(world)
    CarePlan.objects.filter(pk=plan.pk).update(
        status="confirmed", consented_on=dt.date(2026, 4, 8), delivered_on=dt.date(2026, 4, 8)
    )
    http = login(world.care_manager)
    page = http.get(_url(plan, "need", need.pk), follow=True)
    assert "確定した計画は変更できません" in page.content.decode()
    http.post(_url(plan, "need", need.pk), {"plan_version": plan.version})
    assert Need.objects.filter(pk=need.pk).exists()


@pytest.mark.parametrize(
    ("holder", "allowed"),
    [
        ("care_manager", True),
        ("chief", True),
        ("manager", True),
        ("clerk", False),
        ("auditor", False),
    ],
)
def test_only_care_managers_and_the_manager_write_plans(world, holder, allowed) -> None:  # noqa: ANN001
    from django.core.exceptions import PermissionDenied

    from caremgmt.access import actor_for, require_plan_writer

    actor = actor_for(getattr(world, holder))
    assert actor.can_write_plans is allowed
    if allowed:
        require_plan_writer(actor)
    else:
        with pytest.raises(PermissionDenied):
            require_plan_writer(actor)
    assert actor.can_write is (holder != "auditor")  # 事務 still writes the register


def test_clerk_sees_the_plan_without_write_buttons(world, login) -> None:  # noqa: ANN001
    plan, need, *_ = _plan_with_rows(world)
    response = login(world.clerk).get(reverse("careplans:plan", args=[plan.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "自宅で安全に入浴したい" in page
    for label in ("第1表を編集", "＋ ニーズを追加", "担当者会議を記録", "会議を開催しない理由"):
        assert label not in page, label
    assert reverse("careplans:need_edit", args=[plan.pk, need.pk]) not in page
