"""第3表 週単位以外のサービス: add / edit / delete 福祉用具貸与 items and 短期入所 stays.

Same rules as the weekly rows (careplans.views.rows): plan writers only, the plan must be
editable, the plan's version lock with the three-way merge of a concurrent save."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_plan_writer
from careplans import selectors, services
from careplans.forms.monthly import FORMS_BY_KIND
from careplans.services.monthly import KIND_LABELS, monthly_delete_text, monthly_service_save
from careplans.views.common import log_access, visible_plan
from careplans.views.rows import _row_view

ANCHOR = "#table3-monthly"


@require_http_methods(["GET", "POST"])
def monthly_edit(
    request: HttpRequest, pk: int, kind: str | None = None, monthly_pk: int | None = None
) -> HttpResponse:
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    item = (
        get_visible_or_404(plan.monthly_services.all(), request.actor, pk=monthly_pk)
        if monthly_pk
        else None
    )
    kind = item.kind if item is not None else kind
    if kind not in FORMS_BY_KIND:
        raise Http404("見つかりません。")
    save = partial(monthly_service_save, actor=request.actor, plan=plan, item=item, kind=kind)
    return _row_view(
        request,
        plan=plan,
        form_class=FORMS_BY_KIND[kind],
        instance=item,
        save=save,
        title=f"第3表 週単位以外のサービス（{KIND_LABELS[kind]}）",
        form_kwargs={"providers": selectors.visible_providers(actor=request.actor), "plan": plan},
        anchor=ANCHOR,
    )


@require_http_methods(["GET", "POST"])
def monthly_delete(request: HttpRequest, pk: int, monthly_pk: int) -> HttpResponse:
    """GET: a confirmation page; POST: delete the item under the plan's version check."""
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    item = get_visible_or_404(plan.monthly_services.all(), request.actor, pk=monthly_pk)
    back_url = reverse("careplans:plan", args=[plan.pk]) + ANCHOR
    if request.method == "GET":
        if not plan.is_editable:
            messages.error(request, services.CONFIRMED_READ_ONLY_MESSAGE)
            return redirect(back_url)
        log_access(request, "care_plan:edit", plan.pk, plan.client_id)
        return render(
            request,
            "careplans/monthly_delete.html",
            {
                "client": plan.client,
                "plan": plan,
                "item": item,
                "text": monthly_delete_text(item),
                "back_url": back_url,
            },
        )
    try:
        expected = int(request.POST.get("plan_version", "0"))
    except ValueError:
        expected = 0
    try:
        services.plan_row_delete(
            actor=request.actor, plan=plan, expected_version=expected, row=item
        )
    except services.PlanEditConflictError as error:
        messages.error(
            request,
            f"{error.other_party}が先に計画を変更しました。内容を確かめてからもう一度操作してください。",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{KIND_LABELS.get(item.kind, '')}を削除しました。")
    return redirect(back_url)
