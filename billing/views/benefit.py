"""billing views: 給付管理 (issue 11 §3, §5).

* benefit_index     GET the month's client-months with their 給付管理票 status, the batch
                    button (事務/管理者), the last files with checksums, days left to the 10th
* benefit_batch     POST start the month-start batch (single-flight:「実行中です」)
* benefit_progress  GET the polled progress fragment of the month's latest batch run
* benefit_download  GET the month's file (latest, or `sha256=`), 事務/管理者/監査 only

No object in the URLs: everything is scoped by the actor's office (and caseload for the
list). The list writes one SEARCH row, the download one EXPORT row per client in the file.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.benefit import board
from billing.benefit.batch import BatchAlreadyRunning, start_batch
from billing.models.benefit import BatchStatus, BenefitManagementSheet, ClaimSubmission
from billing.tickets.month import add_months, first_of_month, parse_month
from caremgmt.access import Actor, require_writer
from caremgmt.audit import record_access, record_search
from caremgmt.models.audit import AccessAction

SUBJECT = "benefit_sheet"


def _month(request: HttpRequest, data: dict | None = None) -> dt.date:
    """?month=YYYY-MM, else the previous month (the one being claimed)."""
    source = request.GET if data is None else data
    try:
        return parse_month(source.get("month", ""))
    except ValueError:
        return add_months(first_of_month(timezone.localdate()), -1)


def _may_run(actor: Actor | None) -> bool:
    return actor is not None and actor.sees_whole_office and actor.can_write


def _progress_context(actor: Actor, month: dt.date) -> dict:
    run = board.latest_run(actor, month)
    return {
        "run": run,
        "month": month,
        "polling": run is not None and run.status == BatchStatus.RUNNING,
        "can_download": actor.sees_whole_office,
    }


@require_GET
def benefit_index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    month = _month(request)
    today = timezone.localdate()
    rows = board.board_rows(actor, month)
    record_search(request, subject_type=SUBJECT, query={"month": f"{month:%Y-%m}"})
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return render(
        request,
        "billing/benefit_index.html",
        {
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "rows": rows,
            "counts": [(label, counts.get(label, 0)) for label in board.STATUS_LABELS],
            "deadline": board.deadline(month),
            "days_left": board.days_left(month, today),
            "days_over": -board.days_left(month, today),
            "pending": board.pending_count(rows),
            "can_run": _may_run(actor),
            "files": board.recent_files(actor, month),
            **_progress_context(actor, month),
        },
    )


@require_POST
def benefit_batch(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    require_writer(actor)
    if not _may_run(actor):
        raise Http404("見つかりません。")
    month = _month(request, request.POST)
    url = f"{reverse('billing:benefit_index')}?month={month:%Y-%m}"
    try:
        run = start_batch(actor.office, month, actor_staff=request.user)
    except BatchAlreadyRunning as busy:
        messages.warning(request, str(busy))
        return redirect(url)
    from billing.tasks_benefit import QUEUE_DOWN_MESSAGE, enqueue_batch

    if not enqueue_batch(run):
        messages.error(request, QUEUE_DOWN_MESSAGE)
        return redirect(url)
    messages.success(request, f"{month:%Y年%m月}分の給付管理票の作成を開始しました。")
    return redirect(url)


@require_GET
def benefit_progress(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    month = _month(request)
    return render(request, "billing/benefit_index.html#progress", _progress_context(actor, month))


@require_GET
def benefit_download(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor is None or not actor.sees_whole_office:
        raise Http404("見つかりません。")
    month = _month(request)
    files = ClaimSubmission.objects.filter(office=actor.office, month=month)
    if request.GET.get("sha256"):
        files = files.filter(sha256=request.GET["sha256"])
    submission = files.order_by("-created_at", "-pk").first()
    if submission is None:
        raise Http404("見つかりません。")
    client_ids = sorted(
        set(
            BenefitManagementSheet.objects.filter(submission=submission).values_list(
                "ticket__client_id", flat=True
            )
        )
    )
    for client_id in client_ids:
        record_access(
            request,
            subject_type=SUBJECT,
            subject_id=submission.pk,
            client_id=client_id,
            action=AccessAction.EXPORT,
        )
    response = HttpResponse(bytes(submission.content), content_type="text/csv; charset=Shift_JIS")
    response["Content-Disposition"] = f'attachment; filename="{submission.filename}"'
    response["X-Content-SHA256"] = submission.sha256
    return response


urlpatterns = [
    path("benefit/", benefit_index, name="benefit_index"),
    path("benefit/batch/", benefit_batch, name="benefit_batch"),
    path("benefit/progress/", benefit_progress, name="benefit_progress"),
    path("benefit/file/", benefit_download, name="benefit_download"),
]
