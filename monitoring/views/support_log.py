"""支援経過 (第5表) screens: the client's log with the fast entry, corrections, the PDF.

Thin views: parse, call monitoring.support_log (services / selectors / printing), render.
The log is also the client page's 支援経過 tab (loaded with hx-get into the tab panel).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caremgmt.access import get_visible_or_404, require_plan_writer
from caremgmt.audit import record_access
from caremgmt.forms import add_service_errors
from clients.models import Client
from monitoring.models import SupportLogEntry
from monitoring.support_log import printing, selectors, services
from monitoring.support_log.forms import (
    EntryForm,
    FilterForm,
    PrintForm,
    blank_entry_form,
    default_print_range,
)

ORDER_NEWEST = "newest"
ORDER_OLDEST = "oldest"


def _client(request: HttpRequest, client_pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related("care_manager", "primary_doctor", "office"),
        request.actor,
        pk=client_pk,
    )


def _log(request: HttpRequest, client: Client) -> None:
    record_access(request, subject_type="support_log", subject_id=client.pk, client_id=client.pk)


def _filter(request: HttpRequest) -> tuple[FilterForm, selectors.LogFilter]:
    form = FilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.LogFilter(
            kinds=tuple(data["kind"]), date_from=data["date_from"], date_to=data["date_to"]
        )
    return form, selectors.LogFilter()


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


def _render_log(
    request: HttpRequest, client: Client, form: EntryForm, *, saved: bool = False
) -> HttpResponse:
    filter_form, log_filter = _filter(request)
    window = selectors.log_window(client, log_filter, _page_number(request))
    order = ORDER_OLDEST if request.GET.get("order") == ORDER_OLDEST else ORDER_NEWEST
    entries = window.entries if order == ORDER_OLDEST else list(reversed(window.entries))
    can_write = request.actor.can_write_plans
    print_from, print_to = default_print_range(timezone.localdate())
    query = request.GET.copy()
    query.pop("page", None)
    # The order links set `order` themselves; keeping the old one would grow the URL on
    # every click (?order=oldest&order=newest&order=oldest…).
    order_query = query.copy()
    order_query.pop("order", None)
    context = {
        "client": client,
        "form": form,
        "saved": saved,
        "can_write": can_write,
        "suggestions": selectors.counterpart_suggestions(client) if can_write else [],
        "filter_form": filter_form,
        "window": window,
        "entries": entries,
        "order": order,
        "query": query.urlencode(),
        "order_query": order_query.urlencode(),
        "log_url": reverse("monitoring:support_log", args=[client.pk]),
        "post_url": reverse("monitoring:support_log", args=[client.pk])
        + (f"?{query.urlencode()}" if query else ""),
        "print_form": PrintForm(initial={"date_from": print_from, "date_to": print_to}),
    }
    _log(request, client)
    if request.htmx:
        return render(request, "monitoring/support_log/log.html#panel", context)
    return render(request, "monitoring/support_log/log.html", context)


@require_http_methods(["GET", "POST"])
def support_log(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client's 支援経過: GET shows a window of it (filters, older windows); POST writes
    a hand entry (htmx: the panel comes back with an empty form, focus in 内容; without JS:
    redirect). Bad input re-renders the form with the typed text kept."""
    if request.method == "GET":
        client = _client(request, client_pk)
        return _render_log(request, client, blank_entry_form())
    require_plan_writer(request.actor)
    client = _client(request, client_pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.support_log_write(
                actor=request.actor,
                client=client,
                occurred_on=data["occurred_on"],
                occurred_at=data["occurred_at"],
                kind=data["kind"],
                counterpart=data["counterpart"],
                content=data["content"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return _render_log(request, client, blank_entry_form(), saved=True)
            messages.success(request, "支援経過を記録しました。")
            return redirect(
                f"{reverse('monitoring:support_log', args=[client.pk])}#entry-{entry.pk}"
            )
    return _render_log(request, client, form)


@require_http_methods(["GET", "POST"])
def support_log_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """訂正: a new entry that refers to this one (prefilled with its text); the original is
    never changed. A correction may itself be corrected."""
    require_plan_writer(request.actor)
    original = get_visible_or_404(
        SupportLogEntry.objects.select_related(
            "client", "client__office", "client__care_manager", "author", "corrects"
        ),
        request.actor,
        pk=pk,
    )
    client = original.client
    if request.method == "POST":
        form = EntryForm(request.POST, extra_kind=original.kind)
        if form.is_valid():
            data = form.cleaned_data
            try:
                correction = services.support_log_correct(
                    actor=request.actor,
                    original=original,
                    occurred_on=data["occurred_on"],
                    occurred_at=data["occurred_at"],
                    kind=data["kind"],
                    counterpart=data["counterpart"],
                    content=data["content"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, "訂正を記録しました（元の記録は訂正済みとして残ります）。"
                )
                return redirect(
                    f"{reverse('monitoring:support_log', args=[client.pk])}#entry-{correction.pk}"
                )
    else:
        form = EntryForm(
            initial={
                "occurred_on": original.occurred_on,
                "occurred_at": original.occurred_at,
                "kind": original.kind,
                "counterpart": original.counterpart,
                "content": original.content,
            },
            extra_kind=original.kind,
        )
    record_access(
        request, subject_type="support_log:correct", subject_id=original.pk, client_id=client.pk
    )
    corrections = list(original.corrections.order_by("pk").values_list("pk", "occurred_on"))
    return render(
        request,
        "monitoring/support_log/correct.html",
        {"client": client, "original": original, "form": form, "corrections": corrections},
    )


@require_POST
def support_log_print(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Queue the 第5表 PDF of a date range; printing counts as reading (監査 may print).
    The download writes the 印刷 log."""
    client = _client(request, client_pk)
    form = PrintForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("monitoring:support_log", client_pk=client.pk)
    job = printing.support_log_print(
        actor=request.actor,
        client=client,
        date_from=form.cleaned_data["date_from"],
        date_to=form.cleaned_data["date_to"],
    )
    return redirect("printing:status", pk=job.pk)
