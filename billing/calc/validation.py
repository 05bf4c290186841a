"""Pure validators of a client-month's input, returning structured issues (検証).

Each check returns `Issue`s with a stable `code`, a Japanese message for the screen, and
where it applies the service line index and the input field. The engine runs the same
checks while it resolves lines, and leaves out what an error concerns (a line, or some of
its dates); `engine.validate_client_month` returns just the issues. This module imports
nothing from the engine (the engine depends on it, never the reverse).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from billing.calc.rounding import rental_units
from billing.calc.schedule import (
    CARE_LEVEL_NAMES,
    CARE_LEVEL_RANK,
    REGIONAL_GRADES,
    Basis,
    CodeKind,
    FeeSchedule,
    ServiceCode,
    ServiceType,
)
from billing.calc.types import (
    ClientMonth,
    Issue,
    OverLimitAllocation,
    Provider,
    ServiceLine,
    Severity,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


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


# ---------------------------------------------------------------------------------------
# Header: benefit rate, certifications, providers
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class HeaderCheck:
    """What the header checks establish for the rest of the calculation.

    `levels_by_day[d]` is the care level in force on day d of the month (index 0 unused).
    """

    levels_by_day: list[str | None]
    heaviest_level: str | None
    certification_by_day: list[tuple[date, date] | None]
    providers: dict[str, Provider]
    issues: list[Issue] = field(default_factory=list)


def check_header(client_month: ClientMonth, month_days: Sequence[date]) -> HeaderCheck:
    """Check the benefit rate, certifications and providers; map days to care levels.

    1. 給付率 must be an integer 0–100.
    2. Each certification needs a known level and start ≤ end; on days two overlap, the one
       starting later wins (it is the newer decision) and an issue says so.
    3. The heaviest level among certifications overlapping the month is returned.
    4. Providers need a 10-digit number, a unique number and a known 地域区分.
    """
    issues: list[Issue] = []
    rate = client_month.benefit_rate
    if not isinstance(rate, int) or not 0 <= rate <= 100:
        issues.append(make_issue(IssueCode.INVALID_BENEFIT_RATE, field="benefit_rate", rate=rate))

    days_count = len(month_days)
    first_day, last_day = month_days[0], month_days[-1]
    levels_by_day: list[str | None] = [None] * (days_count + 1)
    certification_by_day: list[tuple[date, date] | None] = [None] * (days_count + 1)
    start_by_day: list[date | None] = [None] * (days_count + 1)
    heaviest: str | None = None
    overlap_reported = False
    for position, certification in enumerate(client_month.certifications):
        where = f"certifications[{position}]"
        if certification.care_level not in CARE_LEVEL_RANK:
            issues.append(
                make_issue(
                    IssueCode.UNKNOWN_CARE_LEVEL, field=where, level=certification.care_level
                )
            )
            continue
        if certification.valid_from > certification.valid_to:
            issues.append(
                make_issue(
                    IssueCode.INVALID_CERTIFICATION_PERIOD,
                    field=where,
                    start=certification.valid_from,
                    end=certification.valid_to,
                )
            )
            continue
        start = max(certification.valid_from, first_day)
        end = min(certification.valid_to, last_day)
        if start > end:
            continue
        if (
            heaviest is None
            or CARE_LEVEL_RANK[certification.care_level] > CARE_LEVEL_RANK[heaviest]
        ):
            heaviest = certification.care_level
        first, last = start.day, end.day
        if not any(start_by_day[first : last + 1]):  # the usual case: no overlap
            span = last + 1 - first
            start_by_day[first : last + 1] = [certification.valid_from] * span
            levels_by_day[first : last + 1] = [certification.care_level] * span
            period = (certification.valid_from, certification.valid_to)
            certification_by_day[first : last + 1] = [period] * span
            continue
        for day_number in range(first, last + 1):
            previous_start = start_by_day[day_number]
            if previous_start is not None:
                if not overlap_reported:
                    issues.append(
                        make_issue(
                            IssueCode.OVERLAPPING_CERTIFICATIONS,
                            Severity.WARNING,
                            field=where,
                            date=japanese_dates([month_days[day_number - 1]]),
                        )
                    )
                    overlap_reported = True
                if previous_start > certification.valid_from:
                    continue
            start_by_day[day_number] = certification.valid_from
            levels_by_day[day_number] = certification.care_level
            certification_by_day[day_number] = (certification.valid_from, certification.valid_to)
    if heaviest is None:
        issues.append(
            make_issue(
                IssueCode.NO_CERTIFICATION_IN_MONTH,
                field="certifications",
                year=client_month.year,
                month=client_month.month,
            )
        )

    providers: dict[str, Provider] = {}
    for position, provider in enumerate(client_month.providers):
        where = f"providers[{position}]"
        number = provider.number
        if len(number) != 10 or not number.isdigit():
            issues.append(
                make_issue(IssueCode.INVALID_PROVIDER_NUMBER, field=where, provider=number)
            )
        if number in providers:
            issues.append(make_issue(IssueCode.DUPLICATE_PROVIDER, field=where, provider=number))
            continue
        if provider.regional_grade not in REGIONAL_GRADES:
            issues.append(
                make_issue(
                    IssueCode.UNKNOWN_REGIONAL_GRADE,
                    field=where,
                    provider=number,
                    grade=provider.regional_grade,
                )
            )
        providers[number] = provider

    if client_month.short_stay_days_before_month < 0 or (
        client_month.short_stay_consecutive_days_before_month < 0
    ):
        issues.append(
            make_issue(IssueCode.INVALID_SHORT_STAY_DAYS, field="short_stay_days_before_month")
        )
    return HeaderCheck(levels_by_day, heaviest, certification_by_day, providers, issues)


# ---------------------------------------------------------------------------------------
# Service lines
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class ResolvedLine:
    """A service line after checking: the codes that apply, per day.

    `occurrences` holds, per applied code, (code, days of the month, quantity per day,
    units per occurrence); the days are [0] for month-based codes. Percentage codes carry
    0 units until the engine computes them.
    """

    line_index: int
    provider: Provider
    service_type: ServiceType
    occurrences: list[tuple[ServiceCode, list[int], int, int]]


def _day_problem(
    entered: ServiceCode,
    service_type: ServiceType,
    level: str | None,
    day: date,
    schedule: FeeSchedule,
) -> tuple[IssueCode | None, ServiceCode | None]:
    """The code that applies on a day for the level in force, or why none does."""
    if level is None:
        return IssueCode.DATE_NOT_CERTIFIED, None
    if level not in service_type.eligible_care_levels:
        return IssueCode.CARE_LEVEL_NOT_ELIGIBLE, None
    if entered.level_group:
        variant = schedule.level_variant(entered.level_group, level, day)
        if variant is not None:
            return None, variant
        if schedule.level_variants(entered.level_group, level):
            return IssueCode.SERVICE_CODE_NOT_VALID_IN_MONTH, None
        return IssueCode.NO_VARIANT_FOR_CARE_LEVEL, None
    version = schedule.service_code(entered.code, day)
    if version is None:
        return IssueCode.SERVICE_CODE_NOT_VALID_IN_MONTH, None
    if version.care_levels and level not in version.care_levels:
        return IssueCode.NO_VARIANT_FOR_CARE_LEVEL, None
    return None, version


def check_service_line(
    line_index: int,
    line: ServiceLine,
    *,
    schedule: FeeSchedule,
    providers: Mapping[str, Provider],
    month_days: Sequence[date],
    levels_by_day: Sequence[str | None],
    month_reference_day: int,
) -> tuple[ResolvedLine | None, list[Issue]]:
    """Check one service line and resolve the code that applies on each of its dates.

    1. The code must exist; its service type must be known and offered by the provider.
    2. Count ≥ 1; a rental code needs a price; dates must fall in the month (duplicates are
       counted once).
    3. Visit/day codes are evaluated on each date, month codes once on
       `month_reference_day` (the last certified day of the month: 月末時点の区分).
    4. On each evaluated day the date must be certified, the level eligible for the type,
       and a variant of the code's level group must exist for that level and be in force;
       days failing a check are left out, with one issue per kind of failure.
    """
    issues: list[Issue] = []
    versions = schedule.code_versions(line.service_code)
    if not versions:
        issues.append(
            make_issue(
                IssueCode.UNKNOWN_SERVICE_CODE,
                line_index=line_index,
                field="service_code",
                code=line.service_code,
            )
        )
        return None, issues
    entered = versions[-1]
    service_type = schedule.service_type(entered.service_type)
    if service_type is None:
        issues.append(
            make_issue(
                IssueCode.UNKNOWN_SERVICE_TYPE,
                line_index=line_index,
                field="service_code",
                service_type=entered.service_type,
            )
        )
        return None, issues
    provider = providers.get(line.provider_number)
    if provider is None:
        issues.append(
            make_issue(
                IssueCode.UNKNOWN_PROVIDER,
                line_index=line_index,
                field="provider_number",
                provider=line.provider_number,
            )
        )
        return None, issues
    if service_type.code not in provider.service_types:
        issues.append(
            make_issue(
                IssueCode.SERVICE_TYPE_NOT_OFFERED,
                line_index=line_index,
                field="service_code",
                provider=provider.number,
                service_type=service_type.code,
                type_name=service_type.name,
            )
        )
        return None, issues
    count = line.count_per_date
    if not isinstance(count, int) or count < 1:
        issues.append(
            make_issue(
                IssueCode.INVALID_COUNT, line_index=line_index, field="count_per_date", count=count
            )
        )
        return None, issues

    unit_value = entered.units
    if entered.kind == CodeKind.RENTAL:
        price = line.rental_price_yen
        if not isinstance(price, int) or price < 1:
            issues.append(
                make_issue(
                    IssueCode.RENTAL_PRICE_MISSING,
                    line_index=line_index,
                    field="rental_price_yen",
                    code=entered.code,
                )
            )
            return None, issues
        unit_value = rental_units(price)
    elif line.rental_price_yen is not None:
        issues.append(
            make_issue(
                IssueCode.RENTAL_PRICE_NOT_APPLICABLE,
                Severity.WARNING,
                line_index=line_index,
                field="rental_price_yen",
                code=entered.code,
            )
        )

    # Dates: inside the month, each once.
    first_day, last_day = month_days[0], month_days[-1]
    outside: list[date] = []
    duplicates: list[date] = []
    seen = {day.day for day in line.dates if first_day <= day <= last_day}
    if len(seen) != len(line.dates):
        seen = set()
        for day in line.dates:
            if day < first_day or day > last_day:
                outside.append(day)
            elif day.day in seen:
                duplicates.append(day)
            else:
                seen.add(day.day)
    if outside:
        issues.append(
            make_issue(
                IssueCode.DATE_OUTSIDE_MONTH,
                line_index=line_index,
                field="dates",
                dates=japanese_dates(sorted(outside)),
                year=first_day.year,
                month=first_day.month,
            )
        )
    if duplicates:
        issues.append(
            make_issue(
                IssueCode.DUPLICATE_DATE,
                Severity.WARNING,
                line_index=line_index,
                field="dates",
                dates=japanese_dates(sorted(set(duplicates))),
            )
        )

    monthly = entered.basis == Basis.MONTH
    # (problem, care level) → days, so each message names the level it is about
    failures: dict[tuple[IssueCode, str | None], list[int]] = {}
    if monthly:
        evaluated_days = [month_reference_day] if month_reference_day else []
        if not evaluated_days:
            failures[(IssueCode.DATE_NOT_CERTIFIED, None)] = [last_day.day]
        uncertified = [d for d in sorted(seen) if levels_by_day[d] is None]
        if evaluated_days and uncertified:
            issues.append(
                make_issue(
                    IssueCode.DATE_NOT_CERTIFIED,
                    Severity.WARNING,
                    line_index=line_index,
                    field="dates",
                    dates=japanese_dates(month_days[d - 1] for d in uncertified),
                )
            )
    else:
        evaluated_days = sorted(seen)
        if not evaluated_days and not outside:
            issues.append(
                make_issue(
                    IssueCode.MISSING_DATES, line_index=line_index, field="dates", code=entered.code
                )
            )

    applied_days: dict[str, tuple[ServiceCode, list[int]]] = {}
    # Most codes are in force all month: resolve once per level, not once per date.
    whole_month: dict[str | None, tuple[IssueCode | None, ServiceCode | None]] = {}
    for day_number in evaluated_days:
        level = levels_by_day[day_number]
        cached = whole_month.get(level)
        if cached is None:
            problem, applied = _day_problem(
                entered, service_type, level, month_days[day_number - 1], schedule
            )
            if problem != IssueCode.SERVICE_CODE_NOT_VALID_IN_MONTH and (
                applied is None
                or (applied.is_valid_on(first_day) and applied.is_valid_on(last_day))
            ):
                whole_month[level] = (problem, applied)
        else:
            problem, applied = cached
        if problem is not None or applied is None:
            key = (problem or IssueCode.SERVICE_CODE_NOT_VALID_IN_MONTH, level)
            failures.setdefault(key, []).append(day_number)
            continue
        entry = applied_days.get(applied.code)
        if entry is None:
            applied_days[applied.code] = (applied, [day_number])
        else:
            entry[1].append(day_number)

    for (problem, level), day_numbers in failures.items():
        issues.append(
            make_issue(
                problem,
                line_index=line_index,
                field="dates",
                dates=japanese_dates(month_days[d - 1] for d in day_numbers),
                level=level_name(level),
                code=entered.code,
                service_type=service_type.code,
                type_name=service_type.name,
            )
        )
    for applied_code, (_applied, day_numbers) in sorted(applied_days.items()):
        if applied_code == entered.code:
            continue
        issues.append(
            make_issue(
                IssueCode.CARE_LEVEL_VARIANT_SUBSTITUTED,
                Severity.WARNING,
                line_index=line_index,
                field="service_code",
                dates=japanese_dates(month_days[d - 1] for d in day_numbers),
                level=level_name(levels_by_day[day_numbers[0]]),
                code=entered.code,
                applied=applied_code,
            )
        )
    if not applied_days:
        return None, issues
    rental = entered.kind == CodeKind.RENTAL
    occurrences = [
        (applied, [0] if monthly else day_numbers, count, unit_value if rental else applied.units)
        for applied, day_numbers in applied_days.values()
    ]
    return ResolvedLine(line_index, provider, service_type, occurrences), issues


# ---------------------------------------------------------------------------------------
# Over-limit allocation
# ---------------------------------------------------------------------------------------


def check_over_limit_allocation(
    allocation: Sequence[OverLimitAllocation],
    available_units: Mapping[tuple[str, str], int],
    excess_units: int,
) -> list[Issue]:
    """Check an explicit 区分 over-limit allocation against what can absorb it.

    `available_units` maps provider number × service type to the units that could be put
    over the limit (limit-counted units still within any 種類支給限度). The allocation must
    name such groups, each once, with 0 ≤ units ≤ available, and sum to `excess_units`.
    """
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    allocated = 0
    for position, entry in enumerate(allocation):
        key = (entry.provider_number, entry.service_type)
        where = f"over_limit_allocation[{position}]"
        params = {"provider": entry.provider_number, "service_type": entry.service_type}
        if key in seen:
            issues.append(make_issue(IssueCode.ALLOCATION_DUPLICATE_GROUP, field=where, **params))
            continue
        seen.add(key)
        if entry.units < 0:
            issues.append(make_issue(IssueCode.ALLOCATION_NEGATIVE_UNITS, field=where, **params))
            continue
        allocated += entry.units
        if entry.units == 0:
            continue
        if key not in available_units:
            issues.append(make_issue(IssueCode.ALLOCATION_UNKNOWN_GROUP, field=where, **params))
        elif entry.units > available_units[key]:
            issues.append(
                make_issue(
                    IssueCode.ALLOCATION_EXCEEDS_GROUP,
                    field=where,
                    units=entry.units,
                    available=available_units[key],
                    **params,
                )
            )
    if allocated != excess_units:
        issues.append(
            make_issue(
                IssueCode.ALLOCATION_SUM_MISMATCH,
                field="over_limit_allocation",
                allocated=allocated,
                excess=excess_units,
            )
        )
    return issues
