"""Record layouts of the month files (REFERENCE §3.5, spec v4.1 CSVファイルレイアウト定義書):
UPPLAN 第6表 予定 (25 columns), UPSIKYU 第7表 (37), DLTPLAN 第6表予定削除 (4).

Declared with the plan exporter's `Layout`/`FieldSpec` (careplans.exchange.layout), so the
same writer (MS932, quoting of free text, CRLF, no header row) and the same reader serve
them. 利用者補足情報 is the plan exporter's `UPHOSOKU` layout as is.

Lengths follow the spec's 項目長 where the OCR copy is legible; money columns allow 7 digits
(the OCR shows 6, which a month with a large 全額負担 could exceed — a too-long value would be
refused with the field named rather than cut).
"""

from __future__ import annotations

from careplans.exchange.layout import FieldSpec, Layout, common_fields

_SERVICE_CODE = r"[0-9A-Z]{6}"
_OFFICE_NUMBER = r"\d{10}"
_FLAG = r"[01]"
_MASK = r"[01]{31}"
_UNIT_PRICE = r"\d{1,2}\.\d{2}"

UPPLAN = Layout(
    record_type="UPPLAN",
    title="第6表（サービス利用票）予定",
    fields=(
        *common_fields(),
        FieldSpec("created_on", "作成年月日", "date", 8, True),
        FieldSpec("target_month", "対象年月", "month", 6, True),
        FieldSpec("plan_office_number", "プラン担当業者コード", "code", 10, True, _OFFICE_NUMBER),
        FieldSpec("plan_author", "プラン担当者名", "text"),
        FieldSpec("units", "単位数", "digits", 6),
        FieldSpec("short_stay_days_before_month", "前月までの短期入所利用日数", "digits", 5),
        FieldSpec("service_date", "サービス利用日", "date", 8, True),
        FieldSpec("daily_rate_days", "日割対象日", "code", 31, pattern=_MASK),
        FieldSpec("start_time", "サービス開始時刻", "code", 4, True, r"\d{4}"),
        FieldSpec("end_time", "サービス終了時刻", "code", 4, True, r"\d{4}"),
        FieldSpec("count", "サービス回数", "digits", 2, True),
        FieldSpec("service_code", "サービスコード", "code", 6, True, _SERVICE_CODE),
        FieldSpec("tais_code", "TAISコード", "code", 12),
        FieldSpec("notified_code", "福祉用具届出コード", "code", 12),
        FieldSpec("item_name", "用具名称（機種名）", "text"),
        FieldSpec("detail_discriminator", "明細判別コード", "digits", 2),
        FieldSpec("provider_number", "サービス事業者コード", "code", 10, True, _OFFICE_NUMBER),
        FieldSpec("provider_name", "サービス事業所名", "text"),
        FieldSpec("satellite_number", "サテライト枝番", "code", 2),
        FieldSpec("beyond_thirty_days", "30日超区分", "code", 1, True, _FLAG),
        FieldSpec("update_vendor_code", "更新業者コード", "code", 10),
        FieldSpec("identifier", "識別子", "code", 1),  # ※使用しない
    ),
)

UPSIKYU = Layout(
    record_type="UPSIKYU",
    title="第7表（サービス利用票別表）",
    fields=(
        *common_fields(),
        FieldSpec("created_on", "作成年月日", "date", 8, True),
        FieldSpec("target_month", "対象年月", "month", 6, True),
        FieldSpec("provider_name", "サービス事業所名", "text"),
        FieldSpec("provider_number", "サービス事業所コード", "code", 10, True, _OFFICE_NUMBER),
        FieldSpec("satellite_number", "サテライト枝番", "code", 2),
        FieldSpec("service_code", "サービスコード", "code", 6, True, _SERVICE_CODE),
        FieldSpec("tais_code", "TAISコード", "code", 12),
        FieldSpec("notified_code", "福祉用具届出コード", "code", 12),
        FieldSpec("item_name", "用具名称（機種名）", "text"),
        FieldSpec("units", "単位数", "digits", 6, True),
        FieldSpec("discount_rate", "割引後率", "digits", 5),
        FieldSpec("discounted_units", "割引後単位数", "digits", 6),
        FieldSpec("count", "回数／日数", "digits", 3),
        FieldSpec("service_units", "サービス単位金額", "digits", 7),
        FieldSpec("benefit_management_units", "給付管理単位数", "digits", 7),
        FieldSpec("over_type_limit_units", "種類支給限度基準超単位数", "digits", 7),
        FieldSpec("within_type_limit_units", "種類支給限度基準内単位数", "digits", 7),
        FieldSpec("over_limit_units", "区分支給限度基準超単位数", "digits", 7),
        FieldSpec("within_limit_units", "区分支給限度基準内単位数", "digits", 7),
        FieldSpec("unit_price", "単位数単価", "code", 5, pattern=_UNIT_PRICE),
        FieldSpec("total_cost", "費用総額保険／事業対象分", "digits", 8),
        FieldSpec("benefit_rate", "給付率", "digits", 3),
        FieldSpec("insurance_claim", "保険／事業費請求額", "digits", 8),
        FieldSpec("fixed_copay_price", "定額利用者負担単価金額", "digits", 6),
        FieldSpec("user_copay", "利用者負担保険／事業対象分", "digits", 8),
        FieldSpec("user_full_pay", "利用者負担（全額負担分）", "digits", 8),
        FieldSpec("short_stay_days_before_month", "前月までの利用日数", "digits", 5),
        FieldSpec("short_stay_planned_days", "当月の計画利用日数", "digits", 3),
        FieldSpec("short_stay_cumulative_days", "累積利用日数", "digits", 5),
        FieldSpec("beyond_thirty_days", "30日超区分", "code", 1, True, _FLAG),
        FieldSpec("office_code", "事業所コード", "code", 10, pattern=_OFFICE_NUMBER),
        FieldSpec("input_staff_code", "入力者コード", "code", 10),
        FieldSpec("update_vendor_code", "更新業者コード", "code", 10),
        FieldSpec("identifier", "識別子", "code", 1),  # ※使用しない
    ),
)

DLTPLAN = Layout(
    record_type="DLTPLAN",
    title="第6表（サービス利用票）予定 削除",
    fields=(
        *common_fields(),
        FieldSpec("target_month", "削除対象年月", "month", 6, True),
    ),
)

assert len(UPPLAN) == 25 and len(UPSIKYU) == 37 and len(DLTPLAN) == 4  # noqa: S101 — layout guard
