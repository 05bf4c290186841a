"""Importing a full 介護給付費単位数等サービスコード表 from CSV (`import_service_codes`).

All or nothing: every row is checked first and each bad row is reported with its line
number and column; nothing is saved unless the whole file is good. Importing the same file
twice changes nothing. A new version of a code (later `valid_from`) closes the previous
open-ended version the day before — a 報酬改定 adds rows, it never edits them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction

from billing.calc.data_files import SERVICE_CODE_COLUMNS, RowError, parse_service_code_row
from billing.calc.schedule import CodeKind
from billing.calc.schedule import ServiceCode as CodeRow
from caremgmt.models import ServiceCode, ServiceType
from caremgmt.models.fee_schedule import Confidence

REQUIRED_COLUMNS = SERVICE_CODE_COLUMNS


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}行目 {self.column}: {self.message}"


class ServiceCodeImportError(Exception):
    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    codes: set[str] = field(default_factory=set)

    def summary(self) -> str:
        return (
            f"追加 {self.created}件、更新 {self.updated}件、変更なし {self.unchanged}件、"
            f"旧版の適用終了日を設定 {self.closed}件"
        )


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or Shift_JIS (MS932), as offices receive them; a file that
    is neither raises ServiceCodeImportError naming the line of the first unreadable byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ServiceCodeImportError(
            [
                ImportProblem(
                    line,
                    "(ファイル)",
                    f"UTF-8 としても Shift_JIS としても読めないバイトがあります（{error.start}バイト目）。",
                )
            ]
        ) from error


# The database columns' limits (caremgmt.models.ServiceCode): a value beyond them is a
# row-numbered problem here, not a database error after the transaction started.
UNITS_MAX = 2_147_483_647
RATE_MAX_DIGITS = 6
RATE_DECIMAL_PLACES = 2


def _column_problem(row: CodeRow) -> tuple[str, str] | None:
    """(column, message) of the first value the ServiceCode table cannot hold, else None."""
    for column in ("name", "level_group"):
        limit = ServiceCode._meta.get_field(column).max_length
        value = getattr(row, column) or ""
        if len(value) > limit:
            return column, f"{limit}文字以内にしてください（{len(value)}文字あります）。"
    if not -UNITS_MAX - 1 <= row.units <= UNITS_MAX:
        return "units", f"単位数が大きすぎます: {row.units}（{UNITS_MAX}以下）"
    if row.kind == CodeKind.BASE and row.units < 0:
        return "units", f"基本サービス（base）の単位数は0以上です: {row.units}"
    rate = row.percentage_rate
    if rate is not None:
        if not rate.is_finite():
            return "percentage_rate", f"率は数値です: {rate}"
        whole_digits = RATE_MAX_DIGITS - RATE_DECIMAL_PLACES
        if abs(rate) >= Decimal(10) ** whole_digits or rate != rate.quantize(
            Decimal(1).scaleb(-RATE_DECIMAL_PLACES), rounding=ROUND_HALF_UP
        ):
            return (
                "percentage_rate",
                f"率は整数部{whole_digits}桁・小数部{RATE_DECIMAL_PLACES}桁までです: {rate}",
            )
    if row.confidence not in Confidence.values:
        return "confidence", f"確度は {' / '.join(Confidence.values)} のいずれかです。"
    return None


def _model_fields(row: CodeRow) -> dict[str, object]:
    return {
        "service_type_id": row.service_type,
        "name": row.name,
        "units": row.units,
        "basis": row.basis.value,
        "kind": row.kind.value,
        "percentage_rate": row.percentage_rate,
        "counts_toward_limit": row.counts_toward_limit,
        "level_group": row.level_group or "",
        "care_levels": sorted(row.care_levels),
        "valid_to": row.valid_to,
        "confidence": row.confidence,
    }


NUL = "\x00"


def _rows_with_lines(
    reader: csv.DictReader, problems: list[ImportProblem]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) pairs; a row the csv module cannot read (a field over its size limit, a
    broken quote) ends the file with a row-numbered problem instead of a traceback."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(ImportProblem(reader.line_num, "(行)", f"CSVとして読めません: {error}"))
            return
        yield reader.line_num, row


def parse_service_code_csv(text: str) -> list[CodeRow]:
    """Check every row; raise ServiceCodeImportError listing all problems."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise ServiceCodeImportError(
            [ImportProblem(1, "(見出し)", f"CSVとして読めません: {error}")]
        ) from error
    missing = [column for column in REQUIRED_COLUMNS if column not in (fieldnames or [])]
    if missing:
        raise ServiceCodeImportError(
            [
                ImportProblem(
                    1, ",".join(missing), "必要な列がありません（docs/fee_schedule.md を参照）。"
                )
            ]
        )
    known_types = set(ServiceType.objects.values_list("code", flat=True))
    rows: list[CodeRow] = []
    problems: list[ImportProblem] = []
    seen: dict[tuple[str, object], int] = {}
    for line, row in _rows_with_lines(reader, problems):
        nul_column = next(
            (str(key) for key, value in row.items() if isinstance(value, str) and NUL in value),
            None,
        )
        if nul_column is not None:
            problems.append(ImportProblem(line, nul_column, "NUL文字（0x00）が含まれています。"))
            continue
        try:
            parsed = parse_service_code_row(row)
        except RowError as error:
            problems.append(ImportProblem(line, error.column, error.message))
            continue
        column_problem = _column_problem(parsed)
        if column_problem is not None:
            problems.append(ImportProblem(line, *column_problem))
            continue
        if parsed.service_type not in known_types:
            problems.append(
                ImportProblem(
                    line, "service_type", f"未登録のサービス種類です: {parsed.service_type}"
                )
            )
            continue
        key = (parsed.code, parsed.valid_from)
        if key in seen:
            problems.append(
                ImportProblem(
                    line, "code", f"{seen[key]}行目と同じコード・適用開始日が重複しています。"
                )
            )
            continue
        seen[key] = line
        rows.append(parsed)
    if problems:
        raise ServiceCodeImportError(problems)
    return rows


@transaction.atomic
def service_codes_import(*, path: Path) -> ImportReport:
    """Import a service-code CSV file into the fee schedule (all or nothing)."""
    rows = parse_service_code_csv(decode_csv(path.read_bytes()))
    report = ImportReport()
    existing = {
        (code.code, code.valid_from): code
        for code in ServiceCode.objects.select_for_update().filter(
            code__in={row.code for row in rows}
        )
    }
    for row in rows:
        fields = _model_fields(row)
        current = existing.get((row.code, row.valid_from))
        report.codes.add(row.code)
        if current is None:
            ServiceCode.objects.create(code=row.code, valid_from=row.valid_from, **fields)
            report.created += 1
        elif any(getattr(current, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(current, name, value)
            current.save()
            report.updated += 1
        else:
            report.unchanged += 1
    report.closed = _close_superseded_versions(report.codes)
    return report


def _close_superseded_versions(codes: set[str]) -> int:
    """Give each version that a later one supersedes an end date (the day before)."""
    closed = 0
    versions: dict[str, list[ServiceCode]] = {}
    for version in ServiceCode.objects.filter(code__in=codes).order_by("code", "valid_from"):
        versions.setdefault(version.code, []).append(version)
    for chain in versions.values():
        for older, newer in zip(chain, chain[1:], strict=False):
            end = newer.valid_from - timedelta(days=1)
            if older.valid_to is None or older.valid_to > end:
                older.valid_to = end
                older.save(update_fields=["valid_to"])
                closed += 1
    return closed
