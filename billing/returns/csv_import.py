"""The 国保連 results CSV (docs/returns.md): validated whole, then applied whole.

Header (first line, exactly these names, in this order):

    被保険者番号,サービス提供年月,結果,事由コード,事由

* サービス提供年月: YYYYMM or YYYY-MM (must be the month chosen on the page);
* 結果: 受付 / 返戻 / 保留; 返戻 and 保留 need a 事由コード or a 事由;
* one row per client-month; the row applies to the client-month's 提出済 sheet (or, for the
  same result again, its latest sheet: re-importing a file changes nothing).

UTF-8 (with or without BOM) or MS932. Every problem is reported with its line number (the
header is line 1); any problem → nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from billing.models.benefit import BenefitManagementSheet
from billing.returns.services import apply_result, require_office_writer, validate_result
from billing.tickets.month import parse_month
from caremgmt.access import Actor, visible

HEADER = ["被保険者番号", "サービス提供年月", "結果", "事由コード", "事由"]
MAX_BYTES = 2 * 1024 * 1024
UNREADABLE_CSV = 'CSVとして読めません（引用符「"」や改行の位置を確認してください）。'


@dataclass
class ImportOutcome:
    errors: list[str] = field(default_factory=list)
    applied: int = 0
    unchanged: int = 0


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ValidationError(
                f"{line}行目: 文字コードを読み取れません（{error.start + 1}バイト目。"
                "UTF-8 または Shift_JIS）。"
            ) from error


def _month_of(text: str) -> dt.date:
    text = text.strip()
    if len(text) == 6 and text.isdigit():
        text = f"{text[:4]}-{text[4:]}"
    return parse_month(text)


def import_results(actor: Actor, month: dt.date, data: bytes) -> ImportOutcome:
    """Validate every row, then apply all of them in one transaction (or none)."""
    require_office_writer(actor)
    outcome = ImportOutcome()
    if len(data) > MAX_BYTES:
        outcome.errors.append("ファイルが大きすぎます（2MBまで）。")
        return outcome
    try:
        text = _decode(data)
    except ValidationError as error:
        outcome.errors.extend(error.messages)
        return outcome
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error:  # a stray quote or carriage return: named by its line, nothing read
        outcome.errors.append(f"{reader.line_num}行目: {UNREADABLE_CSV}")
        return outcome
    if not rows or [cell.strip() for cell in rows[0]] != HEADER:
        outcome.errors.append("1行目: 見出しは「" + ",".join(HEADER) + "」にしてください。")
        return outcome
    with transaction.atomic():
        sheets = (
            visible(BenefitManagementSheet.objects.select_for_update(), actor)
            .filter(ticket__month=month)
            .select_related("ticket__client")
            .order_by("-created_at", "-pk")
        )
        by_number: dict[str, list[BenefitManagementSheet]] = {}
        for sheet in sheets:
            by_number.setdefault(sheet.ticket.client.insured_number, []).append(sheet)
        planned: list[tuple[int, BenefitManagementSheet, str, str, str]] = []
        seen: dict[str, int] = {}
        for line_no, cells in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(HEADER):
                outcome.errors.append(f"{line_no}行目: 項目の数が{len(HEADER)}ではありません。")
                continue
            number, month_text, result, code, reason = (cell.strip() for cell in cells)
            try:
                row_month = _month_of(month_text)
            except ValueError:
                outcome.errors.append(f"{line_no}行目: サービス提供年月を読み取れません。")
                continue
            if row_month != month:
                outcome.errors.append(
                    f"{line_no}行目: サービス提供年月が{month:%Y年%m月}ではありません。"
                )
                continue
            if number in seen:
                outcome.errors.append(
                    f"{line_no}行目: 被保険者番号{number}は{seen[number]}行目と重複しています。"
                )
                continue
            seen[number] = line_no
            problems = validate_result(result, code, reason)
            if problems:
                outcome.errors.extend(f"{line_no}行目: {problem}" for problem in problems)
                continue
            candidates = by_number.get(number, [])
            sheet = next((s for s in candidates if s.status == "submitted"), None)
            if sheet is None and candidates:
                sheet = candidates[0]
            if sheet is None:
                outcome.errors.append(
                    f"{line_no}行目: 被保険者番号{number}の{month:%Y年%m月}の給付管理票がありません。"
                )
                continue
            planned.append((line_no, sheet, result, code, reason))
        if not outcome.errors:
            sid = transaction.savepoint()
            for line_no, sheet, result, code, reason in planned:
                try:
                    changed = apply_result(sheet, result, code, reason)
                except ValidationError as error:
                    outcome.errors.extend(f"{line_no}行目: {m}" for m in error.messages)
                    continue
                if changed:
                    outcome.applied += 1
                else:
                    outcome.unchanged += 1
            if outcome.errors:
                transaction.savepoint_rollback(sid)
                outcome.applied = outcome.unchanged = 0
            else:
                transaction.savepoint_commit(sid)
    return outcome
