"""Reads of assessments and plans — always through the access helper."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.urls import reverse

from caremgmt.access import Actor, visible
from careplans.assessment_items import completeness
from careplans.models import (
    Assessment,
    CarePlan,
    Goal,
    Meeting,
    Need,
    PlanStatus,
    SupportItem,
)
from careplans.services.consent import (
    equipment_rental_reason_gaps,
    plan_places_medical_services,
)
from clients.models import ClientStatus, ServiceProvider
from clients.selectors import client_list

STAGES = ("相談", "アセスメント", "原案", "会議", "同意・交付", "利用中", "モニタリング")

INDEX_SORTS = {
    "kana": ("name_kana", "pk"),
    "-kana": ("-name_kana", "-pk"),
    "status": ("plan_status_order", "name_kana", "pk"),
    "-status": ("-plan_status_order", "name_kana", "pk"),
    "consented": ("plan_consented_on", "name_kana", "pk"),
    "-consented": ("-plan_consented_on", "name_kana", "pk"),
    "manager": ("care_manager__full_name_kana", "name_kana", "pk"),
}


def plan_index(*, actor: Actor | None, sort: str = "kana") -> QuerySet:
    """Visible, not-ended clients with their latest plan version (status, 版, 同意日) and last
    assessment date as annotations — one query, whatever the number of clients."""
    latest = CarePlan.objects.filter(client=OuterRef("pk")).order_by("-sequence")
    confirmed = CarePlan.objects.filter(
        client=OuterRef("pk"), status=PlanStatus.CONFIRMED
    ).order_by("-sequence")
    last_assessment = Assessment.objects.filter(client=OuterRef("pk")).order_by(
        "-assessed_on", "-sequence"
    )
    clients = (
        client_list(actor=actor)
        .exclude(status=ClientStatus.ENDED)
        .annotate(
            plan_pk=Subquery(latest.values("pk")[:1]),
            plan_status=Subquery(latest.values("status")[:1]),
            plan_sequence=Subquery(latest.values("sequence")[:1]),
            plan_consented_on=Subquery(confirmed.values("consented_on")[:1]),
            assessed_on=Subquery(last_assessment.values("assessed_on")[:1]),
        )
        .annotate(
            plan_status_order=Case(
                When(plan_status__isnull=True, then=Value(0)),
                When(plan_status=PlanStatus.DRAFT, then=Value(1)),
                When(plan_status=PlanStatus.MET, then=Value(2)),
                When(plan_status=PlanStatus.CONFIRMED, then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            )
        )
    )
    return clients.order_by(*INDEX_SORTS.get(sort, INDEX_SORTS["kana"]))


def client_assessments(*, client: Any) -> list[Assessment]:
    return list(Assessment.objects.filter(client=client).select_related("assessor"))


def client_plans(*, client: Any) -> list[CarePlan]:
    return list(
        CarePlan.objects.filter(client=client).select_related("author").order_by("-sequence")
    )


def plan_for_display(*, plan: CarePlan) -> dict[str, Any]:
    """Everything the plan page (第1〜4表) shows, in a fixed number of queries."""
    needs = list(
        Need.objects.filter(plan=plan).prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.prefetch_related(
                    Prefetch(
                        "support_items", queryset=SupportItem.objects.select_related("provider")
                    )
                ),
            )
        )
    )
    for need in needs:
        need.row_count = (
            sum(max(1, len(goal.support_items.all())) for goal in need.goals.all()) or 1
        )
        _mark_long_term_groups(list(need.goals.all()))
    return {
        "needs": needs,
        "weekly_services": list(plan.weekly_services.select_related("provider")),
        "daily_activities": list(plan.daily_activities.all()),
        "meetings": list(
            Meeting.objects.filter(plan=plan).prefetch_related("attendees").order_by("held_on")
        ),
        "minor_changes": list(plan.minor_changes.select_related("recorded_by")),
        "deliveries": list(plan.deliveries.select_related("provider")),
        "doctor_deliveries": list(plan.doctor_deliveries.select_related("doctor")),
    }


def visible_providers(*, actor: Actor | None) -> QuerySet[ServiceProvider]:
    return visible(ServiceProvider.objects.filter(is_active=True), actor).order_by(
        "name_kana", "name", "pk"
    )


# --- where the client stands -------------------------------------------------------------


@dataclass
class Workflow:
    stage: str
    missing: list[str] = field(default_factory=list)
    next_label: str = ""
    next_url: str = ""
    next_method: str = "get"

    @property
    def stage_index(self) -> int:
        return STAGES.index(self.stage)

    @property
    def steps(self) -> list[tuple[str, str]]:
        """(label, state) with state done / current / todo."""
        index = self.stage_index
        return [
            (label, "done" if i < index else "current" if i == index else "todo")
            for i, label in enumerate(STAGES)
        ]


def confirmation_gaps(plan: CarePlan) -> list[str]:
    """What the 運営基準 第13条 checks of `careplan_confirm` will still refuse (shown in the
    workflow's "missing" list before the user tries)."""
    gaps = []
    if plan_places_medical_services(plan):
        if plan.client.primary_doctor_id is None:
            gaps.append("主治医の登録（医療系サービスを位置付けたため主治医にも交付します）")
        else:
            gaps.append("主治医への交付（医療系サービスあり）")
    return gaps + equipment_rental_reason_gaps(plan)


def client_workflow(
    *, client: Any, assessments: list[Assessment], plans: list[CarePlan], today: dt.date
) -> Workflow:
    """The stage (相談 → … → モニタリング), what is missing and the one next action."""
    if client.status == ClientStatus.CONSULTING:
        return Workflow(
            "相談",
            ["居宅介護支援の契約"],
            "契約する",
            reverse("clients:contract", args=[client.pk]),
        )
    open_plan = next((p for p in plans if p.status in (PlanStatus.DRAFT, PlanStatus.MET)), None)
    confirmed = next((p for p in plans if p.status == PlanStatus.CONFIRMED), None)
    if not assessments:
        return Workflow(
            "アセスメント",
            ["アセスメント（課題分析）"],
            "アセスメントを始める",
            reverse("careplans:assessment_new", args=[client.pk]),
        )
    if open_plan is None and confirmed is None:
        return Workflow(
            "原案",
            ["居宅サービス計画の原案"],
            "原案を作成する",
            reverse("careplans:plan_new", args=[client.pk]),
        )
    if open_plan is not None:
        plan_url = reverse("careplans:plan", args=[open_plan.pk])
        if open_plan.status == PlanStatus.MET:
            return Workflow(
                "同意・交付",
                ["説明・同意・交付の記録", *confirmation_gaps(open_plan)],
                "説明・同意・交付を記録する",
                reverse("careplans:confirm", args=[open_plan.pk]),
            )
        missing = []
        if not open_plan.needs.exists():
            missing.append("第2表（ニーズ・目標・援助内容）")
        if not open_plan.weekly_services.exists():
            missing.append("第3表（週間サービス）")
        if missing:
            return Workflow("原案", missing, "原案（第2表・第3表）を入力する", plan_url)
        return Workflow(
            "会議",
            ["サービス担当者会議の記録（第4表）"],
            "担当者会議を記録する",
            reverse("careplans:meeting_new", args=[open_plan.pk]),
        )
    assert confirmed is not None
    missing = []
    if confirmed.certification and confirmed.certification.effective_to < today:
        missing.append("認定の有効期間が終わっています：計画の改訂")
    return Workflow(
        "利用中",
        missing,
        "計画を見る",
        reverse("careplans:plan", args=[confirmed.pk]),
    )


def assessment_completeness(assessment: Assessment):  # noqa: ANN201
    return completeness(assessment.item_set, assessment.answers)


def _mark_long_term_groups(goals: list[Any]) -> None:
    """`long_term_rowspan` on each goal: the rows its 長期目標 cell spans (the group's
    first goal), 0 for the further 短期目標 under the same 長期目標."""
    for goal in goals:
        goal.long_term_rowspan = (
            0 if goal.long_term_head_id else max(1, len(goal.support_items.all()))
        )
    heads = {goal.pk: goal for goal in goals}
    for goal in goals:
        head = heads.get(goal.long_term_head_id)
        if head is not None:
            head.long_term_rowspan += max(1, len(goal.support_items.all()))
        elif goal.long_term_head_id:
            goal.long_term_rowspan = max(1, len(goal.support_items.all()))
