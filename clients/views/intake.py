"""Intake: 相談受付 and 契約."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import require_writer
from clients import selectors, services
from clients.forms import (
    ClientForm,
    ConsultationForm,
    ContractForm,
)
from clients.views.common import (
    _add_service_errors,
    _client,
    log_client_page,
)

# --- intake ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def client_intake(request: HttpRequest) -> HttpResponse:
    """初回相談の受付: the person and the consultation in one form → 相談中."""
    actor = request.actor
    require_writer(actor)
    client_form = ClientForm(request.POST or None, actor=actor, prefix="client")
    consultation_form = ConsultationForm(
        request.POST or None,
        prefix="consultation",
        initial={"consulted_on": timezone.localdate()},
    )
    existing = None
    if request.method == "POST" and client_form.is_valid() and consultation_form.is_valid():
        try:
            client = services.consultation_record(
                actor=actor,
                client_fields=client_form.client_fields(),
                **consultation_form.cleaned_data,
            )
        except services.DuplicateClientError as error:
            existing = selectors.duplicate_notice(actor=actor, existing=error.existing)
            if existing.client is not None:
                log_client_page(request, existing.client)
            _add_service_errors(client_form, error)
        else:
            messages.success(request, f"{client.name}さんの相談を受け付けました（相談中）。")
            return redirect("clients:detail", pk=client.pk)
    return render(
        request,
        "clients/intake.html",
        {"client_form": client_form, "consultation_form": consultation_form, "existing": existing},
    )


@require_http_methods(["GET", "POST"])
def client_contract(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    form = ContractForm(request.POST or None, initial={"contracted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.client_contract(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, f"{client.name}さんと契約しました（契約中）。")
            return redirect("clients:detail", pk=client.pk)
    facts = selectors.client_facts_on(client=client, day=timezone.localdate())
    log_client_page(request, client)
    return render(
        request, "clients/contract.html", {"client": client, "form": form, "facts": facts}
    )
