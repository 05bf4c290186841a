"""UPHOSOKU — 利用者補足情報 (63 columns; REFERENCE §3.5).

Sent with 第1〜3表 (then 居宅サービス計画作成(変更)日 is the plan's date and 対象年月 is
"000000") or with 第6・7表 (then the plan date is "00000000" and 対象年月 the service month).
Columns 20–55 are up to nine 種類支給限度 slots, filled from slot 1 in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from careplans.exchange.layout import (
    CsvReadError,
    CsvWriteError,
    FieldProblem,
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
from careplans.exchange.records import record_to_row

SERVICE_TYPE_LIMIT_SLOTS = 9
_SERVICE_TYPE = r"[0-9A-Z]{2}"
_CARE_LEVEL = r"06|12|13|2[1-5]"


def _service_type_limit_fields(slot: int) -> tuple[FieldSpec, ...]:
    prefix = f"service_type_limit_{slot}_"
    return (
        FieldSpec(
            prefix + "service_type", f"{slot}サービス種類コード", "code", 2, pattern=_SERVICE_TYPE
        ),
        FieldSpec(prefix + "limit_units", f"{slot}支給限度基準額", "digits", 7),
        FieldSpec(prefix + "total_units", f"{slot}合計単位数", "digits", 7),
        FieldSpec(prefix + "over_limit_units", f"{slot}限度超単位数", "digits", 7),
    )


UPHOSOKU = Layout(
    record_type="UPHOSOKU",
    title="利用者補足情報",
    fields=(
        *common_fields(),
        FieldSpec("plan_date", "居宅サービス計画作成(変更)日", "date", 8, True, blank="00000000"),
        FieldSpec("name_kana", "利用者氏名フリガナ", "text"),
        FieldSpec("name", "利用者氏名", "text"),
        FieldSpec("sex", "利用者性別", "code", 1, pattern=r"[12]"),
        FieldSpec("birth_date", "利用者生年月日", "date", 8),
        FieldSpec("postal_code", "利用者郵便番号", "code", 8, pattern=r"\d{3}-\d{4}"),
        FieldSpec("address_1", "利用者住所1", "text"),
        FieldSpec("address_2", "利用者住所2", "text"),
        FieldSpec("phone", "利用者電話番号", "code", 15, pattern=r"[0-9()+\-]*"),
        FieldSpec("certified_on", "認定日", "date", 8),
        FieldSpec("limit_start", "限度額適用開始年月日", "date", 8),
        FieldSpec("limit_end", "限度額適用終了年月日", "date", 8),
        FieldSpec("certification_status", "認定状況区分", "code", 1, pattern=r"[12]"),
        FieldSpec("care_level_changed_on", "要介護状態変更日", "date", 8),
        FieldSpec("care_level", "要介護状態区分", "code", 2, pattern=_CARE_LEVEL),
        FieldSpec("benefit_limit_units", "区分支給限度基準額", "digits", 7),
        *(
            spec
            for slot in range(1, SERVICE_TYPE_LIMIT_SLOTS + 1)
            for spec in _service_type_limit_fields(slot)
        ),
        FieldSpec("total_over_limit_units", "合計限度超単位数", "digits", 7),
        FieldSpec("short_stay_days_before_month", "入所前月迄利用日数", "digits", 5),
        FieldSpec("short_stay_cumulative_days", "入所累積利用日数", "digits", 5),
        FieldSpec("previous_care_level", "前回要介護状態区分", "code", 2, pattern=_CARE_LEVEL),
        FieldSpec("consent_office_number", "同意書受付業者", "code", 10),
        FieldSpec("update_vendor_code", "更新業者コード", "code", 10),
        FieldSpec("identifier", "識別子", "code", 1),  # ※使用しない
        FieldSpec("target_month", "対象年月", "month", 6, True, blank="000000"),
    ),
)


@dataclass(frozen=True)
class ServiceTypeLimit:
    """One 種類支給限度 slot: service type code and its limit / total / over-limit units."""

    service_type: str
    limit_units: int | None = None
    total_units: int | None = None
    over_limit_units: int | None = None


@dataclass(frozen=True)
class SupplementRecord:
    """利用者補足情報 for one user. `plan_date` None → "00000000"; `target_month` "" → "000000"."""

    insurer_number: str
    insured_number: str
    plan_date: dt.date | None = None
    target_month: str = ""
    name_kana: str = ""
    name: str = ""
    sex: str = ""  # "1" 男 / "2" 女
    birth_date: dt.date | None = None
    postal_code: str = ""
    address_1: str = ""
    address_2: str = ""
    phone: str = ""
    certified_on: dt.date | None = None
    limit_start: dt.date | None = None
    limit_end: dt.date | None = None
    certification_status: str = ""
    care_level_changed_on: dt.date | None = None
    care_level: str = ""
    benefit_limit_units: int | None = None
    service_type_limits: tuple[ServiceTypeLimit, ...] = ()
    total_over_limit_units: int | None = None
    short_stay_days_before_month: int | None = None
    short_stay_cumulative_days: int | None = None
    previous_care_level: str = ""
    consent_office_number: str = ""
    update_vendor_code: str = ""
    identifier: str = ""


def supplement_to_row(record: SupplementRecord) -> dict[str, Any]:
    row = record_to_row(record)
    limits = row.pop("service_type_limits")
    if len(limits) > SERVICE_TYPE_LIMIT_SLOTS:
        raise CsvWriteError(
            [FieldProblem("UPHOSOKU", 0, 20, "1サービス種類コード", "種類支給限度は9件までです")]
        )
    for slot, limit in enumerate(limits, start=1):
        prefix = f"service_type_limit_{slot}_"
        row[prefix + "service_type"] = limit.service_type
        row[prefix + "limit_units"] = limit.limit_units
        row[prefix + "total_units"] = limit.total_units
        row[prefix + "over_limit_units"] = limit.over_limit_units
    return row


def supplement_from_row(row: Mapping[str, Any]) -> SupplementRecord:
    values = dict(row)
    values.pop("csv_version", None)
    limits: list[ServiceTypeLimit] = []
    for slot in range(1, SERVICE_TYPE_LIMIT_SLOTS + 1):
        prefix = f"service_type_limit_{slot}_"
        slot_values = {
            key.removeprefix(prefix): values.pop(key)
            for key in list(values)
            if key.startswith(prefix)
        }
        if any(value not in (None, "") for value in slot_values.values()):
            limits.append(ServiceTypeLimit(**slot_values))
    return SupplementRecord(**values, service_type_limits=tuple(limits))


def write_uphosoku(
    records: Iterable[SupplementRecord],
    options: WriteOptions | None = None,
    report: list[Substitution] | None = None,
) -> bytes:
    return write_rows(UPHOSOKU, map(supplement_to_row, records), options or WriteOptions(), report)


def read_uphosoku(data: bytes) -> list[SupplementRecord]:
    """Parse a UPHOSOKU file; raises `CsvReadError` (with line and field) on any problem."""
    try:
        return [supplement_from_row(row) for row in read_rows(UPHOSOKU, data)]
    except TypeError as error:  # pragma: no cover - guarded by the layout check below
        raise CsvReadError([FieldProblem("UPHOSOKU", 0, None, "", str(error))]) from error


def parse_uphosoku(data: bytes) -> ParsedFile:
    return parse_rows(UPHOSOKU, data)


def _check_layout() -> None:
    flat = {name for name in UPHOSOKU.names if not name.startswith("service_type_limit_")}
    attributes = set(SupplementRecord.__dataclass_fields__) - {"service_type_limits"}
    if flat - {"csv_version"} != attributes:
        raise AssertionError(f"UPHOSOKU layout/dataclass mismatch {sorted(flat ^ attributes)}")


_check_layout()
