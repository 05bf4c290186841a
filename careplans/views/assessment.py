"""Assessment (課題分析) screens."""

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
from caremgmt.access import get_visible_or_404, require_plan_writer
from careplans import selectors, services
from careplans.forms import (
    AssessmentForm,
    AssessmentStartForm,
)
from careplans.models import (
    Assessment,
    AssessmentReason,
)
from careplans.views.common import (
    add_service_errors,
    log_access,
    render_form_page,
    visible_client,
)

# --- assessment --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    client = visible_client(request, client_pk)
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
    log_access(request, "client:assessment_new", client.pk, client.pk)
    return render_form_page(
        request,
        {
            "client": client,
            "form": form,
            "title": "アセスメントを始める",
            "intro": "前回のアセスメントがあれば、その内容を写して始めます。"
            "基本情報・主訴・認定情報・理由は台帳と認定から写します。",
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
    draft_info: dict[str, Any] = {}
    if request.method == "POST":
        require_plan_writer(request.actor)
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
                add_service_errors(form, error)
            else:
                drafts.discard_drafts(request)
                messages.success(request, "アセスメントを保存しました。")
                return redirect("careplans:assessment", pk=assessment.pk)
    else:
        restored, draft_info = drafts.draft_context(request)
        form = AssessmentForm(
            restored,
            instance=assessment,
            item_set_tag=assessment.item_set,
            answers=assessment.answers,
            initial={"version": assessment.version},
        )
    log_access(request, "assessment", assessment.pk, client.pk)  # re-rendered POSTs too
    return render(
        request,
        "careplans/assessment.html",
        {
            "client": client,
            "assessment": assessment,
            "form": form,
            "completeness": selectors.assessment_completeness(assessment),
            "can_write": request.actor.can_write_plans,
            **draft_info,
        },
    )
