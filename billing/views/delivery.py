"""billing views: 交付・同意, versions, copies, 提供票 sends (see billing/views/__init__.py).

Thin: parse, call `billing.delivery`, render. Every page showing client data writes an
access-log row; lookups go through `billing.selectors.ticket_for` (404 for outsiders).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import delivery
from billing.forms_delivery import CopiesSentForm, DeliverForm, ProviderSendForm
from billing.models import ServiceTicket, TicketCopy
from billing.printing import DOCUMENTS
from billing.selectors import ticket_for
from billing.tickets.month import add_months, first_of_month, parse_month
from billing.tickets.snapshot import snapshot_hash, ticket_snapshot
from caremgmt.access import require_plan_writer, require_writer
from caremgmt.audit import record_access, record_search
from caremgmt.forms import add_service_errors
from caremgmt.locking import StaleEditError


def _log(request: HttpRequest, ticket: ServiceTicket, name: str) -> None:
    record_access(
        request, subject_type=f"ticket:{name}", subject_id=ticket.pk, client_id=ticket.client_id
    )


def _send_choices(view: delivery.VersionView | None) -> list[tuple[str, str]]:
    if view is None:
        return []
    return [(f"{view.version.pk}:{p.pk}", p.name) for p in view.unsent_providers]


def _copies(overview: delivery.DeliveryOverview) -> list[TicketCopy]:
    return [copy for view in overview.versions for copy in view.copies]


def _page_context(
    request: HttpRequest,
    ticket: ServiceTicket,
    *,
    copies_form: CopiesSentForm | None = None,
    send_form: ProviderSendForm | None = None,
    conflict: StaleEditError | None = None,
) -> dict[str, Any]:
    overview = delivery.delivery_overview(ticket)
    today = timezone.localdate()
    return {
        "ticket": ticket,
        "client": ticket.client,
        "overview": overview,
        "content_changed": delivery.live_content_changed(ticket, overview),
        "copies_form": copies_form or CopiesSentForm(copies=_copies(overview)),
        "send_form": send_form
        or ProviderSendForm(
            item_choices=_send_choices(overview.current),
            initial={"sent_on": today, "method": "fax"},
        ),
        "conflict": conflict,
        "conflict_subject": "写しの送付日",
        "standalone": True,
        "documents": DOCUMENTS,
        "can_deliver": request.actor.can_write_plans and not ticket.is_claimed,
        "can_record_sends": request.actor.can_write,
    }


@require_GET
def ticket_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    """The 交付 page: current version, history of versions (printable), copies, sends."""
    ticket = ticket_for(request.actor, pk)
    _log(request, ticket, "delivery")
    return render(request, "billing/delivery.html", _page_context(request, ticket))


@require_GET
def ticket_delivery_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor's 交付 panel (htmx): no recompute, the version counter says whether the
    ticket was saved after the current version."""
    ticket = ticket_for(request.actor, pk)
    _log(request, ticket, "delivery_panel")
    overview = delivery.delivery_overview(ticket)
    response = render(
        request,
        "billing/delivery.html#panel",
        {
            "ticket": ticket,
            "overview": overview,
            "can_deliver": request.actor.can_write_plans and not ticket.is_claimed,
        },
    )
    response["Vary"] = "HX-Request"
    return response


@require_http_methods(["GET", "POST"])
def ticket_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    """Record 交付・同意 (plan writers). Stale page → refused with what changed, input kept."""
    require_plan_writer(request.actor)
    ticket = ticket_for(request.actor, pk)
    snapshot = ticket_snapshot(ticket)
    previous = ticket.versions.order_by("-number").defer("snapshot").first()
    next_number = previous.number + 1 if previous else 1
    candidates = delivery.copy_candidates(ticket, snapshot["certification"]["care_level"])
    form_kwargs = {
        "contacts": delivery.received_by_contacts(ticket),
        "candidates": candidates,
        "consent_policy": ticket.client.office.ticket_consent_method,
        "next_number": next_number,
    }
    conflict = None
    if request.method == "POST":
        form = DeliverForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = delivery.ticket_deliver(
                    actor=request.actor,
                    ticket=ticket,
                    created_on=data["created_on"],
                    received_by=form.received_by(),
                    consent_method=data["consent_method"],
                    consent_note=data.get("consent_note", ""),
                    change_reason=data.get("change_reason", ""),
                    copies=form.chosen_copies(),
                    expected_version=data["version"],
                )
            except StaleEditError as error:
                conflict = error
                posted = request.POST.copy()
                posted["version"] = str(error.current.version)
                form = DeliverForm(posted, **form_kwargs)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"第{version.number}版の交付・同意を記録しました。提供票の送付も記録してください。",
                )
                return redirect("billing:ticket_delivery", pk=ticket.pk)
    else:
        form = DeliverForm(
            initial={
                "version": ticket.version,
                "created_on": timezone.localdate(),
                "received_by_choice": "self",
                "consent_method": "signature",
                "copies": [candidate.key for candidate in candidates],
            },
            **form_kwargs,
        )
    _log(request, ticket, "deliver")
    unchanged = previous is not None and previous.content_hash == snapshot_hash(snapshot)
    return render(
        request,
        "billing/delivery_form.html",
        {
            "ticket": ticket,
            "client": ticket.client,
            "form": form,
            "snapshot": snapshot,
            "previous": previous,
            "next_number": next_number,
            "unchanged": unchanged,
            "no_change_message": delivery.NO_CHANGE_MESSAGE,
            "conflict": conflict,
            "conflict_subject": "利用票",
        },
    )


@require_POST
def ticket_copies(request: HttpRequest, pk: int) -> HttpResponse:
    """送付日 of the copies (事務 too). A date saved by someone else meanwhile is not
    overwritten: the page shows it, with the input kept."""
    require_writer(request.actor)
    ticket = ticket_for(request.actor, pk)
    overview = delivery.delivery_overview(ticket)
    form = CopiesSentForm(request.POST, copies=_copies(overview))
    conflict = None
    if form.is_valid():
        try:
            changed = delivery.ticket_copies_mark_sent(
                actor=request.actor, ticket=ticket, changes=form.changes()
            )
        except StaleEditError as error:
            conflict = error
            posted = request.POST.copy()
            posted[f"loaded_{error.current.pk}"] = (
                error.current.sent_on.isoformat() if error.current.sent_on else ""
            )
            form = CopiesSentForm(posted, copies=_copies(overview))
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"写しの送付日を{changed}件記録しました。")
            return redirect(reverse("billing:ticket_delivery", args=[ticket.pk]) + "#copies")
    _log(request, ticket, "delivery")
    return render(
        request,
        "billing/delivery.html",
        _page_context(request, ticket, copies_form=form, conflict=conflict),
    )


@require_POST
def ticket_sends(request: HttpRequest, pk: int) -> HttpResponse:
    """提供票 of the current version sent to the chosen providers (事務 too)."""
    require_writer(request.actor)
    ticket = ticket_for(request.actor, pk)
    overview = delivery.delivery_overview(ticket)
    form = ProviderSendForm(request.POST, item_choices=_send_choices(overview.current))
    if form.is_valid():
        data = form.cleaned_data
        try:
            added = delivery.provider_sends_record(
                actor=request.actor,
                items=data["items"],
                sent_on=data["sent_on"],
                method=data["method"],
                ticket=ticket,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"提供票の送付を{added}件記録しました。")
            return redirect(reverse("billing:ticket_delivery", args=[ticket.pk]) + "#sends")
    _log(request, ticket, "delivery")
    return render(request, "billing/delivery.html", _page_context(request, ticket, send_form=form))


def _month_from(request: HttpRequest) -> tuple[dt.date, str]:
    text = request.GET.get("month") or request.POST.get("month") or ""
    if text:
        try:
            return parse_month(text), ""
        except ValueError:
            return first_of_month(timezone.localdate()), "月は「2026-12」の形で指定してください。"
    return first_of_month(timezone.localdate()), ""


@require_http_methods(["GET", "POST"])
def tickets_unsent(request: HttpRequest) -> HttpResponse:
    """提供票 not yet sent for the current versions of the month (my caseload; the office for
    管理者・事務・監査), grouped by provider, with a bulk 「送付済みにする」."""
    month, month_error = _month_from(request)
    if request.method == "POST":
        require_writer(request.actor)
        form = ProviderSendForm(request.POST, item_choices=[])
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = delivery.provider_sends_record(
                    actor=request.actor,
                    items=data["items"],
                    sent_on=data["sent_on"],
                    method=data["method"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"提供票の送付を{added}件記録しました。")
                return redirect(f"{reverse('billing:tickets_unsent')}?month={month:%Y-%m}")
    else:
        form = ProviderSendForm(
            item_choices=[], initial={"sent_on": timezone.localdate(), "method": "fax"}
        )
    unsent = delivery.unsent_providers(request.actor, month)
    record_search(request, subject_type="ticket:unsent", query={"month": f"{month:%Y-%m}"})
    chosen = set(request.POST.getlist("items")) if request.method == "POST" else None  # kept
    groups = [
        (
            group,
            [
                (item, value, chosen is not None and value in chosen)
                for item in group.tickets
                for value in [f"{item.version_id}:{group.provider.pk}"]
            ],
        )
        for group in unsent.providers
    ]
    return render(
        request,
        "billing/delivery_unsent.html",
        {
            "month": month,
            "month_error": month_error,
            "previous_month": add_months(month, -1),
            "next_month": add_months(month, 1),
            "unsent": unsent,
            "form": form,
            "groups": groups,
            "can_record_sends": request.actor.can_write,
        },
    )


urlpatterns = [
    path("tickets/unsent/", tickets_unsent, name="tickets_unsent"),
    path("tickets/<int:pk>/delivery/", ticket_delivery, name="ticket_delivery"),
    path("tickets/<int:pk>/delivery/panel/", ticket_delivery_panel, name="ticket_delivery_panel"),
    path("tickets/<int:pk>/deliver/", ticket_deliver, name="ticket_deliver"),
    path("tickets/<int:pk>/copies/", ticket_copies, name="ticket_copies"),
    path("tickets/<int:pk>/sends/", ticket_sends, name="ticket_sends"),
]
