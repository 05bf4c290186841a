"""Client screens: thin function views — parse, call a selector or service, render.

Every lookup goes through the access helper (404 for anything not visible); every write
view calls `require_writer`. The client page and each of its htmx tabs write an access-log
row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_writer
from caremgmt.audit import record_access
from caremgmt.choices import ServiceType
from clients import selectors, services
from clients.forms import (
    ApplicationForm,
    ApplicationOutcomeForm,
    BurdenRatioCorrectionForm,
    BurdenRatioForm,
    CertificationCorrectionForm,
    CertificationForm,
    ClientForm,
    ConsultationForm,
    ContactForm,
    ContractForm,
    DoctorForm,
    PlanRequestFilingForm,
    ProviderForm,
    ResourceForm,
    StatusForm,
)
from clients.models import (
    BurdenRatio,
    Certification,
    CertificationApplication,
    Client,
    ClientContact,
    ClientStatus,
    Doctor,
    InformalResource,
    ResourceKind,
    ServiceProvider,
)

PAGE_SIZE = 25
TABS = (
    ("history", "認定・負担割合"),
    ("contacts", "連絡先・家族"),
    ("applications", "申請代行"),
    ("intake", "相談・契約"),
    ("plans", "ケアプラン"),
    ("tickets", "利用票"),
    ("records", "支援経過"),
)
TAB_NAMES = {name for name, _ in TABS}


def _client(request: HttpRequest, pk: int) -> Client:
    return get_visible_or_404(
        Client.objects.select_related(
            "care_manager", "deputy_care_manager", "primary_doctor", "office"
        ),
        request.actor,
        pk=pk,
    )


def _add_service_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- list and search ---------------------------------------------------------------------


def client_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "kana")
    status = request.GET.get("status", "")
    try:
        care_manager_id = int(request.GET.get("cm") or 0) or None
    except ValueError:
        care_manager_id = None
    clients = selectors.client_search(
        actor=request.actor,
        query=query,
        care_manager_id=care_manager_id,
        status=status,
        sort=sort,
        today=today,
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = request.GET.copy()
    sort_params.pop("sort", None)
    sort_params.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "sort": sort,
        "status": status,
        "care_manager_id": care_manager_id,
        "care_managers": selectors.office_care_managers(actor=request.actor),
        "status_choices": ClientStatus.choices,
        "querystring": params.urlencode(),
        "sort_querystring": sort_params.urlencode(),
        "today": today,
    }
    # The filter is pushed to the address bar (hx-push-url): a history restore or a full
    # load of that address must get the whole page, filtered from the query string.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "clients/index.html#results" if partial else "clients/index.html"
    return render(request, template, context)


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
            existing = error.existing
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
    return render(
        request, "clients/contract.html", {"client": client, "form": form, "facts": facts}
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
                existing = error.existing
                _add_service_errors(form, error)
            else:
                messages.success(request, "基本情報を保存しました。")
                return redirect("clients:detail", pk=client.pk)
    else:
        form = ClientForm(instance=client, actor=request.actor, initial={"version": client.version})
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
        try:
            services.client_change_status(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "状態を変更しました。")
            return redirect("clients:detail", pk=client.pk)
    return _form_page(request, client=client, form=form, title="状態の変更（入院・退院・終了）")


def _form_page(
    request: HttpRequest,
    *,
    client: Client | None = None,
    form: Form,
    title: str,
    back_url: str | None = None,
    intro: str = "",
    previous: Model | None = None,
) -> HttpResponse:
    if back_url is None and client is not None:
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
        },
    )


# --- histories ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def certification_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certification_add(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "要介護認定を登録しました。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=history")
    return _form_page(request, client=client, form=form, title="要介護認定の登録")


@require_http_methods(["GET", "POST"])
def certification_correct(request: HttpRequest, pk: int, certification_pk: int) -> HttpResponse:
    """訂正: a new row supersedes the old one; the old one stays in the history."""
    require_writer(request.actor)
    client = _client(request, pk)
    old = get_visible_or_404(
        Certification.objects.current().filter(client=client),
        request.actor,
        pk=certification_pk,
    )
    initial = {name: getattr(old, name) for name in CertificationForm.Meta.fields}
    form = CertificationCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.certification_add(
                actor=request.actor, client=client, supersedes=old, reason=reason, **data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "要介護認定を訂正しました（訂正前の記録は履歴に残ります）。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=history")
    return _form_page(
        request,
        client=client,
        form=form,
        title="要介護認定の訂正",
        intro="訂正すると新しい記録が作られ、訂正前の記録は「訂正済」として履歴に残ります。",
        previous=old,
    )


@require_http_methods(["GET", "POST"])
def burden_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    today = timezone.localdate()
    start_year = today.year if today.month >= 8 else today.year - 1
    form = BurdenRatioForm(
        request.POST or None,
        initial={
            "ratio": 1,
            "valid_from": today.replace(year=start_year, month=8, day=1),
            "valid_to": today.replace(year=start_year + 1, month=7, day=31),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.burden_ratio_add(actor=request.actor, client=client, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "負担割合を登録しました。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=history")
    return _form_page(request, client=client, form=form, title="負担割合証の登録")


@require_http_methods(["GET", "POST"])
def burden_correct(request: HttpRequest, pk: int, burden_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    old = get_visible_or_404(
        BurdenRatio.objects.current().filter(client=client), request.actor, pk=burden_pk
    )
    form = BurdenRatioCorrectionForm(
        request.POST or None,
        initial={"ratio": old.ratio, "valid_from": old.valid_from, "valid_to": old.valid_to},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.burden_ratio_add(
                actor=request.actor, client=client, supersedes=old, reason=reason, **data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "負担割合を訂正しました（訂正前の記録は履歴に残ります）。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=history")
    return _form_page(request, client=client, form=form, title="負担割合証の訂正", previous=old)


@require_http_methods(["GET", "POST"])
def filing_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    form = PlanRequestFilingForm(
        request.POST or None,
        initial={"filed_on": timezone.localdate(), "municipality": client.insurer_name},
    )
    if request.method == "POST" and form.is_valid():
        services.plan_request_filing_add(actor=request.actor, client=client, **form.cleaned_data)
        messages.success(request, "居宅サービス計画作成依頼届出を登録しました。")
        return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=history")
    return _form_page(
        request, client=client, form=form, title="居宅サービス計画作成依頼（変更）届出の登録"
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
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                actor=request.actor, application=application, fields=form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "申請の結果を記録しました。")
            return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=applications")
    return _form_page(request, client=client, form=form, title="申請代行の結果")


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
    if request.method == "POST" and form.is_valid():
        services.contact_save(
            actor=request.actor, client=client, contact=contact, fields=form.cleaned_data
        )
        messages.success(request, "連絡先を保存しました。")
        return redirect(f"{reverse('clients:detail', args=[client.pk])}?tab=contacts")
    title = "連絡先・家族の変更" if contact else "連絡先・家族の追加"
    return _form_page(request, client=client, form=form, title=title)


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


# --- alerts ------------------------------------------------------------------------------


def expiring(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.certifications_expiring(actor=request.actor, today=today)
    return render(request, "clients/expiring.html", {"rows": rows, "today": today})


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
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=request.actor, fields=form.cleaned_data, **{keyword: instance})
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "保存しました。")
            return redirect(index_url)
    return _form_page(
        request, form=form, title=f"{title}の{'変更' if instance else '登録'}", back_url=index_url
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
