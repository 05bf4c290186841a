"""評価表 (issue 12 item 2): the save service's rules, the screens, roles and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caremgmt.access import actor_for
from caremgmt.events import client_event
from careplans.models import Goal
from monitoring.evaluation import selectors, services
from monitoring.evaluation.services import LineInput
from monitoring.models import (
    EvaluationLine,
    EvaluationSheet,
    GoalReview,
    MonitoringRecord,
)
from tests.monitoring.routes.evaluation import confirmed_plan, own_sheet

D = dt.date
TODAY = D(2026, 11, 27)


def _goals(plan: Any) -> list[Goal]:
    return list(Goal.objects.filter(need__plan=plan).order_by("order"))


def _record(plan: Any, world: Any, **kwargs: Any) -> EvaluationSheet:
    defaults: dict[str, Any] = {
        "actor": actor_for(world.care_manager),
        "plan": plan,
        "evaluated_on": D(2026, 9, 30),
        "summary": "",
        "lines": [LineInput(goal_id=_goals(plan)[0].pk, result="achieved", comment="できた")],
        "today": TODAY,
    }
    return services.evaluation_record(**{**defaults, **kwargs})


def _review(plan: Any, world: Any, goal: Goal, visited_on: dt.date, achievement: str, note: str):  # noqa: ANN202
    record = MonitoringRecord.objects.create(
        client=plan.client,
        plan=plan,
        month=visited_on.replace(day=1),
        visited_on=visited_on,
        met_persons="本人",
        author=world.care_manager,
    )
    return GoalReview.objects.create(
        record=record, goal=goal, achievement=achievement, observation=note
    )


@pytest.fixture
def events():  # noqa: ANN201
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    client_event.connect(receiver, weak=False)
    yield received
    client_event.disconnect(receiver)


# --- the service -------------------------------------------------------------------------


@pytest.mark.django_db
def test_record_saves_sheet_and_lines_and_emits_the_event(world, events) -> None:  # noqa: ANN001
    plan = confirmed_plan(world, goals=3)
    first, second, third = _goals(plan)
    sheet = _record(
        plan,
        world,
        summary="  概ね順調  ",
        lines=[
            LineInput(goal_id=first.pk, result="exceeded", comment="自立した"),
            LineInput(goal_id=third.pk, result="extend", comment=""),
        ],
    )
    assert (sheet.client_id, sheet.plan_id, sheet.author_id, sheet.summary, sheet.version) == (
        plan.client_id,
        plan.pk,
        world.care_manager.pk,
        "概ね順調",
        1,
    )
    assert list(
        sheet.lines.order_by("goal__order").values_list("goal_id", "result", "comment")
    ) == [
        (first.pk, "exceeded", "自立した"),
        (third.pk, "extend", ""),
    ]
    assert [
        (e["event"], e["client_id"], e["on"], e["summary"], e["source"], e["actor"]) for e in events
    ] == [
        (
            "evaluation_recorded",
            plan.client_id,
            D(2026, 9, 30),
            "評価表を作成（短期目標2件：◎1・△1）",
            f"monitoring.evaluationsheet:{sheet.pk}",
            world.care_manager,
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("evaluated_on", "message"),
    [
        (D(2026, 11, 28), "評価日に未来の日付は入力できません。"),
        (D(2026, 4, 9), "評価日は計画の開始日（令和8年4月10日）以降の日付にしてください。"),
    ],
)
def test_evaluation_date_outside_plan_and_today_is_refused(
    world, events, evaluated_on, message
) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    with pytest.raises(ValidationError) as error:
        _record(plan, world, evaluated_on=evaluated_on)
    assert error.value.message_dict == {"evaluated_on": [message]}
    assert not EvaluationSheet.objects.exists() and not events


@pytest.mark.django_db
def test_first_and_last_allowed_days_are_accepted(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    assert _record(plan, world, evaluated_on=D(2026, 4, 10)).pk
    assert _record(plan, world, evaluated_on=TODAY).pk


@pytest.mark.django_db
def test_sheet_without_lines_or_with_a_foreign_goal_is_refused(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    other_goal = _goals(confirmed_plan(world))[0]
    goal = _goals(plan)[0]
    with pytest.raises(ValidationError) as error:
        _record(plan, world, lines=[])
    assert error.value.message_dict == {"__all__": ["評価する短期目標を1つ以上選んでください。"]}
    with pytest.raises(ValidationError) as error:
        _record(plan, world, lines=[LineInput(goal_id=other_goal.pk, result="achieved")])
    assert error.value.message_dict == {
        "__all__": ["この計画の短期目標ではないものが含まれています。"]
    }
    with pytest.raises(ValidationError) as error:
        _record(
            plan,
            world,
            lines=[LineInput(goal_id=goal.pk, result="achieved"), LineInput(goal.pk, "hard")],
        )
    assert error.value.message_dict == {"__all__": ["同じ短期目標が2回含まれています。"]}
    assert not EvaluationSheet.objects.exists()


@pytest.mark.django_db
def test_draft_plan_cannot_be_evaluated(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    plan.status, plan.consented_on, plan.delivered_on = "draft", None, None
    plan.save()
    with pytest.raises(ValidationError) as error:
        _record(plan, world)
    assert error.value.message_dict == {
        "__all__": ["確定した（または改訂済の）計画だけを評価できます。"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "auditor"])
def test_clerk_and_auditor_cannot_write(world, role) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    with pytest.raises(PermissionDenied):
        services.evaluation_record(
            actor=actor_for(getattr(world, role)),
            plan=plan,
            evaluated_on=D(2026, 9, 30),
            summary="",
            lines=[LineInput(goal_id=_goals(plan)[0].pk, result="achieved")],
            today=TODAY,
        )
    assert not EvaluationSheet.objects.exists()


@pytest.mark.django_db
def test_correction_replaces_lines_bumps_version_and_emits_nothing(world, events) -> None:  # noqa: ANN001
    plan = confirmed_plan(world, goals=2)
    first, second = _goals(plan)
    sheet = _record(plan, world)
    events.clear()
    corrected = _record(
        plan,
        world,
        sheet=sheet,
        expected_version=1,
        summary="修正",
        lines=[LineInput(goal_id=second.pk, result="hard", comment="見直し")],
    )
    assert (corrected.pk, corrected.version, corrected.summary) == (sheet.pk, 2, "修正")
    assert list(EvaluationLine.objects.values_list("goal_id", "result")) == [(second.pk, "hard")]
    assert events == []


# --- selectors ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_put_goals_ending_this_month_first_and_prefill_from_latest_monitoring(world) -> None:  # noqa: ANN001
    plan = confirmed_plan(world, goals=3)
    first, second, third = _goals(plan)
    Goal.objects.filter(pk=first.pk).update(short_term_to=D(2027, 3, 31))
    Goal.objects.filter(pk=second.pk).update(short_term_to=D(2026, 11, 30))  # ends this month
    Goal.objects.filter(pk=third.pk).update(short_term_to=D(2026, 9, 30))  # already ended
    _review(plan, world, second, D(2026, 10, 5), "not_achieved", "10月の所見")
    _review(plan, world, second, D(2026, 11, 6), "partly", "11月の所見")
    _review(plan, world, third, D(2026, 9, 8), "achieved", "9月の所見")
    rows = selectors.evaluation_rows(plan=plan, today=TODAY)
    assert [(row.goal.pk, row.due) for row in rows] == [
        (second.pk, True),
        (third.pk, True),
        (first.pk, False),
    ]
    assert [row.prefill() for row in rows] == [
        {"include": True, "result": "extend", "comment": "11月の所見"},
        {"include": True, "result": "achieved", "comment": "9月の所見"},
        {"include": False},
    ]
    assert [item.content for item in rows[0].support_items] == ["見守り2"]


# --- screens -----------------------------------------------------------------------------


def _post_data(goals: list[Goal], **lines: dict[str, str]) -> dict[str, str]:
    data = {"evaluated_on": "2026-10-01", "summary": "総括です"}
    for goal in goals:
        for key, value in lines.get(f"g{goal.order}", {}).items():
            data[f"goal-{goal.pk}-{key}"] = value
    return data


@pytest.mark.django_db
def test_new_sheet_from_the_form(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world, goals=2)
    goals = _goals(plan)
    url = reverse("monitoring:evaluation_new", args=[plan.client_id])
    page = login(world.care_manager).get(url)
    assert page.status_code == 200
    assert "短期目標1" in page.content.decode() and "見守り2" in page.content.decode()
    response = login(world.care_manager).post(
        url,
        _post_data(
            goals,
            g1={"include": "on", "result": "exceeded", "comment": "よくできた"},
            g2={"result": "hard"},  # not included: ignored
        ),
    )
    sheet = EvaluationSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:evaluation_detail", args=[sheet.pk])
    assert (sheet.evaluated_on, sheet.summary) == (D(2026, 10, 1), "総括です")
    assert list(sheet.lines.values_list("goal_id", "result", "comment")) == [
        (goals[0].pk, "exceeded", "よくできた")
    ]
    detail = login(world.auditor).get(response["Location"]).content.decode()
    assert "よくできた" in detail and "◎" in detail


@pytest.mark.django_db
def test_bad_input_shows_messages_at_the_field_and_saves_nothing(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world, goals=2)
    goals = _goals(plan)
    url = reverse("monitoring:evaluation_new", args=[plan.client_id])
    http = login(world.care_manager)
    missing_result = http.post(url, _post_data(goals, g1={"include": "on"}))
    assert missing_result.status_code == 200
    assert "結果を選んでください。" in missing_result.content.decode()
    future = http.post(
        url,
        {
            **_post_data(goals, g1={"include": "on", "result": "achieved"}),
            "evaluated_on": "2099-01-01",
        },
    )
    assert "評価日に未来の日付は入力できません。" in future.content.decode()
    none_chosen = http.post(url, _post_data(goals))
    assert "評価する短期目標を1つ以上選んでください。" in none_chosen.content.decode()
    assert not EvaluationSheet.objects.exists()


@pytest.mark.django_db
def test_plan_can_be_chosen_but_not_a_draft(world, login) -> None:  # noqa: ANN001
    from tests.factories import CarePlanFactory

    plan = confirmed_plan(world)
    draft = CarePlanFactory(client=plan.client)
    url = reverse("monitoring:evaluation_new", args=[plan.client_id])
    http = login(world.care_manager)
    assert http.get(url, {"plan": plan.pk}).status_code == 200
    assert http.get(url, {"plan": draft.pk}).status_code == 404
    assert http.get(url, {"plan": "x"}).status_code == 404


@pytest.mark.django_db
def test_client_without_a_confirmed_plan_gets_a_notice(world, login) -> None:  # noqa: ANN001
    from tests.factories import ClientFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    page = login(world.care_manager).get(reverse("monitoring:evaluation_new", args=[client.pk]))
    assert page.status_code == 200
    assert "確定した居宅サービス計画がありません" in page.content.decode()


@pytest.mark.django_db
def test_roles_plan_writers_write_auditor_and_clerk_read(world, login) -> None:  # noqa: ANN001
    sheet_pk = own_sheet(world)["pk"]
    sheet = EvaluationSheet.objects.get(pk=sheet_pk)
    new_url = reverse("monitoring:evaluation_new", args=[sheet.client_id])
    edit_url = reverse("monitoring:evaluation_edit", args=[sheet_pk])
    for role in ("clerk", "auditor"):
        http = login(getattr(world, role))
        assert http.get(new_url).status_code == 403
        assert http.post(new_url, {"evaluated_on": "2026-10-01"}).status_code == 403
        assert http.get(edit_url).status_code == 403
        assert http.post(edit_url, {"summary": "x"}).status_code == 403
        assert http.get(reverse("monitoring:evaluation_detail", args=[sheet_pk])).status_code == 200
        assert (
            http.get(reverse("monitoring:evaluation_list", args=[sheet.client_id])).status_code
            == 200
        )
    assert EvaluationSheet.objects.count() == 1
    assert EvaluationSheet.objects.get().summary == "概ね順調"
    for role in ("care_manager", "manager"):  # the owner, and 管理者 (whole office)
        assert login(getattr(world, role)).get(edit_url).status_code == 200, role


@pytest.mark.django_db
def test_auditor_may_print(world, login) -> None:  # noqa: ANN001
    sheet_pk = own_sheet(world)["pk"]
    response = login(world.auditor).post(reverse("monitoring:evaluation_print", args=[sheet_pk]))
    assert response.status_code == 302 and "/print" in response["Location"]


@pytest.mark.django_db
def test_goal_history_lists_every_month(world, login) -> None:  # noqa: ANN001
    plan = confirmed_plan(world)
    goal = _goals(plan)[0]
    _review(plan, world, goal, D(2026, 5, 7), "not_achieved", "5月はまだ")
    _review(plan, world, goal, D(2026, 6, 4), "partly", "6月は少し")
    _record(plan, world, lines=[LineInput(goal_id=goal.pk, result="extend", comment="延長")])
    page = login(world.care_manager).get(
        reverse("monitoring:evaluation_goal_history", args=[goal.pk])
    )
    text = page.content.decode()
    assert text.index("5月はまだ") < text.index("6月は少し") < text.index("延長")
    assert "令和8年5月7日" in text and "一部達成" in text


# --- query counts ------------------------------------------------------------------------


def _queries(http: Any, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_goals(world, login) -> None:  # noqa: ANN001
    counts = {}
    for size in (2, 8):
        plan = confirmed_plan(world, goals=size)
        goals = _goals(plan)
        for goal in goals:
            _review(plan, world, goal, D(2026, 10, 1 + goal.order), "partly", "所見")
        sheet = _record(
            plan, world, lines=[LineInput(goal_id=g.pk, result="achieved") for g in goals]
        )
        http = login(world.care_manager)
        counts[size] = (
            len(_queries(http, reverse("monitoring:evaluation_new", args=[plan.client_id]))),
            len(_queries(http, reverse("monitoring:evaluation_edit", args=[sheet.pk]))),
            len(_queries(http, reverse("monitoring:evaluation_detail", args=[sheet.pk]))),
        )
    assert counts[2] == counts[8], counts
