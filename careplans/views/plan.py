"""The plan itself (第1表): create, show, edit with the optimistic lock."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import require_plan_writer
from careplans import documents, selectors, services
from careplans.forms import (
    PlanCreateForm,
    PlanForm,
)
from careplans.models import (
    CarePlan,
)
from careplans.views.common import (
    add_service_errors,
    log_access,
    render_form_page,
    visible_client,
    visible_plan,
)

# --- plan (第1表) ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    client = visible_client(request, client_pk)
    today = timezone.localdate()
    has_plan = CarePlan.objects.filter(client=client).exists()
    form = PlanCreateForm(
        request.POST or None,
        client=client,
        initial={"drafted_on": today, "starts_on": today, "plan_kind": "21" if has_plan else "11"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.careplan_create(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "原案を作成しました。第1表から順に入力してください。")
            return redirect("careplans:plan", pk=plan.pk)
    return render_form_page(
        request,
        {
            "client": client,
            "form": form,
            "title": "居宅サービス計画の原案を作成",
            "intro": "要介護認定（認定日・有効期間・要介護状態区分・審査会の意見）は利用者の認定履歴から自動で入ります。",
            "back_url": reverse("careplans:client", args=[client.pk]),
            "submit_label": "原案を作成する",
        },
    )


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = visible_plan(request, pk)
    log_access(request, "care_plan", plan.pk, plan.client_id)
    context = {
        "plan": plan,
        "client": plan.client,
        "can_write": request.actor.can_write_plans,
        "can_edit": request.actor.can_write_plans and plan.is_editable,
        "weekdays": documents.WEEKDAYS,
        "table3": documents.table3(plan),
        "table4": documents.table4(plan),
        "print_available": documents.print_available(),
        **selectors.plan_for_display(plan=plan),
    }
    return render(request, "careplans/plan.html", context)


def _conflict_context(error: services.PlanEditConflictError) -> dict[str, Any]:
    return {"conflict": error}


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """第1表 with the optimistic version check."""
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    conflict = None
    if request.method == "POST":
        form = PlanForm(request.POST, instance=plan)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.careplan_update(
                    actor=request.actor,
                    plan=plan,
                    expected_version=form.cleaned_data["version"],
                    fields=fields,
                )
            except services.PlanEditConflictError as error:
                conflict = error
                data = request.POST.copy()
                data["version"] = str(error.plan.version)
                form = PlanForm(data, instance=plan)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "第1表を保存しました。")
                return redirect("careplans:plan", pk=plan.pk)
    else:
        log_access(request, "care_plan:edit", plan.pk, plan.client_id)
        form = PlanForm(instance=plan, initial={"version": plan.version})
    return render_form_page(
        request,
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "conflict": conflict,
            "title": "第1表 居宅サービス計画書（1）",
            "back_url": reverse("careplans:plan", args=[plan.pk]),
            "facts_plan": plan,
        },
    )
