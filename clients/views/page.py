"""The client page: tabs, edit with the optimistic lock, status changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import require_writer
from caremgmt.audit import record_access
from caremgmt.locking import StaleEditError
from clients import selectors, services
from clients.forms import (
    ClientForm,
    StatusForm,
)
from clients.models import (
    Client,
    ClientStatus,
    HospitalStay,
)
from clients.views.common import (
    TAB_NAMES,
    TABS,
    _add_service_errors,
    _client,
    log_client_page,
)

# --- the client page ---------------------------------------------------------------------


def _tab_context(client: Client, tab: str) -> dict[str, Any]:
    if tab == "history":
        return selectors.client_history(client=client)
    if tab == "contacts":
        return {"contacts": selectors.client_contacts(client=client)}
    if tab == "applications":
        return {"applications": selectors.client_applications(client=client)}
    if tab == "intake":
        return selectors.client_intake(client=client)
    return {}


def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = _client(request, pk)
    tab = request.GET.get("tab", "history")
    if tab not in TAB_NAMES:
        tab = "history"
    record_access(request, subject_type="client", subject_id=client.pk, client_id=client.pk)
    today = timezone.localdate()
    context = {
        "client": client,
        "facts": selectors.client_facts_on(client=client, day=today),
        "public_expenses_today": selectors.client_public_expenses_on(client=client, day=today),
        "restriction_today": selectors.client_benefit_restriction_on(client=client, day=today),
        "today": today,
        "tabs": TABS,
        "tab": tab,
        "can_write": request.actor.can_write,
        **_tab_context(client, tab),
    }
    return render(request, "clients/detail.html", context)


def client_tab(request: HttpRequest, pk: int, tab: str) -> HttpResponse:
    if tab not in TAB_NAMES:
        raise Http404("見つかりません。")
    client = _client(request, pk)
    if not request.htmx:  # without JavaScript the page itself shows the tab (and logs it)
        return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab={tab}")
    record_access(
        request, subject_type=f"client_tab:{tab}", subject_id=client.pk, client_id=client.pk
    )
    context = {
        "client": client,
        "today": timezone.localdate(),
        "tabs": TABS,
        "tab": tab,
        "can_write": request.actor.can_write,
        **_tab_context(client, tab),
    }
    return render(request, "clients/detail.html#tab_panel", context)


@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """基本情報の変更 with the optimistic version check."""
    require_writer(request.actor)
    client = _client(request, pk)
    conflict = None
    existing = None
    if request.method == "POST":
        form = ClientForm(request.POST, instance=client, actor=request.actor)
        if form.is_valid():
            expected = form.cleaned_data.get("version") or 0
            try:
                services.client_update(
                    actor=request.actor,
                    client=client,
                    expected_version=expected,
                    fields=form.client_fields(),
                )
            except services.EditConflictError as error:
                conflict = error
                # Keep everything typed; a deliberate second save applies it over the
                # other person's version, which the conflict table has just shown.
                data = request.POST.copy()
                data["version"] = str(error.client.version)
                form = ClientForm(data, instance=error.client, actor=request.actor)
                form.is_valid()
            except services.DuplicateClientError as error:
                existing = selectors.duplicate_notice(actor=request.actor, existing=error.existing)
                if existing.client is not None:
                    log_client_page(request, existing.client)
                _add_service_errors(form, error)
            else:
                messages.success(request, "基本情報を保存しました。")
                return redirect("clients:detail", pk=client.pk)
    else:
        form = ClientForm(instance=client, actor=request.actor, initial={"version": client.version})
    log_client_page(request, client)
    return render(
        request,
        "clients/edit.html",
        {"client": client, "form": form, "conflict": conflict, "existing": existing},
    )


@require_http_methods(["GET", "POST"])
def client_status(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    form = StatusForm(request.POST or None, initial={"changed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        handoff = _hospital_form_url(client, form.cleaned_data)
        if handoff:
            # 入院 and 退院 are recorded as a stay (hospital, dates, hand-offs) on the
            # monitoring hospital screens, which set the status through client_change_status.
            return redirect(handoff)
        try:
            services.client_change_status(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "状態を変更しました。")
            return redirect("clients:detail", pk=client.pk)
    return _form_page(
        request,
        client=client,
        form=form,
        title="状態の変更（入院・退院・終了）",
        intro="「入院中」は入院の記録（入院先・入院日）へ、入院中の方の「契約中（退院）」は"
        "退院の記録へ進みます。",
    )


def _hospital_form_url(client: Client, cleaned: dict[str, Any]) -> str:
    """The admission form for 入院中; the open stay's discharge form for 契約中（退院）."""
    status, day = cleaned["status"], cleaned["changed_on"].isoformat()
    if status == ClientStatus.HOSPITALIZED and client.status == ClientStatus.CONTRACTED:
        url = reverse("monitoring:admission_new", kwargs={"client_pk": client.pk})
        return f"{url}?admitted_on={day}"
    if status == ClientStatus.CONTRACTED and client.status == ClientStatus.HOSPITALIZED:
        stay = HospitalStay.objects.filter(client=client, discharged_on__isnull=True).first()
        if stay is not None:
            return f"{reverse('monitoring:discharge', kwargs={'pk': stay.pk})}?discharged_on={day}"
    return ""


def _form_page(
    request: HttpRequest,
    *,
    client: Client | None = None,
    form: Form,
    title: str,
    back_url: str | None = None,
    intro: str = "",
    previous: Model | None = None,
    conflict: StaleEditError | None = None,
    conflict_subject: str = "",
) -> HttpResponse:
    if client is not None:
        # Every form page of a client shows that client's data (name, current values).
        log_client_page(request, client)
        if back_url is None:
            back_url = reverse("clients:detail", args=[client.pk])
    return render(
        request,
        "clients/form.html",
        {
            "client": client,
            "form": form,
            "title": title,
            "back_url": back_url,
            "intro": intro,
            "previous": previous,
            "conflict": conflict,
            "conflict_subject": conflict_subject,
        },
    )
