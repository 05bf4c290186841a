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

# MESSAGES and IssueCode are re-exported: callers import them from here.
from billing.calc.issues import (  # noqa: F401
    MESSAGES,
    IssueCode,
    japanese_dates,
    level_name,
    make_issue,
)
from billing.calc.rounding import rental_units
from billing.calc.schedule import (
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
