"""Plain context dicts for 第1〜4表 of one plan version — what a PDF template or a CSV writer
needs, with no model objects inside (strings, dates, ints, bools, lists, dicts).

    plan_documents(plan=plan) -> {"table1": {...}, "table2": {...}, "table3": {...},
                                  "table4": [{...}, ...], "minor_changes": [...]}

Dates stay `datetime.date` (the template formats them in 和暦; the CSV writer as YYYYMMDD).
"""

from __future__ import annotations

import datetime as dt
from importlib.util import find_spec
from typing import Any

from caremgmt.wareki import wareki_date
from careplans.models import CarePlan, Weekday
from clients.selectors import client_facts_on

WEEKDAYS = [(day.value, day.label) for day in Weekday]


def print_available() -> bool:
    """True once the shared PDF job service (caremgmt.printing) is installed."""
    return find_spec("caremgmt.printing.services") is not None


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return ""
    return f"{wareki_date(start)}〜{wareki_date(end) if end else ''}"


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def table1(plan: CarePlan) -> dict[str, Any]:
    client = plan.client
    office = client.office
    certification = plan.certification
    return {
        "plan_sequence": plan.sequence,
        "status": plan.get_status_display(),
        "sheet_date": plan.sheet_date,
        "plan_kind_code": plan.plan_kind,
        "plan_kind": plan.get_plan_kind_display(),
        "certification_state_code": plan.certification_state,
        "certification_state": plan.get_certification_state_display(),
        "client_name": client.name,
        "client_name_kana": client.name_kana,
        "birth_date": client.birth_date,
        "address": client.address,
        "insurer_number": client.insurer_number,
        "insured_number": client.insured_number,
        "author_name": plan.author.full_name,
        "office_name": office.name,
        "office_address": office.address,
        "office_number": office.office_number,
        "drafted_on": plan.drafted_on,
        "first_plan_on": plan.first_plan_on,
        "starts_on": plan.starts_on,
        "certified_on": certification.certified_on if certification else None,
        "certification_from": certification.valid_from if certification else None,
        "certification_to": certification.effective_to if certification else None,
        "care_level_code": certification.care_level if certification else "",
        "care_level": certification.get_care_level_display() if certification else "",
        "wishes_and_analysis": plan.wishes_and_analysis,
        "committee_opinion": plan.committee_opinion,
        "overall_policy": plan.overall_policy,
        "living_support_reason_code": plan.living_support_reason,
        "living_support_reason": plan.get_living_support_reason_display()
        if plan.living_support_reason
        else "",
        "living_support_other": plan.living_support_other,
        "consented_on": plan.consented_on,
        "consented_by": plan.consented_by,
        "delivered_on": plan.delivered_on,
    }


def table2(plan: CarePlan) -> dict[str, Any]:
    needs = []
    for need_number, need in enumerate(
        plan.needs.prefetch_related("goals__support_items__provider"), 1
    ):
        goals = []
        for goal_number, goal in enumerate(need.goals.all(), 1):
            items = [
                {
                    "number": item_number,
                    "content": item.content,
                    "insured": item.insured,
                    "insured_mark": "○" if item.insured else "",
                    "service_type_code": item.service_type,
                    "service_kind": item.service_kind_label,
                    "provider_number": item.provider.provider_number if item.provider else "",
                    "provider_name": item.provider_label,
                    "frequency": item.frequency,
                    "equipment_rental_reason": item.equipment_rental_reason,
                    "period_from": item.period_from,
                    "period_to": item.period_to,
                    "period": _period(item.period_from, item.period_to),
                }
                for item_number, item in enumerate(goal.support_items.all(), 1)
            ]
            goals.append(
                {
                    "number": goal_number,
                    "pk": goal.pk,
                    "long_term_head": goal.long_term_head_id,
                    "long_term": goal.long_term,
                    "long_term_from": goal.long_term_from,
                    "long_term_to": goal.long_term_to,
                    "long_term_period": _period(goal.long_term_from, goal.long_term_to),
                    "short_term": goal.short_term,
                    "short_term_from": goal.short_term_from,
                    "short_term_to": goal.short_term_to,
                    "short_term_period": _period(goal.short_term_from, goal.short_term_to),
                    "support_items": items,
                }
            )
        needs.append({"number": need_number, "text": need.text, "goals": goals})
    return {
        "client_name": plan.client.name,
        "sheet_date": plan.sheet_date,
        "drafted_on": plan.drafted_on,
        "needs": needs,
    }


def table3(plan: CarePlan) -> dict[str, Any]:
    """第3表. Each weekly row lists its weekdays; `by_weekday` shows it under each of them.
    `ends_next_day`: the band runs past midnight (22:00〜翌06:00)."""
    weekly = [
        {
            "weekdays": sorted(set(service.weekdays)),
            "weekdays_label": service.weekdays_label,
            "starts_at": _time(service.starts_at),
            "ends_at": _time(service.ends_at),
            "ends_next_day": service.crosses_midnight,
            "time_band": (
                f"{_time(service.starts_at)}〜"
                f"{'翌' if service.crosses_midnight else ''}{_time(service.ends_at)}"
            ),
            "content": service.content,
            "insured": service.insured,
            "provider_number": service.provider.provider_number if service.provider else "",
            "provider_name": service.provider.name if service.provider else "",
            "service_code": service.service_code,
        }
        for service in plan.weekly_services.select_related("provider")
    ]
    return {
        "client_name": plan.client.name,
        "sheet_date": plan.sheet_date,
        "starts_month": plan.starts_on.replace(day=1),
        "weekdays": [label for _, label in WEEKDAYS],
        "weekly_services": weekly,
        "by_weekday": {
            label: sorted(
                (row for row in weekly if value in row["weekdays"]),
                key=lambda row: row["starts_at"],
            )
            for value, label in WEEKDAYS
        },
        "daily_activities": [
            {
                "starts_at": _time(activity.starts_at),
                "ends_at": _time(activity.ends_at),
                "activity": activity.activity,
            }
            for activity in plan.daily_activities.all()
        ],
        "non_weekly_services": plan.non_weekly_services,
    }


def table4(plan: CarePlan) -> list[dict[str, Any]]:
    meetings = []
    for meeting in plan.meetings.prefetch_related("attendees").order_by("held_on", "pk"):
        attendees = list(meeting.attendees.all())
        meetings.append(
            {
                "client_name": plan.client.name,
                "author_name": plan.author.full_name,
                "pk": meeting.pk,
                "recorded_on": meeting.sheet_date,
                "held_on": meeting.held_on,
                "concludes_plan": meeting.concludes_plan,
                "place": meeting.place,
                "time": f"{_time(meeting.starts_at)}〜{_time(meeting.ends_at)}",
                "count": meeting.count,
                "attendees": [
                    {
                        "kind": a.get_kind_display(),
                        "affiliation": a.affiliation,
                        "name": a.name,
                    }
                    for a in attendees
                    if a.attended
                ],
                "absentees": [
                    {
                        "kind": a.get_kind_display(),
                        "affiliation": a.affiliation,
                        "name": a.name,
                        "reason": a.absence_reason,
                        "inquiry_on": a.inquiry_on,
                        "inquiry_content": a.inquiry_content,
                        "inquiry_answer": a.inquiry_answer,
                    }
                    for a in attendees
                    if not a.attended
                ],
                "items_discussed": meeting.items_discussed,
                "discussion": meeting.discussion,
                "conclusion": meeting.conclusion,
                "remaining_issues": meeting.remaining_issues,
            }
        )
    if not meetings and plan.no_meeting_reason:
        meetings.append(
            {
                "client_name": plan.client.name,
                "author_name": plan.author.full_name,
                "held_on": None,
                "no_meeting_reason": plan.no_meeting_reason,
                "recorded_on": plan.no_meeting_recorded_on,
                "attendees": [],
                "absentees": [],
            }
        )
    return meetings


def plan_documents(*, plan: CarePlan) -> dict[str, Any]:
    """All four sheets plus the 軽微な変更 appended to this version."""
    return {
        "table1": table1(plan),
        "table2": table2(plan),
        "table3": table3(plan),
        "table4": table4(plan),
        "minor_changes": [
            {"changed_on": c.changed_on, "content": c.content, "reason": c.reason}
            for c in plan.minor_changes.all()
        ],
    }


def certification_for(plan: CarePlan) -> Any:
    """The certification the plan would show if made today (for a stale-plan hint)."""
    return client_facts_on(client=plan.client, day=plan.starts_on).certification
