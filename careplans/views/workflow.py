"""The ケアプラン index and one client's workflow page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from caremgmt.audit import record_search
from careplans import selectors
from careplans.models import (
    PlanStatus,
)
from careplans.views.common import (
    log_access,
    visible_client,
)
from clients.selectors import client_facts_on

# --- index and the client's workflow -----------------------------------------------------


def plan_index(request: HttpRequest) -> HttpResponse:
    """ケアプラン: the actor's visible clients with plan status (sortable)."""
    sort = request.GET.get("sort", "kana")
    if sort not in selectors.INDEX_SORTS:
        sort = "kana"
    record_search(request, subject_type="careplans:index", query={"sort": sort})
    context = {
        "clients": list(selectors.plan_index(actor=request.actor, sort=sort)),
        "sort": sort,
        "statuses": dict(PlanStatus.choices),
    }
    # The filter is pushed to the address bar (hx-push-url): a history restore or a full
    # load of that address must get the whole page, filtered from the query string.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "careplans/index.html#results" if partial else "careplans/index.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def client_workflow(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = visible_client(request, client_pk)
    log_access(request, "careplans:client", client.pk, client.pk)
    today = timezone.localdate()
    assessments = selectors.client_assessments(client=client)
    plans = selectors.client_plans(client=client)
    context = {
        "client": client,
        "facts": client_facts_on(client=client, day=today),
        "assessments": [(a, selectors.assessment_completeness(a)) for a in assessments],
        "plans": plans,
        "workflow": selectors.client_workflow(
            client=client, assessments=assessments, plans=plans, today=today
        ),
        "can_write": request.actor.can_write_plans,
    }
    return render(request, "careplans/client.html", context)
