"""Shared helpers of the care-plan views: visible lookups, access log, form errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caremgmt import concurrency
from caremgmt.access import get_visible_or_404
from caremgmt.audit import record_access
from caremgmt.forms import add_service_errors  # noqa: F401 (re-exported to the plan views)
from careplans import services
from careplans.models import (
    CarePlan,
)
from clients.models import Client

PLAN_RELATED = ("client", "client__office", "client__care_manager", "author", "assessment")


def visible_client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related("care_manager", "office"), request.actor, pk=pk
    )


def visible_plan(request: HttpRequest, pk: int) -> CarePlan:
    return get_visible_or_404(
        CarePlan.objects.select_related(*PLAN_RELATED, "certification"), request.actor, pk=pk
    )


def log_access(request: HttpRequest, subject_type: str, subject_id: int, client_id: int) -> None:
    record_access(request, subject_type=subject_type, subject_id=subject_id, client_id=client_id)


def render_form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "careplans/form.html", context)


# --- optimistic lock: three-way merge of a conflicting save ------------------------------


def edit_snapshot(instance: Model | None, form_class: type[ModelForm]) -> str:
    """The signed snapshot of the values a form is loaded with (empty for a new row, which
    merges with any other save)."""
    if instance is None or instance.pk is None:
        return concurrency.sign_snapshot({})
    return concurrency.sign_snapshot(concurrency.instance_values(instance, form_class._meta.fields))


def submitted_snapshot(request: HttpRequest) -> concurrency.Snapshot | None:
    return concurrency.read_snapshot(request.POST.get(concurrency.SNAPSHOT_FIELD))


@dataclass
class PendingConflict:
    """Fields of an earlier conflict the user still has to choose for (shown again)."""

    conflicts: list[services.FieldConflict]
    by_self: bool
    changes: tuple[()] = ()

    @property
    def other_party(self) -> str:
        return "別のタブ（または画面）であなた" if self.by_self else "他の職員"


def apply_resolutions(
    request: HttpRequest,
    form: ModelForm,
    fields: dict[str, Any],
    snapshot: concurrency.Snapshot | None,
    current: Model | None,
) -> PendingConflict | None:
    """Apply the user's choice (saved value or theirs) for each field of an earlier conflict.
    Returns the still-unresolved conflict (with field errors on the form) when a choice is
    missing: nothing is saved then."""
    if snapshot is None or not snapshot.conflicts or current is None:
        return None
    missing = []
    for name in snapshot.conflicts:
        choice = request.POST.get(concurrency.RESOLVE_PREFIX + name)
        if choice == concurrency.RESOLVE_THEIRS:
            fields[name] = getattr(current, name)
        elif choice != concurrency.RESOLVE_YOURS:
            missing.append(name)
    if not missing:
        return None
    for name in missing:
        form.add_error(
            name if name in form.fields else None,
            "先に保存された内容とあなたの入力のどちらにするか選んでください。",
        )
    return PendingConflict(
        services.describe_conflicts(current, fields, snapshot.conflicts), snapshot.by_self
    )


def conflict_form(
    form_class: type[ModelForm],
    error: services.PlanEditConflictError,
    fields: dict[str, Any],
    *,
    version_field: str,
    form_kwargs: dict[str, Any],
) -> ModelForm:
    """The form again after a conflict: the row as saved now, with this writer's changed
    fields (and their side of each conflict) on top, loaded at the current version."""
    assert error.current is not None and error.merge is not None
    current = error.current
    mine = {name: fields[name] for name in (*error.merge.yours, *error.merge.conflicts)}
    token = concurrency.sign_snapshot(
        concurrency.instance_values(current, form_class._meta.fields),
        error.merge.conflicts,
        by_self=error.by_self,
    )
    initial = {**mine, version_field: error.plan.version, concurrency.SNAPSHOT_FIELD: token}
    return form_class(instance=current, initial=initial, **form_kwargs)
