"""The simple 実績 CSV (docs/actuals.md): validated whole, then applied whole.

Header (first line, exactly these names, in this order):

    被保険者番号,サービス提供年月,事業所番号,サービスコード,開始時刻,終了時刻,日付

* サービス提供年月: YYYYMM or YYYY-MM (must be the month chosen on the board);
* 開始時刻 / 終了時刻: HHMM or HH:MM, both empty for services without a time (福祉用具貸与);
* 日付: the days of the month, separated by spaces ("3 10 17"), or one row per date.

UTF-8 (with or without BOM) or MS932. The file carries the whole 実績 of each provider it
names for each client: a named provider's rows not in the file get no 実績 days. Rows are
matched on provider + service code + start time; a code not on the ticket (but valid that
month) becomes a new row with empty 予定.

Every problem is reported with its line number (the header is line 1); any problem →
nothing is written and the `ActualsImport` records the rejection.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.actuals.services import CONFIRMED_MESSAGE, receive
from billing.models import RowSource, ServiceTicket, TicketRow
from billing.models.actuals import (
    ActualsImport,
    ActualsImportKind,
    ActualsSource,
    ActualsStatus,
    ProviderActuals,
)
from billing.tickets.compute import recompute_and_cache
from billing.tickets.month import days_in_month, parse_month
from billing.tickets.rules import code_on
from caremgmt.access import Actor, require_writer, visible
from clients.models import Client, ServiceProvider

HEADER = [
    "被保険者番号",
    "サービス提供年月",
    "事業所番号",
    "サービスコード",
    "開始時刻",
    "終了時刻",
    "日付",
]
MAX_BYTES = 5 * 1024 * 1024
NO_ROWS_MESSAGE = "1行目: 取り込む行がありません（空のファイルか、空の行だけです）。"
_TIME = re.compile(r"^(\d{1,2}):?(\d{2})$")


@dataclass(frozen=True)
class ActualLine:
    """One service of one client at one provider (one or more dates), from any 実績 file."""

    line: int
    insured_number: str
    provider_number: str
    service_code: str
    starts_at: dt.time | None
    ends_at: dt.time | None
    days: tuple[int, ...]


@dataclass
class Plan:
    """A validated file: where each line goes. Built only when there were no errors."""

    lines: list[ActualLine] = field(default_factory=list)
    tickets: dict[str, ServiceTicket] = field(default_factory=dict)  # insured number →
    providers: dict[str, ServiceProvider] = field(default_factory=dict)


def decode(data: bytes) -> str:
    """UTF-8 (BOM optional), else MS932; ValidationError naming the line of the first
    unreadable byte when neither decodes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationError(
            f"{line}行目: 文字コードを読み取れません（{error.start + 1}バイト目。"
            "UTF-8 または Shift_JIS で保存してください）。"
        ) from error


def _time(text: str) -> dt.time:
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(text)
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_csv(text: str, month: dt.date) -> tuple[list[ActualLine], list[str]]:
    """Read every line; return the lines read and every problem found (line-numbered)."""
    errors: list[str] = []
    lines: list[ActualLine] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
        if header != HEADER:
            return [], [f"1行目: 見出しが違います。「{','.join(HEADER)}」としてください。"]
        _parse_rows(reader, month, lines, errors)
    except csv.Error:  # a stray quote or carriage return: named by its line, reading stops
        errors.append(
            f'{reader.line_num}行目: CSVとして読めません（引用符「"」や改行の位置を確認してください）。'
        )
    return lines, errors


def _parse_rows(reader, month: dt.date, lines: list[ActualLine], errors: list[str]) -> None:  # noqa: ANN001
    last = days_in_month(month)
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(HEADER):
            errors.append(f"{number}行目: 項目の数が{len(cells)}個です（{len(HEADER)}個）。")
            continue
        insured, ym, provider, code, start, end, days_text = (c.strip() for c in cells)
        problems: list[str] = []
        if not re.fullmatch(r"\d{10}|H\d{9}", insured):
            problems.append(f"被保険者番号「{insured}」の形が違います（10桁）")
        try:
            if parse_month(ym) != month:
                problems.append(f"サービス提供年月「{ym}」が{month:%Y年%-m月}ではありません")
        except ValueError:
            problems.append(f"サービス提供年月「{ym}」を読めません（YYYYMM）")
        if not re.fullmatch(r"\d{10}", provider):
            problems.append(f"事業所番号「{provider}」の形が違います（10桁）")
        if not re.fullmatch(r"[0-9A-Z]{6}", code):
            problems.append(f"サービスコード「{code}」の形が違います（6桁）")
        starts_at = ends_at = None
        if start or end:
            try:
                starts_at, ends_at = _time(start), _time(end)
            except ValueError:
                problems.append(f"開始時刻・終了時刻「{start}」「{end}」を読めません（HHMM）")
        days: list[int] = []
        for token in days_text.replace("、", " ").replace(",", " ").split():
            if not token.isdigit():
                problems.append(f"日付「{token}」を読めません")
            elif not 1 <= int(token) <= last:
                problems.append(f"日付「{token}」は{month:%Y年%-m月}（1〜{last}日）にありません")
            else:
                days.append(int(token))
        if not days_text:
            problems.append("日付がありません")
        if problems:
            errors.append(f"{number}行目: " + "、".join(problems) + "。")
            continue
        lines.append(
            ActualLine(
                number, insured, provider, code, starts_at, ends_at, tuple(sorted(set(days)))
            )
        )


UNKNOWN_CLIENT = (
    "被保険者番号「{}」の利用者が見つかりません（この事業所の、あなたが扱える利用者ではありません）"
)


def visible_clients(actor: Actor, insured: set[str]) -> dict[str, Client]:
    """The actor's clients by 被保険者番号: the office, or the caseload of a care manager."""
    queryset = Client.objects.filter(office=actor.office, insured_number__in=insured)
    return {c.insured_number: c for c in visible(queryset, actor)}


def resolve(actor: Actor, month: dt.date, lines: list[ActualLine]) -> tuple[Plan, list[str]]:
    """Check every line against the actor's clients and office: client, ticket, provider,
    code, 確定 status."""
    errors: list[str] = []
    office = actor.office
    clients = visible_clients(actor, {line.insured_number for line in lines})
    tickets = {
        t.client.insured_number: t
        for t in ServiceTicket.objects.filter(
            client__in=clients.values(), month=month
        ).select_related("client")
    }
    providers = {
        p.provider_number: p
        for p in ServiceProvider.objects.filter(
            office=office, provider_number__in={line.provider_number for line in lines}
        )
    }
    confirmed = set(
        ProviderActuals.objects.filter(
            ticket__in=tickets.values(), status=ActualsStatus.CONFIRMED
        ).values_list("ticket_id", "provider_id")
    )
    row_codes = set(
        TicketRow.objects.filter(ticket__in=tickets.values()).values_list(
            "ticket_id", "service_code"
        )
    )
    for line in lines:
        problems = []
        ticket = tickets.get(line.insured_number)
        provider = providers.get(line.provider_number)
        if line.insured_number not in clients:
            problems.append(UNKNOWN_CLIENT.format(line.insured_number))
        elif ticket is None:
            problems.append(f"{month:%Y年%-m月}の利用票がありません")
        elif ticket.is_claimed:
            problems.append("請求確定済みの月です")
        if provider is None:
            problems.append(f"事業所番号「{line.provider_number}」の事業所が登録されていません")
        if (
            ticket is not None
            and (ticket.pk, line.service_code) not in row_codes
            and code_on(line.service_code, month) is None
        ):
            problems.append(
                f"サービスコード「{line.service_code}」は利用票になく、{month:%Y年%-m月}に有効でもありません"
            )
        if ticket is not None and provider is not None and (ticket.pk, provider.pk) in confirmed:
            problems.append(CONFIRMED_MESSAGE.split("。")[0])
        if problems:
            errors.append(f"{line.line}行目: " + "、".join(problems) + "。")
    return Plan(lines=lines, tickets=tickets, providers=providers), errors


def _apply(plan: Plan, record: ActualsImport, actor: Actor, source: str) -> None:
    by_ticket: dict[int, dict[tuple, set[int]]] = {}
    named: dict[int, set[int]] = {}
    for line in plan.lines:
        ticket = plan.tickets[line.insured_number]
        provider = plan.providers[line.provider_number]
        key = (provider.pk, line.service_code, line.starts_at, line.ends_at)
        by_ticket.setdefault(ticket.pk, {}).setdefault(key, set()).update(line.days)
        named.setdefault(ticket.pk, set()).add(provider.pk)
    for ticket_id, wanted in by_ticket.items():
        ticket = ServiceTicket.objects.select_for_update().get(pk=ticket_id)
        rows = list(ticket.rows.select_for_update().filter(provider_id__in=named[ticket_id]))
        matched: set[int] = set()
        next_order = max((r.order for r in ticket.rows.all()), default=0) + 1
        for (provider_id, code, starts_at, ends_at), days in wanted.items():
            row = next(
                (
                    r
                    for r in rows
                    if r.pk not in matched
                    and r.provider_id == provider_id
                    and r.service_code == code
                    and r.starts_at == starts_at
                ),
                None,
            )
            if row is None:
                found = code_on(code, ticket.month)
                row = TicketRow.objects.create(
                    ticket=ticket,
                    order=next_order,
                    source=RowSource.MANUAL,
                    provider_id=provider_id,
                    service_code=code,
                    content=getattr(found, "name", "")[:100] if found else "",
                    starts_at=starts_at,
                    ends_at=ends_at,
                    planned_days=[],
                    actual_days=sorted(days),
                    actual_recorded=True,
                    edited=True,
                )
                next_order += 1
            else:
                row.actual_days = sorted(days)
                row.actual_recorded = True
                row.save(update_fields=["actual_days", "actual_recorded"])
            matched.add(row.pk)
        for row in rows:
            if row.pk not in matched:  # a named provider's row with no 実績 in the file
                row.actual_days = []
                row.actual_recorded = True
                row.save(update_fields=["actual_days", "actual_recorded"])
        ticket.version += 1
        ticket.updated_by = actor.staff
        ticket.save(update_fields=["version", "updated_by", "updated_at"])
        recompute_and_cache(ticket)
        receive(ticket, named[ticket_id], source=source, source_import=record)


def storable(text: str) -> str:
    """PostgreSQL text and jsonb cannot hold NUL: a message quoting a value with one shows ␀."""
    return text.replace("\x00", "␀")


def _line_number(error: str) -> int:
    match = re.match(r"(\d+)行目", error)
    return int(match.group(1)) if match else 0


def import_lines(
    *,
    actor: Actor,
    month: dt.date,
    filename: str,
    data: bytes,
    kind: str,
    lines: list[ActualLine],
    errors: list[str],
) -> ActualsImport:
    """Resolve and apply parsed lines whole, or record the rejection with every error."""
    require_writer(actor)
    office = actor.office
    if not errors and not lines:
        errors = [NO_ROWS_MESSAGE]
    plan = Plan()
    if lines:  # office checks of the well-formed lines too: every problem in one answer
        plan, office_errors = resolve(actor, month, lines)
        errors = sorted([*errors, *office_errors], key=_line_number)
    record = ActualsImport(
        office=office,
        month=month,
        kind=kind,
        filename=storable(filename)[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=len(lines),
        uploaded_by=actor.staff,
    )
    if errors:
        record.errors = [storable(error) for error in errors]
        record.save()
        return record
    source = ActualsSource.UPJSK if kind == ActualsImportKind.UPJSK else ActualsSource.CSV
    try:
        with transaction.atomic():
            record.applied = True
            record.save()
            _apply(plan, record, actor, source)
    except ValidationError as error:
        record.pk = None
        record.applied = False
        record.errors = list(error.messages)
        record.save()
    return record


def import_csv(*, actor: Actor, month: dt.date, filename: str, data: bytes) -> ActualsImport:
    require_writer(actor)
    if len(data) > MAX_BYTES:
        lines, errors = [], ["ファイルが大きすぎます（5MBまで）。"]
    else:
        try:
            lines, errors = parse_csv(decode(data), month)
        except ValidationError as error:
            lines, errors = [], list(error.messages)
    return import_lines(
        actor=actor,
        month=month,
        filename=filename,
        data=data,
        kind=ActualsImportKind.CSV,
        lines=lines,
        errors=errors,
    )
