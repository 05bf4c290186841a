"""介護給付費過誤申立書 PDF through the shared print-job service (caremgmt.printing).

One document per 保険者 of the chosen 過誤申立て: 宛先 (保険者名 + 「長 殿」), 提出日 (the latest
提出日 of the rows; blank for 作成済み only, written by hand), 申立者 (事業所番号・名称・所在地・
電話・管理者) and one row per 過誤 with the line as sent (単位数, 保険請求額). The layout is
ours (municipal forms differ; none is confirmed). No print date in the HTML (it would change
the content hash daily and defeat the cache).

A document holds several clients, so its print job carries no client id; the kind check
registered in `BillingConfig.ready` (`who.sees_office_claim`) keeps its status page and
download to 事務・管理者・監査. The view writes one PRINT access-log row per client.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from django.template.loader import render_to_string

from billing.models.kago import OfficeClaimKago
from billing.office_claim import kago_codes
from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.printing.services import print_job_request

DOCUMENT_TITLE = "介護給付費過誤申立書"
PRINT_KIND = "office_claim_kago"


def kago_document_html(office, insurer: tuple[str, str], kagos: Sequence[OfficeClaimKago]) -> str:  # noqa: ANN001
    filed = [row.filed_on for row in kagos if row.filed_on is not None]
    manager = getattr(office, "manager", None)
    return render_to_string(
        "billing/pdf/office_claim_kago.html",
        {
            "document_title": DOCUMENT_TITLE,
            "insurer_number": insurer[0],
            "insurer_name": insurer[1],
            "filed_on": max(filed) if filed else None,
            "office": office,
            "manager_name": manager.full_name if manager is not None else "",
            "rows": [
                {
                    "insured_number": row.client.insured_number,
                    "name": row.client.name,
                    "month": row.month,
                    "form_number": kago_codes.form_number(row.reason_code),
                    "code": row.reason_code,
                    "reason": row.reason_text,
                    "same_month": row.same_month,
                    "units": int(row.sent_line.get("total_units", 0)),
                    "yen": int(row.sent_line.get("insurance_claim_yen", 0)),
                }
                for row in kagos
            ],
        },
    )


def _insurer(row: OfficeClaimKago) -> tuple[str, str]:
    return (row.client.insurer_number, row.client.insurer_name)


def request_kago_prints(
    *, actor: Actor, kagos: Sequence[OfficeClaimKago]
) -> list[tuple[tuple[str, str], PrintJob]]:
    """[(保険者 (番号, 名称), job)] — one job per 保険者, finished or queued."""
    office = actor.office
    jobs = []
    ordered = sorted(kagos, key=lambda row: (_insurer(row), row.client.insured_number, row.pk))
    for insurer, group in groupby(ordered, key=_insurer):
        rows = list(group)
        html = kago_document_html(office, insurer, rows)
        job = print_job_request(
            actor=actor,
            kind=PRINT_KIND,
            subject_id=rows[0].close_id,
            client_id=None,
            html=html,
            filename=f"kago_{insurer[0] or 'hokensha'}_{rows[0].month:%Y%m}.pdf",
        )
        jobs.append((insurer, job))
    return jobs
