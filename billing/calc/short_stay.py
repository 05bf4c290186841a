"""短期入所 day rules: the 30-consecutive-day rule and the half-certification-period count.

Short-stay service types are flagged in service_types.csv (21/22/23/2A and the 予防
types 24/25/26/2B). A stay day is a date with a day-based base code of such a type; stays
at different short-stay providers on consecutive days form one continuous stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from billing.calc.issues import IssueCode, japanese_dates, make_issue
from billing.calc.types import Issue, Severity, ShortStayDays

THIRTY_DAYS = 30


def beyond_thirty_day_numbers(
    stay_day_numbers: Iterable[int],
    consecutive_days_before_month: int,
    *,
    restart_after_self_pay_day: bool,
) -> list[int]:
    """Days of the month that are day 31 or later of a continuous stay (30日超).

    1. Walk the stay days in order; a day right after the previous stay day continues the
       stay, any gap starts a new one. Day 1 of the month continues the stay carried in
       from the previous month (`consecutive_days_before_month` days long).
    2. Days whose position in the stay exceeds 30 are returned: they are not insured.
    3. With `restart_after_self_pay_day` (the engine's default), the day after such a
       self-pay day starts a new count (one self-pay day breaks the continuity); without it
       every later day of the same continuous stay stays self-pay (REFERENCE Unconfirmed #14).
    """
    beyond: list[int] = []
    previous_day = 0
    run_length = max(consecutive_days_before_month, 0)
    for day_number in sorted(set(stay_day_numbers)):
        if day_number == previous_day + 1:
            run_length += 1
        else:
            run_length = 1
        if run_length > THIRTY_DAYS:
            beyond.append(day_number)
            if restart_after_self_pay_day:
                run_length = 0
        previous_day = day_number
    return beyond


def counted_days_after_limit(days: int, limit_target_units: int, within_limit_units: int) -> int:
    """Short-stay days counted toward the half-period rule for one provider × type.

    Days used entirely as self-pay because of the 区分 limit do not count; when only part
    of the units is within the limit, days = floor(within ÷ total × days) (REFERENCE §8, [P]).
    """
    if limit_target_units <= 0 or within_limit_units >= limit_target_units:
        return days
    return within_limit_units * days // limit_target_units


def short_stay_summary(
    *,
    days_before_month: int,
    insured_day_numbers: set[int],
    counted_days_by_group: Sequence[int],
    certification_period: tuple[date, date] | None,
    beyond_thirty_dates: Sequence[date],
) -> tuple[ShortStayDays, list[Issue]]:
    """要介護認定期間中の短期入所利用日数 with the warnings the care manager must see.

    1. planned days = distinct insured stay days of the month (30日超 days excluded);
    2. counted days = the sum over providers × types after the over-limit adjustment,
       at most the planned days; cumulative = days before the month + counted days;
    3. warn when the cumulative days exceed half of the certification period's days
       (the period in force on the month's last stay day), and when days fall beyond 30
       consecutive days.
    """
    planned_days = len(insured_day_numbers)
    counted_days = min(planned_days, sum(counted_days_by_group))
    cumulative_days = days_before_month + counted_days
    period_days = None
    if certification_period is not None:
        period_days = (certification_period[1] - certification_period[0]).days + 1
    issues: list[Issue] = []
    if period_days is not None and cumulative_days * 2 > period_days:
        issues.append(
            make_issue(
                IssueCode.SHORT_STAY_OVER_HALF_CERTIFICATION_PERIOD,
                Severity.WARNING,
                field="short_stay_days_before_month",
                cumulative=cumulative_days,
                period=period_days,
            )
        )
    if beyond_thirty_dates:
        issues.append(
            make_issue(
                IssueCode.SHORT_STAY_OVER_THIRTY_CONSECUTIVE_DAYS,
                Severity.WARNING,
                field="dates",
                dates=japanese_dates(beyond_thirty_dates),
            )
        )
    summary = ShortStayDays(
        days_before_month=days_before_month,
        planned_days=planned_days,
        counted_days=counted_days,
        cumulative_days=cumulative_days,
        certification_period_days=period_days,
        beyond_thirty_days_dates=tuple(beyond_thirty_dates),
    )
    return summary, issues
