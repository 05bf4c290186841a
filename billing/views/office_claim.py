"""billing views: 居宅介護支援費 — the office's own claim of a month (issue 11 §4).

* `office_claim`           the month: 取扱件数 band table, per-client lines (codes, units,
                           yen, 請求不可), 初回加算 and 運営基準減算 proposals, evidence
                           entry, 常勤換算 form.
                           事務・管理者・監査 see the office; care managers see their own
                           clients' lines, read-only. Logged as one SEARCH row.
* `office_claim_evidence`  POST: add (or delete) 加算 evidence of a client-month (事務・管理者).
* `office_claim_fte`       POST: the month's 常勤換算 per care manager (事務・管理者), checked
                           against the values the form showed.
* `office_claim_settings`  the office's 体制 (管理者), under the settings' `version`.
* `office_claim_close`     POST: mark the month 送信済み (事務・管理者; the unique constraint
                           decides a double click: the second is told, 409).
* `office_claim_reopen`    POST: undo 送信済み (管理者 only; others 404), naming the mark the
                           page showed (already undone → 409).
* `office_claim_meisai`    GET: the month's 請求書 + 様式第七 明細書 file for the 国保連
                           (事務・管理者・監査; others 404), built from the lines the page
                           shows, or from the close record when 送信済み (meisai_file.py).
                           One EXPORT access-log row per client in the file; a file that
                           cannot be written re-renders the page with the problems (422).

While the month is 送信済み the page shows the mark, the lines as they were sent, and the
「記録と請求の相違」 of the registered record checks (close.py); evidence and 常勤換算 writes
are refused with the close message (409), nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.forms_office_claim import EvidenceForm, SettingsForm
from billing.office_claim import close, kago, kago_codes, meisai_file, services
from billing.office_claim.bands import BAND_LABELS
from billing.office_claim.claim import office_month_claim, office_settings
from billing.tickets.month import add_months, first_of_month, parse_month
from caremgmt.audit import record_access, record_search
from caremgmt.forms import add_service_errors
from caremgmt.models.audit import AccessAction

SUBJECT = "office_claim"
MEISAI_SUBJECT = "office_claim_meisai"


def _month(text: str | None) -> dt.date:
    try:
        return parse_month(text or "")
    except ValueError:
        return add_months(first_of_month(timezone.localdate()), -1)


def _page_url(month: dt.date, anchor: str = "") -> str:
    url = f"{reverse('billing:office_claim')}?month={month:%Y-%m}"
    return f"{url}#{anchor}" if anchor else url


def _require_office(request: HttpRequest) -> None:
    if request.actor is None or request.actor.office is None or not request.actor.roles:
        raise Http404("見つかりません。")


def _render_page(
    request: HttpRequest,
    month: dt.date,
    *,
    evidence_form: EvidenceForm | None = None,
    fte_errors: dict[str, str] | None = None,
    fte_values: dict[int, str] | None = None,
    fte_conflict: list[str] | None = None,
    closed_error: tuple[str, str] | None = None,
    close_form_error: str = "",
    meisai_problems: list[str] | None = None,
    kago_state: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.actor
    office = actor.office
    claim = office_month_claim(office, month, with_proposals=True)
    month_close = close.month_close(office.pk, month)
    lines = claim.lines
    if not actor.sees_whole_office:
        staff = actor.staff
        lines = [
            line
            for line in lines
            if staff.pk in (line.client.care_manager_id, line.client.deputy_care_manager_id)
        ]
    visible_ids = {line.client.pk for line in lines}
    names = {line.client.pk: line.client.name for line in claim.lines}
    reduced = {
        band: [names[cid] for cid in claim.bands.clients_in(band) if cid in visible_ids]
        for band in ("ii", "iii")
    }
    writer = services.can_write_claim(actor)
    differences: dict[int, list[str]] = {}
    sent_lines: list[dict] = []
    if month_close is not None:  # the registered record checks' fixed queries (close.py)
        differences = close.record_differences(month, claim.lines)
        sent_lines = [
            row
            for row in month_close.lines
            if actor.sees_whole_office or row.get("client_id") in visible_ids
        ]
    kagos = []
    if month_close is not None:  # one query (office_claim_kago.py writes them)
        kagos = kago.month_kagos(office, month, None if actor.sees_whole_office else visible_ids)
    loaded_fte = services.fte_texts(office, month)
    record_search(request, subject_type=SUBJECT, query={"month": f"{month:%Y-%m}"})
    return render(
        request,
        "billing/office_claim.html",
        {
            "month": month,
            "claim": claim,
            "lines": lines,
            "violation_lines": [line for line in lines if line.violation_proposal],
            "reduced": reduced,
            "band_labels": BAND_LABELS,
            "writer": writer,
            "month_close": month_close,
            "closed_message": close.closed_message(month_close) if month_close else "",
            "sent_lines": sent_lines,
            "differences": [
                {"name": names[line.client.pk], "client_id": line.client.pk, "texts": texts}
                for line in lines
                if (texts := differences.get(line.client.pk))
            ],
            "closed_error": closed_error,
            "meisai_problems": meisai_problems or [],
            # Whether the file has anyone in it (the route refuses an empty file with 422).
            "meisai_any": any(row.get("billable") for row in month_close.lines)
            if month_close is not None
            else any(line.billable for line in claim.lines),
            "meisai_left_out": (
                [
                    (row["client_name"], row.get("reasons", []))
                    for row in sent_lines
                    if not row.get("billable")
                ]
                if month_close is not None
                else [(row.client.name, row.reasons) for row in lines if not row.billable]
            ),
            "close_form_error": close_form_error,
            # The claim of a month is sent from the 1st of the next month (請求受付 1st–10th).
            "month_not_over": month >= first_of_month(timezone.localdate()),
            "kago_rows": kago.kago_rows(
                kagos,
                claim.lines,
                errors=(kago_state or {}).get("errors"),
                conflicts=(kago_state or {}).get("conflict"),
            ),
            "reopened_ids": {row.client_id for row in kagos if row.is_open},
            "kago_code_choices": kago_codes.code_choices(),
            "kago_state": kago_state or {},
            "today": timezone.localdate(),
            "is_manager": actor.is_manager,
            "sees_office": actor.sees_whole_office,
            "evidence_form": evidence_form,
            "evidence_kinds": EvidenceForm.base_fields["kind"].choices,
            "evidence_variants": EvidenceForm.base_fields["variant"].choices,
            "fte_rows": [
                {
                    "staff_id": load.staff_id,
                    "name": load.name,
                    "loaded": loaded_fte.get(load.staff_id, ""),
                    "value": (fte_values or {}).get(
                        load.staff_id, loaded_fte.get(load.staff_id, "")
                    ),
                    "error": (fte_errors or {}).get(f"fte_{load.staff_id}", ""),
                    "load": load,
                }
                for load in claim.bands.loads
            ],
            "fte_conflict": fte_conflict,
            "previous_month": f"{add_months(month, -1):%Y-%m}",
            "next_month": f"{add_months(month, 1):%Y-%m}",
        },
        status=status,
    )


@require_GET
def office_claim(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    return _render_page(request, _month(request.GET.get("month")))


@require_POST
def office_claim_evidence(request: HttpRequest) -> HttpResponse:
    services.require_claim_writer(request.actor)
    month = _month(request.POST.get("month"))
    if request.POST.get("delete"):
        try:
            evidence_id = int(request.POST["delete"])
        except ValueError as error:
            raise Http404("見つかりません。") from error
        try:
            services.delete_evidence(actor=request.actor, evidence_id=evidence_id)
        except close.MonthClosedError as closed:
            return _render_page(
                request, month, closed_error=("evidence", closed.message), status=409
            )
        messages.success(request, "根拠を取り消しました。")
        return redirect(_page_url(month))
    form = EvidenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = services.add_evidence(
                actor=request.actor,
                client_id=data["client"],
                month=month,
                kind=data["kind"],
                proof_on=data["proof_on"],
                note=data["note"],
                variant=data["variant"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except close.MonthClosedError as closed:
            return _render_page(
                request, month, closed_error=("evidence", closed.message), status=409
            )
        else:
            messages.success(request, f"{row.kind_label}を登録しました。")
            return redirect(_page_url(month, f"client-{row.client_id}"))
    elif "client" in form.errors:
        raise Http404("見つかりません。")
    return _render_page(request, month, evidence_form=form, status=422)


@require_POST
def office_claim_fte(request: HttpRequest) -> HttpResponse:
    services.require_claim_writer(request.actor)
    month = _month(request.POST.get("month"))
    values: dict[int, str] = {}
    loaded: dict[int, str] = {}
    for key, value in request.POST.items():
        for prefix, target in (("fte_", values), ("loaded_", loaded)):
            if key.startswith(prefix) and key[len(prefix) :].isdigit():
                target[int(key[len(prefix) :])] = value
    try:
        services.save_fte(actor=request.actor, month=month, values=values, loaded=loaded)
    except ValidationError as error:
        errors = {field: problems[0] for field, problems in error.message_dict.items()}
        return _render_page(request, month, fte_errors=errors, fte_values=values, status=422)
    except services.StaleFteError as stale:
        return _render_page(request, month, fte_values=values, fte_conflict=stale.names, status=409)
    except close.MonthClosedError as closed:
        return _render_page(request, month, closed_error=("fte", closed.message), status=409)
    messages.success(request, "常勤換算を保存しました。")
    return redirect(_page_url(month, "fte"))


@require_http_methods(["GET", "POST"])
def office_claim_settings(request: HttpRequest) -> HttpResponse:
    services.require_manager(request.actor)
    settings = office_settings(request.actor.office)
    month = _month(request.GET.get("month") or request.POST.get("month"))
    conflict: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=settings)
        if form.is_valid():
            try:
                services.save_settings(
                    actor=request.actor,
                    values=form.cleaned_data,
                    expected_version=form.cleaned_data.get("version"),
                )
            except services.StaleSettingsError as stale:
                conflict = {"changes": []}
                form.data = form.data.copy()
                form.data["version"] = str(stale.current.version)
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
                status = 422
            else:
                messages.success(request, "居宅介護支援費の体制を保存しました。")
                return redirect(_page_url(month))
        else:
            status = 422
    else:
        form = SettingsForm(instance=settings)
    return render(
        request,
        "billing/office_claim_settings.html",
        {
            "form": form,
            "month": month,
            "conflict": conflict,
            "conflict_subject": "体制",
            "conflict_other_note": "居宅介護支援費の体制が、この画面を開いた後に保存されています。",
        },
        status=status,
    )


CONFIRM_REQUIRED = "国保連へ送信したことを確かめて、チェックを入れてください。"


@require_POST
def office_claim_close(request: HttpRequest) -> HttpResponse:
    services.require_claim_writer(request.actor)
    month = _month(request.POST.get("month"))
    if request.POST.get("confirm") != "1":
        return _render_page(request, month, close_form_error=CONFIRM_REQUIRED, status=422)
    try:
        close.close_month(
            actor=request.actor, month=month, note=(request.POST.get("note") or "").strip()
        )
    except close.AlreadyClosedError as closed:
        return _render_page(request, month, closed_error=("close", closed.message), status=409)
    messages.success(request, f"{month.year}年{month.month}月分の請求を送信済みにしました。")
    return redirect(_page_url(month))


@require_POST
def office_claim_reopen(request: HttpRequest) -> HttpResponse:
    services.require_manager(request.actor)
    month = _month(request.POST.get("month"))
    try:
        close_id = int(request.POST.get("close") or 0)
    except ValueError as error:
        raise Http404("見つかりません。") from error
    try:
        close.reopen_month(actor=request.actor, month=month, close_id=close_id)
    except close.NotClosedError:
        return _render_page(request, month, closed_error=("close", close.NOT_CLOSED), status=409)
    except close.HasKagoError:
        return _render_page(request, month, closed_error=("close", close.HAS_KAGO), status=409)
    messages.success(request, f"{month.year}年{month.month}月分の送信済みを取り消しました。")
    return redirect(_page_url(month))


@require_GET
def office_claim_meisai(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_office(request)
    if not actor.sees_whole_office:  # 事務・管理者・監査
        raise Http404("見つかりません。")
    month = _month(request.GET.get("month"))
    try:
        written = meisai_file.write_meisai(meisai_file.month_source(actor.office, month))
    except ValidationError as error:
        return _render_page(request, month, meisai_problems=list(error.messages), status=422)
    close_row = close.month_close(actor.office.pk, month)
    for client_id in written.client_ids:
        record_access(
            request,
            subject_type=MEISAI_SUBJECT,
            subject_id=close_row.pk if close_row else None,
            client_id=client_id,
            action=AccessAction.EXPORT,
        )
    response = HttpResponse(written.content, content_type="text/csv; charset=Shift_JIS")
    response["Content-Disposition"] = f'attachment; filename="{written.filename}"'
    response["X-Content-SHA256"] = written.sha256
    return response


urlpatterns: list[Any] = [
    path("office-claim/", office_claim, name="office_claim"),
    path("office-claim/evidence/", office_claim_evidence, name="office_claim_evidence"),
    path("office-claim/fte/", office_claim_fte, name="office_claim_fte"),
    path("office-claim/settings/", office_claim_settings, name="office_claim_settings"),
    path("office-claim/close/", office_claim_close, name="office_claim_close"),
    path("office-claim/reopen/", office_claim_reopen, name="office_claim_reopen"),
    path("office-claim/meisai/", office_claim_meisai, name="office_claim_meisai"),
]
