"""第2表 / 第3表 row editors (needs, goals, support items, weekly services, activities)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from caremgmt.access import get_visible_or_404, require_plan_writer
from careplans import selectors, services
from careplans.forms import (
    DailyActivityForm,
    GoalForm,
    NeedForm,
    ShortTermGoalForm,
    SupportItemForm,
    WeeklyServiceForm,
)
from careplans.models import (
    CarePlan,
    DailyActivity,
    Goal,
    Need,
    SupportItem,
    WeeklyService,
)
from careplans.views.common import (
    add_service_errors,
    apply_resolutions,
    conflict_form,
    edit_snapshot,
    log_access,
    render_form_page,
    submitted_snapshot,
    visible_plan,
)

# --- 第2表 / 第3表 rows ---------------------------------------------------------------------


def _row_view(
    request: HttpRequest,
    *,
    plan: CarePlan,
    form_class: type[Form],
    instance: Model | None,
    save: Any,
    title: str,
    form_kwargs: dict[str, Any] | None = None,
    anchor: str = "",
) -> HttpResponse:
    """Shared GET/POST handling of one 第2表/第3表 row form (optimistic lock included)."""
    require_plan_writer(request.actor)
    form_kwargs = form_kwargs or {}
    conflict: Any = None
    if request.method == "POST":
        form = form_class(request.POST, instance=instance, **form_kwargs)
        snapshot = submitted_snapshot(request)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            expected = fields.pop("plan_version")
            fields.pop("edit_snapshot", None)
            conflict = apply_resolutions(request, form, fields, snapshot, instance)
        if form.is_valid() and conflict is None:
            try:
                result = save(
                    expected_version=expected,
                    fields=fields,
                    original=snapshot.values if snapshot else None,
                )
            except services.PlanEditConflictError as error:
                conflict = error
                if error.merge is not None:
                    form = conflict_form(
                        form_class,
                        error,
                        fields,
                        version_field="plan_version",
                        form_kwargs=form_kwargs,
                    )
                else:
                    data = request.POST.copy()
                    data["plan_version"] = str(error.plan.version)
                    form = form_class(data, instance=instance, **form_kwargs)
                    form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                if result.merged is not None:
                    messages.info(request, result.merged.message)
                messages.success(request, f"{title}を保存しました。")
                return redirect(reverse("careplans:plan", args=[plan.pk]) + anchor)
    else:
        if not plan.is_editable:
            messages.error(request, services.CONFIRMED_READ_ONLY_MESSAGE)
            return redirect("careplans:plan", pk=plan.pk)
        log_access(request, "care_plan:edit", plan.pk, plan.client_id)
        form = form_class(
            instance=instance,
            initial={
                "plan_version": plan.version,
                "edit_snapshot": edit_snapshot(instance, form_class),
            },
            **form_kwargs,
        )
    return render_form_page(
        request,
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "conflict": conflict,
            "title": title,
            "back_url": reverse("careplans:plan", args=[plan.pk]) + anchor,
        },
    )


def _visible_row(request: HttpRequest, model: type[Model], pk: int) -> Model:
    return get_visible_or_404(model._default_manager.all(), request.actor, pk=pk)


@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, pk: int, need_pk: int | None = None) -> HttpResponse:
    plan = visible_plan(request, pk)
    need = (
        get_visible_or_404(Need.objects.filter(plan=plan), request.actor, pk=need_pk)
        if need_pk
        else None
    )

    def save(
        *, expected_version: int, fields: dict[str, Any], original: dict[str, str] | None
    ) -> services.SaveResult:
        return services.need_save(
            actor=request.actor,
            plan=plan,
            expected_version=expected_version,
            need=need,
            text=fields["text"],
            order=fields.get("order"),
            original=original,
        )

    form_class = NeedForm
    if need is None:
        form_class = _with_initial(NeedForm, {"order": plan.needs.count() + 1})
    return _row_view(
        request,
        plan=plan,
        form_class=form_class,
        instance=need,
        save=save,
        title="ニーズ（生活全般の解決すべき課題）",
        anchor="#table2",
    )


def _with_initial(form_class: type[Form], extra: dict[str, Any]) -> type[Form]:
    class WithInitial(form_class):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initial"] = {**extra, **(kwargs.get("initial") or {})}
            super().__init__(*args, **kwargs)

    return WithInitial


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, need_pk: int, goal_pk: int | None = None) -> HttpResponse:
    """援助目標. `?under=<goal>` adds one more 短期目標 under that goal's 長期目標."""
    need = get_visible_or_404(Need.objects.select_related("plan"), request.actor, pk=need_pk)
    plan = visible_plan(request, need.plan_id)
    goal = get_visible_or_404(need.goals.all(), request.actor, pk=goal_pk) if goal_pk else None
    head = None
    if goal is not None and goal.long_term_head_id:
        head = goal.long_term_head
    elif goal is None and request.GET.get("under", "").isdigit():
        head = get_visible_or_404(need.goals.all(), request.actor, pk=request.GET["under"])

    save = partial(
        services.goal_save,
        actor=request.actor,
        plan=plan,
        need=need,
        goal=goal,
        long_term_head=head,
    )

    form_class: type[Form] = ShortTermGoalForm if head else GoalForm
    if goal is None:
        form_class = _with_initial(
            form_class, {"long_term_from": plan.starts_on, "short_term_from": plan.starts_on}
        )
    title = f"援助目標（ニーズ：{need.text[:20]}）"
    if head is not None:
        title = f"短期目標（長期目標：{head.long_term[:20]}）"
    return _row_view(
        request,
        plan=plan,
        form_class=form_class,
        instance=goal,
        save=save,
        title=title,
        anchor="#table2",
    )


@require_http_methods(["GET", "POST"])
def support_item_edit(
    request: HttpRequest, goal_pk: int, item_pk: int | None = None
) -> HttpResponse:
    goal = get_visible_or_404(Goal.objects.select_related("need"), request.actor, pk=goal_pk)
    plan = visible_plan(request, goal.need.plan_id)
    item = (
        get_visible_or_404(goal.support_items.all(), request.actor, pk=item_pk) if item_pk else None
    )

    save = partial(services.support_item_save, actor=request.actor, plan=plan, goal=goal, item=item)

    form_class = SupportItemForm
    if item is None:
        form_class = _with_initial(
            SupportItemForm,
            {"period_from": goal.short_term_from, "period_to": goal.short_term_to, "insured": True},
        )
    return _row_view(
        request,
        plan=plan,
        form_class=form_class,
        instance=item,
        save=save,
        title=f"援助内容（短期目標：{goal.short_term[:20]}）",
        form_kwargs={"providers": selectors.visible_providers(actor=request.actor), "plan": plan},
        anchor="#table2",
    )


@require_GET
def item_providers(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx fragment: the 事業所 select of the 援助内容 form, narrowed to the providers that
    offer the chosen サービス種別 (`?service_type=15&provider=<kept if still offered>`)."""
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    form = SupportItemForm(
        initial={
            "service_type": request.GET.get("service_type", ""),
            "provider": request.GET.get("provider") or None,
        },
        providers=selectors.visible_providers(actor=request.actor),
        plan=plan,
    )
    return HttpResponse(str(form["provider"]))


@require_http_methods(["GET", "POST"])
def weekly_edit(request: HttpRequest, pk: int, weekly_pk: int | None = None) -> HttpResponse:
    plan = visible_plan(request, pk)
    weekly = (
        get_visible_or_404(plan.weekly_services.all(), request.actor, pk=weekly_pk)
        if weekly_pk
        else None
    )

    save = partial(services.weekly_service_save, actor=request.actor, plan=plan, weekly=weekly)

    return _row_view(
        request,
        plan=plan,
        form_class=WeeklyServiceForm,
        instance=weekly,
        save=save,
        title="第3表 週間サービス",
        form_kwargs={"providers": selectors.visible_providers(actor=request.actor), "plan": plan},
        anchor="#table3",
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int, activity_pk: int | None = None) -> HttpResponse:
    plan = visible_plan(request, pk)
    activity = (
        get_visible_or_404(plan.daily_activities.all(), request.actor, pk=activity_pk)
        if activity_pk
        else None
    )

    save = partial(services.daily_activity_save, actor=request.actor, plan=plan, activity=activity)

    return _row_view(
        request,
        plan=plan,
        form_class=DailyActivityForm,
        instance=activity,
        save=save,
        title="第3表 主な日常生活上の活動",
        anchor="#table3",
    )


ROW_MODELS: dict[str, type[Model]] = {
    "need": Need,
    "goal": Goal,
    "item": SupportItem,
    "weekly": WeeklyService,
    "activity": DailyActivity,
}
ROW_PLAN_PATHS = {
    "need": "plan",
    "goal": "need__plan",
    "item": "goal__need__plan",
    "weekly": "plan",
    "activity": "plan",
}


@require_http_methods(["GET", "POST"])
def row_delete(request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
    """GET: a confirmation page naming the row and what goes with it; POST: delete it."""
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    if kind not in ROW_MODELS:
        raise Http404("見つかりません。")
    model = ROW_MODELS[kind]
    row = get_visible_or_404(
        model._default_manager.filter(**{ROW_PLAN_PATHS[kind]: plan}), request.actor, pk=row_pk
    )
    back_url = reverse("careplans:plan", args=[plan.pk]) + (
        "#table3" if kind in ("weekly", "activity") else "#table2"
    )
    if request.method == "GET":
        if not plan.is_editable:
            messages.error(request, services.CONFIRMED_READ_ONLY_MESSAGE)
            return redirect(back_url)
        log_access(request, "care_plan:edit", plan.pk, plan.client_id)
        return render(
            request,
            "careplans/row_delete.html",
            {
                "client": plan.client,
                "plan": plan,
                "kind": kind,
                "row_pk": row.pk,
                "preview": services.plan_row_delete_preview(kind=kind, row=row),
                "back_url": back_url,
            },
        )
    try:
        expected = int(request.POST.get("plan_version", "0"))
    except ValueError:
        expected = 0
    try:
        services.plan_row_delete(actor=request.actor, plan=plan, expected_version=expected, row=row)
    except services.PlanEditConflictError as error:
        messages.error(
            request,
            f"{error.other_party}が先に計画を変更しました。内容を確かめてからもう一度操作してください。",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{services.ROW_KIND_LABELS[kind]}を削除しました。")
    return redirect(back_url)
