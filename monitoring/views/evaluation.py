"""評価表 screens: list, new (from the plan in force), detail, correction, print, and one
goal's history across months. Thin: parse, call monitoring.evaluation, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caremgmt.access import get_visible_or_404, require_plan_writer, visible
from caremgmt.audit import record_access
from caremgmt.forms import add_service_errors
from caremgmt.locking import StaleEditError
from caremgmt.printing.views import print_status_response
from careplans.models import CarePlan, Goal
from clients.models import Client
from monitoring.evaluation import selectors, services
from monitoring.evaluation.forms import EvaluationLineForm, EvaluationSheetForm
from monitoring.evaluation.marks import result_legend
from monitoring.evaluation.printing import evaluation_print as print_sheet
from monitoring.models import EvaluationSheet

SHEET_RELATED = ("client", "client__office", "plan", "author")


def _visible_client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related("office", "care_manager"), request.actor, pk=pk
    )


def _visible_sheet(request: HttpRequest, pk: int) -> EvaluationSheet:
    return get_visible_or_404(
        EvaluationSheet.objects.select_related(*SHEET_RELATED), request.actor, pk=pk
    )


def _chosen_plan(request: HttpRequest, client: Client) -> CarePlan | None:
    """`?plan=<pk>`: a 確定/改訂済 version of this client's plan (404 otherwise); without it,
    the plan in force."""
    chosen = request.GET.get("plan")
    if chosen:
        return get_visible_or_404(
            selectors.evaluable_plans(client_id=client.pk), request.actor, pk=chosen
        )
    return selectors.plan_in_force(client_id=client.pk)


def _line_forms(
    request: HttpRequest, rows: list[selectors.GoalRow]
) -> list[tuple[selectors.GoalRow, EvaluationLineForm]]:
    data = request.POST if request.method == "POST" else None
    return [
        (row, EvaluationLineForm(data, goal_id=row.goal.pk, initial=row.prefill())) for row in rows
    ]


def _save(
    request: HttpRequest,
    form: EvaluationSheetForm,
    line_forms: list[tuple[selectors.GoalRow, EvaluationLineForm]],
    *,
    plan: CarePlan,
    sheet: EvaluationSheet | None = None,
) -> tuple[EvaluationSheet | None, StaleEditError | None]:
    """Validate and save; (saved sheet, None), or (None, conflict) / (None, None) with the
    errors on the forms."""
    valid = form.is_valid()
    valid = all([line_form.is_valid() for _, line_form in line_forms]) and valid
    if not valid:
        return None, None
    lines = [line for _, f in line_forms if (line := f.line_input()) is not None]
    try:
        saved = services.evaluation_record(
            actor=request.actor,
            plan=plan,
            evaluated_on=form.cleaned_data["evaluated_on"],
            summary=form.cleaned_data.get("summary", ""),
            lines=lines,
            sheet=sheet,
            expected_version=form.expected_version(),
        )
    except StaleEditError as error:
        form.after_conflict(error)
        return None, error
    except ValidationError as error:
        add_service_errors(form, error)
        return None, None
    return saved, None


def _form_context(**context: Any) -> dict[str, Any]:
    return {"legend": result_legend(), "conflict_subject": "評価表", **context}


@require_http_methods(["GET"])
def evaluation_list(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _visible_client(request, client_pk)
    sheets = list(
        visible(EvaluationSheet.objects.filter(client=client), request.actor)
        .select_related("plan", "author")
        .order_by("-evaluated_on", "-pk")
    )
    record_access(
        request, subject_type="evaluation:list", subject_id=client.pk, client_id=client.pk
    )
    return render(
        request,
        "monitoring/evaluation/list.html",
        {
            "client": client,
            "sheets": sheets,
            "plans": list(selectors.evaluable_plans(client_id=client.pk)),
            "can_write": request.actor.can_write_plans,
        },
    )


@require_http_methods(["GET", "POST"])
def evaluation_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    """A new 評価表 for the plan in force (or `?plan=`): each short-term goal, those whose
    period ends this month or has ended first and preselected, prefilled from monitoring."""
    require_plan_writer(request.actor)  # a write form: 事務 and 監査 get 403
    client = _visible_client(request, client_pk)
    plan = _chosen_plan(request, client)
    context: dict[str, Any] = {"client": client, "plan": plan, "sheet": None}
    if plan is not None:
        rows = selectors.evaluation_rows(plan=plan, today=timezone.localdate())
        form = EvaluationSheetForm(
            request.POST or None, initial={"evaluated_on": timezone.localdate()}
        )
        line_forms = _line_forms(request, rows)
        if request.method == "POST":
            saved, _ = _save(request, form, line_forms, plan=plan)
            if saved is not None:
                messages.success(request, "評価表を保存しました。")
                return redirect("monitoring:evaluation_detail", pk=saved.pk)
        context.update(form=form, line_forms=line_forms)
    record_access(request, subject_type="evaluation:new", subject_id=client.pk, client_id=client.pk)
    return render(request, "monitoring/evaluation/form.html", _form_context(**context))


@require_http_methods(["GET", "POST"])
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a saved sheet (optimistic lock: a stale form is refused with the conflict)."""
    require_plan_writer(request.actor)
    sheet = _visible_sheet(request, pk)
    rows = selectors.evaluation_rows(plan=sheet.plan, today=timezone.localdate(), sheet=sheet)
    form = EvaluationSheetForm(request.POST or None, sheet=sheet)
    line_forms = _line_forms(request, rows)
    conflict = None
    if request.method == "POST":
        saved, conflict = _save(request, form, line_forms, plan=sheet.plan, sheet=sheet)
        if saved is not None:
            messages.success(request, "評価表を更新しました。")
            return redirect("monitoring:evaluation_detail", pk=saved.pk)
    record_access(
        request, subject_type="evaluation:edit", subject_id=sheet.pk, client_id=sheet.client_id
    )
    return render(
        request,
        "monitoring/evaluation/form.html",
        _form_context(
            client=sheet.client,
            plan=sheet.plan,
            sheet=sheet,
            form=form,
            line_forms=line_forms,
            conflict=conflict,
        ),
    )


@require_http_methods(["GET"])
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = _visible_sheet(request, pk)
    rows = selectors.sheet_rows(sheet=sheet)
    record_access(
        request, subject_type="evaluation", subject_id=sheet.pk, client_id=sheet.client_id
    )
    return render(
        request,
        "monitoring/evaluation/detail.html",
        {
            "client": sheet.client,
            "plan": sheet.plan,
            "sheet": sheet,
            "rows": rows,
            "legend": result_legend(),
            "can_write": request.actor.can_write_plans,
        },
    )


@require_POST
def evaluation_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Request the 評価表 PDF. Printing counts as reading (監査 may print); the download
    writes the 印刷 log."""
    sheet = _visible_sheet(request, pk)
    job = print_sheet(actor=request.actor, sheet=sheet)
    if not request.htmx:
        return redirect("printing:status", pk=job.pk)
    return print_status_response(request, job)


@require_http_methods(["GET"])
def evaluation_goal_history(request: HttpRequest, goal_pk: int) -> HttpResponse:
    """One short-term goal across months: every monitoring 達成度 and every 評価表 result."""
    goal = get_visible_or_404(
        Goal.objects.select_related("need__plan__client"), request.actor, pk=goal_pk
    )
    plan = goal.need.plan
    history = selectors.goal_history(goal=goal)
    record_access(
        request, subject_type="goal:history", subject_id=goal.pk, client_id=plan.client_id
    )
    return render(
        request,
        "monitoring/evaluation/history.html",
        {"client": plan.client, "plan": plan, "goal": goal, "history": history},
    )
