"""ケアプランデータ連携: export per provider and import of a received unit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from caremgmt.access import require_plan_writer
from caremgmt.audit import record_access
from careplans import services
from careplans.exchange_upload import read_uploaded_unit
from careplans.views.common import (
    add_service_errors,
    log_access,
    visible_client,
    visible_plan,
)
from clients.models import ServiceProvider as ServiceProviderModel

# --- ケアプランデータ連携 export / import ---------------------------------------------------


class _ExportForm(Form):
    def __init__(self, *args: Any, providers: list[Any], **kwargs: Any) -> None:
        from django import forms

        super().__init__(*args, **kwargs)
        self.fields["provider"] = forms.ModelChoiceField(
            label="送信先の事業所",
            queryset=ServiceProviderModel.objects.filter(pk__in=[p.pk for p in providers]),
            empty_label=None,
            help_text="第1〜3表（第2表は計画のすべての援助内容）と利用者補足情報を出力します。",
        )
        self.fields["confirm"] = forms.BooleanField(
            required=False, widget=forms.HiddenInput, initial=False
        )


@require_http_methods(["GET", "POST"])
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """ケアプランデータ連携 CSV (送信単位) of one plan for one provider, as a ZIP download.
    Characters outside MS932 are listed first; the download follows after confirming."""
    import io
    import zipfile

    from careplans.exchange_mapping import careplan_export, out_of_scope_items

    plan = visible_plan(request, pk)
    providers = services.plan_providers(plan)
    form = _ExportForm(request.POST or None, providers=providers)
    substitutions: list[Any] = []
    if request.method == "POST" and form.is_valid():
        provider = form.cleaned_data["provider"]
        try:
            result = careplan_export(
                actor=request.actor,
                plan=plan,
                provider=provider,
                sent_at=timezone.localtime().replace(microsecond=0, tzinfo=None),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.substitutions and not form.cleaned_data["confirm"]:
                substitutions = result.substitutions
                form = _ExportForm(
                    initial={"provider": provider.pk, "confirm": True}, providers=providers
                )
            else:
                record_access(
                    request,
                    subject_type="care_plan:exchange",
                    subject_id=plan.pk,
                    client_id=plan.client_id,
                    action="export",
                )
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    for name, data in result.files.items():
                        archive.writestr(name, data)
                stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
                response = HttpResponse(buffer.getvalue(), content_type="application/zip")
                response["Content-Disposition"] = (
                    f'attachment; filename="careplan_{plan.pk}_{provider.provider_number}_{stamp}.zip"'
                )
                return response
    log_access(request, "care_plan:exchange", plan.pk, plan.client_id)  # re-rendered POSTs too
    return render(
        request,
        "careplans/exchange_export.html",
        {
            "client": plan.client,
            "plan": plan,
            "form": form,
            "providers": providers,
            "substitutions": substitutions,
            "left_out": out_of_scope_items(plan),
            "back_url": reverse("careplans:plan", args=[plan.pk]),
        },
    )


class _ImportForm(Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django import forms

        class _MultipleFileInput(forms.ClearableFileInput):
            allow_multiple_selected = True

        class _MultipleFileField(forms.FileField):
            def clean(self, data: Any, initial: Any = None) -> Any:
                items = data if isinstance(data, list | tuple) else [data]
                return [super(_MultipleFileField, self).clean(d, initial) for d in items if d]

        super().__init__(*args, **kwargs)
        self.fields["files"] = _MultipleFileField(
            label="CSVファイル（UP1KYO・UP2KYO・UP3KYO・UPHOSOKU）またはZIP",
            required=False,
            widget=_MultipleFileInput(attrs={"multiple": True, "accept": ".csv,.CSV,.zip"}),
            help_text="第1表（UP1KYO）は必須です。保険者番号・被保険者番号がこの利用者と一致する計画を新しい原案として取り込みます。",
        )


@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Upload a received ケアプランデータ連携 unit for this client → a new 原案."""
    from careplans.exchange import CsvReadError
    from careplans.exchange_import import ImportProblemsError, careplan_import
    from careplans.exchange_mapping import problem_message

    require_plan_writer(request.actor)
    client = visible_client(request, client_pk)
    form = _ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            files = read_uploaded_unit(request.FILES.getlist("files"))
            plan = careplan_import(actor=request.actor, client=client, files=files)
        except CsvReadError as error:
            problems = [problem_message(problem) for problem in error.problems]
            form.add_error(None, "ファイルの内容に誤りがあります。下の一覧を確認してください。")
        except ImportProblemsError as error:
            problems = [str(problem) for problem in error.problems]
            form.add_error(
                None,
                f"このままでは内容が変わってしまう箇所が{len(problems)}件あります。"
                "何も取り込んでいません。送信元に確認し、直したファイルを取り込んでください。",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"第{plan.sequence}版の原案として取り込みました。"
                "事業所が名簿にない援助内容と第3表の週間サービスは保険外の行になっています。"
                "事業所・サービスコードを確認してください。",
            )
            if plan.import_warnings:
                messages.warning(
                    request,
                    f"そのまま取り込めなかった箇所が{len(plan.import_warnings)}件あります。"
                    "「取り込み時の確認事項」を確認して修正してください。",
                )
            return redirect("careplans:plan", pk=plan.pk)
    record_access(
        request, subject_type="client:plan_import", subject_id=client.pk, client_id=client.pk
    )
    return render(
        request,
        "careplans/exchange_import.html",
        {
            "client": client,
            "form": form,
            "problems": problems,
            "back_url": reverse("careplans:client", args=[client.pk]),
        },
    )
