"""Monthly monitoring: the month list, the record form and page, a client's history.

Business rules live in monitoring/records/ (services, video rule, selectors); these views
only wire forms to them. Every page that shows a client's data writes an access-log row.
Provider reports and the テレビ電話 consent are in monitoring/views/records_extra.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caremgmt.access import get_visible_or_404, require_plan_writer
from caremgmt.audit import record_access, record_search
from caremgmt.locking import StaleEditError
from careplans.views.common import add_service_errors
from clients.models import Client
from monitoring.due import last_day
from monitoring.models import Decision, MonitoringRecord
from monitoring.records import selectors, services
from monitoring.records.forms import RecordForm, ReviewStartForm, record_initial
from monitoring.records.video import video_check


def visible_client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related("care_manager", "office"), request.actor, pk=pk
    )


def visible_record(request: HttpRequest, pk: int) -> MonitoringRecord:
    return get_visible_or_404(
        MonitoringRecord.objects.select_related(
            "client", "client__care_manager", "client__office", "plan", "author"
        ),
        request.actor,
        pk=pk,
    )


def log_client(request: HttpRequest, subject: str, subject_id: int, client_id: int) -> None:
    record_access(
        request, subject_type=f"monitoring:{subject}", subject_id=subject_id, client_id=client_id
    )


@require_GET
def month_index(request: HttpRequest) -> HttpResponse:
    """モニタリング: the caseload's state for one month (`?month=YYYY-MM`)."""
    today = timezone.localdate()
    month = selectors.parse_month(request.GET.get("month"), today)
    rows = selectors.month_rows(request.actor, month, today=today)
    record_search(request, subject_type="monitoring_month", query={"month": f"{month:%Y-%m}"})
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.label] = counts.get(row.label, 0) + 1
    return render(
        request,
        "monitoring/records/index.html",
        {
            "month": month,
            "rows": rows,
            "counts": counts,
            "previous": selectors.add_months(month, -1),
            "next": selectors.add_months(month, 1),
            "today": today,
        },
    )


@require_GET
def client_records(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = visible_client(request, client_pk)
    today = timezone.localdate()
    log_client(request, "client_records", client.pk, client.pk)
    return render(
        request,
        "monitoring/records/client_records.html",
        {
            "client": client,
            "history": selectors.client_history(client, today=today),
            "consents": list(client.video_consents.select_related("meeting").all()),
            "reports": list(client.provider_reports.select_related("provider", "record")),
            "today": today,
        },
    )


def _default_day(month: dt.date | None, today: dt.date) -> dt.date:
    if month is None or month >= today.replace(day=1):
        return today
    return last_day(month)


def _posted_day(request: HttpRequest, fallback: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.POST.get("visited_on", ""))
    except ValueError:
        return fallback


def _record_page(
    request: HttpRequest, client: Client, record: MonitoringRecord | None
) -> HttpResponse:
    today = timezone.localdate()
    month_param = request.GET.get("month")
    month = selectors.parse_month(month_param, today) if month_param else None
    default_day = record.visited_on if record else _default_day(month, today)
    day = _posted_day(request, default_day) if request.method == "POST" else default_day
    plan = record.plan if record else services.plan_in_force(client.pk, day)
    goals = services.goals_to_review(plan, day) if plan else []
    items = services.services_of(goals)
    previous = None if record else selectors.previous_record(client.pk, day.replace(day=1))
    ticket = selectors.next_month_ticket(client.pk, day.replace(day=1))
    form = RecordForm(
        request.POST or None,
        instance=record,
        initial=record_initial(record, previous, visited_on=day, goals=goals),
        goals=goals,
        items=items,
        ticket_versions=ticket["versions"],
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_save(
                actor=request.actor,
                client=client,
                fields=form.header_fields(),
                goal_reviews=form.goal_reviews(),
                service_reviews=form.service_reviews(),
                record=record,
                expected_version=form.expected_version(),
                today=today,
            )
        except StaleEditError as error:
            conflict = error
            form.after_conflict(error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "モニタリングを記録しました。")
            return redirect("monitoring:record_detail", pk=saved.pk)
    log_client(request, "record_form", record.pk if record else client.pk, client.pk)
    return render(
        request,
        "monitoring/records/record_form.html",
        {
            "client": client,
            "record": record,
            "plan": plan,
            "form": form,
            "goal_rows": form.goal_rows(previous),
            "previous": previous,
            "ticket": ticket,
            "video": video_check(client.pk, day),
            "conflict": conflict,
            "conflict_subject": "モニタリング記録",
        },
    )


@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    return _record_page(request, visible_client(request, client_pk), None)


@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_plan_writer(request.actor)
    record = visible_record(request, pk)
    return _record_page(request, record.client, record)


@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = visible_record(request, pk)
    log_client(request, "record", record.pk, record.client_id)
    return _detail(request, record, ReviewStartForm(initial={"assessed_on": timezone.localdate()}))


def _detail(request: HttpRequest, record: MonitoringRecord, review_form: Any) -> HttpResponse:
    goals = list(record.goals.select_related("goal", "goal__need"))
    return render(
        request,
        "monitoring/records/record_detail.html",
        {
            "record": record,
            "client": record.client,
            "goals": goals,
            "services": list(
                record.services.select_related("support_item", "support_item__provider")
            ),
            "reports": list(record.provider_reports.select_related("provider")),
            "review_form": review_form,
            "offer_review": record.decision == Decision.REVIEW
            and record.review_assessment_id is None,
            "ticket": selectors.next_month_ticket(record.client_id, record.month),
        },
    )


@require_POST
def record_review(request: HttpRequest, pk: int) -> HttpResponse:
    """見直し: open the new assessment (careplans.services.assessment_start)."""
    require_plan_writer(request.actor)
    record = visible_record(request, pk)
    form = ReviewStartForm(request.POST)
    if form.is_valid():
        try:
            record = services.review_start(actor=request.actor, record=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "見直しのアセスメントを始めました。")
            return redirect("careplans:assessment", pk=record.review_assessment_id)
    log_client(request, "record", record.pk, record.client_id)
    return _detail(request, record, form)


def record_new_url(client_id: int, month: dt.date | None = None) -> str:
    url = reverse("monitoring:record_new", args=[client_id])
    return f"{url}?month={month:%Y-%m}" if month else url
