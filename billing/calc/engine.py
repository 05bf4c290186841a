"""The benefit calculation: one client-month → サービス利用票別表 (第7表) and 給付管理票 lines.

Pure Python: dataclasses in, dataclasses out; nothing else in caremgmt computes units or
yen. The rules and the choices made where REFERENCE is unconfirmed are in docs/calc.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from billing.calc.allocation import GroupKey, allocate_cheapest_first
from billing.calc.groups import Group, PercentageResult, days_of_month
from billing.calc.rounding import percentage_units
from billing.calc.schedule import Basis, CodeKind, FeeSchedule
from billing.calc.short_stay import (
    beyond_thirty_day_numbers,
    counted_days_after_limit,
    short_stay_summary,
)
from billing.calc.totals import group_detail_rows, month_totals, subtotal
from billing.calc.types import (
    BenefitManagementLine,
    CalculationOptions,
    ClientMonth,
    ClientMonthResult,
    Issue,
    OverLimitAllocation,
    ServiceTypeLimitUsage,
    Severity,
    ShortStayDays,
)
from billing.calc.validation import (
    HeaderCheck,
    IssueCode,
    ResolvedLine,
    check_header,
    check_over_limit_allocation,
    check_service_line,
    japanese_dates,
    level_name,
    make_issue,
)

DEFAULT_OPTIONS = CalculationOptions()
_BASE_KINDS = frozenset({CodeKind.BASE, CodeKind.RENTAL})


def calculate_client_month(
    client_month: ClientMonth,
    schedule: FeeSchedule,
    options: CalculationOptions | None = None,
) -> ClientMonthResult:
    """Compute the 第7表 figures and 給付管理票 lines of one client-month.

    1. Check the header; map each day to the care level in force; the month's limit is the
       区分支給限度基準額 of the heaviest level.
    2. Check each service line and resolve, per date, the code variant for that date's
       level; what fails a check is left out and reported.
    3. Group occurrences by provider × service type; short-stay days beyond 30 consecutive
       days become 30日超 rows, outside the limit and all self-pay.
    4. Sum units: limit-counted, outside the limit, 30日超. Percentage codes counted toward
       the limit are applied to the limit-counted units (rounded half-up each).
    5. 種類支給限度: a type's excess is placed by the default rule on its providers.
    6. 区分支給限度: the excess is placed by the explicit allocation when it is consistent,
       otherwise by the default rule (cheapest for the client first).
    7. Out-of-limit percentage codes (処遇改善) on all qualifying units; their share on
       over-limit units = round(base × rate) − round((base − over) × rate) is self-pay.
    8. Yen per charge row: 費用総額 = floor(units × 単価), 保険請求額 = floor(費用総額 ×
       給付率 ÷ 100), 利用者負担 = the difference, 全額負担 = floor(self-pay units × 単価).
    9. Month totals, 給付管理票 lines, short-stay day counts and warnings.
    """
    options = options or DEFAULT_OPTIONS
    month_days = days_of_month(client_month.year, client_month.month)
    first_day = month_days[0]

    # 1. Header.
    header = check_header(client_month, month_days)
    issues: list[Issue] = list(header.issues)
    client_rate = client_month.benefit_rate
    if not isinstance(client_rate, int) or not 0 <= client_rate <= 100:
        client_rate = min(max(int(client_rate), 0), 100)
    levels_by_day = header.levels_by_day
    reference_day = next(
        (day for day in range(len(month_days), 0, -1) if levels_by_day[day] is not None), 0
    )
    limit_units = 0
    if header.heaviest_level is not None:
        found = schedule.limit_units(header.heaviest_level, first_day)
        limit_units = found or 0

    # 2. Lines.
    resolved_lines: list[ResolvedLine] = []
    for line_index, line in enumerate(client_month.service_lines):
        resolved, line_issues = check_service_line(
            line_index,
            line,
            schedule=schedule,
            providers=header.providers,
            month_days=month_days,
            levels_by_day=levels_by_day,
            month_reference_day=reference_day,
        )
        issues.extend(line_issues)
        if resolved is not None:
            resolved_lines.append(resolved)

    # 3. Groups and the 30-day rule.
    groups = _build_groups(resolved_lines, schedule, client_rate, first_day, issues)
    stay_day_numbers = {day for group in groups.values() for day in group.stay_days}
    beyond_days: set[int] = set()
    if stay_day_numbers:
        beyond_days = set(
            beyond_thirty_day_numbers(
                stay_day_numbers,
                client_month.short_stay_consecutive_days_before_month,
                restart_after_self_pay_day=options.short_stay_count_restarts_after_self_pay_day,
            )
        )
    _aggregate_rows(resolved_lines, groups, beyond_days, month_days, issues)

    # 4. Unit sums and in-limit percentages.
    for group in groups.values():
        _sum_units(group)

    # 5. 種類支給限度.
    type_usages = _apply_service_type_limits(client_month, groups, issues)

    # 6. 区分支給限度.
    managed = [g for g in groups.values() if g.limit_managed and g.within_type_limit_units > 0]
    limit_counted = sum(g.within_type_limit_units for g in managed)
    excess = max(0, limit_counted - limit_units)
    if excess and header.heaviest_level is not None and limit_units == 0:
        issues.append(
            make_issue(
                IssueCode.NO_LIMIT_FOR_CARE_LEVEL,
                field="certifications",
                level=level_name(header.heaviest_level),
            )
        )
    allocation, allocation_source = _allocate_over_limit(client_month, managed, excess, issues)
    for group in managed:
        group.over_limit_units = allocation.get(group.key, 0)
    if excess:
        issues.append(
            make_issue(IssueCode.OVER_LIMIT, Severity.WARNING, limit=limit_units, excess=excess)
        )

    # 7. Out-of-limit percentages.
    for group in groups.values():
        _apply_outside_percentages(group, issues)

    # 8. Detail rows, charges, subtotals.
    ordered_groups = [groups[key] for key in sorted(groups)]
    detail_rows = tuple(row for group in ordered_groups for row in group_detail_rows(group))
    subtotals = tuple(subtotal(group, options) for group in ordered_groups)

    # 9. Totals, 給付管理票, short stay.
    totals = month_totals(subtotals)
    benefit_lines = tuple(
        BenefitManagementLine(s.provider_number, s.service_type, s.within_limit_units)
        for group, s in zip(ordered_groups, subtotals, strict=True)
        if group.limit_managed and any(charge.insured_units > 0 for charge in s.charges)
    )
    short_stay = _short_stay(client_month, groups, beyond_days, header, month_days, issues)

    return ClientMonthResult(
        year=client_month.year,
        month=client_month.month,
        care_level=header.heaviest_level,
        limit_units=limit_units,
        detail_rows=detail_rows,
        subtotals=subtotals,
        totals=totals,
        benefit_management_lines=benefit_lines,
        service_type_limit_usages=type_usages,
        short_stay=short_stay,
        allocation=tuple(
            OverLimitAllocation(key[0], key[1], units)
            for key, units in sorted(allocation.items())
            if units
        ),
        allocation_source=allocation_source,
        issues=tuple(issues),
    )


# ---------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------


def _build_groups(
    resolved_lines: list[ResolvedLine],
    schedule: FeeSchedule,
    client_rate: int,
    first_day: date,
    issues: list[Issue],
) -> dict[GroupKey, Group]:
    """One group per provider × service type, with its unit price and 給付率.

    Lines whose provider × type has no unit price are reported and removed from
    `resolved_lines`. Base days (for 減算) and short-stay days are collected here.
    """
    groups: dict[GroupKey, Group] = {}
    unpriced: set[GroupKey] = set()
    kept: list[ResolvedLine] = []
    for resolved in resolved_lines:
        key = (resolved.provider.number, resolved.service_type.code)
        if key in unpriced:
            continue
        group = groups.get(key)
        if group is None:
            service_type = resolved.service_type
            price = schedule.unit_price(
                resolved.provider.regional_grade, service_type.labor_cost_group, first_day
            )
            if price is None:
                unpriced.add(key)
                issues.append(
                    make_issue(
                        IssueCode.NO_UNIT_PRICE,
                        line_index=resolved.line_index,
                        field="provider_number",
                        provider=key[0],
                        service_type=key[1],
                    )
                )
                continue
            rate = service_type.fixed_benefit_rate
            group = Group(
                resolved.provider, service_type, price, client_rate if rate is None else rate
            )
            groups[key] = group
        for code, day_numbers, _quantity, _units in resolved.occurrences:
            if code.kind in _BASE_KINDS:
                group.base_days.update(day_numbers)
                if group.service_type.short_stay and code.basis == Basis.DAY:
                    group.stay_days.update(day_numbers)
        kept.append(resolved)
    resolved_lines[:] = kept
    return groups


def _aggregate_rows(
    resolved_lines: list[ResolvedLine],
    groups: dict[GroupKey, Group],
    beyond_days: set[int],
    month_days: tuple[date, ...],
    issues: list[Issue],
) -> None:
    """Count occurrences per code × units; short-stay days beyond 30 go to 30日超 rows.

    A 減算 needs a base service of the same provider × type on its date (or, for a monthly
    減算, in the month); without one it is left out.
    """
    for resolved in resolved_lines:
        group = groups[(resolved.provider.number, resolved.service_type.code)]
        short_stay = group.service_type.short_stay and beyond_days
        for code, day_numbers, quantity, units in resolved.occurrences:
            if code.kind == CodeKind.PERCENTAGE:
                if code.code in group.percentage_codes:
                    issues.append(
                        make_issue(
                            IssueCode.DUPLICATE_PERCENTAGE_CODE,
                            Severity.WARNING,
                            line_index=resolved.line_index,
                            field="service_code",
                            code=code.code,
                        )
                    )
                group.percentage_codes[code.code] = code
                continue
            if code.kind == CodeKind.REDUCTION:
                unmatched = [d for d in day_numbers if not _has_base_on(group, d)]
                if unmatched:
                    issues.append(
                        make_issue(
                            IssueCode.REDUCTION_WITHOUT_BASE,
                            line_index=resolved.line_index,
                            field="dates",
                            code=code.code,
                            # day 0 (a monthly 減算) reads as the month's last day
                            dates=japanese_dates(month_days[d - 1] for d in unmatched),
                        )
                    )
                    day_numbers = [d for d in day_numbers if _has_base_on(group, d)]
            beyond_count = 0
            if short_stay:
                beyond_count = sum(1 for d in day_numbers if d in beyond_days)
            for beyond, days_count in (
                (False, len(day_numbers) - beyond_count),
                (True, beyond_count),
            ):
                if not days_count:
                    continue
                key = (code.code, units, beyond)
                row = group.fixed_rows.get(key)
                if row is None:
                    group.fixed_rows[key] = [code, days_count * quantity]
                else:
                    row[1] += days_count * quantity


def _has_base_on(group: Group, day_number: int) -> bool:
    return bool(group.base_days) if day_number == 0 else day_number in group.base_days


def _sum_units(group: Group) -> None:
    """Limit-counted, outside-limit and 30日超 units; then in-limit percentages."""
    for (_code, units, beyond), (code, count) in group.fixed_rows.items():
        service_units = units * count
        if beyond:
            group.beyond_thirty_days_units += service_units
        elif group.counts_toward_limit(code):
            group.limit_target_units += service_units
        else:
            group.outside_fixed_units += service_units
    base = group.limit_target_units
    for code_key in sorted(group.percentage_codes):
        code = group.percentage_codes[code_key]
        if group.counts_toward_limit(code):
            units = percentage_units(base, code.percentage_rate or Decimal(0))
            group.inside_percentages.append(PercentageResult(code, units, 0))
            group.limit_target_units += units
    group.qualifying_units = group.limit_target_units + group.outside_fixed_units


def _apply_service_type_limits(
    client_month: ClientMonth, groups: dict[GroupKey, Group], issues: list[Issue]
) -> tuple[ServiceTypeLimitUsage, ...]:
    """種類支給限度: per limited type, units over its limit, placed by the default rule."""
    usages: list[ServiceTypeLimitUsage] = []
    limits: dict[str, int] = {}
    for position, type_limit in enumerate(client_month.service_type_limits):
        if type_limit.limit_units < 0 or type_limit.service_type in limits:
            issues.append(
                make_issue(
                    IssueCode.INVALID_SERVICE_TYPE_LIMIT,
                    field=f"service_type_limits[{position}]",
                    service_type=type_limit.service_type,
                    units=type_limit.limit_units,
                )
            )
            continue
        limits[type_limit.service_type] = type_limit.limit_units
    for service_type in sorted(limits):
        members = [
            g
            for g in groups.values()
            if g.service_type.code == service_type and g.limit_managed and g.limit_target_units
        ]
        total = sum(g.limit_target_units for g in members)
        over = max(0, total - limits[service_type])
        if over:
            placed = allocate_cheapest_first(
                over, [(g.key, g.limit_target_units, g.over_limit_cost_per_unit()) for g in members]
            )
            for group in members:
                group.over_type_limit_units = placed.get(group.key, 0)
            issues.append(
                make_issue(
                    IssueCode.OVER_SERVICE_TYPE_LIMIT,
                    Severity.WARNING,
                    service_type=service_type,
                    limit=limits[service_type],
                    excess=over,
                )
            )
        usages.append(ServiceTypeLimitUsage(service_type, limits[service_type], total, over))
    return tuple(usages)


def _allocate_over_limit(
    client_month: ClientMonth, managed: list[Group], excess: int, issues: list[Issue]
) -> tuple[dict[GroupKey, int], str]:
    """The explicit allocation when it is consistent, else the default rule."""
    explicit = client_month.over_limit_allocation
    if explicit is not None:
        available = {g.key: g.within_type_limit_units for g in managed}
        allocation_issues = check_over_limit_allocation(explicit, available, excess)
        if not allocation_issues:
            chosen = {
                (entry.provider_number, entry.service_type): entry.units
                for entry in explicit
                if entry.units
            }
            return chosen, ("explicit" if excess else "none")
        issues.extend(allocation_issues)
    if not excess:
        return {}, "none"
    candidates = [(g.key, g.within_type_limit_units, g.over_limit_cost_per_unit()) for g in managed]
    return allocate_cheapest_first(excess, candidates), "default"


def _apply_outside_percentages(group: Group, issues: list[Issue]) -> None:
    """Out-of-limit percentage codes and the self-pay share that follows over-limit units."""
    over = group.over_type_limit_units + group.over_limit_units
    base = group.qualifying_units
    for code_key in sorted(group.percentage_codes):
        code = group.percentage_codes[code_key]
        if group.counts_toward_limit(code):
            continue
        if base <= 0:
            issues.append(
                make_issue(
                    IssueCode.PERCENTAGE_WITHOUT_BASE,
                    Severity.WARNING,
                    code=code.code,
                    provider=group.provider.number,
                    service_type=group.service_type.code,
                )
            )
            continue
        rate = code.percentage_rate or Decimal(0)
        total = percentage_units(base, rate)
        insured = percentage_units(base - over, rate) if over else total
        group.outside_percentages.append(PercentageResult(code, total, total - insured))


def _short_stay(
    client_month: ClientMonth,
    groups: dict[GroupKey, Group],
    beyond_days: set[int],
    header: HeaderCheck,
    month_days: tuple[date, ...],
    issues: list[Issue],
) -> ShortStayDays | None:
    """要介護認定期間中の短期入所利用日数 for the month, or None without short stays."""
    short_groups = [groups[key] for key in sorted(groups) if groups[key].service_type.short_stay]
    if not short_groups:
        return None
    insured_days: set[int] = set()
    counted: list[int] = []
    for group in short_groups:
        days = group.stay_days - beyond_days
        insured_days |= days
        counted.append(
            counted_days_after_limit(len(days), group.limit_target_units, group.within_limit_units)
        )
    all_stay_days = set().union(*(g.stay_days for g in short_groups))
    last_stay_day = max(all_stay_days) if all_stay_days else 0
    period = header.certification_by_day[last_stay_day] if last_stay_day else None
    summary, stay_issues = short_stay_summary(
        days_before_month=client_month.short_stay_days_before_month,
        insured_day_numbers=insured_days,
        counted_days_by_group=counted,
        certification_period=period,
        beyond_thirty_dates=[month_days[d - 1] for d in sorted(beyond_days)],
    )
    issues.extend(stay_issues)
    return summary


def validate_client_month(
    client_month: ClientMonth,
    schedule: FeeSchedule,
    options: CalculationOptions | None = None,
) -> tuple[Issue, ...]:
    """Every issue of a client-month: input checks plus those found while calculating."""
    return calculate_client_month(client_month, schedule, options).issues
