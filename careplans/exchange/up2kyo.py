"""UP2KYO — 居宅サービス計画書 第2表 (22 columns, one row per 援助内容; REFERENCE §3.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from careplans.exchange.layout import (
    FieldSpec,
    Layout,
    ParsedFile,
    Substitution,
    WriteOptions,
    common_fields,
    parse_rows,
    read_rows,
    write_rows,
)
from careplans.exchange.records import check_layout_matches, record_to_row, row_to_record

UP2KYO = Layout(
    record_type="UP2KYO",
    title="居宅サービス計画書(2) 第2表",
    fields=(
        *common_fields(),
        FieldSpec("created_on", "居宅計画書作成年月日", "date", 8, True),
        FieldSpec("plan_date", "居宅サービス計画作成(変更)日", "date", 8, True),
        FieldSpec("need_number", "課題NO", "digits", 2, True),
        FieldSpec("need", "課題", "text"),
        FieldSpec("goal_number", "援助目標NO", "digits", 2, True),
        FieldSpec("long_term_goal", "長期目標", "text"),
        FieldSpec("short_term_goal", "短期目標", "text"),
        FieldSpec("long_term_period", "長期期間", "text"),
        FieldSpec("short_term_period", "短期期間", "text"),
        FieldSpec("support_number", "援助内容NO", "digits", 2, True),
        FieldSpec("service_content", "サービス内容", "text"),
        FieldSpec("insurance_covered", "保険対象区分", "code", 1, pattern=r"[YN]"),
        FieldSpec("service_kind", "サービス種別", "text"),
        FieldSpec("provider_office_number", "サービス事業者コード", "code", 10, pattern=r"\d{10}"),
        FieldSpec("provider_office_name", "サービス事業所名", "text"),
        FieldSpec("frequency", "頻度", "text"),
        FieldSpec("period", "実施期間", "text"),
        FieldSpec("update_vendor_code", "更新業者コード", "code", 10),
        FieldSpec("identifier", "識別子", "code", 1),  # ※使用しない
    ),
)


@dataclass(frozen=True)
class Table2Row:
    """One 援助内容 line of 第2表, with its 課題 and 援助目標 repeated (課題NO → 目標NO → 内容NO)."""

    insurer_number: str
    insured_number: str
    created_on: dt.date
    plan_date: dt.date
    need_number: int
    goal_number: int
    support_number: int
    need: str = ""
    long_term_goal: str = ""
    short_term_goal: str = ""
    long_term_period: str = ""
    short_term_period: str = ""
    service_content: str = ""
    insurance_covered: str = ""  # "Y" 保険給付対象 / "N" 対象外
    service_kind: str = ""
    provider_office_number: str = ""
    provider_office_name: str = ""
    frequency: str = ""
    period: str = ""
    update_vendor_code: str = ""
    identifier: str = ""


check_layout_matches(UP2KYO, Table2Row)


def write_up2kyo(
    rows: Iterable[Table2Row],
    options: WriteOptions | None = None,
    report: list[Substitution] | None = None,
) -> bytes:
    return write_rows(UP2KYO, map(record_to_row, rows), options or WriteOptions(), report)


def read_up2kyo(data: bytes) -> list[Table2Row]:
    """Parse a UP2KYO file; raises `CsvReadError` (with line and field) on any problem."""
    return [row_to_record(Table2Row, row) for row in read_rows(UP2KYO, data)]


def parse_up2kyo(data: bytes) -> ParsedFile:
    return parse_rows(UP2KYO, data)
