"""説明・同意・交付, revision and 軽微な変更."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import require_plan_writer
from careplans import services
from careplans.forms import (
    ConfirmForm,
    MinorChangeForm,
    ReviseForm,
)
from careplans.models import (
    Assessment,
)
from careplans.views.common import (
    add_service_errors,
    log_access,
    render_form_page,
    visible_plan,
)

# --- 説明・同意・交付, revision, 軽微な変更 -------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    providers = services.plan_providers(plan)
    doctor = services.plan_doctor(plan)
    today = timezone.localdate()
    form = ConfirmForm(
        request.POST or None,
        providers=providers,
        doctor=doctor,
        initial={"consented_on": today, "delivered_on": today, "doctor_delivered_on": today},
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
                doctor_delivered_on=form.doctor_delivered_on(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "説明・同意・交付を記録し、計画を確定しました。")
            return redirect("careplans:plan", pk=plan.pk)
    log_access(request, "care_plan:confirm", plan.pk, plan.client_id)
    return render_form_page(
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
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
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
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"第{revision.sequence}版の原案を作りました（第{plan.sequence}版の写し）。"
            )
            return redirect("careplans:plan", pk=revision.pk)
    log_access(request, "care_plan:revise", plan.pk, plan.client_id)
    return render_form_page(
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
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    form = MinorChangeForm(request.POST or None, initial={"changed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.minor_change_record(actor=request.actor, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "軽微な変更を記録しました。支援経過（第5表）にも理由を残してください。"
            )
            return redirect(reverse("careplans:plan", args=[plan.pk]) + "#minor")
    log_access(request, "care_plan:minor_change", plan.pk, plan.client_id)
    return render_form_page(
        request,
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "title": "軽微な変更を記録",
            "back_url": reverse("careplans:plan", args=[plan.pk]),
        },
    )
