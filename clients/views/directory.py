"""Directories: providers, doctors, informal resources."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_writer
from caremgmt.choices import ServiceType
from caremgmt.locking import StaleEditError
from clients import selectors, services
from clients.forms import (
    DoctorForm,
    ProviderForm,
    ResourceForm,
)
from clients.models import (
    Doctor,
    InformalResource,
    ResourceKind,
    ServiceProvider,
)
from clients.views.common import (
    PAGE_SIZE,
    _add_service_errors,
)
from clients.views.page import (
    _form_page,
)

# --- directories -------------------------------------------------------------------------


def provider_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    service_type = request.GET.get("type", "")
    providers = selectors.provider_list(actor=request.actor, query=query, service_type=service_type)
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clients/providers.html",
        {
            "page": page,
            "query": query,
            "service_type": service_type,
            "service_types": ServiceType.choices,
        },
    )


def doctor_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = Paginator(selectors.doctor_list(actor=request.actor, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "clients/doctors.html", {"page": page, "query": query})


def resource_index(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    page = Paginator(selectors.resource_list(actor=request.actor, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "clients/resources.html",
        {"page": page, "kind": kind, "kinds": ResourceKind.choices},
    )


def _directory_edit(
    request: HttpRequest,
    *,
    model: type[Model],
    form_class: type[Form],
    pk: int | None,
    save: Any,
    keyword: str,
    title: str,
    index_url: str,
) -> HttpResponse:
    require_writer(request.actor)
    instance = get_visible_or_404(model, request.actor, pk=pk) if pk else None
    extra = {"actor": request.actor} if form_class is ProviderForm else {}
    form = form_class(request.POST or None, instance=instance, **extra)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            save(
                actor=request.actor,
                fields=form.cleaned_data,
                expected_version=form.expected_version(),
                **{keyword: instance},
            )
        except StaleEditError as error:
            conflict = error
            form.after_conflict(error)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "保存しました。")
            return redirect(index_url)
    return _form_page(
        request,
        form=form,
        title=f"{title}の{'変更' if instance else '登録'}",
        back_url=index_url,
        conflict=conflict,
        conflict_subject=title,
    )


@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _directory_edit(
        request,
        model=ServiceProvider,
        form_class=ProviderForm,
        pk=pk,
        save=services.provider_save,
        keyword="provider",
        title="サービス事業所",
        index_url=reverse("clients:providers"),
    )


@require_http_methods(["GET", "POST"])
def doctor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _directory_edit(
        request,
        model=Doctor,
        form_class=DoctorForm,
        pk=pk,
        save=services.doctor_save,
        keyword="doctor",
        title="主治医・医療機関",
        index_url=reverse("clients:doctors"),
    )


@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _directory_edit(
        request,
        model=InformalResource,
        form_class=ResourceForm,
        pk=pk,
        save=services.resource_save,
        keyword="resource",
        title="インフォーマル資源",
        index_url=reverse("clients:resources"),
    )
