"""Two writers on one plan: a late save merges only what its writer changed (issue 8 A)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from careplans.models import CarePlan, Goal

OTHER_STAFF = "他の職員"
SAME_USER = "別のタブ（または画面）であなたが保存した内容"
WISHES_LABEL = str(CarePlan._meta.get_field("wishes_and_analysis").verbose_name)


def _loaded(http, url: str) -> dict[str, Any]:  # noqa: ANN001
    """The form data as a browser tab holds it right after opening `url`."""
    form = http.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = "" if value in (None, False) else value
    return data


@pytest.fixture
def plan_url(draft_plan) -> str:  # noqa: ANN001
    return reverse("careplans:plan_edit", args=[draft_plan.pk])


def test_two_writers_on_different_fields_keep_both_changes(
    draft_plan, plan_url, login, world
) -> None:  # noqa: ANN001
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_mine, tab_theirs = _loaded(mine, plan_url), _loaded(theirs, plan_url)
    assert theirs.post(plan_url, dict(tab_theirs, overall_policy="方針A")).status_code == 302
    response = mine.post(plan_url, dict(tab_mine, wishes_and_analysis="意向B"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "他の職員が保存した内容と合わせて保存しました。" in page
    assert f"あなたの変更：{WISHES_LABEL}。先に保存された変更（そのまま残しました）：" in page
    draft_plan.refresh_from_db()
    assert (draft_plan.overall_policy, draft_plan.wishes_and_analysis) == ("方針A", "意向B")
    assert draft_plan.version == 3


def test_same_user_in_two_tabs_is_not_called_another_staff_member(
    draft_plan, plan_url, login, world
) -> None:  # noqa: ANN001
    tab1_http, tab2_http = login(world.care_manager), login(world.care_manager)
    tab1, tab2 = _loaded(tab1_http, plan_url), _loaded(tab2_http, plan_url)
    assert tab1_http.post(plan_url, dict(tab1, overall_policy="方針A")).status_code == 302
    response = tab2_http.post(plan_url, dict(tab2, non_weekly_services="福祉用具"), follow=True)
    page = response.content.decode()
    assert f"{SAME_USER}と合わせて保存しました。" in page
    assert OTHER_STAFF not in page
    draft_plan.refresh_from_db()
    assert (draft_plan.overall_policy, draft_plan.non_weekly_services) == ("方針A", "福祉用具")


def test_same_field_changed_by_both_shows_both_and_saves_nothing(
    draft_plan, plan_url, login, world
) -> None:  # noqa: ANN001
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_mine, tab_theirs = _loaded(mine, plan_url), _loaded(theirs, plan_url)
    assert (
        theirs.post(
            plan_url, dict(tab_theirs, overall_policy="方針A", non_weekly_services="配食")
        ).status_code
        == 302
    )
    response = mine.post(plan_url, dict(tab_mine, overall_policy="方針B", committee_opinion="X"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "他の職員が同じ項目を先に変更して保存しました。" in page
    conflict = response.context["conflict"]
    assert [(c.field, c.theirs, c.yours) for c in conflict.conflicts] == [
        ("overall_policy", "方針A", "方針B")
    ]
    draft_plan.refresh_from_db()
    assert (draft_plan.overall_policy, draft_plan.committee_opinion) == ("方針A", "特になし")
    assert draft_plan.version == 2
    # the form offered again holds the merge: their 配食, my committee opinion and my policy
    form = response.context["form"]
    assert form["non_weekly_services"].value() == "配食"
    assert form["committee_opinion"].value() == "X"
    assert form["overall_policy"].value() == "方針B"
    again = _form_data(form)
    # no choice made: refused at the field, nothing saved
    response = mine.post(plan_url, again)
    assert response.context["form"].errors == {
        "overall_policy": ["先に保存された内容とあなたの入力のどちらにするか選んでください。"]
    }
    draft_plan.refresh_from_db()
    assert (draft_plan.overall_policy, draft_plan.version) == ("方針A", 2)
    # choosing the saved value keeps theirs and still applies my other change
    assert mine.post(plan_url, dict(again, resolve_overall_policy="theirs")).status_code == 302
    draft_plan.refresh_from_db()
    assert (
        draft_plan.overall_policy,
        draft_plan.committee_opinion,
        draft_plan.non_weekly_services,
    ) == ("方針A", "X", "配食")


def test_choosing_my_value_for_a_conflict_saves_it(draft_plan, plan_url, login, world) -> None:  # noqa: ANN001
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_mine, tab_theirs = _loaded(mine, plan_url), _loaded(theirs, plan_url)
    theirs.post(plan_url, dict(tab_theirs, overall_policy="方針A"))
    response = mine.post(plan_url, dict(tab_mine, overall_policy="方針B"))
    again = _form_data(response.context["form"])
    assert mine.post(plan_url, dict(again, resolve_overall_policy="yours")).status_code == 302
    draft_plan.refresh_from_db()
    assert draft_plan.overall_policy == "方針B"


def _form_data(form) -> dict[str, Any]:  # noqa: ANN001
    data = {}
    for name in form.fields:
        value = form[name].value()
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = "" if value in (None, False) else value
    return data


# --- 第2表 rows -------------------------------------------------------------------------------


@pytest.fixture
def goal(draft_plan) -> Goal:  # noqa: ANN001
    need = draft_plan.needs.create(order=1, text="自宅で安全に入浴したい")
    return need.goals.create(
        order=1,
        long_term="一人で入浴できる",
        long_term_from=dt.date(2026, 4, 10),
        long_term_to=dt.date(2026, 9, 30),
        short_term="見守りで入浴できる",
        short_term_from=dt.date(2026, 4, 10),
        short_term_to=dt.date(2026, 6, 30),
    )


def test_goal_editors_on_different_fields_keep_both(goal, login, world) -> None:  # noqa: ANN001
    url = reverse("careplans:goal_edit", args=[goal.need_id, goal.pk])
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_mine, tab_theirs = _loaded(mine, url), _loaded(theirs, url)
    assert theirs.post(url, dict(tab_theirs, long_term="長期A")).status_code == 302
    response = mine.post(url, dict(tab_mine, short_term="短期B"), follow=True)
    page = response.content.decode()
    assert "他の職員が保存した内容と合わせて保存しました。あなたの変更：短期目標。" in page
    assert "先に保存された変更（そのまま残しました）：長期目標。" in page
    assert "更新番号" not in page
    goal.refresh_from_db()
    assert (goal.long_term, goal.short_term) == ("長期A", "短期B")


def test_goal_same_field_conflict_shows_both_values(goal, login, world) -> None:  # noqa: ANN001
    url = reverse("careplans:goal_edit", args=[goal.need_id, goal.pk])
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_mine, tab_theirs = _loaded(mine, url), _loaded(theirs, url)
    theirs.post(url, dict(tab_theirs, short_term_to="2026-07-31"))
    response = mine.post(url, dict(tab_mine, short_term_to="2026-08-31"))
    assert response.status_code == 200
    assert [(c.label, c.theirs, c.yours) for c in response.context["conflict"].conflicts] == [
        ("短期目標の期間（終了）", "令和8年7月31日", "令和8年8月31日")
    ]
    assert "他の職員が同じ項目を先に変更して保存しました。" in response.content.decode()
    goal.refresh_from_db()
    assert goal.short_term_to == dt.date(2026, 7, 31)


def test_need_edit_after_another_row_changed_merges_in_another_tab(
    draft_plan, goal, login, world
) -> None:  # noqa: ANN001
    need = goal.need
    need_url = reverse("careplans:need_edit", args=[draft_plan.pk, need.pk])
    goal_url = reverse("careplans:goal_edit", args=[need.pk, goal.pk])
    http = login(world.care_manager)
    tab_need, tab_goal = _loaded(http, need_url), _loaded(http, goal_url)
    assert http.post(goal_url, dict(tab_goal, long_term="長期A")).status_code == 302
    response = http.post(need_url, dict(tab_need, text="安全に入浴したい"), follow=True)
    page = response.content.decode()
    assert f"{SAME_USER}と合わせて保存しました。あなたの変更：" in page
    assert OTHER_STAFF not in page
    need.refresh_from_db()
    goal.refresh_from_db()
    assert (need.text, goal.long_term) == ("安全に入浴したい", "長期A")
    assert CarePlan.objects.get(pk=draft_plan.pk).version == 3


def test_new_need_is_added_although_the_plan_was_saved_meanwhile(
    draft_plan, plan_url, login, world
) -> None:  # noqa: ANN001
    add_url = reverse("careplans:need_add", args=[draft_plan.pk])
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_add, tab_plan = _loaded(mine, add_url), _loaded(theirs, plan_url)
    theirs.post(plan_url, dict(tab_plan, overall_policy="方針A"))
    assert mine.post(add_url, dict(tab_add, text="外出したい")).status_code == 302
    assert list(draft_plan.needs.values_list("text", flat=True)) == ["外出したい"]


def _time_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strftime("%H:%M") if isinstance(v, dt.time) else v for k, v in data.items()}


def test_support_item_editors_on_different_fields_keep_both(plan_setup, goal, login, world) -> None:  # noqa: ANN001
    item = goal.support_items.create(
        order=1,
        content="入浴介助",
        insured=True,
        service_type="11",
        provider=plan_setup.home_help,
        frequency="週2回",
        period_from=dt.date(2026, 4, 10),
        period_to=dt.date(2026, 6, 30),
    )
    url = reverse("careplans:item_edit", args=[goal.pk, item.pk])
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_mine, tab_theirs = _loaded(mine, url), _loaded(theirs, url)
    assert theirs.post(url, dict(tab_theirs, frequency="週3回")).status_code == 302
    assert mine.post(url, dict(tab_mine, content="入浴の見守り")).status_code == 302
    item.refresh_from_db()
    assert (item.content, item.frequency, item.provider_id, item.insured) == (
        "入浴の見守り",
        "週3回",
        plan_setup.home_help.pk,
        True,
    )


def test_daily_activity_same_field_conflict_saves_nothing(draft_plan, login, world) -> None:  # noqa: ANN001
    activity = draft_plan.daily_activities.create(starts_at=dt.time(7, 0), activity="起床")
    url = reverse("careplans:activity_edit", args=[draft_plan.pk, activity.pk])
    mine, theirs = login(world.care_manager), login(world.manager)
    tab_mine, tab_theirs = _time_data(_loaded(mine, url)), _time_data(_loaded(theirs, url))
    assert theirs.post(url, dict(tab_theirs, starts_at="06:30")).status_code == 302
    response = mine.post(url, dict(tab_mine, starts_at="07:30", activity="起床・洗面"))
    assert response.status_code == 200
    conflicts = response.context["conflict"].conflicts
    assert [(c.field, c.theirs, c.yours) for c in conflicts] == [("starts_at", "06:30", "07:30")]
    activity.refresh_from_db()
    assert (activity.starts_at, activity.activity) == (dt.time(6, 30), "起床")


def test_row_delete_after_own_save_in_another_tab_names_the_same_user(
    draft_plan, goal, login, world
) -> None:  # noqa: ANN001
    need = goal.need
    goal_url = reverse("careplans:goal_edit", args=[need.pk, goal.pk])
    delete_url = reverse("careplans:row_delete", args=[draft_plan.pk, "need", need.pk])
    http = login(world.care_manager)
    loaded_version = CarePlan.objects.get(pk=draft_plan.pk).version
    tab_goal = _loaded(http, goal_url)
    assert http.post(goal_url, dict(tab_goal, long_term="長期A")).status_code == 302
    response = http.post(delete_url, {"plan_version": loaded_version}, follow=True)
    page = response.content.decode()
    assert "別のタブ（または画面）であなたが先に計画を変更しました。" in page
    assert OTHER_STAFF not in page
    assert need.__class__.objects.filter(pk=need.pk).exists()


def test_stale_assessment_save_names_the_same_user_and_overwrites_nothing(
    plan_setup, login, world
) -> None:  # noqa: ANN001
    from careplans.models import Assessment

    assessment = plan_setup.assessment
    url = reverse("careplans:assessment", args=[assessment.pk])
    http = login(world.care_manager)
    tab1, tab2 = _loaded(http, url), _loaded(http, url)
    assert http.post(url, dict(tab1, place="自宅")).status_code == 302
    response = http.post(url, dict(tab2, place="病院"))
    page = response.content.decode()
    assert "別のタブ（または画面）であなたがこのアセスメントを先に保存しました" in page
    assert Assessment.objects.get(pk=assessment.pk).place == "自宅"
