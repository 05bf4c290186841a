"""Record layouts of the office's own claim file: 介護給付費請求書 + 様式第七 居宅介護支援介護給付費
明細書 as 国保連 交換情報 records (framing: billing/benefit/file8222.py `frame_records`).

Tags as in /work/shared/domain/REFERENCE.md: [C] confirmed, [P] probable, [U] unconfirmed.
Confirmed by REFERENCE: the framing (§4.2 [P]: control / data / end records, MS932, CRLF,
consecutive record numbers), the visible fields of 様式第七 (§4.3 [C]) and that 居宅介護支援費
has no user co-payment (§4.3 [C]). NOT confirmed — every one is [U] below and in
docs/office_claim.md:

* the exchange IDs 7111 (請求書) and 8124 (様式第七) — §4.2 lists them as date-versioned and
  possibly outdated [P]/[U]; public code disagrees (8124, 8121 and 7121 all occur);
* the control record's data type (711 for 請求書/明細書 per §4.2, QKANCHO writes 812 for
  様式第七) [U];
* the record kinds (基本 / 明細 / 集計 within 8124: the split QKANCHO's claim classes use,
  with our own kind codes), the field order, widths and formats of every record [U];
* 単位数単価 written as ×100 four digits (10.90 円 → "1090") [U].

The IDs and the data type are settings (`OFFICE_CLAIM_FILE_IDS`, keys below) so they can be
corrected without a code change. Each field: name, Japanese label, format, width, source.
Formats: `fixed` (the constant in `source`), `code` (text of exactly `width` characters or
empty), `digits` (0–`width` digits, no padding), `yyyymm`, `yyyymmdd`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

DEFAULT_IDS = {
    "invoice_exchange_id": "7111",  # 介護給付費請求書 [U]
    "meisai_exchange_id": "8124",  # 様式第七 居宅介護支援介護給付費明細書 [U]
    "data_type": "711",  # control record 4th data field; QKANCHO: 812 [U]
}

# Record kinds inside one exchange ID [U] (our own codes, in QKANCHO's 基本/明細/集計 split).
KIND_INVOICE = "1"
KIND_BASIC = "01"
KIND_DETAIL = "02"
KIND_TOTAL = "10"
INSURANCE_CLAIM = "1"  # 保険・公費等区分: 保険請求 [U]
SERVICE_COUNT = "1"  # 回数: 居宅介護支援費 is 1月につき (REFERENCE §12.6)


def file_ids() -> dict[str, str]:
    """The exchange IDs and data type, with `settings.OFFICE_CLAIM_FILE_IDS` overriding."""
    return {**DEFAULT_IDS, **getattr(settings, "OFFICE_CLAIM_FILE_IDS", {})}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    fmt: str  # fixed | code | digits | yyyymm | yyyymmdd
    width: int
    source: str  # where the value comes from (for fixed: the value itself)


@dataclass(frozen=True)
class RecordLayout:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]

    def __len__(self) -> int:
        return len(self.fields)


def _common(kind: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("exchange_id", "交換情報識別番号", "code", 4, "settings: meisai_exchange_id"),
        FieldSpec("record_kind", "レコード種別", "fixed", 2, kind),  # [U]
        FieldSpec("service_month", "サービス提供年月", "yyyymm", 6, "claim month"),
        FieldSpec("office_number", "事業所番号", "code", 10, "office.office_number"),
        FieldSpec("insurer_number", "証記載保険者番号", "code", 8, "client.insurer_number zfill 8"),
        FieldSpec("insured_number", "被保険者番号", "code", 10, "client.insured_number"),
    )


INVOICE = RecordLayout(
    "invoice",
    "介護給付費請求書",  # [U] all fields
    (
        FieldSpec("exchange_id", "交換情報識別番号", "code", 4, "settings: invoice_exchange_id"),
        FieldSpec("record_kind", "レコード種別", "fixed", 1, KIND_INVOICE),
        FieldSpec("service_month", "サービス提供年月", "yyyymm", 6, "claim month"),
        FieldSpec("office_number", "事業所番号", "code", 10, "office.office_number"),
        FieldSpec("claim_kind", "保険・公費等区分", "fixed", 1, INSURANCE_CLAIM),
        FieldSpec("count", "件数", "digits", 6, "billable clients in the file"),
        FieldSpec("units", "単位数", "digits", 9, "sum of the clients' サービス単位数合計"),
        FieldSpec("total_cost", "費用合計", "digits", 10, "sum of the lines' 費用 (engine)"),
        FieldSpec("insurance_claim", "保険請求額", "digits", 10, "sum of the lines' 請求額"),
        FieldSpec("public_claim", "公費請求額", "fixed", 1, "0"),
        FieldSpec("user_copay", "利用者負担", "fixed", 1, "0"),  # 10割給付 (§4.3 [C])
    ),
)

BASIC = RecordLayout(
    "basic",
    "様式第七 基本情報",
    (
        *_common(KIND_BASIC),
        FieldSpec("birth_date", "生年月日", "yyyymmdd", 8, "client.birth_date"),
        FieldSpec("sex", "性別コード", "code", 1, "client.sex"),
        FieldSpec("care_level", "要介護状態区分コード", "code", 2, "certification at month end"),
        FieldSpec("certified_from", "認定有効期間（開始）", "yyyymmdd", 8, "certification"),
        FieldSpec("certified_to", "認定有効期間（終了）", "yyyymmdd", 8, "certification"),
        FieldSpec("care_manager_number", "担当介護支援専門員番号", "code", 8, "membership of 担当"),
        FieldSpec("filed_on", "居宅サービス計画作成依頼届出年月日", "yyyymmdd", 8, "届出"),
    ),
)

DETAIL = RecordLayout(
    "detail",
    "様式第七 明細情報",
    (
        *_common(KIND_DETAIL),
        FieldSpec("line_no", "明細行番号", "code", 2, "01, 02 … in the claim line's order"),
        FieldSpec("service_code", "サービスコード", "code", 6, "claim line code"),
        FieldSpec("units", "単位数", "digits", 6, "claim line code units"),
        FieldSpec("count", "回数", "fixed", 1, SERVICE_COUNT),
        FieldSpec("service_units", "サービス単位数", "digits", 6, "units × 回数"),
        FieldSpec("remarks", "摘要", "fixed", 0, ""),
    ),
)

TOTAL = RecordLayout(
    "total",
    "様式第七 集計情報",
    (
        *_common(KIND_TOTAL),
        FieldSpec("total_units", "サービス単位数合計", "digits", 7, "line.total_units"),
        FieldSpec("unit_price", "単位数単価", "code", 4, "地域区分 × 100, e.g. 1090"),  # [U]
        FieldSpec("total_cost", "費用合計", "digits", 8, "line.total_cost_yen (engine)"),
        FieldSpec("insurance_claim", "請求額", "digits", 8, "line.insurance_claim_yen (engine)"),
        FieldSpec("user_copay", "利用者負担額", "fixed", 1, "0"),
    ),
)

LAYOUTS = (INVOICE, BASIC, DETAIL, TOTAL)


def field_names(layout: RecordLayout) -> list[str]:
    return [spec.name for spec in layout.fields]


def render(layout: RecordLayout, values: dict[str, str]) -> list[str]:
    """The record's fields in layout order; `fixed` fields take their constant. Raises
    ValueError naming the field when a value does not fit its format (a bug upstream: the
    writer checks the data first and reports problems in Japanese)."""
    out = []
    for spec in layout.fields:
        value = spec.source if spec.fmt == "fixed" else values[spec.name]
        if not _fits(spec, value):
            raise ValueError(f"{layout.key}.{spec.name}: {value!r}")
        out.append(value)
    return out


def _fits(spec: FieldSpec, value: str) -> bool:
    if spec.fmt == "fixed":
        return True
    if spec.fmt == "code":
        return value == "" or len(value) == spec.width
    if spec.fmt == "digits":
        return value.isdigit() and len(value) <= spec.width
    if spec.fmt == "yyyymm":
        return len(value) == 6 and value.isdigit()
    if spec.fmt == "yyyymmdd":
        return value == "" or (len(value) == 8 and value.isdigit())
    return False
