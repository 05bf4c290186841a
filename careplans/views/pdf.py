"""Plan PDFs (第1〜4表) through the print job service."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from caremgmt.printing.views import print_status_response
from careplans import printing as plan_printing
from careplans.views.common import (
    visible_plan,
)


@require_POST
def plan_print(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """Request the PDF of 第{table}表 ("1".."4", or "all") of any version of a visible plan.
    Printing counts as reading (監査 may print too); the download writes the 印刷 log."""
    if table not in plan_printing.TABLES:
        raise Http404("帳票がありません。")
    plan = visible_plan(request, pk)
    job = plan_printing.careplan_print(actor=request.actor, plan=plan, table=table)
    if not request.htmx:
        return redirect("printing:status", pk=job.pk)
    return print_status_response(request, job)
