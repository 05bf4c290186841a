"""Every issue the calculation can report: stable codes, their Japanese messages, and the
helpers that fill them in (dates and care levels as a Japanese reader expects them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from billing.calc.schedule import CARE_LEVEL_NAMES
from billing.calc.types import Issue, Severity


class IssueCode(StrEnum):
    """Stable identifiers of every issue the engine reports."""

    INVALID_BENEFIT_RATE = "invalid_benefit_rate"
    UNKNOWN_CARE_LEVEL = "unknown_care_level"
    INVALID_CERTIFICATION_PERIOD = "invalid_certification_period"
    OVERLAPPING_CERTIFICATIONS = "overlapping_certifications"
    NO_CERTIFICATION_IN_MONTH = "no_certification_in_month"
    NO_LIMIT_FOR_CARE_LEVEL = "no_limit_for_care_level"
    INVALID_PROVIDER_NUMBER = "invalid_provider_number"
    DUPLICATE_PROVIDER = "duplicate_provider"
    UNKNOWN_REGIONAL_GRADE = "unknown_regional_grade"
    UNKNOWN_PROVIDER = "unknown_provider"
    UNKNOWN_SERVICE_CODE = "unknown_service_code"
    UNKNOWN_SERVICE_TYPE = "unknown_service_type"
    SERVICE_TYPE_NOT_OFFERED = "service_type_not_offered"
    NO_UNIT_PRICE = "no_unit_price"
    INVALID_COUNT = "invalid_count"
    MISSING_DATES = "missing_dates"
    DATE_OUTSIDE_MONTH = "date_outside_month"
    DUPLICATE_DATE = "duplicate_date"
    DATE_NOT_CERTIFIED = "date_not_certified"
    CARE_LEVEL_NOT_ELIGIBLE = "care_level_not_eligible"
    SERVICE_CODE_NOT_VALID_IN_MONTH = "service_code_not_valid_in_month"
    NO_VARIANT_FOR_CARE_LEVEL = "no_variant_for_care_level"
    CARE_LEVEL_VARIANT_SUBSTITUTED = "care_level_variant_substituted"
    RENTAL_PRICE_MISSING = "rental_price_missing"
    RENTAL_PRICE_NOT_APPLICABLE = "rental_price_not_applicable"
    DUPLICATE_PERCENTAGE_CODE = "duplicate_percentage_code"
    PERCENTAGE_WITHOUT_BASE = "percentage_without_base"
    REDUCTION_WITHOUT_BASE = "reduction_without_base"
    INVALID_SERVICE_TYPE_LIMIT = "invalid_service_type_limit"
    INVALID_SHORT_STAY_DAYS = "invalid_short_stay_days"
    ALLOCATION_UNKNOWN_GROUP = "allocation_unknown_group"
    ALLOCATION_NEGATIVE_UNITS = "allocation_negative_units"
    ALLOCATION_DUPLICATE_GROUP = "allocation_duplicate_group"
    ALLOCATION_EXCEEDS_GROUP = "allocation_exceeds_group"
    ALLOCATION_SUM_MISMATCH = "allocation_sum_mismatch"
    OVER_LIMIT = "over_limit"
    OVER_SERVICE_TYPE_LIMIT = "over_service_type_limit"
    SHORT_STAY_OVER_HALF_CERTIFICATION_PERIOD = "short_stay_over_half_certification_period"
    SHORT_STAY_OVER_THIRTY_CONSECUTIVE_DAYS = "short_stay_over_thirty_consecutive_days"


MESSAGES: dict[IssueCode, str] = {
    IssueCode.INVALID_BENEFIT_RATE: "給付率（{rate}）は0〜100の整数で入力してください。",
    IssueCode.UNKNOWN_CARE_LEVEL: "要介護状態区分コード「{level}」は不明です。",
    IssueCode.INVALID_CERTIFICATION_PERIOD: "認定有効期間の開始日（{start}）が終了日（{end}）より後です。",
    IssueCode.OVERLAPPING_CERTIFICATIONS: "認定有効期間が{date}から重複しています。開始日の新しい認定を使います。",
    IssueCode.NO_CERTIFICATION_IN_MONTH: "{year}年{month}月に有効な要介護認定がありません。",
    IssueCode.NO_LIMIT_FOR_CARE_LEVEL: "{level}の区分支給限度基準額が単位数表にありません。",
    IssueCode.INVALID_PROVIDER_NUMBER: "事業所番号「{provider}」は10桁の数字ではありません。",
    IssueCode.DUPLICATE_PROVIDER: "事業所番号{provider}が重複しています。",
    IssueCode.UNKNOWN_REGIONAL_GRADE: "事業所{provider}の地域区分「{grade}」は不明です。",
    IssueCode.UNKNOWN_PROVIDER: "事業所番号{provider}の事業所が登録されていません。",
    IssueCode.UNKNOWN_SERVICE_CODE: "サービスコード{code}は単位数表にありません。",
    IssueCode.UNKNOWN_SERVICE_TYPE: "サービス種類{service_type}の設定が単位数表にありません。",
    IssueCode.SERVICE_TYPE_NOT_OFFERED: "事業所{provider}はサービス種類{service_type}（{type_name}）を提供していません。",
    IssueCode.NO_UNIT_PRICE: "事業所{provider}の地域区分ではサービス種類{service_type}の単位数単価が決まりません。",
    IssueCode.INVALID_COUNT: "回数（{count}）は1以上で入力してください。",
    IssueCode.MISSING_DATES: "サービスコード{code}のサービス提供日が入力されていません。",
    IssueCode.DATE_OUTSIDE_MONTH: "{dates}はサービス提供月（{year}年{month}月）の外です。",
    IssueCode.DUPLICATE_DATE: "{dates}が重複して入力されています（1日分として扱います。複数回は回数で入力してください）。",
    IssueCode.DATE_NOT_CERTIFIED: "{dates}は要介護認定の有効期間外です。",
    IssueCode.CARE_LEVEL_NOT_ELIGIBLE: "{dates}は{level}のため、サービス種類{service_type}（{type_name}）は利用できません。",
    IssueCode.SERVICE_CODE_NOT_VALID_IN_MONTH: "サービスコード{code}は{dates}時点で有効ではありません。",
    IssueCode.NO_VARIANT_FOR_CARE_LEVEL: "{dates}は{level}ですが、サービスコード{code}には{level}のコードがありません。",
    IssueCode.CARE_LEVEL_VARIANT_SUBSTITUTED: "{dates}は{level}のため、サービスコード{code}を{applied}として計算しました。",
    IssueCode.RENTAL_PRICE_MISSING: "福祉用具貸与（{code}）の貸与価格（1以上の円）を入力してください。",
    IssueCode.RENTAL_PRICE_NOT_APPLICABLE: "サービスコード{code}は福祉用具貸与ではないため、貸与価格は使いません。",
    IssueCode.DUPLICATE_PERCENTAGE_CODE: "{code}が同じ事業所・サービス種類に重複しています（1回分だけ計算します）。",
    IssueCode.PERCENTAGE_WITHOUT_BASE: "{code}の対象となる単位数が事業所{provider}・サービス種類{service_type}にありません。",
    IssueCode.REDUCTION_WITHOUT_BASE: "{dates}には減算{code}の対象となる基本サービスが同じ事業所にありません。",
    IssueCode.INVALID_SERVICE_TYPE_LIMIT: "サービス種類{service_type}の種類支給限度基準額（{units}）が正しくありません。",
    IssueCode.INVALID_SHORT_STAY_DAYS: "前月までの短期入所利用日数・連続利用日数は0以上で入力してください。",
    IssueCode.ALLOCATION_UNKNOWN_GROUP: "超過単位の配分先（事業所{provider}・サービス種類{service_type}）に区分支給限度の対象単位がありません。",
    IssueCode.ALLOCATION_NEGATIVE_UNITS: "超過単位の配分（事業所{provider}・サービス種類{service_type}）が負の数です。",
    IssueCode.ALLOCATION_DUPLICATE_GROUP: "超過単位の配分先（事業所{provider}・サービス種類{service_type}）が重複しています。",
    IssueCode.ALLOCATION_EXCEEDS_GROUP: "超過単位の配分{units}単位が、事業所{provider}・サービス種類{service_type}の対象単位数{available}単位を超えています。",
    IssueCode.ALLOCATION_SUM_MISMATCH: "超過単位の配分合計{allocated}単位が区分支給限度基準を超える単位数{excess}単位と一致しません。既定の配分で計算しました。",
    IssueCode.OVER_LIMIT: "区分支給限度基準額（{limit}単位）を{excess}単位超えています。超過分は全額自己負担です。",
    IssueCode.OVER_SERVICE_TYPE_LIMIT: "サービス種類{service_type}の種類支給限度基準額（{limit}単位）を{excess}単位超えています。",
    IssueCode.SHORT_STAY_OVER_HALF_CERTIFICATION_PERIOD: "短期入所の累積利用日数（{cumulative}日）が認定有効期間（{period}日）のおおむね半数を超えています。",
    IssueCode.SHORT_STAY_OVER_THIRTY_CONSECUTIVE_DAYS: "短期入所の連続利用が30日を超えています。{dates}は保険給付の対象外（全額自己負担）です。",
}


def make_issue(
    issue_code: IssueCode,
    severity: Severity = Severity.ERROR,
    /,
    *,
    line_index: int | None = None,
    field: str | None = None,
    **params: object,
) -> Issue:
    """An `Issue` whose message is the Japanese template of `issue_code` filled with `params`."""
    return Issue(
        code=issue_code.value,
        message=MESSAGES[issue_code].format(**params),
        severity=severity,
        line_index=line_index,
        field=field,
    )


def japanese_dates(days: Iterable[date]) -> str:
    """Dates for a message: 6月3日・6月10日."""
    return "・".join(f"{day.month}月{day.day}日" for day in days)


def level_name(level: str | None) -> str:
    return CARE_LEVEL_NAMES.get(level or "", level or "未認定")
