"""File sets of the month's ケアプランデータ連携 (REFERENCE §3.3).

* What is exported for a client-month (`ClientMonthExport`): a 交付済 ticket is exported from
  its latest `TicketVersion.snapshot` (what was handed over; 作成年月日 = that version's
  作成年月日); a 作成中 ticket from the live snapshot, with a warning that it (or its change
  since 第n版) has not been handed over (作成年月日 = the export day).
* Sending unit {UPPLAN + UPSIKYU + UPHOSOKU} per recipient (事業所番号 + サービス種類 2桁;
  satellites share the number): the three files share one ファイル連番. Each file carries, for
  every client the recipient serves that month, **all** in-scope lines of that client (not
  only the recipient's) — §3.3. A file holds one service month and may hold several users:
  the spec's ファイル作成単位 is 事業所番号 + サービス種類, so a month export writes one unit
  per recipient with each of its users; a client the recipient does not serve is never in it.
* Delete unit {DLTPLAN} per recipient, same rules.
* Every unit of one export shares the ファイル連番 `sent_at` (names differ by recipient).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from billing.exchange.layouts import DLTPLAN, UPPLAN, UPSIKYU
from billing.exchange.records import (
    Recipient,
    SupplementHistory,
    dltplan_row,
    left_out_rows,
    recipients,
    supplement_record,
    upplan_rows,
    upsikyu_rows,
)
from billing.models import ServiceTicket, TicketStatus
from billing.selectors import tickets_of_month
from billing.tickets.snapshot import ticket_snapshot
from caremgmt.access import Actor
from careplans.exchange import (
    CsvWriteError,
    ExchangeFileName,
    Substitution,
    WriteOptions,
    sequence_for,
)
from careplans.exchange.filenames import CARE_MANAGEMENT_SERVICE_TYPE
from careplans.exchange.layout import write_rows
from careplans.exchange.uphosoku import write_uphosoku
from careplans.exchange_mapping import certification_history_fields, problem_message
from clients.models import PlanRequestFiling

NOT_DELIVERED_WARNING = (
    "{name}さんの{month}の利用票はまだ交付されていません。作成中の内容で出力します。"
)
CHANGED_AFTER_DELIVERY_WARNING = (
    "{name}さんの{month}の利用票は第{number}版の交付後の変更がまだ交付されていません。"
    "作成中の内容で出力します。"
)
NO_RECIPIENT_MESSAGE = "送信先になる事業所（連携対象のサービスの予定）がありません。"


@dataclass(frozen=True)
class ClientMonthExport:
    """One client-month as it will be sent."""

    ticket: ServiceTicket
    snapshot: dict[str, Any]
    created_on: dt.date
    history: SupplementHistory
    version_number: int | None = None  # the 交付 version exported; None = live draft
    warnings: tuple[str, ...] = ()
    #: recipients of every handed-over version too: a delete goes to whoever may hold the month
    earlier_recipients: tuple[Recipient, ...] = ()

    @property
    def recipients(self) -> list[Recipient]:
        return recipients(self.snapshot)

    @property
    def delete_recipients(self) -> list[Recipient]:
        found = {(r.provider_number, r.service_type): r for r in self.earlier_recipients}
        found.update({(r.provider_number, r.service_type): r for r in self.recipients})
        return list(found.values())

    @property
    def left_out(self) -> list[dict[str, Any]]:
        return left_out_rows(self.snapshot)


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def supplement_history(ticket: ServiceTicket, snapshot: dict[str, Any]) -> SupplementHistory:
    """17 要介護状態変更日 / 59 前回要介護状態区分 (the plan exporter's rule) and 60 同意書受付
    業者, on the last certified day of the month."""
    day = ticket.last_day
    period_to = snapshot["certification"]["period_to"]
    if period_to and dt.date.fromisoformat(period_to) < day:
        day = max(dt.date.fromisoformat(period_to), ticket.month)
    client = ticket.client
    filed = PlanRequestFiling.objects.filter(client=client).in_force_on(day).exists()
    return SupplementHistory(
        **certification_history_fields(client, day),
        consent_office_number=snapshot["office"]["number"] if filed else "",
    )


def client_month_export(ticket: ServiceTicket, *, today: dt.date) -> ClientMonthExport:
    """The data to send for `ticket` (the caller checked visibility)."""
    name = ticket.client.name
    month = _month_label(ticket.month)
    versions = list(ticket.versions.all())
    latest = max(versions, key=lambda v: v.number, default=None)
    if ticket.status == TicketStatus.DELIVERED and latest is not None:
        snapshot = latest.snapshot
        created_on = latest.created_on
        warnings: tuple[str, ...] = ()
        version_number: int | None = latest.number
    else:
        snapshot = ticket_snapshot(ticket)
        created_on = today
        version_number = None
        warnings = (
            CHANGED_AFTER_DELIVERY_WARNING.format(name=name, month=month, number=latest.number)
            if latest is not None
            else NOT_DELIVERED_WARNING.format(name=name, month=month),
        )
    return ClientMonthExport(
        ticket=ticket,
        snapshot=snapshot,
        created_on=created_on,
        history=supplement_history(ticket, snapshot),
        version_number=version_number,
        warnings=warnings,
        earlier_recipients=tuple(
            recipient for version in versions for recipient in recipients(version.snapshot)
        ),
    )


@dataclass
class FileSet:
    """{file name: MS932 bytes} of an export, and what the screen shows before sending."""

    files: dict[str, bytes] = field(default_factory=dict)
    units: list[tuple[Recipient, list[str]]] = field(default_factory=list)  # recipient, names
    substitutions: list[Substitution] = field(default_factory=list)


def _file_name(
    prefix: str, month: str, sender: str, recipient: Recipient, sent_at: dt.datetime
) -> str:
    return str(
        ExchangeFileName(
            prefix=prefix,
            month=month,
            sender_office_number=sender,
            sender_service_type=CARE_MANAGEMENT_SERVICE_TYPE,
            recipient_office_number=recipient.provider_number,
            recipient_service_type=recipient.service_type,
            sequence=sequence_for(sent_at),
        )
    )


def _by_recipient(
    exports: Sequence[ClientMonthExport], *, deleting: bool = False
) -> dict[tuple[str, str], tuple[Recipient, list[ClientMonthExport]]]:
    months = {export.ticket.month for export in exports}
    if len(months) > 1:
        raise ValueError("one file set holds one service month")
    grouped: dict[tuple[str, str], tuple[Recipient, list[ClientMonthExport]]] = {}
    for export in exports:
        for recipient in export.delete_recipients if deleting else export.recipients:
            key = (recipient.provider_number, recipient.service_type)
            grouped.setdefault(key, (recipient, []))[1].append(export)
    return dict(sorted(grouped.items()))


def _number_problems(
    sender: str, grouped: dict[tuple[str, str], tuple[Recipient, list[ClientMonthExport]]]
) -> list[str]:
    """File names need 10-digit 事業所番号 on both sides (REFERENCE §3.3)."""
    problems = []
    if not re.fullmatch(r"\d{10}", sender or ""):
        problems.append("この事業所の事業所番号（10桁）が登録されていないため出力できません。")
    for recipient, _members in grouped.values():
        if not re.fullmatch(r"\d{10}", recipient.provider_number or ""):
            problems.append(
                f"{recipient.provider_name}: 事業所番号が10桁の数字ではないため送信先にできません。"
            )
    return problems


def _write(write: Any, *args: Any) -> bytes:
    try:
        return write(*args)
    except CsvWriteError as error:
        raise ValidationError([problem_message(problem) for problem in error.problems]) from error


PLAN_PREFIXES = ("UPPLAN", "UPSIKYU", "UPHOSOKU")


def client_files(
    export: ClientMonthExport, options: WriteOptions, report: list[Substitution]
) -> dict[str, bytes]:
    """{prefix: MS932 bytes} of one client-month; raises CsvWriteError. Every record ends
    with the line ending and no file has a header row, so the files of a recipient with
    several users are these parts joined."""
    snapshot, created_on = export.snapshot, export.created_on
    return {
        "UPPLAN": write_rows(UPPLAN, upplan_rows(snapshot, created_on), options, report),
        "UPSIKYU": write_rows(UPSIKYU, upsikyu_rows(snapshot, created_on), options, report),
        "UPHOSOKU": write_uphosoku([supplement_record(snapshot, export.history)], options, report),
    }


def build_file_sets(
    exports: Sequence[ClientMonthExport],
    *,
    sender_office_number: str,
    sent_at: dt.datetime,
    options: WriteOptions | None = None,
) -> FileSet:
    """One {UPPLAN, UPSIKYU, UPHOSOKU} unit per recipient. Each client's records are written
    once; a value that cannot be written raises ValidationError naming the client, file, row
    and field (row numbers count within that client's records), and nothing is built."""
    options = options or WriteOptions()
    result = FileSet()
    grouped = _by_recipient(exports)
    if not grouped:
        raise ValidationError(NO_RECIPIENT_MESSAGE)
    parts: dict[int, dict[str, bytes]] = {}
    problems = _number_problems(sender_office_number, grouped)
    for export in exports:
        if not export.recipients:
            continue
        try:
            parts[id(export)] = client_files(export, options, result.substitutions)
        except CsvWriteError as error:
            name = export.snapshot["client"]["name"]
            problems += [f"{name}さん: {problem_message(p)}" for p in error.problems]
    if problems:
        raise ValidationError(problems)
    month = exports[0].snapshot["month"].replace("-", "")
    for recipient, members in grouped.values():
        names = {
            _file_name(prefix, month, sender_office_number, recipient, sent_at): b"".join(
                parts[id(member)][prefix] for member in members
            )
            for prefix in PLAN_PREFIXES
        }
        result.files.update(names)
        result.units.append((recipient, list(names)))
    return result


def build_delete_files(
    exports: Sequence[ClientMonthExport],
    *,
    sender_office_number: str,
    sent_at: dt.datetime,
    options: WriteOptions | None = None,
) -> FileSet:
    """One DLTPLAN (第6表予定削除, cascading to 第7表) per recipient of the month — the current
    content's and every handed-over version's (a provider dropped since still holds it)."""
    options = options or WriteOptions()
    result = FileSet()
    grouped = _by_recipient(exports, deleting=True)
    if not grouped:
        raise ValidationError(NO_RECIPIENT_MESSAGE)
    problems = _number_problems(sender_office_number, grouped)
    if problems:
        raise ValidationError(problems)
    month = exports[0].snapshot["month"].replace("-", "")
    for recipient, members in grouped.values():
        name = _file_name("DLTPLAN", month, sender_office_number, recipient, sent_at)
        rows = [dltplan_row(e.snapshot) for e in members]
        result.files[name] = _write(write_rows, DLTPLAN, rows, options, None)
        result.units.append((recipient, [name]))
    return result


def month_exports(
    actor: Actor, month: dt.date, *, today: dt.date, caseload_of: Any = None
) -> list[ClientMonthExport]:
    """Every visible ticket of `month` (optionally only one care manager's caseload, main or
    代理), oldest client first. Delivered tickets cost no recompute (their version snapshot)."""
    tickets = (
        tickets_of_month(actor, month)
        .select_related("client__office", "client__care_manager")
        .prefetch_related("versions")
        .order_by("client__name_kana", "client_id")
    )
    if caseload_of is not None:
        tickets = tickets.filter(
            Q(client__care_manager=caseload_of) | Q(client__deputy_care_manager=caseload_of)
        )
    return [client_month_export(ticket, today=today) for ticket in tickets]


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


__all__ = [
    "ClientMonthExport",
    "FileSet",
    "build_delete_files",
    "build_file_sets",
    "client_month_export",
    "month_exports",
    "zip_bytes",
]
