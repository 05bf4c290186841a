"""入退院・医療連携 screens: the client's hospital page, admission, discharge, stay correction,
入院時情報提供書 (edit, provision, PDF), 退院前カンファレンス and 通院時情報連携 (record,
correct and delete: hospital_corrections.py).

Thin views: parse, call monitoring.hospital.services, render. Every page that shows the
client's data (GET, or a rejected POST that re-renders) writes one access-log row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caremgmt.access import get_visible_or_404, require_plan_writer, require_writer, visible
from caremgmt.audit import record_access
from caremgmt.forms import add_service_errors
from caremgmt.locking import StaleEditError
from caremgmt.printing.views import print_status_response
from caremgmt.wareki import wareki_date
from clients.models import Client, Doctor, HospitalStay
from monitoring.hospital import printing, services
from monitoring.hospital.additions import (
    admission_info_addition,
    admission_info_deadlines,
    discharge_addition_variant,
    discharge_variant_label,
)
from monitoring.hospital.forms import (
    AdmissionForm,
    ConferenceForm,
    DischargeForm,
    OutpatientForm,
    ProvidedForm,
    SheetForm,
    StayForm,
)
from monitoring.hospital.prefill import prefill_admission_sheet
from monitoring.models import AdmissionInfoSheet, DischargeConference

ADDITION_LABELS = {"hospital_1": "入院時情報連携加算（Ⅰ）", "hospital_2": "入院時情報連携加算（Ⅱ）"}


def _client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related("office", "care_manager", "primary_doctor"),
        request.actor,
        pk=pk,
    )


def _stay(request: HttpRequest, pk: int) -> HospitalStay:
    return get_visible_or_404(
        HospitalStay.objects.select_related("client", "client__office", "client__care_manager"),
        request.actor,
        pk=pk,
    )


def log_view(request: HttpRequest, client_id: int, subject_id: int) -> None:
    match = request.resolver_match
    name = match.url_name if match is not None else "hospital"
    record_access(
        request,
        subject_type=f"monitoring:{name}"[:40],
        subject_id=subject_id,
        client_id=client_id,
    )


def hospital_url(client_id: int) -> str:
    return reverse("monitoring:hospital", kwargs={"client_pk": client_id})


def form_page(
    request: HttpRequest,
    *,
    client: Client,
    subject_id: int,
    form: Form,
    title: str,
    intro: str = "",
    stay: HospitalStay | None = None,
    conflict: StaleEditError | None = None,
    conflict_subject: str = "",
    status: int = 200,
) -> HttpResponse:
    log_view(request, client.pk, subject_id)
    return render(
        request,
        "monitoring/hospital/form.html",
        {
            "client": client,
            "stay": stay,
            "form": form,
            "title": title,
            "intro": intro,
            "back_url": hospital_url(client.pk),
            "conflict": conflict,
            "conflict_subject": conflict_subject,
        },
        status=status,
    )


def visible_doctors(request: HttpRequest) -> Any:
    return visible(Doctor.objects.all(), request.actor).order_by("institution_name", "pk")


def save_under_lock(form: Form, save: Callable[[dict[str, Any]], object]) -> tuple[bool, Any]:
    """Run `save(fields)` for a valid POSTed editor form with a version token (the form's
    fields without `version`). Returns (saved, conflict): a stale version refills the form
    with the newer values and returns the StaleEditError; a service ValidationError goes to
    the form's fields."""
    fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        save(fields)
    except StaleEditError as error:
        form.after_conflict(error)
        return False, error
    except ValidationError as error:
        add_service_errors(form, error)
        return False, None
    return True, None


# --- the client's hospital page ------------------------------------------------------------


def _stay_rows(client: Client) -> list[dict[str, Any]]:
    stays = list(HospitalStay.objects.filter(client=client).order_by("-admitted_on", "-pk"))
    sheets = {sheet.stay_id: sheet for sheet in AdmissionInfoSheet.objects.filter(stay__in=stays)}
    conferences: dict[int, list[DischargeConference]] = {stay.pk: [] for stay in stays}
    for conference in DischargeConference.objects.filter(stay__in=stays):
        conferences[conference.stay_id].append(conference)
    # Open stays first, then the newest.
    stays.sort(key=lambda stay: stay.discharged_on is not None)
    rows = []
    for stay in stays:
        sheet = sheets.get(stay.pk)
        after_hours = sheet.after_hours if sheet else False
        first, second = admission_info_deadlines(stay.admitted_on, after_hours=after_hours)
        addition = (
            admission_info_addition(stay.admitted_on, sheet.provided_on, after_hours=after_hours)
            if sheet
            else None
        )
        variant = discharge_addition_variant(c.kind for c in conferences[stay.pk])
        rows.append(
            {
                "stay": stay,
                "sheet": sheet,
                "deadline_1": first,
                "deadline_2": second,
                "addition": ADDITION_LABELS.get(addition or "", ""),
                "conferences": conferences[stay.pk],
                "discharge_variant": discharge_variant_label(variant),
                "plan_review_needed": any(c.plan_review_needed for c in conferences[stay.pk]),
            }
        )
    return rows


def hospital_page(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client(request, client_pk)
    log_view(request, client.pk, client.pk)
    return render(
        request,
        "monitoring/hospital/page.html",
        {
            "client": client,
            "stays": _stay_rows(client),
            "liaisons": list(
                client.outpatient_liaisons.select_related("doctor").order_by(
                    "-accompanied_on", "-pk"
                )
            ),
            "can_write": request.actor.can_write,
            "can_write_plans": request.actor.can_write_plans,
            "today": timezone.localdate(),
        },
    )


# --- admission, discharge, correction ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def admission_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, client_pk)
    initial = {"admitted_on": request.GET.get("admitted_on") or timezone.localdate()}
    form = AdmissionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.stay_admit(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "入院を記録しました（入院中）。入院時情報提供書を作成・提供してください。"
            )
            return redirect(hospital_url(client.pk))
    return form_page(
        request,
        client=client,
        subject_id=client.pk,
        form=form,
        title="入院の記録",
        intro="入院日の当日まで（営業時間外の入院は翌日まで）に入院時情報提供書を提供すると"
        "入院時情報連携加算（Ⅰ）、翌々日までなら（Ⅱ）です。",
    )


@require_http_methods(["GET", "POST"])
def discharge(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    stay = _stay(request, pk)
    form = DischargeForm(
        request.POST or None,
        initial={"discharged_on": request.GET.get("discharged_on") or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.stay_discharge(actor=request.actor, stay=stay, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "退院を記録しました。退院後のケアプランの見直しを検討してください。"
            )
            return redirect(hospital_url(stay.client_id))
    return form_page(
        request,
        client=stay.client,
        subject_id=stay.pk,
        stay=stay,
        form=form,
        title="退院の記録",
    )


@require_http_methods(["GET", "POST"])
def stay_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    stay = _stay(request, pk)
    form = StayForm(request.POST or None, stay=stay)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = save_under_lock(
            form,
            lambda fields: services.stay_update(
                actor=request.actor,
                stay=stay,
                expected_version=form.expected_version(),
                fields=fields,
            ),
        )
        if saved:
            messages.success(request, "入院記録を修正しました。")
            return redirect(hospital_url(stay.client_id))
    return form_page(
        request,
        client=stay.client,
        subject_id=stay.pk,
        stay=stay,
        form=form,
        title="入院記録の修正",
        conflict=conflict,
        conflict_subject="入院記録",
        status=409 if conflict else 200,
    )


# --- 入院時情報提供書 -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def admission_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the sheet's sections (prefilled from the records until first saved)."""
    stay = _stay(request, pk)
    if request.method == "POST":
        require_plan_writer(request.actor)
    sheet = AdmissionInfoSheet.objects.filter(stay=stay).first()
    content = (
        sheet.content if sheet is not None and sheet.content else prefill_admission_sheet(stay)
    )
    form = SheetForm(request.POST or None, sheet=sheet, content=content)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.admission_sheet_save(
                actor=request.actor,
                stay=stay,
                expected_version=form.expected_version(),
                content=form.content(),
            )
        except StaleEditError as error:
            conflict = error
            form.after_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "入院時情報提供書を保存しました。")
            return redirect("monitoring:admission_sheet", pk=stay.pk)
    log_view(request, stay.client_id, stay.pk)
    addition = (
        admission_info_addition(stay.admitted_on, sheet.provided_on, after_hours=sheet.after_hours)
        if sheet
        else None
    )
    return render(
        request,
        "monitoring/hospital/sheet.html",
        {
            "client": stay.client,
            "stay": stay,
            "sheet": sheet,
            "form": form,
            "addition": ADDITION_LABELS.get(addition or "", ""),
            "deadlines": admission_info_deadlines(
                stay.admitted_on, after_hours=sheet.after_hours if sheet else False
            ),
            "can_edit": request.actor.can_write_plans,
            "conflict": conflict,
            "conflict_subject": "入院時情報提供書",
        },
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def admission_sheet_provided(request: HttpRequest, pk: int) -> HttpResponse:
    """Record when, how and to whom the sheet was provided (the 加算 follows)."""
    require_plan_writer(request.actor)
    stay = _stay(request, pk)
    sheet = AdmissionInfoSheet.objects.filter(stay=stay).first()
    initial = None if sheet and sheet.provided_on else {"provided_on": timezone.localdate()}
    form = ProvidedForm(
        request.POST or None, sheet=sheet, **({"initial": initial} if initial else {})
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.admission_sheet_provided(
                actor=request.actor,
                stay=stay,
                expected_version=form.expected_version(),
                provided_on=data["provided_on"],
                provided_method=data["provided_method"],
                provided_to=data["provided_to"],
                after_hours=data["after_hours"],
            )
        except StaleEditError as error:
            conflict = error
            form.after_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            addition = admission_info_addition(
                stay.admitted_on, saved.provided_on, after_hours=saved.after_hours
            )
            note = (
                f"{ADDITION_LABELS[addition]}の根拠を登録しました。"
                if addition
                else "提供期限を過ぎているため、入院時情報連携加算は算定できません。"
            )
            messages.success(request, f"提供を記録しました。{note}")
            return redirect("monitoring:admission_sheet", pk=stay.pk)
    first, second = admission_info_deadlines(
        stay.admitted_on, after_hours=sheet.after_hours if sheet else False
    )

    return form_page(
        request,
        client=stay.client,
        subject_id=stay.pk,
        stay=stay,
        form=form,
        title="入院時情報提供書の提供の記録",
        intro=f"入院日 {wareki_date(stay.admitted_on)}：{wareki_date(first)}までの提供で（Ⅰ）、"
        f"{wareki_date(second)}までで（Ⅱ）。入院前の提供も（Ⅰ）になります。",
        conflict=conflict,
        conflict_subject="入院時情報提供書",
        status=409 if conflict else 200,
    )


@require_POST
def admission_sheet_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Request the PDF (printing counts as reading; the download writes the 印刷 log)."""
    stay = _stay(request, pk)
    job = printing.admission_sheet_print(actor=request.actor, stay=stay)
    if not request.htmx:
        return redirect("printing:status", pk=job.pk)
    return print_status_response(request, job)


# --- 退院前カンファレンス / 通院時情報連携 -----------------------------------------------------


@require_http_methods(["GET", "POST"])
def conference_new(request: HttpRequest, pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    stay = _stay(request, pk)
    form = ConferenceForm(
        request.POST or None,
        initial={"held_on": timezone.localdate(), "place": stay.hospital_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.conference_record(actor=request.actor, stay=stay, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "退院前カンファレンスを記録しました。")
            return redirect(hospital_url(stay.client_id))
    return form_page(
        request,
        client=stay.client,
        subject_id=stay.pk,
        stay=stay,
        form=form,
        title="退院前カンファレンス・面談の記録",
        intro="病院・施設の職員との面談（カンファレンスを含む）の回数で退院・退所加算の区分が"
        "決まります。電話・文書だけの連携は回数に含めません。",
    )


@require_http_methods(["GET", "POST"])
def outpatient_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    client = _client(request, client_pk)
    doctors = visible_doctors(request)
    initial: dict[str, Any] = {"accompanied_on": timezone.localdate()}
    if client.primary_doctor_id:
        initial["doctor"] = client.primary_doctor_id
    form = OutpatientForm(request.POST or None, doctors=doctors, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.outpatient_record(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "通院時情報連携を記録しました。")
            return redirect(hospital_url(client.pk))
    return form_page(
        request,
        client=client,
        subject_id=client.pk,
        form=form,
        title="通院時情報連携の記録",
        intro="利用者の受診に同席し、医師に心身の状況・生活環境を伝え、医師から情報を受けた"
        "ときに記録します（通院時情報連携加算は月1回）。",
    )
