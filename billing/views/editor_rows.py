"""Ticket editor actions: add/edit/delete/copy a row, the over-limit allocation (preview and
save), regenerate from the plan. Every write goes through `billing.tickets.services` with
the ticket version the page was loaded with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from billing import selectors
from billing.forms import CopyWeekdaysForm, TicketRowForm, VersionForm, row_initial
from billing.models import ServiceTicket, TicketRow
from billing.tickets.compute import ticket_figures
from billing.tickets.generate import generate_ticket
from billing.tickets.month import days_in_month
from billing.tickets.services import (
    ALLOCATION_ISSUES,
    ticket_allocation_save,
    ticket_row_copy_to_weekdays,
    ticket_row_delete,
    ticket_row_save,
)
from billing.views.editor_context import (
    STALE_MESSAGE,
    allocation_form,
    panel_context,
    party_charges,
    render_editor,
)
from caremgmt.access import require_plan_writer
from caremgmt.audit import record_access
from caremgmt.forms import add_service_errors
from caremgmt.locking import StaleEditError

WEEKDAY_NAMES = "月火水木金土日"


def _editor_url(ticket: ServiceTicket, row: TicketRow | None = None) -> str:
    url = reverse("billing:ticket", args=[ticket.pk])
    return f"{url}#row-{row.pk}" if row is not None else url


def _log(request: HttpRequest, ticket: ServiceTicket, name: str) -> None:
    record_access(
        request,
        subject_type=f"ticket:{name}"[:40],
        subject_id=ticket.pk,
        client_id=ticket.client_id,
    )


def _writable_ticket(request: HttpRequest, pk: int) -> ServiceTicket:
    require_plan_writer(request.actor)
    return selectors.ticket_for(request.actor, pk)


def _stale(request: HttpRequest, ticket: ServiceTicket) -> HttpResponse:
    ticket.refresh_from_db()
    return render_editor(request, ticket, stale_message=STALE_MESSAGE)


def _days_on_weekdays(ticket: ServiceTicket, weekdays: list[int]) -> list[int]:
    return [
        day
        for day in range(1, days_in_month(ticket.month) + 1)
        if ticket.month.replace(day=day).isoweekday() in set(weekdays)
    ]


class NewRowForm(TicketRowForm):
    """A new row can be given its 予定 weekdays at once (every such date of the month)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        copy = CopyWeekdaysForm.base_fields["weekdays"]
        self.fields["weekdays"] = type(copy)(
            label="予定を入れる曜日（後から日ごとに直せます）",
            choices=copy.choices,
            coerce=int,
            required=False,
            widget=copy.widget.__class__,
        )


@require_http_methods(["GET", "POST"])
def row_edit(request: HttpRequest, pk: int, row_pk: int | None = None) -> HttpResponse:
    """Add a row (row_pk None) or change one. Changing the 事業所 reloads the code choices
    (htmx, or the 「コードの一覧を更新」 button without JavaScript)."""
    ticket = _writable_ticket(request, pk)
    row = get_object_or_404(ticket.rows.select_related("provider"), pk=row_pk) if row_pk else None
    form_class = NewRowForm if row is None else TicketRowForm
    office = ticket.client.office
    conflict = False
    if request.method == "POST":
        form = form_class(request.POST, ticket=ticket, office=office, row=row)
        if form.is_valid():
            planned = None
            if row is None and form.cleaned_data.get("weekdays"):
                planned = _days_on_weekdays(ticket, form.cleaned_data["weekdays"])
            try:
                saved = ticket_row_save(
                    actor=request.actor,
                    ticket=ticket,
                    row=row,
                    fields=form.row_fields(),
                    planned_days=planned,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEditError as error:
                conflict = True
                data = request.POST.copy()
                data["version"] = str(error.current.version)
                form = form_class(data, ticket=ticket, office=office, row=row)
                form.is_valid()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "行を保存しました。")
                return redirect(_editor_url(ticket, saved))
    else:
        initial: dict[str, Any] = row_initial(row, ticket.version) if row else {}
        initial["version"] = ticket.version
        for name in ("provider", "service_code", "content", "starts_at", "ends_at"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        form = form_class(initial=initial, ticket=ticket, office=office, row=row)
    _log(request, ticket, "row_edit")
    context = {
        "ticket": ticket,
        "client": ticket.client,
        "row": row,
        "form": form,
        "conflict": conflict,
        "stale_message": STALE_MESSAGE if conflict else "",
        "title": "行を追加" if row is None else "行を変更",
    }
    if request.htmx and request.method == "GET":
        return render(request, "billing/ticket_row_form.html#row_form", context)
    return render(request, "billing/ticket_row_form.html", context)


@require_http_methods(["GET", "POST"])
def row_delete(request: HttpRequest, pk: int, row_pk: int) -> HttpResponse:
    ticket = _writable_ticket(request, pk)
    row = get_object_or_404(ticket.rows.select_related("provider"), pk=row_pk)
    form = VersionForm(request.POST or None, initial={"version": ticket.version})
    if request.method == "POST" and form.is_valid():
        try:
            ticket_row_delete(
                actor=request.actor,
                ticket=ticket,
                row_id=row.pk,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEditError:
            return _stale(request, ticket)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "行を削除しました。")
            return redirect(_editor_url(ticket))
    _log(request, ticket, "row_delete")
    return render(
        request,
        "billing/ticket_row_delete.html",
        {"ticket": ticket, "client": ticket.client, "row": row, "form": form},
    )


@require_http_methods(["GET", "POST"])
def row_copy(request: HttpRequest, pk: int, row_pk: int) -> HttpResponse:
    """Copy a row's 予定 to other weekdays (every such date of the month is added)."""
    ticket = _writable_ticket(request, pk)
    row = get_object_or_404(ticket.rows.select_related("provider"), pk=row_pk)
    form = CopyWeekdaysForm(request.POST or None, initial={"version": ticket.version})
    if request.method == "POST" and form.is_valid():
        try:
            copied = ticket_row_copy_to_weekdays(
                actor=request.actor,
                ticket=ticket,
                row_id=row.pk,
                weekdays=form.cleaned_data["weekdays"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEditError:
            return _stale(request, ticket)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            names = "・".join(WEEKDAY_NAMES[w - 1] for w in sorted(form.cleaned_data["weekdays"]))
            messages.success(request, f"{names}曜日の予定を追加しました。")
            if copied.skipped_days:
                skipped = "、".join(f"{ticket.month:%-m}月{day}日" for day in copied.skipped_days)
                messages.warning(
                    request, f"{skipped}は要介護認定の有効期間外か入院中のため除きました。"
                )
            return redirect(_editor_url(ticket, row))
    _log(request, ticket, "row_copy")
    return render(
        request,
        "billing/ticket_row_copy.html",
        {"ticket": ticket, "client": ticket.client, "row": row, "form": form},
    )


def _panel_response(
    request: HttpRequest,
    ticket: ServiceTicket,
    *,
    form: Any = None,
    preview: Any = None,
    saved: bool = False,
) -> HttpResponse:
    """The limit panel alone (htmx), or the whole editor with it."""
    if not request.htmx:
        extra: dict[str, Any] = {"preview": preview}
        if form is not None:
            extra["allocation_form"] = form
        if preview is not None:
            extra["preview_charges"] = party_charges(preview.result)
        return render_editor(request, ticket, **extra)
    figures = ticket_figures(ticket)
    _log(request, ticket, "ticket")
    context = panel_context(
        ticket, figures, form=form, preview=preview, can_plan=not ticket.is_claimed
    )
    context["oob_version"] = True
    context["saved"] = saved
    response = render(request, "billing/_limit_panel.html", context)
    if saved:
        response["HX-Trigger"] = "ticketChanged"
    return response


@require_POST
def allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """Over-limit allocation: 「試算」 previews each party's charge, 「保存」 records it (refused
    with the figures unless it sums to the excess), 「既定に戻す」 clears it."""
    ticket = _writable_ticket(request, pk)
    action = request.POST.get("action", "preview")
    figures = ticket_figures(ticket)
    form = allocation_form(ticket, figures, request.POST)
    if not form.is_valid():
        return _panel_response(request, ticket, form=form)
    expected = form.cleaned_data["version"]
    try:
        if action == "reset":
            ticket_allocation_save(
                actor=request.actor, ticket=ticket, allocation=None, expected_version=expected
            )
            messages.success(request, "限度超過の振り分けを既定に戻しました。")
        elif action == "save":
            ticket_allocation_save(
                actor=request.actor,
                ticket=ticket,
                allocation=form.allocation(),
                expected_version=expected,
            )
            messages.success(request, "限度超過の振り分けを保存しました。")
        else:
            preview = ticket_figures(ticket, allocation=form.allocation())
            for issue in preview.issues:
                if issue.code in ALLOCATION_ISSUES:
                    form.add_error(None, issue.message)
            return _panel_response(
                request, ticket, form=form, preview=None if form.errors else preview
            )
    except StaleEditError:
        return _stale(request, ticket)
    except ValidationError as error:
        add_service_errors(form, error)
        return _panel_response(request, ticket, form=form)
    ticket.refresh_from_db()
    if request.htmx:
        return _panel_response(request, ticket, saved=True)
    return redirect(reverse("billing:ticket", args=[ticket.pk]) + "#limit-panel")


@require_POST
def regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    """Refresh the rows from the plan (keeping hand edits unless 「手修正も戻す」) and say
    what changed."""
    ticket = _writable_ticket(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["version"] != ticket.version:
        return _stale(request, ticket)
    try:
        _ticket, report = generate_ticket(
            client=ticket.client,
            month=ticket.month,
            actor_staff=request.actor.staff,
            reset=form.cleaned_data["reset"],
        )
    except ValidationError as error:
        messages.error(request, "、".join(error.messages))
    else:
        lines = report.lines or ["計画との違いはありませんでした。"]
        for line in lines:
            messages.info(request, line)
        messages.success(request, "計画から再作成しました。")
    return redirect(_editor_url(ticket))


urlpatterns = [
    path("tickets/<int:pk>/rows/new/", row_edit, name="ticket_row_add"),
    path("tickets/<int:pk>/rows/<int:row_pk>/", row_edit, name="ticket_row_edit"),
    path("tickets/<int:pk>/rows/<int:row_pk>/delete/", row_delete, name="ticket_row_delete"),
    path("tickets/<int:pk>/rows/<int:row_pk>/copy/", row_copy, name="ticket_row_copy"),
    path("tickets/<int:pk>/allocation/", allocation, name="ticket_allocation"),
    path("tickets/<int:pk>/regenerate/", regenerate, name="ticket_regenerate"),
]
