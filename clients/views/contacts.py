"""認定申請 (applications) and contacts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_writer
from caremgmt.locking import StaleEditError
from clients import services
from clients.forms import (
    ApplicationForm,
    ApplicationOutcomeForm,
    ContactForm,
)
from clients.models import (
    CertificationApplication,
    ClientContact,
)
from clients.views.common import (
    _add_service_errors,
    _client,
)
from clients.views.page import (
    _form_page,
)

# --- applications and contacts -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def application_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    form = ApplicationForm(request.POST or None, initial={"applied_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.application_create(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "申請代行を記録しました。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=applications")
    return _form_page(request, client=client, form=form, title="申請代行の記録")


@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int, application_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    application = get_visible_or_404(
        CertificationApplication.objects.filter(client=client), request.actor, pk=application_pk
    )
    form = ApplicationOutcomeForm(request.POST or None, instance=application)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                actor=request.actor,
                application=application,
                fields=form.cleaned_data,
                expected_version=form.expected_version(),
            )
        except StaleEditError as error:
            conflict = error
            form.after_conflict(error)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "申請の結果を記録しました。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=applications")
    return _form_page(
        request,
        client=client,
        form=form,
        title="申請代行の結果",
        conflict=conflict,
        conflict_subject="申請",
    )


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    contact = (
        get_visible_or_404(
            ClientContact.objects.filter(client=client), request.actor, pk=contact_pk
        )
        if contact_pk
        else None
    )
    form = ContactForm(request.POST or None, instance=contact)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_save(
                actor=request.actor,
                client=client,
                contact=contact,
                fields=form.cleaned_data,
                expected_version=form.expected_version(),
            )
        except StaleEditError as error:
            conflict = error
            form.after_conflict(error)
        else:
            messages.success(request, "連絡先を保存しました。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=contacts")
    title = "連絡先・家族の変更" if contact else "連絡先・家族の追加"
    return _form_page(
        request,
        client=client,
        form=form,
        title=title,
        conflict=conflict,
        conflict_subject="連絡先",
    )


@require_http_methods(["POST"])
def contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    contact = get_visible_or_404(
        ClientContact.objects.filter(client=client), request.actor, pk=contact_pk
    )
    services.contact_delete(actor=request.actor, contact=contact)
    messages.success(request, "連絡先を削除しました。")
    return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=contacts")
