"""Forms of the monitoring record screens.

The record form is one hand-built form: the record's own fields (ModelForm) plus, for each
short-term goal and each service of the plan in force, a few generated fields
(`goal_<pk>_achievement`, `item_<pk>_satisfaction` …), so the page posts once and the view
stays small. `goal_reviews()` / `service_reviews()` hand them to the service by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms

from caremgmt.locking import LockedEditForm
from careplans.forms.common import TimeInput
from careplans.models import Goal, Meeting, SupportItem
from clients.forms import DateInput, StyledForm
from clients.models import ServiceProvider
from monitoring.models import (
    Achievement,
    MonitoringRecord,
    ProviderReport,
    Satisfaction,
    VideoMonitoringConsent,
)


class RecordForm(LockedEditForm, StyledForm, forms.ModelForm):
    class Meta:
        model = MonitoringRecord
        fields = [
            "visited_on",
            "visited_at",
            "place",
            "met_persons",
            "health_change",
            "adl_change",
            "family_change",
            "environment_change",
            "overall",
            "decision",
            "decision_reason",
            "next_ticket_explained",
            "next_ticket_version",
        ]
        widgets = {
            "visited_on": DateInput(),
            "visited_at": TimeInput(),
            "place": forms.RadioSelect,
            "decision": forms.RadioSelect,
            "health_change": forms.Textarea(attrs={"rows": 2}),
            "adl_change": forms.Textarea(attrs={"rows": 2}),
            "family_change": forms.Textarea(attrs={"rows": 2}),
            "environment_change": forms.Textarea(attrs={"rows": 2}),
            "overall": forms.Textarea(attrs={"rows": 3}),
            "decision_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args: Any,
        goals: Sequence[Goal] = (),
        items: Sequence[SupportItem] = (),
        ticket_versions: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        self.items = list(items)
        version_field = self.fields["next_ticket_version"]
        version_field.queryset = version_field.queryset.filter(
            pk__in=[v.pk for v in ticket_versions]
        )
        version_field.label_from_instance = lambda v: (
            f"第{v.number}版（交付日 {v.created_on:%Y-%m-%d}）"
        )
        version_field.required = False
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}_achievement"] = forms.ChoiceField(
                label="達成度",
                choices=Achievement.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "達成度を選んでください。"},
            )
            self.fields[f"goal_{goal.pk}_observation"] = forms.CharField(
                label="状況", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        for item in self.items:
            self.fields[f"item_{item.pk}_planned"] = forms.BooleanField(
                label="計画どおり提供されている", required=False, initial=True
            )
            self.fields[f"item_{item.pk}_satisfaction"] = forms.ChoiceField(
                label="満足度",
                choices=Satisfaction.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "満足度を選んでください。"},
            )
            self.fields[f"item_{item.pk}_note"] = forms.CharField(
                label="本人・家族の意見", required=False, max_length=1000
            )
        self._style()

    def goal_rows(self, previous: MonitoringRecord | None = None) -> list[dict[str, Any]]:
        """Per goal: its fields, its services' fields and last time's review ("前回")."""
        before = carried_over(previous, self.goals)[0]
        return [
            {
                "goal": goal,
                "previous": before.get(goal.pk),
                "achievement": self[f"goal_{goal.pk}_achievement"],
                "observation": self[f"goal_{goal.pk}_observation"],
                "items": [
                    {
                        "item": item,
                        "planned": self[f"item_{item.pk}_planned"],
                        "satisfaction": self[f"item_{item.pk}_satisfaction"],
                        "note": self[f"item_{item.pk}_note"],
                    }
                    for item in goal.support_items.all()
                ],
            }
            for goal in self.goals
        ]

    def header_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}

    def goal_reviews(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        return {
            goal.pk: {
                "achievement": data.get(f"goal_{goal.pk}_achievement"),
                "observation": data.get(f"goal_{goal.pk}_observation", ""),
            }
            for goal in self.goals
        }

    def service_reviews(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        return {
            item.pk: {
                "delivered_as_planned": data.get(f"item_{item.pk}_planned", False),
                "satisfaction": data.get(f"item_{item.pk}_satisfaction"),
                "note": data.get(f"item_{item.pk}_note", ""),
            }
            for item in self.items
        }


def carried_over(
    previous: MonitoringRecord | None, goals: Sequence[Goal]
) -> tuple[dict[int, Any], dict[int, Any]]:
    """Last time's reviews keyed by the current goal / service. After a plan revision the
    rows are copies with new ids, so a goal is matched by its 短期目標 text and a service by
    its goal's text and its サービス内容."""
    if previous is None:
        return {}, {}
    previous_goals = list(previous.goals.select_related("goal"))
    previous_services = list(previous.services.select_related("support_item__goal"))
    goal_reviews = {r.goal_id: r for r in previous_goals}
    goal_by_text = {r.goal.short_term: r for r in previous_goals}
    item_reviews = {r.support_item_id: r for r in previous_services}
    item_by_text = {
        (r.support_item.goal.short_term, r.support_item.content): r for r in previous_services
    }
    goal_map: dict[int, Any] = {}
    item_map: dict[int, Any] = {}
    for goal in goals:
        review = goal_reviews.get(goal.pk) or goal_by_text.get(goal.short_term)
        if review is not None:
            goal_map[goal.pk] = review
        for item in goal.support_items.all():
            found = item_reviews.get(item.pk) or item_by_text.get((goal.short_term, item.content))
            if found is not None:
                item_map[item.pk] = found
    return goal_map, item_map


def record_initial(
    record: MonitoringRecord | None,
    previous: MonitoringRecord | None,
    *,
    visited_on: dt.date,
    goals: Sequence[Goal] = (),
) -> dict[str, Any]:
    """Initial values: an existing record's reviews, or for a new one the previous record's
    (達成度・状況 per goal, 満足度・意見 per service — "前回と同じ") and 面接した人."""
    initial: dict[str, Any] = {}
    if record is None:
        initial.update({"visited_on": visited_on, "place": "home", "decision": "continue"})
        if previous is not None:
            initial["met_persons"] = previous.met_persons
    goal_map, item_map = carried_over(record or previous, goals)
    for goal_id, review in goal_map.items():
        initial[f"goal_{goal_id}_achievement"] = review.achievement
        initial[f"goal_{goal_id}_observation"] = review.observation
    for item_id, review in item_map.items():
        initial[f"item_{item_id}_planned"] = review.delivered_as_planned
        initial[f"item_{item_id}_satisfaction"] = review.satisfaction
        initial[f"item_{item_id}_note"] = review.note
    return initial


class ReviewStartForm(StyledForm, forms.Form):
    assessed_on = forms.DateField(label="アセスメントの実施日", widget=DateInput())
    reason = forms.ChoiceField(
        label="アセスメントの理由",
        choices=[("condition_change", "状態変化"), ("other", "その他")],
        initial="condition_change",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ConsentForm(LockedEditForm, StyledForm, forms.ModelForm):
    class Meta:
        model = VideoMonitoringConsent
        fields = [
            "consented_on",
            "consented_by",
            "meeting",
            "agreed_on",
            "agreement_note",
            "ended_on",
            "end_reason",
        ]
        widgets = {
            "consented_on": DateInput(),
            "agreed_on": DateInput(),
            "ended_on": DateInput(),
            "agreement_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, client_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meeting = self.fields["meeting"]
        meeting.queryset = (
            Meeting.objects.filter(plan__client_id=client_id)
            .select_related("plan")
            .order_by("-held_on", "-pk")
        )
        meeting.label_from_instance = lambda m: (
            f"{m.held_on:%Y-%m-%d} 第{m.count}回（計画 第{m.plan.sequence}版）"
        )
        meeting.help_text = "合意した会議を選びます。会議の記録がなければ合意日を入力します。"
        self._style()

    def fields_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ReportForm(StyledForm, forms.ModelForm):
    file = forms.FileField(
        label="ファイル（PDF・JPEG・PNG）",
        error_messages={"required": "ファイルを選んでください。"},
    )

    class Meta:
        model = ProviderReport
        fields = ["month", "provider", "record", "received_on", "note"]
        widgets = {"received_on": DateInput()}

    month = forms.DateField(
        label="対象月",
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args: Any, client_id: int, office_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = ServiceProvider.objects.filter(
            office_id=office_id
        ).order_by("name")
        record = self.fields["record"]
        record.queryset = MonitoringRecord.objects.filter(client_id=client_id).order_by(
            "-visited_on"
        )
        record.label_from_instance = lambda r: f"{r.visited_on:%Y-%m-%d} {r.get_place_display()}"
        record.required = False
        self._style()

    def fields_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}
