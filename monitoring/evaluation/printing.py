"""The printable 評価表 (A4 landscape) through the shared print job service.

    evaluation_print(actor=..., sheet=...) -> PrintJob

Columns as the standard form: 短期目標 | （期間） | 援助内容（サービス内容・サービス種別・※1）|
結果 | コメント, with the legend of the marks; dates in 和暦. No print date in the HTML (it would
change the content hash every day and defeat the cache).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.printing.services import print_job_request
from caremgmt.wareki import wareki_date
from monitoring.evaluation.marks import result_legend
from monitoring.evaluation.selectors import sheet_rows
from monitoring.models import EvaluationSheet

DOCUMENT_TITLE = "評価表"
PRINT_KIND = "evaluation_sheet"


def _period(goal: Any) -> str:
    start = wareki_date(goal.short_term_from)
    end = wareki_date(goal.short_term_to) if goal.short_term_to else ""
    return f"{start}〜{end}"


def evaluation_print_html(*, sheet: EvaluationSheet) -> str:
    client = sheet.client
    rows = []
    for row in sheet_rows(sheet=sheet):
        items = [
            {
                "content": item.content,
                "service_kind": item.service_kind_label,
                "insured_mark": "○" if item.insured else "",
            }
            for item in row.support_items
        ] or [None]
        rows.append(
            {
                "short_term": row.goal.short_term,
                "period": _period(row.goal),
                "items": items,
                "rowspan": len(items),
                "mark": row.mark,
                "comment": row.line.comment,
            }
        )
    context = {
        "document_title": DOCUMENT_TITLE,
        "client_name": client.name,
        "office_name": client.office.name,
        "author_name": sheet.author.full_name,
        "evaluated_on": sheet.evaluated_on,
        "plan_sequence": sheet.plan.sequence,
        "rows": rows,
        "summary": sheet.summary,
        "legend": result_legend(),
        "printed_on": None,
    }
    return render_to_string("monitoring/evaluation/pdf/sheet.html", context)


def evaluation_print(*, actor: Actor, sheet: EvaluationSheet) -> PrintJob:
    """Request the PDF of one sheet; anyone who may read the sheet may print it."""
    return print_job_request(
        actor=actor,
        kind=PRINT_KIND,
        subject_id=sheet.pk,
        client_id=sheet.client_id,
        html=evaluation_print_html(sheet=sheet),
        filename=f"評価表_{sheet.client.name}_{sheet.evaluated_on:%Y%m%d}.pdf",
    )
