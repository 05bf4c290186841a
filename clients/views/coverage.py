"""公費 and 給付制限 screens (shown on the client page's 認定・負担割合 tab, which logs the
access). Add and correct only: a correction supersedes the row it replaces, and a second
correction of the same row is refused (the history's optimistic lock)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import get_visible_or_404, require_writer
from caremgmt.choices import RegionalGrade
from caremgmt.regional_grades import regional_grade_add, regional_grade_on
from clients.forms_coverage import (
    BenefitRestrictionCorrectionForm,
    BenefitRestrictionForm,
    PublicExpenseCorrectionForm,
    PublicExpenseForm,
    RegionalGradeForm,
)
from clients.models import BenefitRestriction, PublicExpense, ServiceProvider
from clients.services import coverage as services_coverage
from clients.views.common import _add_service_errors, _client
from clients.views.histories import CORRECTION_INTRO, history_fact_form


@require_http_methods(["GET", "POST"])
def public_expense_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    return history_fact_form(
        request,
        client=client,
        form=PublicExpenseForm(request.POST or None, initial={"valid_from": timezone.localdate()}),
        save=services_coverage.public_expense_add,
        saved_message="公費を登録しました。",
        title="公費の登録",
    )


@require_http_methods(["GET", "POST"])
def public_expense_correct(request: HttpRequest, pk: int, public_expense_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    old = get_visible_or_404(
        PublicExpense.objects.current().filter(client=client), request.actor, pk=public_expense_pk
    )
    fields = ("law_number", "payer_number", "recipient_number", "valid_from", "valid_to")
    return history_fact_form(
        request,
        client=client,
        form=PublicExpenseCorrectionForm(
            request.POST or None, initial={name: getattr(old, name) for name in fields}
        ),
        save=services_coverage.public_expense_add,
        saved_message="公費を訂正しました（訂正前の記録は履歴に残ります）。",
        title="公費の訂正",
        previous=old,
        intro=CORRECTION_INTRO,
    )


@require_http_methods(["GET", "POST"])
def restriction_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    return history_fact_form(
        request,
        client=client,
        form=BenefitRestrictionForm(
            request.POST or None, initial={"valid_from": timezone.localdate()}
        ),
        save=services_coverage.benefit_restriction_add,
        saved_message="給付制限を登録しました。",
        title="給付制限の登録",
    )


@require_http_methods(["GET", "POST"])
def restriction_correct(request: HttpRequest, pk: int, restriction_pk: int) -> HttpResponse:
    require_writer(request.actor)
    client = _client(request, pk)
    old = get_visible_or_404(
        BenefitRestriction.objects.current().filter(client=client),
        request.actor,
        pk=restriction_pk,
    )
    fields = ("kind", "benefit_rate", "valid_from", "valid_to", "note")
    return history_fact_form(
        request,
        client=client,
        form=BenefitRestrictionCorrectionForm(
            request.POST or None, initial={name: getattr(old, name) for name in fields}
        ),
        save=services_coverage.benefit_restriction_add,
        saved_message="給付制限を訂正しました（訂正前の記録は履歴に残ります）。",
        title="給付制限の訂正",
        previous=old,
        intro=CORRECTION_INTRO,
    )


@require_http_methods(["GET", "POST"])
def provider_regional_grades(request: HttpRequest, pk: int) -> HttpResponse:
    """地域区分の履歴 of one provider, and a new grade from a date (e.g. after a 告示)."""
    require_writer(request.actor)
    provider = get_visible_or_404(ServiceProvider, request.actor, pk=pk)
    form = RegionalGradeForm(request.POST or None, initial={"grade": provider.regional_grade})
    if request.method == "POST" and form.is_valid():
        try:
            regional_grade_add(actor=request.actor, entity=provider, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "地域区分を登録しました。")
            return redirect("clients:provider_regional_grades", pk=provider.pk)
    return render(
        request,
        "clients/regional_grades.html",
        {
            "provider": provider,
            "rows": list(provider.regional_grades.select_related("created_by")),
            "form": form,
            "today_grade_label": RegionalGrade(
                regional_grade_on(provider, timezone.localdate())
            ).label,
            "back_url": reverse("clients:providers"),
        },
    )
