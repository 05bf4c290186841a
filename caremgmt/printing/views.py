"""Print job screens: htmx status polling, download (logged as 印刷), retry.

Every view looks the job up through `print_job_for` (office + registered client check),
so anyone who may not see the job gets 404.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from caremgmt.audit import record_access
from caremgmt.models import PrintJob
from caremgmt.models.audit import AccessAction
from caremgmt.models.printing import PrintJobStatus
from caremgmt.printing import services
from caremgmt.printing.selectors import print_job_for

_TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=2)
def _template(name: str):  # noqa: ANN202
    # Kept beside the code (caremgmt/printing/templates) and compiled once per process.
    return engines["django"].from_string((_TEMPLATES / name).read_text(encoding="utf-8"))


def print_status_response(request: HttpRequest, job: PrintJob) -> HttpResponse:
    polling = job.status in (PrintJobStatus.QUEUED, PrintJobStatus.RENDERING)
    # The status shows the document (file name, kind) of a client's record.
    record_access(request, subject_type="print_job", subject_id=job.pk, client_id=job.client_id)
    fragment = _template("status_fragment.html").render(
        {
            "job": job,
            "polling": polling and not services.is_stale(job),
            "failure_message": services.FAILURE_MESSAGE,
        },
        request,
    )
    if getattr(request, "htmx", False):
        # Only the fragment: htmx swaps it in place (outerHTML) every second until done.
        return HttpResponse(fragment)
    page = _template("status_page.html").render({"fragment": mark_safe(fragment)}, request)  # noqa: S308
    return HttpResponse(page)


@require_GET
def print_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = print_job_for(request.actor, pk)
    return print_status_response(request, job)


@require_GET
def print_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = print_job_for(request.actor, pk)
    if job.status != PrintJobStatus.DONE or not job.file:
        raise Http404("PDFはまだありません。")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        # The row is visible to this user, only the file is gone: say so (410), don't 404.
        return HttpResponse("PDFファイルが見つかりません。もう一度印刷してください。", status=410)
    record_access(
        request,
        subject_type=job.kind,
        subject_id=job.subject_id,
        client_id=job.client_id,
        action=AccessAction.PRINT,
    )
    return FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type="application/pdf"
    )


@require_POST
def print_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = print_job_for(request.actor, pk)
    try:
        job = services.print_job_retry(actor=request.actor, job=job)
    except services.IllegalPrintJobTransition:
        job.refresh_from_db()  # already queued, rendering or done: just show where it is
    if not getattr(request, "htmx", False):
        return redirect("printing:status", pk=job.pk)
    return print_status_response(request, job)
