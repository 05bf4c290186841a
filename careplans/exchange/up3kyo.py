"""UP3KYO — 週間サービス計画表 第3表 (13 columns, one row per service × weekday; REFERENCE §3.5)."""

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

UP3KYO = Layout(
    record_type="UP3KYO",
    title="週間サービス計画表 第3表",
    fields=(
        *common_fields(),
        FieldSpec("created_on", "週間サービス計画表作成年月日", "date", 8, True),
        FieldSpec("plan_date", "居宅サービス計画作成(変更)日", "date", 8, True),
        FieldSpec("service_content", "介護サービス内容", "text"),
        FieldSpec("weekday", "曜日", "code", 1, pattern=r"[1-7]"),  # 1 月曜 … 7 日曜
        FieldSpec("start_time", "開始時間", "time", 4),
        FieldSpec("end_time", "終了時間", "time", 4),
        FieldSpec("daily_activity", "主な日常生活上の活動", "text"),
        FieldSpec("activity_start_time", "開始時間", "time", 4),
        FieldSpec("activity_end_time", "終了時間", "time", 4),
        FieldSpec("non_weekly_services", "週単位以外のサービス", "text"),
    ),
)


@dataclass(frozen=True)
class Table3Row:
    """One row of 第3表: a weekly service on one weekday, and/or one daily activity."""

    insurer_number: str
    insured_number: str
    created_on: dt.date
    plan_date: dt.date
    service_content: str = ""
    weekday: str = ""  # "1" 月 … "7" 日
    start_time: str = ""  # HHMM
    end_time: str = ""
    daily_activity: str = ""
    activity_start_time: str = ""
    activity_end_time: str = ""
    non_weekly_services: str = ""


check_layout_matches(UP3KYO, Table3Row)


def write_up3kyo(
    rows: Iterable[Table3Row],
    options: WriteOptions | None = None,
    report: list[Substitution] | None = None,
) -> bytes:
    return write_rows(UP3KYO, map(record_to_row, rows), options or WriteOptions(), report)


def read_up3kyo(data: bytes) -> list[Table3Row]:
    """Parse a UP3KYO file; raises `CsvReadError` (with line and field) on any problem."""
    return [row_to_record(Table3Row, row) for row in read_rows(UP3KYO, data)]


def parse_up3kyo(data: bytes) -> ParsedFile:
    return parse_rows(UP3KYO, data)
