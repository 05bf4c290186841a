"""Route-walk entries of the monitoring evaluation screens (評価表; see
tests/monitoring/routes/__init__.py). The builders are shared with tests/monitoring/test_evaluation*.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

ACCESS_EXEMPT: dict[str, str] = {
    "monitoring:evaluation_print": "POST that queues a print job and redirects to "
    "printing:status (which logs); the download writes the 印刷 row",
}
ACCESS_SEARCH: dict[str, dict[str, str]] = {}
ACCESS_HEADERS: dict[str, dict[str, str]] = {}
# A rejected POST re-renders the form with the client's goals: logged like the GET.
REJECTED_POSTS: set[str] = {"monitoring:evaluation_new", "monitoring:evaluation_edit"}
LOCK_EXEMPT: dict[str, str] = {
    "monitoring:evaluation_list": "read-only list of a client's sheets",
    "monitoring:evaluation_new": "only creates a new sheet (no existing row is changed)",
    "monitoring:evaluation_detail": "read-only page",
    "monitoring:evaluation_print": "queues a print job; changes no shared row",
    "monitoring:evaluation_goal_history": "read-only history of one goal",
}


def confirmed_plan(world: Any, *, goals: int = 1) -> Any:
    """A confirmed plan (開始 2026-04-10) of a new client of the world's care manager, with
    `goals` short-term goals (each with one 援助内容) under one need."""
    from careplans.models import SupportItem
    from tests.factories import CarePlanFactory, ClientFactory, GoalFactory, NeedFactory

    client = ClientFactory(office=world.office, care_manager=world.care_manager)
    plan = CarePlanFactory(
        client=client,
        status="confirmed",
        consented_on=dt.date(2026, 4, 8),
        delivered_on=dt.date(2026, 4, 8),
    )
    need = NeedFactory(plan=plan, order=1)
    for number in range(1, goals + 1):
        goal = GoalFactory(need=need, order=number, short_term=f"短期目標{number}")
        SupportItem.objects.create(
            goal=goal,
            order=1,
            content=f"見守り{number}",
            insured=False,
            service_kind_text="家族",
            frequency="毎日",
            period_from=dt.date(2026, 4, 10),
        )
    return plan


def own_client(world: Any) -> dict[str, Any]:
    return {"client_pk": confirmed_plan(world).client_id}


def own_sheet(world: Any) -> dict[str, Any]:
    from monitoring.models import EvaluationLine, EvaluationSheet

    plan = confirmed_plan(world)
    sheet = EvaluationSheet.objects.create(
        client=plan.client,
        plan=plan,
        evaluated_on=dt.date(2026, 9, 30),
        author=world.care_manager,
        summary="概ね順調",
    )
    goal = plan.needs.get().goals.get()
    EvaluationLine.objects.create(sheet=sheet, goal=goal, result="achieved", comment="できた")
    return {"pk": sheet.pk}


def own_goal(world: Any) -> dict[str, Any]:
    return {"goal_pk": confirmed_plan(world).needs.get().goals.get().pk}


def scoping(ns: dict[str, Any]) -> None:
    """Add Route entries to ns["ROUTES"] (and ns["STAFF_ONLY"])."""
    route = ns["Route"]
    ns["ROUTES"].update(
        {
            "monitoring:evaluation_list": route(own_client),
            "monitoring:evaluation_new": route(own_client),
            "monitoring:evaluation_detail": route(own_sheet),
            "monitoring:evaluation_edit": route(own_sheet),
            "monitoring:evaluation_print": route(own_sheet, method="post"),
            "monitoring:evaluation_goal_history": route(own_goal),
        }
    )


def locked(ns: dict[str, Any]) -> dict[str, Any]:
    locked_route = ns["Locked"]
    return {
        "monitoring:evaluation_edit": locked_route(
            own_sheet, "monitoring.EvaluationSheet", "pk", "summary"
        )
    }
