"""第5表 居宅介護支援経過 as a PDF for a date range, through the shared print job service.

    support_log_print(actor=..., client=..., date_from=..., date_to=...) -> PrintJob

Header: 利用者名, 居宅サービス計画作成者氏名 (the client's 担当介護支援専門員), 作成年月日.
作成年月日 is the day the newest entry of the range was written (not the print day: the
HTML must not change every day, or the content-hash cache would never hit).
Columns 年月日 | 項目 | 内容 (REFERENCE §1.5; the 項目 column is [U]). A corrected entry is
printed with 【訂正済】 and the number of its correction; a correction names the entry it
corrects. Each entry is one table row (`break-inside: avoid`), so its lines stay together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from caremgmt.access import Actor
from caremgmt.models import PrintJob
from caremgmt.printing.services import print_job_request
from caremgmt.wareki import wareki_date
from clients.models import Client
from monitoring.support_log.selectors import print_entries

DOCUMENT_TITLE = "第5表 居宅介護支援経過"


def support_log_print_html(*, client: Client, date_from: dt.date, date_to: dt.date) -> str:
    entries = print_entries(client, date_from, date_to)
    numbers = {entry.pk: index for index, entry in enumerate(entries, 1)}
    rows: list[dict[str, Any]] = []
    for entry in entries:
        rows.append(
            {
                "number": numbers[entry.pk],
                "entry": entry,
                "corrected_by": numbers.get(entry.corrected_by_id)
                if entry.corrected_by_id
                else None,
                "corrected_by_outside": bool(entry.corrected_by_id)
                and entry.corrected_by_id not in numbers,
                "corrects": numbers.get(entry.corrects_id) if entry.corrects_id else None,
                "corrects_outside": entry.corrects.occurred_on
                if entry.corrects_id and entry.corrects_id not in numbers
                else None,
            }
        )
    made_on = (
        max(timezone.localtime(entry.created_at).date() for entry in entries) if entries else None
    )
    return render_to_string(
        "pdf/monitoring/support_log.html",
        {
            "document_title": DOCUMENT_TITLE,
            "client_name": client.name,
            "office_name": client.office.name,
            "author_name": client.care_manager.full_name,
            "made_on": made_on,
            "date_from": date_from,
            "date_to": date_to,
            "rows": rows,
            "printed_on": None,
        },
    )


def support_log_print(
    *, actor: Actor, client: Client, date_from: dt.date, date_to: dt.date
) -> PrintJob:
    html = support_log_print_html(client=client, date_from=date_from, date_to=date_to)
    return print_job_request(
        actor=actor,
        kind="support_log",
        subject_id=client.pk,
        client_id=client.pk,
        html=html,
        filename=(f"第5表_{client.name}_{wareki_date(date_from)}〜{wareki_date(date_to)}.pdf"),
    )
