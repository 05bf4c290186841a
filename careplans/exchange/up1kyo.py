"""UP1KYO — 居宅サービス計画書 第1表 (28 columns, REFERENCE §3.5)."""

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

POSTAL_CODE = r"\d{3}-\d{4}"

UP1KYO = Layout(
    record_type="UP1KYO",
    title="居宅サービス計画書(1) 第1表",
    fields=(
        *common_fields(),
        FieldSpec("created_on", "作成年月日", "date", 8, True),
        FieldSpec("client_postal_code", "利用者郵便番号", "code", 8, pattern=POSTAL_CODE),
        FieldSpec("client_address_1", "利用者住所1", "text"),
        FieldSpec("client_address_2", "利用者住所2", "text"),
        FieldSpec("plan_author", "居宅サービス計画作成者", "text", required=True),
        FieldSpec("support_office_name", "介護支援事業者名", "text", required=True),
        FieldSpec(
            "support_office_postal_code", "介護支援事業者郵便番号", "code", 8, pattern=POSTAL_CODE
        ),
        FieldSpec("support_office_address_1", "介護支援事業者住所1", "text"),
        FieldSpec("support_office_address_2", "介護支援事業者住所2", "text"),
        FieldSpec(
            "support_office_number", "介護支援事業者コード", "code", 10, True, pattern=r"\d{10}"
        ),
        FieldSpec("plan_date", "居宅サービス計画作成(変更)日", "date", 8, True),
        FieldSpec("first_plan_date", "初回居宅サービス計画作成日", "date", 8),
        FieldSpec("plan_category", "計画書区分", "code", 2, True, pattern=r"11|12|21|51|52|53|54"),
        FieldSpec("certification_status", "認定状況区分", "code", 1, True, pattern=r"[12]"),
        FieldSpec("certified_on", "認定日", "date", 8),
        FieldSpec("certification_start", "認定有効期間開始日", "date", 8),
        FieldSpec("certification_end", "認定有効期間終了日", "date", 8),
        FieldSpec("care_level", "要介護状態区分", "code", 2, pattern=r"06|12|13|2[1-5]"),
        FieldSpec(
            "assessment_result",
            "利用者及び家族の生活に対する意向を踏まえた課題分析の結果",
            "text",
        ),
        FieldSpec("committee_opinion", "介護認定審査会の意見及びサービスの種類の指定", "text"),
        FieldSpec("overall_policy", "総合的な援助の方針", "text"),
        FieldSpec(
            "daily_living_support_reason", "生活援助中心型の算定理由", "code", 1, pattern=r"[123]"
        ),
        FieldSpec("daily_living_support_other_reason", "その他理由", "text"),
        FieldSpec("update_vendor_code", "更新業者コード", "code", 10),
        FieldSpec("identifier", "識別子", "code", 1),  # ※使用しない
    ),
)


@dataclass(frozen=True)
class Table1Record:
    """One 第1表 (one plan version). Key: insurer + insured number + plan_date."""

    insurer_number: str
    insured_number: str
    created_on: dt.date
    plan_author: str
    support_office_name: str
    support_office_number: str
    plan_date: dt.date
    plan_category: str
    certification_status: str
    client_postal_code: str = ""
    client_address_1: str = ""
    client_address_2: str = ""
    support_office_postal_code: str = ""
    support_office_address_1: str = ""
    support_office_address_2: str = ""
    first_plan_date: dt.date | None = None
    certified_on: dt.date | None = None
    certification_start: dt.date | None = None
    certification_end: dt.date | None = None
    care_level: str = ""
    assessment_result: str = ""
    committee_opinion: str = ""
    overall_policy: str = ""
    daily_living_support_reason: str = ""
    daily_living_support_other_reason: str = ""
    update_vendor_code: str = ""
    identifier: str = ""

    @property
    def key(self) -> tuple[str, str, dt.date]:
        return (self.insurer_number, self.insured_number, self.plan_date)


check_layout_matches(UP1KYO, Table1Record)


def write_up1kyo(
    records: Iterable[Table1Record],
    options: WriteOptions | None = None,
    report: list[Substitution] | None = None,
) -> bytes:
    return write_rows(UP1KYO, map(record_to_row, records), options or WriteOptions(), report)


def read_up1kyo(data: bytes) -> list[Table1Record]:
    """Parse a UP1KYO file; raises `CsvReadError` (with line and field) on any problem."""
    return [row_to_record(Table1Record, row) for row in read_rows(UP1KYO, data)]


def parse_up1kyo(data: bytes) -> ParsedFile:
    return parse_rows(UP1KYO, data)
