"""billing views: the whole-month print run (一括印刷).

* print_runs          GET the start form and recent runs; POST starts a run (writers only)
* print_run           GET the progress page; with HX-Request only the polled fragment
* print_run_retry     POST 再実行 (writers only): failed documents again, missing ones built
* print_run_download  GET one care manager's merged PDF (logged as 印刷 for each client)

Everything goes through `billing.print_run` (visible runs only, 404 otherwise).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import print_run as service
from billing.models import PrintRun
from billing.tickets.month import parse_month
from caremgmt.access import Actor, require_writer
from caremgmt.audit import record_access
from caremgmt.models.audit import AccessAction

OFFICE_SCOPE = "office"
RECENT_RUNS = 20


class MonthField(forms.DateField):
    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {"invalid": "年月を正しく入力してください（例：2026-12）。"}


class StartForm(forms.Form):
    month = MonthField(label="サービス提供年月")

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if actor.sees_whole_office:
            choices = [(OFFICE_SCOPE, "事業所全体（介護支援専門員ごとにまとめます）")]
            choices += [(str(s.pk), s.full_name) for s in service.care_manager_choices(actor)]
            self.fields["scope"] = forms.ChoiceField(
                label="範囲",
                choices=choices,
                error_messages={"invalid_choice": "範囲を一覧から選んでください。"},
            )

    def care_manager_id(self) -> int | None:
        scope = self.cleaned_data.get("scope", "")
        return None if scope in ("", OFFICE_SCOPE) else int(scope)


def _next_month() -> dt.date:
    today = timezone.localdate()
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def print_runs(request: HttpRequest) -> HttpResponse:
    """The start form and the recent runs (no client data: counts and staff names only)."""
    actor = request.actor
    if request.method == "POST":
        require_writer(actor)
        form = StartForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                run = service.start_print_run(
                    actor=actor,
                    month=form.cleaned_data["month"],
                    care_manager_id=form.care_manager_id(),
                )
            except service.PrintRunBusy as busy:
                if busy.run is not None:
                    messages.warning(request, service.BUSY_MESSAGE)
                    return redirect("billing:print_run", pk=busy.run.pk)
                form.add_error(None, service.BUSY_MESSAGE)
            except ValidationError as error:
                _apply_errors(form, error)
            except PermissionDenied as error:
                raise Http404("見つかりません。") from error
            else:
                return redirect("billing:print_run", pk=run.pk)
    else:
        try:
            initial_month = parse_month(request.GET.get("month", ""))
        except ValueError:
            initial_month = _next_month()
        form = StartForm(initial={"month": initial_month}, actor=actor)
    return render(
        request,
        "billing/print_run_list.html",
        {
            "form": form,
            "can_start": actor is not None and actor.can_write,
            "runs": list(service.runs_for(actor)[:RECENT_RUNS]),
        },
    )


def _log_clients(request: HttpRequest, run: PrintRun, client_ids: list[int]) -> None:
    for client_id in client_ids:
        record_access(request, subject_type="print_run", subject_id=run.pk, client_id=client_id)


def _progress_response(request: HttpRequest, run: PrintRun) -> HttpResponse:
    progress = service.run_progress(run)
    context = {
        "progress": progress,
        "run": progress.run,
        "can_write": request.actor.can_write,
    }
    if request.htmx:
        # The poll shows counts; client names only for failed documents (logged here).
        _log_clients(request, run, sorted({item.ticket.client_id for item in progress.failures}))
        return render(request, "billing/print_run_detail.html#progress", context)
    # The page is where every client's documents of the run are downloaded: log each client.
    _log_clients(request, run, service.run_client_ids(run))
    return render(request, "billing/print_run_detail.html", context)


@require_GET
def print_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = service.run_for(request.actor, pk)
    return _progress_response(request, run)


@require_POST
def print_run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    run = service.run_for(request.actor, pk)
    try:
        run = service.retry_print_run(actor=request.actor, run=run)
    except service.PrintRunBusy as busy:
        messages.warning(request, service.BUSY_MESSAGE)
        if busy.run is not None:
            return redirect("billing:print_run", pk=busy.run.pk)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise Http404("見つかりません。") from error
    if request.htmx:
        return _progress_response(request, run)
    return redirect("billing:print_run", pk=run.pk)


@require_GET
def print_run_download(request: HttpRequest, pk: int, merge_pk: int) -> HttpResponse:
    merge = service.merge_for(request.actor, pk, merge_pk)
    try:
        handle = merge.file.open("rb")
    except FileNotFoundError:
        return HttpResponse(
            "PDFファイルが見つかりません。一括印刷をもう一度開始してください。", status=410
        )
    for client_id in service.merge_client_ids(merge):
        record_access(
            request,
            subject_type="print_run",
            subject_id=merge.run_id,
            client_id=client_id,
            action=AccessAction.PRINT,
        )
    return FileResponse(
        handle, as_attachment=True, filename=merge.filename, content_type="application/pdf"
    )


urlpatterns = [
    path("print-runs/", print_runs, name="print_runs"),
    path("print-runs/<int:pk>/", print_run, name="print_run"),
    path("print-runs/<int:pk>/retry/", print_run_retry, name="print_run_retry"),
    path("print-runs/<int:pk>/pdf/<int:merge_pk>/", print_run_download, name="print_run_download"),
]
