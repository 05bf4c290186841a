"""billing views: 返戻・保留・過誤 and the month dashboard (issue 11 §7).

* returns_index       GET  /billing/returns/?month=YYYY-MM: dashboard (days to the 10th,
                      counts per care manager), each client-month's sheet history, result
                      forms and the CSV import (事務/管理者); care managers read their caseload,
                      監査 reads. One SEARCH row.
* returns_submit      POST 提出日 of a ClaimSubmission (from the 給付管理 page's file list)
* returns_result      POST one sheet's 受付 / 返戻 / 保留 (checked against its loaded status)
* returns_import      POST the results CSV (validated whole; nothing written on any error)
* returns_correction  POST 返戻 → new 新規 draft; 受付済 → 修正 / 取消 draft

Writes are 事務/管理者 only (others 404, nothing written); objects are office-scoped.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from billing.benefit import board
from billing.returns import services
from billing.returns.csv_import import HEADER, import_results
from billing.tickets.month import add_months, first_of_month, parse_month
from caremgmt.audit import record_search
from caremgmt.locking import StaleEditError

SUBJECT = "benefit_sheet"


def _month(source) -> dt.date:  # noqa: ANN001 - a QueryDict
    try:
        return parse_month(source.get("month", ""))
    except ValueError:
        return add_months(first_of_month(timezone.localdate()), -1)


def _back(month: dt.date, name: str = "billing:returns_index") -> HttpResponse:
    return redirect(f"{reverse(name)}?month={month:%Y-%m}")


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


@require_GET
def returns_index(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    month = _month(request.GET)
    today = timezone.localdate()
    rows = services.returns_rows(actor, month)
    record_search(request, subject_type=SUBJECT, query={"month": f"{month:%Y-%m}"})
    days_left = board.days_left(month, today)
    dash = services.dashboard(rows)
    return render(
        request,
        "billing/returns.html",
        {
            "month": month,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "rows": rows,
            "dash": dash,
            # still to be submitted: no sheet / a draft, or returned (made and submitted again)
            "pending": dash.totals[services.DASH_UNSUBMITTED] + dash.totals[services.DASH_RETURNED],
            "labels": services.DASH_LABELS,
            "deadline": board.deadline(month),
            "days_left": days_left,
            "days_over": -days_left,
            "can_write": actor.sees_whole_office and actor.can_write,
            "results": services.RESULTS,
            "csv_header": ",".join(HEADER),
        },
    )


@require_POST
def returns_submit(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    month = _month(request.POST)
    services.require_office_writer(actor)
    try:
        submitted_on = dt.date.fromisoformat(request.POST.get("submitted_on", ""))
    except ValueError:
        messages.error(request, "提出日を正しく入力してください（例: 2027-01-08）。")
        return _back(month, "billing:benefit_index")
    try:
        submission, moved = services.mark_submitted(
            actor, _int(request.POST.get("submission")), submitted_on
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if moved:
            messages.success(
                request, f"{submission.filename} を提出済にしました（給付管理票{moved}件）。"
            )
        else:
            messages.info(request, f"{submission.filename} はすでに提出済です。")
    return _back(month, "billing:benefit_index")


@require_POST
def returns_result(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    month = _month(request.POST)
    try:
        services.record_result(
            actor,
            _int(request.POST.get("sheet")),
            result=request.POST.get("result", ""),
            code=request.POST.get("code", ""),
            reason=request.POST.get("reason", ""),
            expected_status=request.POST.get("expected_status") or None,
        )
    except StaleEditError:
        messages.error(request, services.STALE_MESSAGE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "結果を記録しました。")
    return _back(month)


@require_POST
def returns_import(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    month = _month(request.POST)
    services.require_office_writer(actor)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "CSVファイルを選んでください。")
        return _back(month)
    outcome = import_results(actor, month, upload.read())
    if outcome.errors:
        messages.error(request, "取り込めませんでした（何も登録していません）。")
        for error in outcome.errors[:50]:
            messages.error(request, error)
    else:
        messages.success(
            request, f"{outcome.applied}件を記録しました（変更なし{outcome.unchanged}件）。"
        )
    return _back(month)


@require_POST
def returns_correction(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    month = _month(request.POST)
    try:
        sheet = services.prepare_correction(
            actor, _int(request.POST.get("sheet")), kind=request.POST.get("kind", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{sheet.get_kind_display()}の給付管理票（未提出）を作成しました。"
        )
    return _back(month)


urlpatterns = [
    path("returns/", returns_index, name="returns_index"),
    path("returns/submit/", returns_submit, name="returns_submit"),
    path("returns/result/", returns_result, name="returns_result"),
    path("returns/import/", returns_import, name="returns_import"),
    path("returns/correction/", returns_correction, name="returns_correction"),
]
