"""Monitoring: the テレビ電話 consent screen and providers' reports (upload, download, delete)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caremgmt.access import get_visible_or_404, require_plan_writer
from caremgmt.audit import record_access
from caremgmt.locking import StaleEditError
from caremgmt.models.audit import AccessAction
from careplans.views.common import add_service_errors
from clients.models import Client
from monitoring.models import MonitoringRecord, ProviderReport, VideoMonitoringConsent
from monitoring.records import consent as consent_services
from monitoring.records import reports
from monitoring.records.forms import ConsentForm, ReportForm
from monitoring.records.video import video_check
from monitoring.views.records import log_client, visible_client

# --- テレビ電話 consent ----------------------------------------------------------------


def _consent_page(
    request: HttpRequest, client: Client, consent: VideoMonitoringConsent | None
) -> HttpResponse:
    today = timezone.localdate()
    form = ConsentForm(
        request.POST or None,
        instance=consent,
        client_id=client.pk,
        initial=None if consent else {"consented_on": today},
    )
    conflict = None
    if request.method == "POST":
        require_plan_writer(request.actor)
        if form.is_valid():
            try:
                saved = consent_services.consent_save(
                    actor=request.actor,
                    client=client,
                    fields=form.fields_for_service(),
                    consent=consent,
                    expected_version=form.expected_version(),
                    today=today,
                )
            except StaleEditError as error:
                conflict = error
                form.after_conflict(error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    "テレビ電話の同意を終了しました。"
                    if saved.ended_on
                    else "テレビ電話の同意を記録しました。",
                )
                return redirect("monitoring:video_consent", client_pk=client.pk)
    log_client(request, "video_consent", consent.pk if consent else client.pk, client.pk)
    consents = list(client.video_consents.select_related("meeting").all())
    active = [c for c in consents if c.ended_on is None or c.ended_on > today]
    return render(
        request,
        "monitoring/records/consent.html",
        {
            "client": client,
            "consent": consent,
            "consents": consents,
            "active": active[0] if active else None,
            "form": form,
            "video": video_check(client.pk, today),
            "conflict": conflict,
            "conflict_subject": "同意の記録",
            "can_edit": request.actor.can_write_plans,
        },
    )


@require_http_methods(["GET", "POST"])
def video_consent(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client's consents and the form to record a new one (when none is active)."""
    return _consent_page(request, visible_client(request, client_pk), None)


@require_http_methods(["GET", "POST"])
def video_consent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or end a consent (optimistic lock)."""
    consent = get_visible_or_404(
        VideoMonitoringConsent.objects.select_related("client", "client__office"),
        request.actor,
        pk=pk,
    )
    return _consent_page(request, consent.client, consent)


# --- providers' reports ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_upload(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Attach a provider's report to a month (and optionally a record). Without JS the form
    is this page; a rejected upload comes back here with the reason at the field."""
    require_plan_writer(request.actor)
    client = visible_client(request, client_pk)
    record_id = request.GET.get("record") or request.POST.get("record") or None
    record = (
        MonitoringRecord.objects.filter(client=client, pk=record_id).first()
        if record_id and str(record_id).isdigit()
        else None
    )
    today = timezone.localdate()
    initial = {
        "month": (record.month if record else today.replace(day=1)),
        "record": record,
        "received_on": today,
    }
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        client_id=client.pk,
        office_id=client.office_id,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = reports.report_upload(
                actor=request.actor,
                client=client,
                fields=form.fields_for_service(),
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"報告書「{saved.original_name}」を添付しました。")
            if saved.record_id:
                return redirect("monitoring:record_detail", pk=saved.record_id)
            return redirect("monitoring:client_records", client_pk=client.pk)
    log_client(request, "report_upload", client.pk, client.pk)
    return render(
        request,
        "monitoring/records/report_upload.html",
        {"client": client, "record": record, "form": form, "max_mb": reports.max_bytes() // 2**20},
    )


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(ProviderReport.objects.all(), request.actor, pk=pk)
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        return HttpResponse("ファイルが見つかりません。", status=410)
    record_access(
        request,
        subject_type="monitoring:provider_report",
        subject_id=report.pk,
        client_id=report.client_id,
        action=AccessAction.VIEW,
    )
    content_type = reports.content_type_of(report.file.name)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (the report's month, provider and file name: logged); POST
    deletes the row, and the file once the transaction has committed."""
    require_plan_writer(request.actor)
    report = get_visible_or_404(
        ProviderReport.objects.select_related("client", "provider", "record"),
        request.actor,
        pk=pk,
    )
    back = (
        reverse("monitoring:record_detail", kwargs={"pk": report.record_id})
        if report.record_id
        else reverse("monitoring:client_records", kwargs={"client_pk": report.client_id})
    )
    if request.method == "POST":
        reports.report_delete(actor=request.actor, report=report)
        messages.success(request, f"報告書「{report.original_name}」を削除しました。")
        return redirect(back)
    log_client(request, "provider_report_delete", report.pk, report.client_id)
    return render(
        request,
        "monitoring/records/report_delete.html",
        {"client": report.client, "report": report, "back_url": back},
    )
