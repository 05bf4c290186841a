"""The 国保連 exchange file of 給付管理票 records (交換情報識別番号 8222; REFERENCE §4.2).

    1,1,1,<data record count>,821,0,000000,<事業所番号>,00,1,<処理対象年月>,0
    2,2,"8222","<YYYYMM>","<保険者番号 8桁>",... 27 quoted fields
    ...
    3,<n>

Record numbers run consecutively from the control record (1) to the end record; MS932;
CRLF after every record. Data records are ordered by 被保険者番号, then 明細行番号 (01…, 99).
処理対象年月 is the month after the service month (the 請求 month). The bytes depend only on
the stored sheets (their 作成年月日 included), never on today's date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from billing.models.benefit import BenefitManagementSheet

EXCHANGE_ID = "8222"
DATA_TYPE = "821"
SHEET_TYPE = "3"  # 居宅サービス
SUMMARY_LINE = "99"
FIELD_COUNT = 27
ENCODING = "cp932"
CRLF = "\r\n"
MEDIUM_TRANSMISSION = "1"

_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Exchange8222:
    content: bytes
    sha256: str
    record_count: int  # every record, control and end included
    sheet_count: int
    filename: str


def _yyyymm(day: dt.date) -> str:
    return f"{day:%Y%m}"


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def sheet_problems(sheet: BenefitManagementSheet) -> list[str]:
    """Why a sheet cannot be written (Japanese, one line each)."""
    who = f"被保険者番号 {sheet.insured_number}"
    problems = []
    if not (_DIGITS.match(sheet.insurer_number) and len(sheet.insurer_number) in (6, 8)):
        problems.append(f"{who}: 保険者番号「{sheet.insurer_number}」が6桁の数字ではありません。")
    if not re.match(r"^(\d{10}|H\d{9})$", sheet.insured_number):
        problems.append(f"{who}: 被保険者番号が10桁ではありません。")
    if not sheet.lines:
        problems.append(f"{who}: 明細行がありません。")
    for line in sheet.lines:
        if not re.match(r"^\d{10}$", line["provider_number"]):
            problems.append(
                f"{who}: 事業所番号「{line['provider_number']}」が10桁の数字ではありません。"
            )
    total = sum(line["units"] for line in sheet.lines)
    if total != sheet.total_units:
        problems.append(
            f"{who}: 合計単位数（{sheet.total_units}）が明細行の合計（{total}）と違います。"
        )
    if sheet.total_units > sheet.limit_units:
        problems.append(
            f"{who}: 給付計画合計単位数 {sheet.total_units} が支給限度額 {sheet.limit_units} を"
            "超えています。"
        )
    if not sheet.care_manager_number:
        problems.append(f"{who}: 担当介護支援専門員番号がありません。")
    return problems


def sheet_fields(
    sheet: BenefitManagementSheet, office_number: str, month: dt.date
) -> list[list[str]]:
    """The 27 fields of each record of one sheet: detail lines 01… then the summary 99."""
    client = sheet.ticket.client
    common = [
        EXCHANGE_ID,
        _yyyymm(month),
        sheet.insurer_number.zfill(8),
        office_number,
        sheet.kind,
        f"{sheet.created_on:%Y%m%d}",
        SHEET_TYPE,
    ]
    person = [
        sheet.insured_number,
        f"{client.birth_date:%Y%m%d}",
        client.sex,
        sheet.care_level,
        _yyyymm(sheet.limit_from),
        _yyyymm(sheet.limit_to),
    ]
    records = []
    for line in sorted(sheet.lines, key=lambda line: line["line_no"]):
        records.append(
            [
                *common,
                f"{line['line_no']:02d}",
                *person,
                "",
                sheet.plan_author_kind,
                line["provider_number"],
                line["provider_kind"],
                line["service_type"],
                str(line["units"]),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    records.append(
        [
            *common,
            SUMMARY_LINE,
            *person,
            str(sheet.limit_units),
            sheet.plan_author_kind,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            str(sheet.total_units),
            sheet.care_manager_number,
            sheet.delegate_office_number,
            sheet.delegate_care_manager_number,
        ]
    )
    return records


def _quoted(value: str) -> str:
    if '"' in value or "\r" in value or "\n" in value:
        raise ValidationError(f"使えない文字を含む項目があります: {value!r}")
    return f'"{value}"'


def frame_records(
    data: Sequence[Sequence[str]], *, data_type: str, office_number: str, month: dt.date
) -> tuple[bytes, int]:
    """The 国保連 交換情報 framing of data records (REFERENCE §4.2): the control record (record
    count, `data_type`, 処理対象年月 = the month after the service `month`), every data record
    as `2,<no>,"f1","f2",…`, the end record; consecutive record numbers, CRLF, MS932.
    Returns (bytes, every record counted). Shared by the 給付管理票 file (8222) and the
    office's own 明細書 file (billing/office_claim/meisai_file.py)."""
    control = [
        "1",
        "1",
        "1",
        str(len(data)),
        data_type,
        "0",
        "000000",
        office_number,
        "00",
        MEDIUM_TRANSMISSION,
        _yyyymm(_next_month(month)),
        "0",
    ]
    lines = [",".join(control)]
    for number, fields in enumerate(data, start=2):
        lines.append(f"2,{number}," + ",".join(_quoted(value) for value in fields))
    lines.append(f"3,{len(data) + 2}")
    return "".join(line + CRLF for line in lines).encode(ENCODING), len(lines)


def write_8222(
    sheets: Sequence[BenefitManagementSheet], *, office_number: str, month: dt.date
) -> Exchange8222:
    """The whole file. Raises ValidationError listing every sheet problem (nothing written)."""
    if not sheets:
        raise ValidationError("提出する給付管理票がありません。")
    problems = [problem for sheet in sheets for problem in sheet_problems(sheet)]
    if problems:
        raise ValidationError(problems)
    ordered = sorted(sheets, key=lambda sheet: (sheet.insured_number, sheet.ticket_id))
    data = [fields for sheet in ordered for fields in sheet_fields(sheet, office_number, month)]
    assert all(len(fields) == FIELD_COUNT for fields in data)
    content, record_count = frame_records(
        data, data_type=DATA_TYPE, office_number=office_number, month=month
    )
    return Exchange8222(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        record_count=record_count,
        sheet_count=len(ordered),
        filename=f"kyufu_kanri_{office_number}_{month:%Y%m}.csv",
    )
