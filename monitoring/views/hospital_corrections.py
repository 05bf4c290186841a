"""入退院・医療連携: correcting and deleting a 退院前カンファレンス / 面談 or a 通院時情報連携
recorded by mistake. Each change re-syncs the 加算 evidence of the month(s) it touches and
writes a 第5表 訂正 entry (monitoring.hospital.services); edits and deletes carry the
version the page showed (a stale one answers 409 with the newer values, nothing written).
Pages that show the client's data write one access-log row.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_plan_writer
from caremgmt.locking import StaleEditError
from caremgmt.wareki import wareki_date
from clients.models import Client, HospitalStay
from monitoring.hospital import services
from monitoring.hospital.forms import ConferenceEditForm, DeleteForm, OutpatientEditForm
from monitoring.models import DischargeConference, OutpatientLiaison
from monitoring.views.hospital import (
    form_page,
    hospital_url,
    log_view,
    save_under_lock,
    visible_doctors,
)


def _conference(request: HttpRequest, pk: int) -> DischargeConference:
    return get_visible_or_404(
        DischargeConference.objects.select_related(
            "stay", "stay__client", "stay__client__office", "stay__client__care_manager"
        ),
        request.actor,
        pk=pk,
    )


def _liaison(request: HttpRequest, pk: int) -> OutpatientLiaison:
    return get_visible_or_404(
        OutpatientLiaison.objects.select_related(
            "client", "client__office", "client__care_manager"
        ),
        request.actor,
        pk=pk,
    )


def _delete_page(
    request: HttpRequest,
    *,
    client: Client,
    subject_id: int,
    form: DeleteForm,
    title: str,
    summary: list[tuple[str, str]],
    stay: HospitalStay | None = None,
    conflict: StaleEditError | None = None,
    conflict_subject: str = "",
) -> HttpResponse:
    log_view(request, client.pk, subject_id)
    return render(
        request,
        "monitoring/hospital/delete.html",
        {
            "client": client,
            "stay": stay,
            "form": form,
            "title": title,
            "summary": summary,
            "back_url": hospital_url(client.pk),
            "conflict": conflict,
            "conflict_subject": conflict_subject,
        },
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def conference_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    conference = _conference(request, pk)
    stay = conference.stay
    form = ConferenceEditForm(request.POST or None, conference=conference)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = save_under_lock(
            form,
            lambda fields: services.conference_update(
                actor=request.actor,
                conference=conference,
                expected_version=form.expected_version(),
                fields=fields,
            ),
        )
        if saved:
            messages.success(
                request, "退院前カンファレンス・面談の記録を修正しました（支援経過に訂正を記録）。"
            )
            return redirect(hospital_url(stay.client_id))
    return form_page(
        request,
        client=stay.client,
        subject_id=conference.pk,
        stay=stay,
        form=form,
        title="退院前カンファレンス・面談の修正",
        intro="修正すると退院・退所加算の根拠が記録に合わせて直り、支援経過に訂正が記録されます。",
        conflict=conflict,
        conflict_subject="退院前カンファレンス・面談の記録",
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def conference_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST (with the version the page showed) deletes."""
    require_plan_writer(request.actor)
    conference = _conference(request, pk)
    stay = conference.stay
    form = DeleteForm(request.POST or None, instance=conference)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = save_under_lock(
            form,
            lambda _: services.conference_delete(
                actor=request.actor,
                conference=conference,
                expected_version=form.expected_version(),
            ),
        )
        if conflict:
            conference = conflict.current
        if saved:
            messages.success(
                request, "退院前カンファレンス・面談の記録を削除しました（支援経過に訂正を記録）。"
            )
            return redirect(hospital_url(stay.client_id))
    return _delete_page(
        request,
        client=stay.client,
        subject_id=conference.pk,
        stay=stay,
        form=form,
        title="退院前カンファレンス・面談の削除",
        summary=[
            ("実施日", wareki_date(conference.held_on)),
            ("方法", conference.get_kind_display()),
            ("参加者", conference.attendees),
            ("内容", conference.content),
        ],
        conflict=conflict,
        conflict_subject="退院前カンファレンス・面談の記録",
    )


@require_http_methods(["GET", "POST"])
def outpatient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    liaison = _liaison(request, pk)
    form = OutpatientEditForm(
        request.POST or None, liaison=liaison, doctors=visible_doctors(request)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = save_under_lock(
            form,
            lambda fields: services.outpatient_update(
                actor=request.actor,
                liaison=liaison,
                expected_version=form.expected_version(),
                fields=fields,
            ),
        )
        if saved:
            messages.success(request, "通院時情報連携を修正しました（支援経過に訂正を記録）。")
            return redirect(hospital_url(liaison.client_id))
    return form_page(
        request,
        client=liaison.client,
        subject_id=liaison.pk,
        form=form,
        title="通院時情報連携の修正",
        intro="同席日を別の月に直すと、両方の月の通院時情報連携加算の根拠が記録に合わせて直ります。",
        conflict=conflict,
        conflict_subject="通院時情報連携の記録",
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
def outpatient_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST (with the version the page showed) deletes."""
    require_plan_writer(request.actor)
    liaison = _liaison(request, pk)
    form = DeleteForm(request.POST or None, instance=liaison)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = save_under_lock(
            form,
            lambda _: services.outpatient_delete(
                actor=request.actor, liaison=liaison, expected_version=form.expected_version()
            ),
        )
        if conflict:
            liaison = conflict.current
        if saved:
            messages.success(
                request, "通院時情報連携の記録を削除しました（支援経過に訂正を記録）。"
            )
            return redirect(hospital_url(liaison.client_id))
    return _delete_page(
        request,
        client=liaison.client,
        subject_id=liaison.pk,
        form=form,
        title="通院時情報連携の削除",
        summary=[
            ("同席日", wareki_date(liaison.accompanied_on)),
            ("医療機関・医師", " ".join(filter(None, [liaison.clinic, liaison.doctor_name]))),
            ("医師に提供した情報", liaison.information_given),
            ("医師から受けた情報", liaison.information_received),
        ],
        conflict=conflict,
        conflict_subject="通院時情報連携の記録",
    )
