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

from caremgmt import drafts
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
    apply_resolutions,
    conflict_form,
    edit_snapshot,
    log_access,
    render_form_page,
    submitted_snapshot,
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
    log_access(request, "client:plan_new", client.pk, client.pk)
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


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """第1表 with the optimistic version check and a field-by-field merge of a late save."""
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    conflict: Any = None
    draft_info: dict[str, Any] = {}
    if request.method == "POST":
        form = PlanForm(request.POST, instance=plan)
        snapshot = submitted_snapshot(request)
        if form.is_valid():
            fields = {
                k: v for k, v in form.cleaned_data.items() if k not in ("version", "edit_snapshot")
            }
            conflict = apply_resolutions(request, form, fields, snapshot, plan)
        if form.is_valid() and conflict is None:
            try:
                result = services.careplan_save(
                    actor=request.actor,
                    plan=plan,
                    expected_version=form.cleaned_data["version"],
                    fields=fields,
                    original=snapshot.values if snapshot else None,
                )
            except services.PlanEditConflictError as error:
                conflict = error
                if error.merge is not None:
                    form = conflict_form(
                        PlanForm, error, fields, version_field="version", form_kwargs={}
                    )
                else:
                    data = request.POST.copy()
                    data["version"] = str(error.plan.version)
                    form = PlanForm(data, instance=plan)
                    form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if result.merged is not None:
                    messages.info(request, result.merged.message)
                drafts.discard_drafts(request)
                messages.success(request, "第1表を保存しました。")
                return redirect("careplans:plan", pk=plan.pk)
    else:
        restored, draft_info = drafts.draft_context(request)
        form = PlanForm(
            restored,
            instance=plan,
            initial={"version": plan.version, "edit_snapshot": edit_snapshot(plan, PlanForm)},
        )
    log_access(request, "care_plan:edit", plan.pk, plan.client_id)  # re-rendered POSTs too
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
            **draft_info,
        },
    )
