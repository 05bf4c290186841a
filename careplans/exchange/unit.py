"""送信単位 {第1表 + 第2表 + 第3表 + 利用者補足}: one plan sent to one provider, and reading
such a unit back (REFERENCE §3.3).

All files of a unit share the ファイル連番 (timestamp). Keys: 第1表 is the parent of 第2表,
第3表 and 利用者補足 through 保険者番号 + 被保険者番号 + 居宅サービス計画作成(変更)日.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from careplans.exchange.filenames import (
    CARE_MANAGEMENT_SERVICE_TYPE,
    PLAN_LINKED_MONTH,
    ExchangeFileName,
    sequence_for,
)
from careplans.exchange.layout import (
    CsvReadError,
    CsvWriteError,
    FieldProblem,
    Substitution,
    WriteOptions,
)
from careplans.exchange.records import row_to_record
from careplans.exchange.up1kyo import Table1Record, parse_up1kyo, write_up1kyo
from careplans.exchange.up2kyo import UP2KYO, Table2Row, parse_up2kyo, write_up2kyo
from careplans.exchange.up3kyo import UP3KYO, Table3Row, parse_up3kyo, write_up3kyo
from careplans.exchange.uphosoku import (
    SupplementRecord,
    parse_uphosoku,
    supplement_from_row,
    write_uphosoku,
)

R = TypeVar("R")


@dataclass(frozen=True)
class SendingUnit:
    """One confirmed plan (第1〜3表 + 利用者補足) for one provider office and service type.

    `sent_at` is the local (JST) time of sending; it becomes the shared ファイル連番. 第3表 may
    be empty (its file is then written empty: the 送信単位 is always 第1〜3表 + 補足); 第2表
    must have at least one 援助内容.
    """

    sender_office_number: str
    recipient_office_number: str
    recipient_service_type: str
    sent_at: dt.datetime
    table1: Table1Record
    table2: tuple[Table2Row, ...]
    supplement: SupplementRecord
    table3: tuple[Table3Row, ...] = ()
    sender_service_type: str = CARE_MANAGEMENT_SERVICE_TYPE

    def file_name(self, prefix: str) -> str:
        return str(
            ExchangeFileName(
                prefix=prefix,
                month=PLAN_LINKED_MONTH if prefix == "UPHOSOKU" else None,
                sender_office_number=self.sender_office_number,
                sender_service_type=self.sender_service_type,
                recipient_office_number=self.recipient_office_number,
                recipient_service_type=self.recipient_service_type,
                sequence=sequence_for(self.sent_at),
            )
        )

    def key_problems(self) -> list[FieldProblem]:
        """Every child row must carry the 第1表 key; the supplement must be plan-linked."""
        key = self.table1.key
        problems: list[FieldProblem] = []
        if not self.table2:
            problems.append(FieldProblem("UP2KYO", 0, None, "", "第2表の援助内容がありません"))
        for layout, rows in ((UP2KYO, self.table2), (UP3KYO, self.table3)):
            for number, row in enumerate(rows, start=1):
                if (row.insurer_number, row.insured_number, row.plan_date) != key:
                    problems.append(
                        FieldProblem(layout.record_type, number, None, "", "第1表とキーが違います")
                    )
        supplement = self.supplement
        if (supplement.insurer_number, supplement.insured_number, supplement.plan_date) != key:
            problems.append(FieldProblem("UPHOSOKU", 1, None, "", "第1表とキーが違います"))
        if supplement.target_month:
            problems.append(
                FieldProblem("UPHOSOKU", 1, 63, "対象年月", "第1・2表に紐づく場合は空(000000)です")
            )
        return problems


def build_sending_unit(
    unit: SendingUnit,
    options: WriteOptions | None = None,
    report: list[Substitution] | None = None,
) -> dict[str, bytes]:
    """{file name: MS932 bytes} for the unit; MS932 substitutions are appended to `report`."""
    problems = unit.key_problems()
    if problems:
        raise CsvWriteError(problems)
    options = options or WriteOptions()
    files = {
        unit.file_name("UPHOSOKU"): write_uphosoku([unit.supplement], options, report),
        unit.file_name("UP1KYO"): write_up1kyo([unit.table1], options, report),
        unit.file_name("UP2KYO"): write_up2kyo(unit.table2, options, report),
        # always part of the unit; no rows → an empty file (no header row, as every file)
        unit.file_name("UP3KYO"): write_up3kyo(unit.table3, options, report),
    }
    return files


@dataclass(frozen=True)
class ReceivedPlan:
    table1: Table1Record
    table2: tuple[Table2Row, ...]
    table3: tuple[Table3Row, ...]
    supplement: SupplementRecord | None


@dataclass(frozen=True)
class ReceivedUnit:
    """The parsed files of one received sending unit (one file may hold several users)."""

    sender_office_number: str
    sender_service_type: str
    recipient_office_number: str
    recipient_service_type: str
    sequence: str
    csv_version: str | None
    table1: tuple[Table1Record, ...] = ()
    table2: tuple[Table2Row, ...] = ()
    table3: tuple[Table3Row, ...] = ()
    supplements: tuple[SupplementRecord, ...] = ()
    had_header_rows: bool = False
    file_names: tuple[str, ...] = field(default=())

    def plans(self) -> list[ReceivedPlan]:
        """Group child rows under their 第1表 by 保険者番号 + 被保険者番号 + 計画作成(変更)日."""
        supplements = {
            (s.insurer_number, s.insured_number, s.plan_date): s for s in self.supplements
        }
        return [
            ReceivedPlan(
                table1=plan,
                table2=tuple(
                    r
                    for r in self.table2
                    if (r.insurer_number, r.insured_number, r.plan_date) == plan.key
                ),
                table3=tuple(
                    r
                    for r in self.table3
                    if (r.insurer_number, r.insured_number, r.plan_date) == plan.key
                ),
                supplement=supplements.get(plan.key),
            )
            for plan in self.table1
        ]


_PARSERS = {
    "UP1KYO": parse_up1kyo,
    "UP2KYO": parse_up2kyo,
    "UP3KYO": parse_up3kyo,
    "UPHOSOKU": parse_uphosoku,
}


def read_sending_unit(files: Mapping[str, bytes]) -> ReceivedUnit:
    """Parse a received {file name: bytes} unit; raises `CsvReadError` listing every problem.

    Checks: known plan file names, one shared ファイル連番 and sender/recipient, a 第1表 file,
    one CSVバージョン across the unit, and every record valid for its layout.
    """
    problems: list[FieldProblem] = []
    names: dict[str, ExchangeFileName] = {}
    for name in files:
        try:
            parsed_name = ExchangeFileName.parse(name)
        except ValueError as error:
            problems.append(FieldProblem("?", 0, None, "", str(error)))
            continue
        if parsed_name.prefix not in _PARSERS:
            problems.append(
                FieldProblem(
                    parsed_name.prefix, 0, None, "", "計画書の送信単位に含まれないファイルです"
                )
            )
            continue
        if parsed_name.prefix in names:
            problems.append(
                FieldProblem(parsed_name.prefix, 0, None, "", "同じ種類のファイルが2つあります")
            )
            continue
        names[parsed_name.prefix] = parsed_name
    identities = {
        (
            n.sender_office_number,
            n.sender_service_type,
            n.recipient_office_number,
            n.recipient_service_type,
            n.sequence,
        )
        for n in names.values()
    }
    if len(identities) > 1:
        problems.append(
            FieldProblem("?", 0, None, "", "送信元・送信先・ファイル連番がファイル間で違います")
        )
    if "UP1KYO" not in names:
        problems.append(FieldProblem("UP1KYO", 0, None, "", "第1表のファイルがありません"))
    uphosoku = names.get("UPHOSOKU")
    if uphosoku is not None and uphosoku.month != PLAN_LINKED_MONTH:
        problems.append(
            FieldProblem("UPHOSOKU", 0, None, "", "ファイル名の提供年月が000000ではありません")
        )
    if problems:
        raise CsvReadError(problems)

    parsed = {}
    original_names = {ExchangeFileName.parse(name).prefix: name for name in files}
    for prefix in names:
        result = _PARSERS[prefix](files[original_names[prefix]])
        problems.extend(result.problems)
        parsed[prefix] = result
    versions = {result.csv_version for result in parsed.values() if result.csv_version}
    if len(versions) > 1:
        problems.append(
            FieldProblem(
                "?",
                0,
                1,
                "CSVバージョン",
                f"ファイル間でCSVバージョンが違います: {sorted(versions)}",
            )
        )
    if problems:
        raise CsvReadError(problems)

    first = next(iter(names.values()))
    rows = {prefix: result.rows for prefix, result in parsed.items()}
    return ReceivedUnit(
        sender_office_number=first.sender_office_number,
        sender_service_type=first.sender_service_type,
        recipient_office_number=first.recipient_office_number,
        recipient_service_type=first.recipient_service_type,
        sequence=first.sequence,
        csv_version=next(iter(versions)) if versions else None,
        table1=tuple(_records(Table1Record, rows.get("UP1KYO", ()))),
        table2=tuple(_records(Table2Row, rows.get("UP2KYO", ()))),
        table3=tuple(_records(Table3Row, rows.get("UP3KYO", ()))),
        supplements=tuple(supplement_from_row(row) for row in rows.get("UPHOSOKU", ())),
        had_header_rows=any(result.had_header_row for result in parsed.values()),
        file_names=tuple(sorted(files)),
    )


def _records(cls: type[R], rows: Iterable[Mapping[str, Any]]) -> list[R]:
    return [row_to_record(cls, row) for row in rows]


__all__ = [
    "ReceivedPlan",
    "ReceivedUnit",
    "SendingUnit",
    "build_sending_unit",
    "read_sending_unit",
]
