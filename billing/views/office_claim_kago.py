"""billing views: 過誤申立て of the office's own 居宅介護支援費 claim (docs/office_claim.md).

* `office_claim_kago_new`     POST: a 作成済み 過誤 of a client's sent line (事務・管理者; others
                              404). Field errors re-render the month page (422).
* `office_claim_kago_move`    POST: 申立済み / 過誤決定済み / 再請求済み / 取りやめ with its date,
                              naming the version the page showed (stale → 409, nothing
                              written; an illegal move → 409 with the reason).
* `office_claim_kago_print`   POST: 介護給付費過誤申立書 PDFs, one per 保険者, of the chosen 過誤
                              (or every 作成済み/申立済み one of the month) — 事務・管理者・監査.
                              One PRINT access-log row per client.
* `office_claim_kago_meisai`  GET: the 明細書 file of the month's re-billed clients (過誤決定済み,
                              or 同月過誤 申立済み) from the live claim (事務・管理者・監査).
* `office_claim_kagos`        GET: the office's 過誤 of every month (事務・管理者・監査).

Care managers see their own clients' 過誤 rows on the month page, read-only (office_claim.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from billing.forms_office_claim import KagoForm, KagoMoveForm
from billing.models.kago import KagoStatus, OfficeClaimKago
from billing.office_claim import kago, kago_pdf, meisai_file
from billing.office_claim.who import require_claim_writer, sees_office_claim
from billing.views.office_claim import MEISAI_SUBJECT, _month, _page_url, _render_page
from caremgmt.access import visible
from caremgmt.audit import record_access, record_search
from caremgmt.forms import add_service_errors
from caremgmt.models.audit import AccessAction

PRINT_SUBJECT = "office_claim_kago"
NOTHING_CHOSEN = "過誤申立書に載せる過誤申立てを選んでください。"


def _require_office_reader(request: HttpRequest) -> None:
    """事務・管理者・監査 (the whole office); others 404."""
    if not sees_office_claim(request.actor):
        raise Http404("見つかりません。")


@require_POST
def office_claim_kago_new(request: HttpRequest) -> HttpResponse:
    require_claim_writer(request.actor)
    month = _month(request.POST.get("month"))
    form = KagoForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = kago.create_kago(
                actor=request.actor,
                client_id=data["client"],
                month=month,
                same_month=data["same_month"],
                reason_code=data["reason_code"],
                reason_text=data["reason_text"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{row.client.name}様の過誤申立てを作成しました。")
            return redirect(_page_url(month, f"kago-{row.pk}"))
    elif "client" in form.errors and not form.data.get("client", "").isdigit():
        raise Http404("見つかりません。")
    return _render_page(request, month, kago_state={"form": form}, status=422)


@require_POST
def office_claim_kago_move(request: HttpRequest) -> HttpResponse:
    require_claim_writer(request.actor)
    month = _month(request.POST.get("month"))
    form = KagoMoveForm(request.POST)
    if not form.is_valid():
        if {"kago", "action", "version"} & set(form.errors):
            raise Http404("見つかりません。")
        kago_id = int(form.data["kago"])
        return _render_page(
            request,
            month,
            kago_state={"errors": {kago_id: form.errors["on"][0]}},
            status=422,
        )
    data = form.cleaned_data
    try:
        row = kago.move_kago(
            actor=request.actor,
            kago_id=data["kago"],
            action=data["action"],
            expected_version=data["version"],
            on=data["on"],
        )
    except ValidationError as error:
        problems = [text for texts in error.message_dict.values() for text in texts]
        return _render_page(
            request,
            month,
            kago_state={"errors": {data["kago"]: problems[0]}},
            status=422,
        )
    except kago.StaleKagoError as stale:
        return _render_page(
            request, month, kago_state={"conflict": {data["kago"]: stale.message}}, status=409
        )
    except kago.IllegalKagoMove as illegal:
        return _render_page(
            request, month, kago_state={"conflict": {data["kago"]: illegal.message}}, status=409
        )
    messages.success(
        request, f"{row.client.name}様の過誤申立てを「{row.get_status_display()}」にしました。"
    )
    return redirect(_page_url(month, f"kago-{row.pk}"))


@require_POST
def office_claim_kago_print(request: HttpRequest) -> HttpResponse:
    _require_office_reader(request)
    actor = request.actor
    month = _month(request.POST.get("month"))
    chosen = visible(OfficeClaimKago.objects.all(), actor).filter(month=month)
    if request.POST.get("all") == "1":
        chosen = chosen.filter(status__in=[KagoStatus.DRAFT, KagoStatus.FILED])
    else:
        ids = [int(pk) for pk in request.POST.getlist("kago") if pk.isdigit()]
        chosen = chosen.filter(pk__in=ids).exclude(status=KagoStatus.CANCELLED)
    rows = list(chosen.select_related("client").order_by("client__insured_number", "pk"))
    if not rows:
        return _render_page(request, month, kago_state={"print_error": NOTHING_CHOSEN}, status=422)
    jobs = kago_pdf.request_kago_prints(actor=actor, kagos=rows)
    for row in rows:
        record_access(
            request,
            subject_type=PRINT_SUBJECT,
            subject_id=row.pk,
            client_id=row.client_id,
            action=AccessAction.PRINT,
        )
    if len(jobs) == 1:
        return redirect("printing:status", pk=jobs[0][1].pk)
    return render(request, "billing/office_claim_kago_print.html", {"month": month, "jobs": jobs})


@require_GET
def office_claim_kago_meisai(request: HttpRequest) -> HttpResponse:
    _require_office_reader(request)
    actor = request.actor
    month = _month(request.GET.get("month"))
    try:
        written = meisai_file.write_meisai(
            meisai_file.live_source(
                actor.office, month, client_ids=kago.rebill_client_ids(actor.office, month)
            )
        )
    except ValidationError as error:
        return _render_page(
            request, month, kago_state={"meisai_problems": list(error.messages)}, status=422
        )
    for client_id in written.client_ids:
        record_access(
            request,
            subject_type=MEISAI_SUBJECT,
            subject_id=None,
            client_id=client_id,
            action=AccessAction.EXPORT,
        )
    response = HttpResponse(written.content, content_type="text/csv; charset=Shift_JIS")
    filename = written.filename.replace("meisai_", "meisai_saiseikyu_", 1)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-SHA256"] = written.sha256
    return response


@require_GET
def office_claim_kagos(request: HttpRequest) -> HttpResponse:
    _require_office_reader(request)
    rows = list(
        OfficeClaimKago.objects.filter(office=request.actor.office)
        .select_related("client")
        .order_by("-month", "client__name_kana", "-created_at")
    )
    record_search(request, subject_type=PRINT_SUBJECT, query={"list": "all"})
    return render(request, "billing/office_claim_kagos.html", {"rows": rows})


urlpatterns: list[Any] = [
    path("office-claim/kago/", office_claim_kagos, name="office_claim_kagos"),
    path("office-claim/kago/new/", office_claim_kago_new, name="office_claim_kago_new"),
    path("office-claim/kago/move/", office_claim_kago_move, name="office_claim_kago_move"),
    path("office-claim/kago/print/", office_claim_kago_print, name="office_claim_kago_print"),
    path("office-claim/kago/meisai/", office_claim_kago_meisai, name="office_claim_kago_meisai"),
]
