"""閲覧記録の確認: who saw a client, what a staff member opened, and CSV exports of either.

管理者 and 監査 of the current office only (403 for everyone else, before any lookup). Every
response is itself written to the access log: the screens as 閲覧, the exports as 出力.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from caremgmt.access_log_review import (
    client_access_rows,
    csv_chunks,
    log_lines,
    require_log_reviewer,
    reviewable_clients,
    reviewable_staff,
    staff_access_rows,
)
from caremgmt.audit import record_access
from caremgmt.forms import ClientAccessLogForm, StaffAccessLogForm
from caremgmt.models.audit import AccessAction

PAGE_SIZE = 50
DEFAULT_DAYS = 30


def _form_data(request: HttpRequest, key: str) -> dict[str, Any] | None:
    """Bind only when the user searched; the first visit shows the last 30 days as initial."""
    if key not in request.GET:
        return None
    return request.GET


def _initial() -> dict[str, dt.date]:
    today = timezone.localdate()
    return {"since": today - dt.timedelta(days=DEFAULT_DAYS - 1), "until": today}


def _bound_form(request: HttpRequest, form_class: type, key: str, **choices: Any):  # noqa: ANN202
    form = form_class(_form_data(request, key), initial=_initial(), **choices)
    if form.is_bound and not form.is_valid() and form.has_error(key, "invalid_choice"):
        # An id from another office or a care manager's caseload: nothing to probe.
        raise Http404("見つかりません。")
    return form


def _csv_response(request: HttpRequest, rows: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_chunks(request.actor, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"access_log.csv\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _review(
    request: HttpRequest,
    *,
    key: str,
    form_class: type,
    choices: dict[str, Any],
    rows_for: Callable[[Any], Any],
    subject_type: str,
    client_of: Callable[[Any], int | None],
    export: bool,
    template: str,
) -> HttpResponse:
    actor = request.actor
    require_log_reviewer(actor)
    form = _bound_form(request, form_class, key, **choices)
    valid = form.is_bound and form.is_valid()
    selected = form.cleaned_data[key] if valid else None
    if export and not valid:
        export = False  # show the screen with the field errors instead of an empty file
    record_access(
        request,
        subject_type=subject_type,
        subject_id=selected.pk if selected is not None else None,
        client_id=client_of(selected) if selected is not None else None,
        action=AccessAction.EXPORT if export else AccessAction.VIEW,
    )
    rows = rows_for(form.cleaned_data) if valid else None
    if export:
        data = form.cleaned_data
        filename = f"閲覧記録_{data['since']:%Y%m%d}-{data['until']:%Y%m%d}.csv"
        return _csv_response(request, rows, filename)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")) if valid else None
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "selected": selected,
        "page": page,
        "lines": log_lines(actor, page.object_list) if page is not None else [],
        "querystring": params.urlencode(),
    }
    return render(request, template, context)


def _client_review(request: HttpRequest, *, export: bool) -> HttpResponse:
    actor = request.actor
    require_log_reviewer(actor)
    return _review(
        request,
        key="client",
        form_class=ClientAccessLogForm,
        choices={"clients": reviewable_clients(actor)},
        rows_for=lambda data: client_access_rows(
            actor=actor, client_id=data["client"].pk, since=data["since"], until=data["until"]
        ),
        subject_type="access_log_client",
        client_of=lambda client: client.pk,
        export=export,
        template="audit/client_log.html",
    )


def _staff_review(request: HttpRequest, *, export: bool) -> HttpResponse:
    actor = request.actor
    require_log_reviewer(actor)
    return _review(
        request,
        key="staff",
        form_class=StaffAccessLogForm,
        choices={"staff": reviewable_staff(actor)},
        rows_for=lambda data: staff_access_rows(
            actor=actor, staff_id=data["staff"].pk, since=data["since"], until=data["until"]
        ),
        subject_type="access_log_staff",
        client_of=lambda staff: None,
        export=export,
        template="audit/staff_log.html",
    )


@require_GET
def client_log(request: HttpRequest) -> HttpResponse:
    """(a) Who saw client X between two days."""
    return _client_review(request, export=False)


@require_GET
def client_log_csv(request: HttpRequest) -> HttpResponse:
    return _client_review(request, export=True)


@require_GET
def staff_log(request: HttpRequest) -> HttpResponse:
    """(b) What staff member U opened between two days."""
    return _staff_review(request, export=False)


@require_GET
def staff_log_csv(request: HttpRequest) -> HttpResponse:
    return _staff_review(request, export=True)
