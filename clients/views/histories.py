"""Effective-dated histories: 認定, 負担割合, 届出."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_writer
from clients import services
from clients.forms import (
    BurdenRatioCorrectionForm,
    BurdenRatioForm,
    CertificationCorrectionForm,
    CertificationForm,
    PlanRequestFilingForm,
)
from clients.models import (
    BurdenRatio,
    Certification,
    Client,
)
from clients.views.common import (
    _add_service_errors,
    _client,
)
from clients.views.page import (
    _form_page,
)

# --- histories ---------------------------------------------------------------------------

CORRECTION_INTRO = "訂正すると新しい記録が作られ、訂正前の記録は「訂正済」として履歴に残ります。"


def history_url(pk: int) -> str:
    return f"{reverse('clients:detail', args=[pk])}?tab=history"


def history_fact_form(
    request: HttpRequest,
    *,
    client: Client,
    form: Form,
    save: Callable[..., Any],
    saved_message: str,
    title: str,
    previous: Model | None = None,
    intro: str = "",
) -> HttpResponse:
    """Shared handling of one effective-dated fact form: add, or 訂正 when `previous` is
    given (the service then supersedes it with the posted `reason`). Service errors land at
    their fields; success returns to the history tab."""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if previous is not None:
            data.update(supersedes=previous, reason=data.pop("reason"))
        try:
            save(actor=request.actor, client=client, **data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, saved_message)
            return redirect(history_url(client.pk))
    return _form_page(
        request, client=client, form=form, title=title, intro=intro, previous=previous
    )


@require_http_methods(["GET", "POST"])
def certification_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    return history_fact_form(
        request,
        client=client,
        form=CertificationForm(request.POST or None),
        save=services.certification_add,
        saved_message="要介護認定を登録しました。",
        title="要介護認定の登録",
    )


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
    return history_fact_form(
        request,
        client=client,
        form=CertificationCorrectionForm(request.POST or None, initial=initial),
        save=services.certification_add,
        saved_message="要介護認定を訂正しました（訂正前の記録は履歴に残ります）。",
        title="要介護認定の訂正",
        previous=old,
        intro=CORRECTION_INTRO,
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
    return history_fact_form(
        request,
        client=client,
        form=form,
        save=services.burden_ratio_add,
        saved_message="負担割合を登録しました。",
        title="負担割合証の登録",
    )


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
    return history_fact_form(
        request,
        client=client,
        form=form,
        save=services.burden_ratio_add,
        saved_message="負担割合を訂正しました（訂正前の記録は履歴に残ります）。",
        title="負担割合証の訂正",
        previous=old,
    )


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
        return redirect(history_url(client.pk))
    return _form_page(
        request, client=client, form=form, title="居宅サービス計画作成依頼（変更）届出の登録"
    )
