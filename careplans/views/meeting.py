"""第4表: the service-provider conference (サービス担当者会議)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_plan_writer, visible
from caremgmt.locking import StaleEditError
from careplans import selectors, services
from careplans.forms import (
    AttendeeFormSet,
    AttendeeFormSetWithBlanks,
    MeetingForm,
    NoMeetingForm,
)
from careplans.models import (
    CarePlan,
    Meeting,
    PlanStatus,
)
from careplans.views.common import (
    add_service_errors,
    log_access,
    render_form_page,
    visible_plan,
)
from clients.models import Doctor

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
        plan = visible_plan(request, meeting.plan_id)
    else:
        require_plan_writer(request.actor)  # recording a new meeting is a write form
        meeting = None
        plan = visible_plan(request, plan_pk)
    if request.method == "POST":
        require_plan_writer(request.actor)
    can_edit = request.actor.can_write_plans and plan.is_editable
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        initial=None
        if meeting
        else {
            "held_on": timezone.localdate(),
            "sheet_date": timezone.localdate(),
            "place": "利用者宅",
            "concludes_plan": True,
            "items_discussed": "居宅サービス計画原案の内容について",
        },
    )
    formset = _attendee_formset(request, plan, meeting)
    conflict = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        attendees = [a for a in (f.attendee() for f in formset.forms) if a]
        try:
            saved = services.meeting_record(
                actor=request.actor,
                plan=plan,
                fields=form.cleaned_data,
                attendees=attendees,
                meeting=meeting,
                expected_version=form.expected_version(),
            )
        except StaleEditError as error:
            conflict = error  # the attendees typed stay in the bound formset
            form.after_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
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
        log_access(
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
            "conflict": conflict,
            "conflict_subject": "会議の記録",
            "conflict_other_note": "出席者の欄が変更されています。",
        },
    )


@require_http_methods(["GET", "POST"])
def no_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    plan = visible_plan(request, pk)
    form = NoMeetingForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.careplan_record_no_meeting(actor=request.actor, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "担当者会議を開催しない理由を記録しました（会議済）。")
            return redirect("careplans:plan", pk=plan.pk)
    log_access(request, "care_plan:no_meeting", plan.pk, plan.client_id)
    return render_form_page(
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
