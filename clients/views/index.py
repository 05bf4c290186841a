"""The client list and search (htmx fragment for live search)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from caremgmt.audit import record_search
from clients import selectors
from clients.models import (
    ClientStatus,
)
from clients.views.common import (
    PAGE_SIZE,
)

# --- list and search ---------------------------------------------------------------------


def client_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "kana")
    status = request.GET.get("status", "")
    try:
        care_manager_id = int(request.GET.get("cm") or 0) or None
    except ValueError:
        care_manager_id = None
    clients = selectors.client_search(
        actor=request.actor,
        query=query,
        care_manager_id=care_manager_id,
        status=status,
        sort=sort,
        today=today,
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    record_search(
        request,
        subject_type="clients:index",
        query={
            "q": query,
            "sort": sort,
            "status": status,
            "cm": str(care_manager_id or ""),
            "page": str(page.number),
        },
    )
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = request.GET.copy()
    sort_params.pop("sort", None)
    sort_params.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "sort": sort,
        "status": status,
        "care_manager_id": care_manager_id,
        "care_managers": selectors.office_care_managers(actor=request.actor),
        "status_choices": ClientStatus.choices,
        "querystring": params.urlencode(),
        "sort_querystring": sort_params.urlencode(),
        "today": today,
    }
    # The filter is pushed to the address bar (hx-push-url): a history restore or a full
    # load of that address must get the whole page, filtered from the query string.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "clients/index.html#results" if partial else "clients/index.html"
    return render(request, template, context)
