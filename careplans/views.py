"""Care plan screens: thin function views — parse, call a selector or service, render.

Every lookup goes through the access helper (404 for anything not visible); every write
view calls `require_writer`; every page that shows a client's plan or assessment writes an
access-log row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caremgmt.access import get_visible_or_404, require_writer, visible
from caremgmt.audit import record_access
from caremgmt.printing.views import print_status_response
from careplans import documents, selectors, services
from careplans import printing as plan_printing
from careplans.forms import (
    AssessmentForm,
    AssessmentStartForm,
    AttendeeFormSet,
    AttendeeFormSetWithBlanks,
    ConfirmForm,
    DailyActivityForm,
    GoalForm,
    MeetingForm,
    MinorChangeForm,
    NeedForm,
    NoMeetingForm,
    PlanCreateForm,
    PlanForm,
    ReviseForm,
    SupportItemForm,
    WeeklyServiceForm,
)
from careplans.models import (
    Assessment,
    AssessmentReason,
    CarePlan,
    DailyActivity,
    Goal,
    Meeting,
    Need,
    PlanStatus,
    SupportItem,
    WeeklyService,
)
from clients.models import Client, Doctor
from clients.models import ServiceProvider as ServiceProviderModel
from clients.selectors import client_facts_on

PLAN_RELATED = ("client", "client__office", "client__care_manager", "author", "assessment")


def _client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related("care_manager", "office"), request.actor, pk=pk
    )


def _plan(request: HttpRequest, pk: int) -> CarePlan:
    return get_visible_or_404(
        CarePlan.objects.select_related(*PLAN_RELATED, "certification"), request.actor, pk=pk
    )


def _log(request: HttpRequest, subject_type: str, subject_id: int, client_id: int) -> None:
    record_access(request, subject_type=subject_type, subject_id=subject_id, client_id=client_id)


def _add_service_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "careplans/form.html", context)


# --- index and the client's workflow -----------------------------------------------------


def plan_index(request: HttpRequest) -> HttpResponse:
    """ケアプラン: the actor's visible clients with plan status (sortable)."""
    sort = request.GET.get("sort", "kana")
    if sort not in selectors.INDEX_SORTS:
        sort = "kana"
    context = {
        "clients": list(selectors.plan_index(actor=request.actor, sort=sort)),
        "sort": sort,
        "statuses": dict(PlanStatus.choices),
    }
    template = "careplans/index.html#results" if request.htmx else "careplans/index.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def client_workflow(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client(request, client_pk)
    _log(request, "careplans:client", client.pk, client.pk)
    today = timezone.localdate()
    assessments = selectors.client_assessments(client=client)
    plans = selectors.client_plans(client=client)
    context = {
        "client": client,
        "facts": client_facts_on(client=client, day=today),
        "assessments": [(a, selectors.assessment_completeness(a)) for a in assessments],
        "plans": plans,
        "workflow": selectors.client_workflow(
            client=client, assessments=assessments, plans=plans, today=today
        ),
        "can_write": request.actor.can_write,
    }
    return render(request, "careplans/client.html", context)


# --- assessment --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, client_pk)
    has_previous = Assessment.objects.filter(client=client).exists()
    form = AssessmentStartForm(
        request.POST or None,
        initial={
            "assessed_on": timezone.localdate(),
            "reason": AssessmentReason.RENEWAL if has_previous else AssessmentReason.INITIAL,
            "place": "自宅",
        },
    )
    if request.method == "POST" and form.is_valid():
        assessment = services.assessment_start(
            actor=request.actor, client=client, **form.cleaned_data
        )
        messages.success(
            request,
            "アセスメントを作成しました。"
            + (
                "前回の内容を写してあります。変わったところを直してください。"
                if has_previous
                else ""
            ),
        )
        return redirect("careplans:assessment", pk=assessment.pk)
    return _form_page(
        request,
        {
            "client": client,
            "form": form,
            "title": "アセスメントを始める",
            "intro": "前回のアセスメントがあれば、その内容を写して始めます。",
            "back_url": reverse("careplans:client", args=[client.pk]),
            "submit_label": "作成する",
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_visible_or_404(
        Assessment.objects.select_related("client", "assessor", "client__care_manager"),
        request.actor,
        pk=pk,
    )
    client = assessment.client
    if request.method == "POST":
        require_writer(request.actor)
        form = AssessmentForm(
            request.POST,
            instance=assessment,
            item_set_tag=assessment.item_set,
            answers=assessment.answers,
        )
        if form.is_valid():
            try:
                services.assessment_update(
                    actor=request.actor,
                    assessment=assessment,
                    expected_version=form.cleaned_data["version"],
                    assessed_on=form.cleaned_data["assessed_on"],
                    reason=form.cleaned_data["reason"],
                    reason_note=form.cleaned_data["reason_note"],
                    place=form.cleaned_data["place"],
                    answers=form.answers(),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "アセスメントを保存しました。")
                return redirect("careplans:assessment", pk=assessment.pk)
    else:
        _log(request, "assessment", assessment.pk, client.pk)
        form = AssessmentForm(
            instance=assessment,
            item_set_tag=assessment.item_set,
            answers=assessment.answers,
            initial={"version": assessment.version},
        )
    return render(
        request,
        "careplans/assessment.html",
        {
            "client": client,
            "assessment": assessment,
            "form": form,
            "completeness": selectors.assessment_completeness(assessment),
            "can_write": request.actor.can_write,
        },
    )


# --- plan (第1表) ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, client_pk)
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
            _add_service_errors(form, error)
        else:
            messages.success(request, "原案を作成しました。第1表から順に入力してください。")
            return redirect("careplans:plan", pk=plan.pk)
    return _form_page(
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
    plan = _plan(request, pk)
    _log(request, "care_plan", plan.pk, plan.client_id)
    context = {
        "plan": plan,
        "client": plan.client,
        "can_write": request.actor.can_write,
        "can_edit": request.actor.can_write and plan.is_editable,
        "weekdays": documents.WEEKDAYS,
        "table3": documents.table3(plan),
        "print_available": documents.print_available(),
        **selectors.plan_for_display(plan=plan),
    }
    return render(request, "careplans/plan.html", context)


def _conflict_context(error: services.PlanEditConflictError) -> dict[str, Any]:
    return {"conflict": error}


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """第1表 with the optimistic version check."""
    require_writer(request.actor)
    plan = _plan(request, pk)
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
                _add_service_errors(form, error)
            else:
                messages.success(request, "第1表を保存しました。")
                return redirect("careplans:plan", pk=plan.pk)
    else:
        _log(request, "care_plan:edit", plan.pk, plan.client_id)
        form = PlanForm(instance=plan, initial={"version": plan.version})
    return _form_page(
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
    require_writer(request.actor)
    form_kwargs = form_kwargs or {}
    conflict = None
    if request.method == "POST":
        form = form_class(request.POST, instance=instance, **form_kwargs)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            expected = fields.pop("plan_version")
            try:
                result = save(expected_version=expected, fields=fields)
            except services.PlanEditConflictError as error:
                conflict = error
                data = request.POST.copy()
                data["plan_version"] = str(error.plan.version)
                form = form_class(data, instance=instance, **form_kwargs)
                form.is_valid()
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(request, f"{title}を保存しました。")
                return redirect(reverse("careplans:plan", args=[plan.pk]) + anchor)
    else:
        if not plan.is_editable:
            messages.error(request, services.CONFIRMED_READ_ONLY_MESSAGE)
            return redirect("careplans:plan", pk=plan.pk)
        _log(request, "care_plan:edit", plan.pk, plan.client_id)
        form = form_class(instance=instance, initial={"plan_version": plan.version}, **form_kwargs)
    return _form_page(
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
    plan = _plan(request, pk)
    need = (
        get_visible_or_404(Need.objects.filter(plan=plan), request.actor, pk=need_pk)
        if need_pk
        else None
    )

    def save(*, expected_version: int, fields: dict[str, Any]) -> services.SaveResult:
        return services.need_save(
            actor=request.actor,
            plan=plan,
            expected_version=expected_version,
            need=need,
            text=fields["text"],
            order=fields.get("order"),
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
    need = get_visible_or_404(Need.objects.select_related("plan"), request.actor, pk=need_pk)
    plan = _plan(request, need.plan_id)
    goal = get_visible_or_404(need.goals.all(), request.actor, pk=goal_pk) if goal_pk else None

    def save(*, expected_version: int, fields: dict[str, Any]) -> services.SaveResult:
        return services.goal_save(
            actor=request.actor,
            plan=plan,
            expected_version=expected_version,
            need=need,
            goal=goal,
            fields=fields,
        )

    form_class = GoalForm
    if goal is None:
        form_class = _with_initial(
            GoalForm, {"long_term_from": plan.starts_on, "short_term_from": plan.starts_on}
        )
    return _row_view(
        request,
        plan=plan,
        form_class=form_class,
        instance=goal,
        save=save,
        title=f"援助目標（ニーズ：{need.text[:20]}）",
        anchor="#table2",
    )


@require_http_methods(["GET", "POST"])
def support_item_edit(
    request: HttpRequest, goal_pk: int, item_pk: int | None = None
) -> HttpResponse:
    goal = get_visible_or_404(Goal.objects.select_related("need"), request.actor, pk=goal_pk)
    plan = _plan(request, goal.need.plan_id)
    item = (
        get_visible_or_404(goal.support_items.all(), request.actor, pk=item_pk) if item_pk else None
    )

    def save(*, expected_version: int, fields: dict[str, Any]) -> services.SaveResult:
        return services.support_item_save(
            actor=request.actor,
            plan=plan,
            expected_version=expected_version,
            goal=goal,
            item=item,
            fields=fields,
        )

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
        form_kwargs={"providers": selectors.visible_providers(actor=request.actor)},
        anchor="#table2",
    )


@require_http_methods(["GET", "POST"])
def weekly_edit(request: HttpRequest, pk: int, weekly_pk: int | None = None) -> HttpResponse:
    plan = _plan(request, pk)
    weekly = (
        get_visible_or_404(plan.weekly_services.all(), request.actor, pk=weekly_pk)
        if weekly_pk
        else None
    )

    def save(*, expected_version: int, fields: dict[str, Any]) -> services.SaveResult:
        return services.weekly_service_save(
            actor=request.actor,
            plan=plan,
            expected_version=expected_version,
            weekly=weekly,
            fields=fields,
        )

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
    plan = _plan(request, pk)
    activity = (
        get_visible_or_404(plan.daily_activities.all(), request.actor, pk=activity_pk)
        if activity_pk
        else None
    )

    def save(*, expected_version: int, fields: dict[str, Any]) -> services.SaveResult:
        return services.daily_activity_save(
            actor=request.actor,
            plan=plan,
            expected_version=expected_version,
            activity=activity,
            fields=fields,
        )

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


@require_POST
def row_delete(request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
    require_writer(request.actor)
    plan = _plan(request, pk)
    if kind not in ROW_MODELS:
        raise Http404("見つかりません。")
    model = ROW_MODELS[kind]
    row = get_visible_or_404(
        model._default_manager.filter(**{ROW_PLAN_PATHS[kind]: plan}), request.actor, pk=row_pk
    )
    try:
        expected = int(request.POST.get("plan_version", "0"))
    except ValueError:
        expected = 0
    try:
        services.plan_row_delete(actor=request.actor, plan=plan, expected_version=expected, row=row)
    except services.PlanEditConflictError:
        messages.error(
            request,
            "他の職員が先に計画を変更しました。内容を確かめてからもう一度操作してください。",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "削除しました。")
    return redirect(
        reverse("careplans:plan", args=[plan.pk])
        + ("#table3" if kind in ("weekly", "activity") else "#table2")
    )


# --- 第4表 -----------------------------------------------------------------------------------


def _attendee_formset(request: HttpRequest, plan: CarePlan, meeting: Meeting | None) -> Any:
    providers = selectors.visible_providers(actor=request.actor)
    doctors = visible(Doctor.objects.all(), request.actor)
    kwargs = {"form_kwargs": {"providers": providers, "doctors": doctors}, "prefix": "attendees"}
    if request.method == "POST":
        return AttendeeFormSet(request.POST, **kwargs)
    if meeting is not None:
        initial = list(
            meeting.attendees.values(
                "kind",
                "provider",
                "doctor",
                "affiliation",
                "name",
                "attended",
                "absence_reason",
                "inquiry_on",
                "inquiry_content",
                "inquiry_answer",
            )
        )
    else:
        client = plan.client
        initial = [{"kind": "client", "affiliation": "本人", "name": client.name, "attended": True}]
        for provider in services.plan_providers(plan):
            initial.append(
                {
                    "kind": "provider",
                    "provider": provider.pk,
                    "affiliation": provider.name,
                    "attended": True,
                }
            )
        if client.primary_doctor_id:
            initial.append(
                {
                    "kind": "doctor",
                    "doctor": client.primary_doctor_id,
                    "affiliation": client.primary_doctor.institution_name,
                    "name": client.primary_doctor.doctor_name,
                    "attended": False,
                }
            )
        initial.append({"kind": "family", "affiliation": "家族", "attended": True})
    return AttendeeFormSetWithBlanks(initial=initial, **kwargs)


@require_http_methods(["GET", "POST"])
def meeting_edit(
    request: HttpRequest, pk: int | None = None, plan_pk: int | None = None
) -> HttpResponse:
    """Record (plan_pk) or correct (pk) a サービス担当者会議 — 第4表."""
    if pk is not None:
        meeting = get_visible_or_404(Meeting.objects.select_related("plan"), request.actor, pk=pk)
        plan = _plan(request, meeting.plan_id)
    else:
        meeting = None
        plan = _plan(request, plan_pk)
    if request.method == "POST":
        require_writer(request.actor)
    can_edit = request.actor.can_write and plan.is_editable
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        initial=None
        if meeting
        else {
            "held_on": timezone.localdate(),
            "place": "利用者宅",
            "concludes_plan": True,
            "items_discussed": "居宅サービス計画原案の内容について",
        },
    )
    formset = _attendee_formset(request, plan, meeting)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        attendees = [a for a in (f.attendee() for f in formset.forms) if a]
        try:
            saved = services.meeting_record(
                actor=request.actor,
                plan=plan,
                fields=form.cleaned_data,
                attendees=attendees,
                meeting=meeting,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            plan.refresh_from_db()
            note = (
                "原案は会議済になりました。次は説明・同意・交付です。"
                if plan.status == PlanStatus.MET
                else ""
            )
            messages.success(request, f"担当者会議（第{saved.count}回）を記録しました。{note}")
            return redirect(reverse("careplans:plan", args=[plan.pk]) + "#table4")
    if request.method == "GET":
        _log(
            request,
            "meeting" if meeting else "care_plan:meeting",
            meeting.pk if meeting else plan.pk,
            plan.client_id,
        )
    return render(
        request,
        "careplans/meeting.html",
        {
            "client": plan.client,
            "plan": plan,
            "meeting": meeting,
            "form": form,
            "formset": formset,
            "can_edit": can_edit,
        },
    )


@require_http_methods(["GET", "POST"])
def no_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    plan = _plan(request, pk)
    form = NoMeetingForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.careplan_record_no_meeting(actor=request.actor, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "担当者会議を開催しない理由を記録しました（会議済）。")
            return redirect("careplans:plan", pk=plan.pk)
    return _form_page(
        request,
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "title": "担当者会議を開催しない理由",
            "intro": "やむを得ず会議を開けないときは、理由と担当者への照会の内容を記録します。",
            "back_url": reverse("careplans:plan", args=[plan.pk]),
        },
    )


# --- 説明・同意・交付, revision, 軽微な変更 -------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    plan = _plan(request, pk)
    providers = services.plan_providers(plan)
    today = timezone.localdate()
    form = ConfirmForm(
        request.POST or None,
        providers=providers,
        initial={"consented_on": today, "delivered_on": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.careplan_confirm(
                actor=request.actor,
                plan=plan,
                consented_on=form.cleaned_data["consented_on"],
                delivered_on=form.cleaned_data["delivered_on"],
                consented_by=form.cleaned_data["consented_by"],
                provider_deliveries=form.provider_deliveries(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "説明・同意・交付を記録し、計画を確定しました。")
            return redirect("careplans:plan", pk=plan.pk)
    elif request.method == "GET":
        _log(request, "care_plan:confirm", plan.pk, plan.client_id)
    return _form_page(
        request,
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "title": "説明・同意・交付（計画の確定）",
            "intro": "利用者（家族）に計画を説明して同意を得た日と、利用者・各事業所に交付した日を記録します。"
            "事業所の交付日が空欄なら利用者への交付日と同じ日にします。",
            "back_url": reverse("careplans:plan", args=[plan.pk]),
            "submit_label": "同意を記録して確定する",
        },
    )


@require_http_methods(["GET", "POST"])
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    plan = _plan(request, pk)
    latest = (
        Assessment.objects.filter(client=plan.client).order_by("-assessed_on", "-sequence").first()
    )
    form = ReviseForm(
        request.POST or None,
        client=plan.client,
        initial={"drafted_on": timezone.localdate(), "assessment": latest},
    )
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.careplan_revise(actor=request.actor, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request, f"第{revision.sequence}版の原案を作りました（第{plan.sequence}版の写し）。"
            )
            return redirect("careplans:plan", pk=revision.pk)
    return _form_page(
        request,
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "title": "計画を改訂する（新しい版の原案）",
            "intro": "現在の計画を写して新しい原案を作ります。新しい版が確定するまで、今の計画が有効です。",
            "back_url": reverse("careplans:plan", args=[plan.pk]),
            "submit_label": "原案を作る",
        },
    )


@require_http_methods(["GET", "POST"])
def minor_change(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    plan = _plan(request, pk)
    form = MinorChangeForm(request.POST or None, initial={"changed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.minor_change_record(actor=request.actor, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request, "軽微な変更を記録しました。支援経過（第5表）にも理由を残してください。"
            )
            return redirect(reverse("careplans:plan", args=[plan.pk]) + "#minor")
    return _form_page(
        request,
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "title": "軽微な変更を記録",
            "back_url": reverse("careplans:plan", args=[plan.pk]),
        },
    )


# --- ケアプランデータ連携 export / import ---------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class _ExportForm(Form):
    def __init__(self, *args: Any, providers: list[Any], **kwargs: Any) -> None:
        from django import forms

        super().__init__(*args, **kwargs)
        self.fields["provider"] = forms.ModelChoiceField(
            label="送信先の事業所",
            queryset=ServiceProviderModel.objects.filter(pk__in=[p.pk for p in providers]),
            empty_label=None,
            help_text="第1〜3表（第2表は計画のすべての援助内容）と利用者補足情報を出力します。",
        )
        self.fields["confirm"] = forms.BooleanField(
            required=False, widget=forms.HiddenInput, initial=False
        )


@require_http_methods(["GET", "POST"])
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """ケアプランデータ連携 CSV (送信単位) of one plan for one provider, as a ZIP download.
    Characters outside MS932 are listed first; the download follows after confirming."""
    import io
    import zipfile

    from careplans.exchange_mapping import careplan_export

    plan = _plan(request, pk)
    providers = services.plan_providers(plan)
    form = _ExportForm(request.POST or None, providers=providers)
    substitutions: list[Any] = []
    if request.method == "POST" and form.is_valid():
        provider = form.cleaned_data["provider"]
        try:
            result = careplan_export(
                actor=request.actor,
                plan=plan,
                provider=provider,
                sent_at=timezone.localtime().replace(microsecond=0, tzinfo=None),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            if result.substitutions and not form.cleaned_data["confirm"]:
                substitutions = result.substitutions
                form = _ExportForm(
                    initial={"provider": provider.pk, "confirm": True}, providers=providers
                )
            else:
                record_access(
                    request,
                    subject_type="care_plan:exchange",
                    subject_id=plan.pk,
                    client_id=plan.client_id,
                    action="export",
                )
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    for name, data in result.files.items():
                        archive.writestr(name, data)
                stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
                response = HttpResponse(buffer.getvalue(), content_type="application/zip")
                response["Content-Disposition"] = (
                    f'attachment; filename="careplan_{plan.pk}_{provider.provider_number}_{stamp}.zip"'
                )
                return response
    elif request.method == "GET":
        _log(request, "care_plan:exchange", plan.pk, plan.client_id)
    return render(
        request,
        "careplans/exchange_export.html",
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "providers": providers,
            "substitutions": substitutions,
            "back_url": reverse("careplans:plan", args=[plan.pk]),
        },
    )


def _uploaded_unit(uploads: list[Any]) -> dict[str, bytes]:
    """{file name: bytes} from uploaded CSV files and/or ZIP archives (folders ignored)."""
    import io
    import zipfile
    from pathlib import PurePosixPath

    files: dict[str, bytes] = {}
    for upload in uploads:
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError({"files": "ファイルが大きすぎます（5MBまで）。"})
        data = upload.read()
        if upload.name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for info in archive.infolist():
                        name = PurePosixPath(info.filename).name
                        if info.is_dir() or not name.upper().endswith(".CSV"):
                            continue
                        if info.file_size > MAX_IMPORT_BYTES:
                            raise ValidationError(
                                {"files": "ZIPの中のファイルが大きすぎます（5MBまで）。"}
                            )
                        files[name] = archive.read(info)
            except zipfile.BadZipFile as error:
                raise ValidationError({"files": "ZIPファイルを読み込めません。"}) from error
        else:
            files[PurePosixPath(upload.name).name] = data
    if not files:
        raise ValidationError({"files": "CSVファイル（またはZIP）を選んでください。"})
    return files


class _ImportForm(Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django import forms

        class _MultipleFileInput(forms.ClearableFileInput):
            allow_multiple_selected = True

        class _MultipleFileField(forms.FileField):
            def clean(self, data: Any, initial: Any = None) -> Any:
                items = data if isinstance(data, list | tuple) else [data]
                return [super(_MultipleFileField, self).clean(d, initial) for d in items if d]

        super().__init__(*args, **kwargs)
        self.fields["files"] = _MultipleFileField(
            label="CSVファイル（UP1KYO・UP2KYO・UP3KYO・UPHOSOKU）またはZIP",
            required=False,
            widget=_MultipleFileInput(attrs={"multiple": True, "accept": ".csv,.CSV,.zip"}),
            help_text="第1表（UP1KYO）は必須です。保険者番号・被保険者番号がこの利用者と一致する計画を新しい原案として取り込みます。",
        )


@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Upload a received ケアプランデータ連携 unit for this client → a new 原案."""
    from careplans.exchange import CsvReadError
    from careplans.exchange_mapping import careplan_import, problem_message

    require_writer(request.actor)
    client = _client(request, client_pk)
    form = _ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            files = _uploaded_unit(request.FILES.getlist("files"))
            plan = careplan_import(actor=request.actor, client=client, files=files)
        except CsvReadError as error:
            problems = [problem_message(problem) for problem in error.problems]
            form.add_error(None, "ファイルの内容に誤りがあります。下の一覧を確認してください。")
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"第{plan.sequence}版の原案として取り込みました。"
                "事業所が名簿にない援助内容と第3表の週間サービスは保険外の行になっています。"
                "事業所・サービスコードを確認してください。",
            )
            return redirect("careplans:plan", pk=plan.pk)
    return render(
        request,
        "careplans/exchange_import.html",
        {
            "client": client,
            "form": form,
            "problems": problems,
            "back_url": reverse("careplans:client", args=[client.pk]),
        },
    )


@require_POST
def plan_print(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """Request the PDF of 第{table}表 ("1".."4", or "all") of any version of a visible plan.
    Printing counts as reading (監査 may print too); the download writes the 印刷 log."""
    if table not in plan_printing.TABLES:
        raise Http404("帳票がありません。")
    plan = _plan(request, pk)
    job = plan_printing.careplan_print(actor=request.actor, plan=plan, table=table)
    if not request.htmx:
        return redirect("printing:status", pk=job.pk)
    return print_status_response(request, job)
