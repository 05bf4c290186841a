"""Route-walk entries of the monitoring records screens (see tests/monitoring/routes/__init__.py).

The builders here also serve tests/monitoring/test_records*.py: a client of the world's care
manager with a confirmed plan (starts 2026-04-10) of one need, one short-term goal and one
service, and optionally a monitoring record of 2026-05-12.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PLAN_START = dt.date(2026, 4, 10)


def confirmed_plan(world: Any, *, client: Any = None, starts_on: dt.date = PLAN_START) -> Any:
    """A confirmed plan with 1 need → 1 goal → 1 service (family 見守り, not insured)."""
    from careplans.models import SupportItem
    from tests.factories import CarePlanFactory, ClientFactory, GoalFactory, NeedFactory

    client = client or ClientFactory(office=world.office, care_manager=world.care_manager)
    plan = CarePlanFactory(
        client=client,
        status="confirmed",
        starts_on=starts_on,
        drafted_on=starts_on - dt.timedelta(days=5),
        sheet_date=starts_on - dt.timedelta(days=5),
        consented_on=starts_on - dt.timedelta(days=2),
        delivered_on=starts_on - dt.timedelta(days=2),
    )
    goal = GoalFactory(
        need=NeedFactory(plan=plan, order=1),
        short_term_from=starts_on,
        short_term_to=starts_on + dt.timedelta(days=180),
    )
    SupportItem.objects.create(
        goal=goal,
        order=1,
        content="入浴の見守り",
        insured=False,
        service_kind_text="家族",
        frequency="週2回",
        period_from=starts_on,
    )
    return plan


def make_record(
    world: Any, *, plan: Any = None, visited_on: dt.date = dt.date(2026, 5, 12), place: str = "home"
) -> Any:
    from monitoring.models import GoalReview, MonitoringRecord, ServiceReview

    plan = plan or confirmed_plan(world)
    record = MonitoringRecord.objects.create(
        client=plan.client,
        plan=plan,
        month=visited_on.replace(day=1),
        visited_on=visited_on,
        place=place,
        met_persons="本人、長女",
        overall="入浴は安定している",
        author=world.care_manager,
    )
    for goal in plan.needs.first().goals.all():
        GoalReview.objects.create(record=record, goal=goal, achievement="partly")
        for item in goal.support_items.all():
            ServiceReview.objects.create(record=record, support_item=item, satisfaction="4")
    return record


def make_consent(world: Any, client: Any, **fields: Any) -> Any:
    from monitoring.models import VideoMonitoringConsent

    values = {"consented_on": dt.date(2026, 5, 1), "agreed_on": dt.date(2026, 5, 1)}
    values.update(fields)
    return VideoMonitoringConsent.objects.create(
        client=client, created_by=world.care_manager, **values
    )


def _client_kwargs(world: Any) -> dict[str, Any]:
    return {"client_pk": confirmed_plan(world).client_id}


def _record_kwargs(world: Any) -> dict[str, Any]:
    return {"pk": make_record(world).pk}


def _review_record_kwargs(world: Any) -> dict[str, Any]:
    record = make_record(world)
    record.decision = "review"
    record.decision_reason = "入浴で転倒しかけた"
    record.save()
    return {"pk": record.pk}


def _consent_kwargs(world: Any) -> dict[str, Any]:
    plan = confirmed_plan(world)
    return {"pk": make_consent(world, plan.client).pk}


def _report_kwargs(world: Any) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    from monitoring.models import ProviderReport

    plan = confirmed_plan(world)
    report = ProviderReport(
        client=plan.client,
        month=dt.date(2026, 5, 1),
        original_name="報告書.pdf",
        received_on=dt.date(2026, 5, 31),
        uploaded_by=world.care_manager,
    )
    report.file.save("route-walk.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    report.save()
    return {"pk": report.pk}


ACCESS_EXEMPT: dict[str, str] = {
    "monitoring:record_review": "POST that opens the 見直し assessment and redirects; a "
    "rejected one re-renders monitoring:record_detail, which logs "
    "(tests/monitoring/test_records_views.py)",
    "monitoring:report_upload": "write form (POST walked below); its GET and a rejected POST "
    "render the upload page, which logs (REJECTED_POSTS)",
}
ACCESS_SEARCH: dict[str, dict[str, str]] = {"monitoring:index": {"month": "2026-05"}}
ACCESS_HEADERS: dict[str, dict[str, str]] = {}
REJECTED_POSTS: set[str] = {
    "monitoring:record_new",
    "monitoring:record_edit",
    "monitoring:video_consent",
    "monitoring:video_consent_edit",
    "monitoring:report_upload",
}
_READ = "only reads (no write)"
_CREATE = "only creates a new row (nothing existing is overwritten)"
LOCK_EXEMPT: dict[str, str] = {
    "monitoring:index": _READ,
    "monitoring:client_records": _READ,
    "monitoring:record_detail": _READ,
    "monitoring:report_download": _READ,
    "monitoring:record_new": _CREATE,
    "monitoring:report_upload": _CREATE,
    "monitoring:report_delete": "deletes the row (the file after commit); a second delete "
    "finds nothing (404)",
    "monitoring:video_consent": "creates a consent only while none is active (checked under "
    "the client's row lock); corrections go through monitoring:video_consent_edit (locked)",
    "monitoring:record_review": "sets the record's review assessment once, under a row lock "
    "(a second POST finds it set and changes nothing)",
}


def scoping(ns: dict[str, Any]) -> None:
    """Add Route entries to ns["ROUTES"] (and ns["STAFF_ONLY"])."""
    route = ns["Route"]
    ns["STAFF_ONLY"] |= {"monitoring:index"}
    ns["ROUTES"].update(
        {
            "monitoring:client_records": route(_client_kwargs),
            "monitoring:record_new": route(_client_kwargs),
            "monitoring:record_detail": route(_record_kwargs),
            "monitoring:record_edit": route(_record_kwargs),
            "monitoring:record_review": route(
                _review_record_kwargs, method="post", data={"assessed_on": "2026-05-13"}
            ),
            "monitoring:video_consent": route(_client_kwargs),
            "monitoring:video_consent_edit": route(_consent_kwargs),
            "monitoring:report_upload": route(_client_kwargs, method="post"),
            "monitoring:report_download": route(_report_kwargs),
            "monitoring:report_delete": route(_report_kwargs),
        }
    )


def locked(ns: dict[str, Any]) -> dict[str, Any]:
    lock = ns["Locked"]
    return {
        "monitoring:record_edit": lock(
            _record_kwargs, "monitoring.MonitoringRecord", "pk", "overall"
        ),
        "monitoring:video_consent_edit": lock(
            _consent_kwargs, "monitoring.VideoMonitoringConsent", "pk", "agreement_note"
        ),
    }
