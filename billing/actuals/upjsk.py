"""ケアプランデータ連携 実績 files received from providers (REFERENCE §3):

* UPJSK  第6表 実績 — the 25-column v4.1 layout of UPPLAN, one record per service per date
  (サービス利用日); read with the plan exchange reader (`careplans.exchange.layout`, MS932);
* DLTJSK 実績削除 — CSVバージョン, 保険者番号, 被保険者番号, 削除対象年月, サービス事業者コード,
  サービス種類コード: the provider withdraws its 実績 of that service type for the month.

Both are validated whole (line-numbered Japanese messages) and applied whole, like the
simple CSV (`billing.actuals.csv_import`), recorded as an `ActualsImport`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from django.db import transaction

from billing.actuals.csv_import import (
    MAX_BYTES,
    NO_ROWS_MESSAGE,
    ActualLine,
    import_lines,
    storable,
    visible_clients,
)
from billing.exchange.layouts import UPPLAN
from billing.models import ServiceTicket, TicketRow
from billing.models.actuals import ActualsImport, ActualsImportKind, ActualsStatus, ProviderActuals
from billing.tickets.compute import recompute_and_cache
from caremgmt.access import Actor, require_writer
from careplans.exchange.layout import FieldSpec, Layout, ParsedFile, common_fields, parse_rows
from clients.models import ServiceProvider

UPJSK = dataclasses.replace(UPPLAN, record_type="UPJSK", title="第6表（サービス利用票）実績")
DLTJSK = Layout(
    record_type="DLTJSK",
    title="第6表（サービス利用票）実績 削除",
    fields=(
        *common_fields(),
        FieldSpec("target_month", "削除対象年月", "month", 6, True),
        FieldSpec("provider_number", "サービス事業者コード", "code", 10, True, r"\d{10}"),
        FieldSpec("service_type", "サービス種類コード", "code", 2, True, r"[0-9A-Z]{2}"),
    ),
)


def _time(text: str) -> dt.time:
    return dt.time(int(text[:2]) % 24, int(text[2:]))


def _line_of(parsed: ParsedFile, index: int) -> int:
    """The physical line of record `index` (0-based), counting a header row if present."""
    return index + 1 + (1 if parsed.had_header_row else 0)


def _problems(parsed: ParsedFile) -> list[str]:
    out = []
    for problem in parsed.problems:
        line = problem.line if problem.line is not None else problem.row
        where = f"{line}行目: " if line else "ファイル全体: "
        field = f"{problem.field_label}: " if problem.field_label else ""
        out.append(f"{where}{field}{problem.message}")
    return out


def parse_upjsk(data: bytes, month: dt.date) -> tuple[list[ActualLine], list[str]]:
    parsed = parse_rows(UPJSK, data)
    errors = _problems(parsed)
    lines: list[ActualLine] = []
    if errors:
        return lines, errors
    for index, row in enumerate(parsed.rows):
        number = _line_of(parsed, index)
        problems = []
        if row["target_month"] != f"{month:%Y%m}":
            problems.append(f"対象年月「{row['target_month']}」が{month:%Y年%-m月}ではありません")
        day = row["service_date"]
        if day is None or (day.year, day.month) != (month.year, month.month):
            problems.append(f"サービス利用日「{day:%Y%m%d}」が{month:%Y年%-m月}ではありません")
        try:
            starts_at, ends_at = _time(row["start_time"]), _time(row["end_time"])
        except ValueError:
            problems.append("サービス開始時刻・終了時刻を読めません（HHMM）")
            starts_at = ends_at = None
        if problems:
            errors.append(f"{number}行目: " + "、".join(problems) + "。")
            continue
        if row["start_time"] == row["end_time"] == "0000":
            starts_at = ends_at = None  # 福祉用具貸与 and other services without a time
        lines.append(
            ActualLine(
                number,
                row["insured_number"],
                row["provider_number"],
                row["service_code"],
                starts_at,
                ends_at,
                (day.day,),
            )
        )
    return lines, errors


def import_upjsk(*, actor: Actor, month: dt.date, filename: str, data: bytes) -> ActualsImport:
    require_writer(actor)
    if len(data) > MAX_BYTES:
        lines, errors = [], ["ファイルが大きすぎます（5MBまで）。"]
    else:
        lines, errors = parse_upjsk(data, month)
    return import_lines(
        actor=actor,
        month=month,
        filename=filename,
        data=data,
        kind=ActualsImportKind.UPJSK,
        lines=lines,
        errors=errors,
    )


def import_dltjsk(*, actor: Actor, month: dt.date, filename: str, data: bytes) -> ActualsImport:
    """実績削除: clear the 実績 days of that provider's rows of that service type; the
    provider's status goes back to 未受領."""
    require_writer(actor)
    parsed = parse_rows(DLTJSK, data)
    errors = _problems(parsed)
    office = actor.office
    targets: list[tuple[ServiceTicket, ServiceProvider, str]] = []
    if not errors:
        rows = list(parsed.rows)
        clients = visible_clients(actor, {r["insured_number"] for r in rows})
        tickets = {
            t.client_id: t
            for t in ServiceTicket.objects.filter(client__in=clients.values(), month=month)
        }
        providers = {
            p.provider_number: p
            for p in ServiceProvider.objects.filter(
                office=office, provider_number__in={r["provider_number"] for r in rows}
            )
        }
        confirmed = set(
            ProviderActuals.objects.filter(
                ticket__in=tickets.values(), status=ActualsStatus.CONFIRMED
            ).values_list("ticket_id", "provider_id")
        )
        for index, row in enumerate(rows):
            problems = []
            client = clients.get(row["insured_number"])
            ticket = tickets.get(client.pk) if client else None
            provider = providers.get(row["provider_number"])
            if row["target_month"] != f"{month:%Y%m}":
                problems.append(
                    f"削除対象年月「{row['target_month']}」が{month:%Y年%-m月}ではありません"
                )
            if client is None:
                problems.append(
                    f"被保険者番号「{row['insured_number']}」の利用者がこの事業所にいません"
                )
            elif ticket is None:
                problems.append(f"{month:%Y年%-m月}の利用票がありません")
            elif ticket.is_claimed:
                problems.append("請求確定済みの月です")
            if provider is None:
                problems.append(
                    f"サービス事業者コード「{row['provider_number']}」の事業所が登録されていません"
                )
            if ticket and provider and (ticket.pk, provider.pk) in confirmed:
                problems.append("この事業所の実績は確定済みです")
            if problems:
                errors.append(f"{_line_of(parsed, index)}行目: " + "、".join(problems) + "。")
            else:
                targets.append((ticket, provider, row["service_type"]))
    if not errors and not targets:
        errors = [NO_ROWS_MESSAGE]
    record = ActualsImport(
        office=office,
        month=month,
        kind=ActualsImportKind.DLTJSK,
        filename=storable(filename)[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=len(parsed.rows),
        uploaded_by=actor.staff,
        errors=[storable(error) for error in errors],
        applied=not errors,
    )
    with transaction.atomic():
        record.save()
        if not errors:
            _delete(targets, actor)
    return record


def _delete(targets: list[tuple[ServiceTicket, ServiceProvider, str]], actor: Actor) -> None:
    done: set[int] = set()
    for ticket, provider, service_type in targets:
        locked = ServiceTicket.objects.select_for_update().get(pk=ticket.pk)
        for row in TicketRow.objects.select_for_update().filter(
            ticket=locked, provider=provider, service_code__startswith=service_type
        ):
            row.actual_days = []
            row.actual_recorded = False
            row.save(update_fields=["actual_days", "actual_recorded"])
        for pa in ProviderActuals.objects.select_for_update().filter(
            ticket=locked, provider=provider
        ):
            pa.status, pa.source, pa.received_at, pa.source_import = "pending", "", None, None
            pa.version += 1
            pa.save(update_fields=["status", "source", "received_at", "source_import", "version"])
        if locked.pk not in done:
            locked.version += 1
            locked.updated_by = actor.staff
            locked.save(update_fields=["version", "updated_by", "updated_at"])
            done.add(locked.pk)
    for ticket_id in done:
        recompute_and_cache(ServiceTicket.objects.get(pk=ticket_id))
