"""Plan checks shown on the ticket: warnings with the rule's name that an office can
acknowledge (issue 10 §4). Pure functions over the ticket, its figures and the register.

Interface used by the editor, the PDFs and the delivery screen:

    ticket_warnings(ticket, figures) -> list[TicketWarning]

A warning is identified by (`rule`, `subject_key`); `TicketCheckAcknowledgement` rows with
the same pair mark it acknowledged (still shown, greyed, with who and why). `subject_key`
names what the finding is about in terms that survive a regeneration (the row's source key,
the TAIS code, the care level), never a row's database id alone.

Rules (each a function below; the thresholds are data in this module):

* `light_care_rental`   — 軽度者の福祉用具貸与 without a recorded 例外給付.
* `rental_price_cap`    — 貸与価格 above the item's 貸与上限額 (RentalPriceCap).
* `housework_filing`    — 生活援助中心型 visits reaching the 厚生労働大臣が定める回数.
* `limit_share_filing`  — 区分支給限度基準額の7割以上 and 訪問介護 6割以上 ([U], see below).
* `over_limit_allocation` — over the 区分支給限度基準額 while 超過分の振り分け is not chosen
                          (the engine's default order is used; the limit panel has the form).
* `short_stay_half`     — 短期入所 beyond half the 認定有効期間 (理由書).
* `time_band`           — a visit time outside its code's duration band.
* `code_validity`       — the engine refused / substituted a code (error; fix the row).
* `engine_error`        — any other engine error on the month (error).
* `closed_day`          — 予定 on a provider's 定休日 or 祝日休み.
* `overlapping_visits`  — two visits of the same provider overlapping on the same day.

Queries: acknowledgements, the rows' source plan items (例外給付) and the price caps, one
each; rows, providers and the register come with `figures`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db.models import Q

from billing.calc.schedule import Basis
from billing.models import RentalPriceCap, ServiceTicket, TicketCheckAcknowledgement, TicketRow
from billing.tickets.compute import TicketFigures
from billing.tickets.month import holidays_in_month, last_of_month
from billing.tickets.rules import code_on, is_rental, is_short_stay_code
from caremgmt.choices import CareLevel
from careplans.time_bands import band_minutes, time_band_mismatch

WEEKDAY_LABELS = {1: "月", 2: "火", 3: "水", 4: "木", 5: "金", 6: "土", 7: "日"}


@dataclass(frozen=True)
class TicketWarning:
    rule: str  # stable id, e.g. "light_care_rental"
    rule_name: str  # Japanese name of the rule shown to the user
    message: str
    subject_key: str = ""
    row_id: int | None = None
    day: int | None = None
    severity: str = "warning"  # "warning" (acknowledgeable) or "error" (must be fixed)
    acknowledged: bool = False
    acknowledged_note: str = ""
    acknowledged_by: str = ""
    acknowledged_at: dt.datetime | None = None

    @property
    def acknowledgeable(self) -> bool:
        return self.severity == "warning" and not self.acknowledged


RULE_NAMES = {
    "light_care_rental": "軽度者の福祉用具貸与（例外給付）",
    "rental_price_cap": "福祉用具貸与の上限額",
    "housework_filing": "生活援助中心型の回数（市町村への届出）",
    "limit_share_filing": "区分支給限度基準額の利用割合と訪問介護の割合（市町村への届出）",
    "over_limit_allocation": "区分支給限度基準額の超過（超過分の振り分け）",
    "short_stay_half": "短期入所の利用日数（認定有効期間のおおむね半数）",
    "time_band": "提供時間帯とサービスコードの所要時間",
    "code_validity": "サービスコードの有効性（提供月・要介護度）",
    "engine_error": "別表の計算エラー",
    "closed_day": "事業所の休業日の予定",
    "overlapping_visits": "同じ事業所の訪問の重複",
}

# --- thresholds (data) ------------------------------------------------------------------

# 福祉用具貸与 item numbers (last two digits of 17xxxx / 67xxxx) a 軽度者 may not rent
# without a 例外給付, and the care levels the restriction applies to.
LIGHT_CARE_ITEMS = {
    "01": "車いす",
    "02": "車いす付属品",
    "03": "特殊寝台",
    "04": "特殊寝台付属品",
    "05": "床ずれ防止用具",
    "06": "体位変換器",
    "11": "認知症老人徘徊感知機器",
    "12": "移動用リフト",
}
LIGHT_CARE_LEVELS = frozenset({CareLevel.SUPPORT_1, CareLevel.SUPPORT_2, CareLevel.CARE_1})
EXCRETION_ITEM = ("13", "自動排泄処理装置")
# 自動排泄処理装置: below 要介護4 (要支援1・2, 要介護1〜3).
EXCRETION_RESTRICTED_LEVELS = frozenset(
    {
        CareLevel.SUPPORT_1,
        CareLevel.SUPPORT_2,
        CareLevel.CARE_1,
        CareLevel.CARE_2,
        CareLevel.CARE_3,
    }
)

# 生活援助中心型 visits per month from which the plan is filed with the municipality
# (厚生労働大臣が定める回数, from 2018-10; REFERENCE §8).
HOUSEWORK_FILING_COUNTS = {
    CareLevel.CARE_1: 27,
    CareLevel.CARE_2: 34,
    CareLevel.CARE_3: 43,
    CareLevel.CARE_4: 38,
    CareLevel.CARE_5: 31,
}
HOUSEWORK_SERVICE_TYPE = "11"
HOUSEWORK_NAME_PREFIX = "生活援助"

# 区分支給限度基準額の利用割合 and 訪問介護 share (2021-10 filing rule), in percent.
LIMIT_SHARE_PERCENT = 70
HOME_HELP_SHARE_PERCENT = 60
HOME_HELP_SERVICE_TYPE = "11"

# Engine issues about a code being wrong for the date, the level or the month.
CODE_ISSUES = frozenset(
    {
        "unknown_service_code",
        "service_code_not_valid_in_month",
        "care_level_not_eligible",
        "no_variant_for_care_level",
        "care_level_variant_substituted",
        "date_not_certified",
        "service_type_not_offered",
    }
)
# Engine issues shown elsewhere (limit panel, allocation form) or by a rule of this module.
NOT_HERE_ISSUES = frozenset(
    {
        "allocation_unknown_group",
        "allocation_negative_units",
        "allocation_duplicate_group",
        "allocation_exceeds_group",
        "allocation_sum_mismatch",
        "over_limit",
        "over_service_type_limit",
        "short_stay_over_half_certification_period",
        "short_stay_over_thirty_consecutive_days",
    }
)


def _days_text(days: Iterable[int]) -> str:
    return "、".join(f"{day}日" for day in sorted(days))


def _row_key(row: TicketRow) -> str:
    return row.source_key or f"row{row.pk}"


def _row_label(row: TicketRow) -> str:
    time = f"{row.starts_at:%H:%M}〜 " if row.starts_at else ""
    return f"{time}{row.content or row.service_code}（{row.provider.name}・{row.service_code}）"


def _levels_on(figures: TicketFigures, ticket: ServiceTicket, days: Iterable[int]) -> set[str]:
    levels = set()
    for day in days:
        certification = figures.register.certification_on(ticket.month.replace(day=day))
        if certification is not None:
            levels.add(certification.care_level)
    return levels


def _level_label(level: str) -> str:
    return CareLevel(level).label if level in CareLevel.values else level


# --- rules --------------------------------------------------------------------------------


def light_care_rental(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """軽度者（要支援1・2、要介護1; 自動排泄処理装置は要介護3以下）の福祉用具貸与 without a
    recorded 例外給付 (`MonthlyService.light_care_exception_on` of the row's plan item, on or
    before the month's last day). Manual rows have no plan item: they always warn."""
    from careplans.models import MonthlyService

    candidates: list[tuple[TicketRow, str, set[str]]] = []
    for row in figures.rows:
        if not is_rental(row.service_code):
            continue
        item = row.service_code[4:]
        if item in LIGHT_CARE_ITEMS:
            name, restricted = LIGHT_CARE_ITEMS[item], LIGHT_CARE_LEVELS
        elif item == EXCRETION_ITEM[0]:
            name, restricted = EXCRETION_ITEM[1], EXCRETION_RESTRICTED_LEVELS
        else:
            continue
        # 1月につき: any day of the month at a restricted level needs the 例外給付.
        month_days = range(1, last_of_month(ticket.month).day + 1)
        levels = _levels_on(figures, ticket, month_days) & restricted
        if levels:
            candidates.append((row, name, levels))
    if not candidates:
        return []
    item_ids = {
        int(row.source_key[1:].split(":", 1)[0])
        for row, _name, _levels in candidates
        if row.source_key.startswith("m") and row.source_key[1:].split(":", 1)[0].isdigit()
    }
    last = last_of_month(ticket.month)
    excepted = set(
        MonthlyService.objects.filter(
            pk__in=item_ids,
            light_care_exception_on__isnull=False,
            light_care_exception_on__lte=last,
        ).values_list("pk", flat=True)
    )
    warnings = []
    for row, name, levels in candidates:
        key = row.source_key[1:].split(":", 1)[0] if row.source_key.startswith("m") else ""
        if key.isdigit() and int(key) in excepted:
            continue
        level_text = "・".join(_level_label(level) for level in sorted(levels))
        warnings.append(
            TicketWarning(
                rule="light_care_rental",
                rule_name=RULE_NAMES["light_care_rental"],
                message=(
                    f"{level_text}の方は「{name}」（{row.service_code}）を原則として貸与できません。"
                    "医師の意見・サービス担当者会議・保険者の確認による例外給付を"
                    "計画の週単位以外のサービスに記録してください。"
                ),
                subject_key=f"{row.service_code}:{row.tais_code or row.notified_code or _row_key(row)}",
                row_id=row.pk,
            )
        )
    return warnings


def rental_price_cap(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """貸与価格 above the 上限額 in force on the month's 1st for the row's TAIS code."""
    rows = [
        row
        for row in figures.rows
        if is_rental(row.service_code) and row.tais_code and row.rental_price_yen is not None
    ]
    if not rows:
        return []
    caps: dict[str, RentalPriceCap] = {}
    for cap in (
        RentalPriceCap.objects.filter(
            tais_code__in={row.tais_code for row in rows}, valid_from__lte=ticket.month
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=ticket.month))
        .order_by("valid_from")
    ):
        caps[cap.tais_code] = cap  # the latest in force wins
    warnings = []
    for row in rows:
        cap = caps.get(row.tais_code)
        if cap is None or row.rental_price_yen <= cap.cap_yen:
            continue
        warnings.append(
            TicketWarning(
                rule="rental_price_cap",
                rule_name=RULE_NAMES["rental_price_cap"],
                message=(
                    f"{row.item_name or row.content}（TAIS {row.tais_code}）の貸与価格"
                    f"{row.rental_price_yen:,}円が上限額{cap.cap_yen:,}円を超えています。"
                    "上限額を超える価格では保険給付の対象になりません。"
                ),
                subject_key=f"{row.tais_code}:{row.rental_price_yen}",
                row_id=row.pk,
            )
        )
    return warnings


def housework_count(ticket: ServiceTicket, rows: Sequence[TicketRow]) -> int:
    """Planned 生活援助中心型 visits of the month (codes of type 11 whose fee-schedule name
    starts with 生活援助)."""
    count = 0
    for row in rows:
        if row.service_type != HOUSEWORK_SERVICE_TYPE or not row.planned_days:
            continue
        code = code_on(row.service_code, ticket.month.replace(day=min(row.planned_days)))
        if code is None or not code.name.startswith(HOUSEWORK_NAME_PREFIX):
            continue
        count += len(set(row.planned_days)) * row.count_per_date
    return count


def housework_filing(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """生活援助中心型 count reaching the filing count of the month's (heaviest) level."""
    level = figures.result.care_level
    threshold = HOUSEWORK_FILING_COUNTS.get(level or "")
    if threshold is None:
        return []
    count = housework_count(ticket, figures.rows)
    if count < threshold:
        return []
    return [
        TicketWarning(
            rule="housework_filing",
            rule_name=RULE_NAMES["housework_filing"],
            message=(
                f"生活援助中心型の訪問介護が月{count}回の予定です（{_level_label(level)}は"
                f"{threshold}回以上で届出）。ケアプランを市町村に届け出てください。"
            ),
            subject_key=level,
        )
    ]


def limit_share_filing(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """区分支給限度基準額の7割以上を使い、そのうち訪問介護が6割以上の計画.

    [U] The 2021-10 rule (居宅介護支援事業所単位で抽出するケアプラン検証) is defined per
    office: its plans' average use of the limit ≥ 7割 and 訪問介護 ≥ 6割 of the services
    used; the municipality then asks for plans. Here it is applied to the one client-month as
    an early warning: 区分支給限度基準内の単位数 ≥ 70 % of 区分支給限度基準額 and 訪問介護's
    share of those units ≥ 60 %. Whether "6割" is of the used units (as here) or of the
    limit, and whether a single plan is ever flagged by itself, is unconfirmed."""
    result = figures.result
    used = result.totals.limit_target_units
    if not result.limit_units or used * 100 < result.limit_units * LIMIT_SHARE_PERCENT:
        return []
    home_help = sum(
        subtotal.limit_target_units
        for subtotal in result.subtotals
        if subtotal.service_type == HOME_HELP_SERVICE_TYPE
    )
    if home_help * 100 < used * HOME_HELP_SHARE_PERCENT:
        return []
    return [
        TicketWarning(
            rule="limit_share_filing",
            rule_name=RULE_NAMES["limit_share_filing"],
            message=(
                f"区分支給限度基準額の{used * 100 // result.limit_units}%を利用し、"
                f"そのうち訪問介護が{home_help * 100 // used}%です"
                f"（{LIMIT_SHARE_PERCENT}%以上かつ{HOME_HELP_SHARE_PERCENT}%以上）。"
                "市町村からケアプランの提出を求められることがあります。"
            ),
            subject_key=result.care_level or "",
        )
    ]


def over_limit_allocation(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """Over the 区分支給限度基準額 with no saved 振り分け: which provider's units become 全額
    自己負担 is the engine's default, not a choice made with the client. Acknowledging keeps
    the default for this excess (the key is the excess, so a new excess warns again); a
    saved 振り分け ends the warning (the panel then still says the month is over)."""
    result = figures.result
    over = result.totals.over_limit_units
    if not over or result.allocation_source == "explicit":
        return []
    return [
        TicketWarning(
            rule="over_limit_allocation",
            rule_name=RULE_NAMES["over_limit_allocation"],
            message=(
                f"区分支給限度基準額を{over:,}単位超えています（超過分は全額自己負担）。"
                "超過分の振り分けが未選択のため、既定の順で計算しています。どの事業所・サービスの"
                "単位を限度超過にするか利用者と決め、「限度超過の振り分け」で保存してください。"
            ),
            subject_key=f"{over}",
        )
    ]


def short_stay_half(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """短期入所 cumulative days (前月まで + this month) beyond half the 認定有効期間."""
    stay = figures.result.short_stay
    if stay is None or not stay.certification_period_days:
        return []
    if stay.cumulative_days * 2 <= stay.certification_period_days:
        return []
    period = figures.register.certification_period
    return [
        TicketWarning(
            rule="short_stay_half",
            rule_name=RULE_NAMES["short_stay_half"],
            message=(
                f"短期入所の累積利用日数が{stay.cumulative_days}日（前月まで"
                f"{stay.days_before_month}日）で、認定有効期間{stay.certification_period_days}日"
                "のおおむね半数を超えています。必要性を記した理由書を市町村に提出してください。"
            ),
            subject_key=f"{period[0]:%Y%m%d}" if period else "",
        )
    ]


def time_band(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """A row's 提供時間帯 whose length is outside its code's duration band."""
    warnings = []
    for row in figures.rows:
        if row.starts_at is None or row.ends_at is None or row.starts_at == row.ends_at:
            continue
        day = ticket.month.replace(day=min(row.planned_days)) if row.planned_days else ticket.month
        code = code_on(row.service_code, day)
        if code is None or code.basis == Basis.MONTH:
            continue
        message = time_band_mismatch(
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            code=row.service_code,
            service_type=code.service_type,
            name=code.name,
        )
        if message:
            warnings.append(
                TicketWarning(
                    rule="time_band",
                    rule_name=RULE_NAMES["time_band"],
                    message=message,
                    subject_key=f"{row.service_code}:{row.starts_at:%H%M}-{row.ends_at:%H%M}",
                    row_id=row.pk,
                )
            )
    return warnings


def engine_issues(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """The engine's errors as must-fix findings: a code invalid for the date's level or the
    month (code_validity) and any other error of the month (engine_error)."""
    warnings = []
    for issue in figures.issues:
        if issue.code in NOT_HERE_ISSUES:
            continue
        is_code = issue.code in CODE_ISSUES
        if not is_code and issue.severity != "error":
            continue
        row = None
        if issue.line_index is not None and 0 <= issue.line_index < len(figures.rows):
            row = figures.rows[issue.line_index]
        rule = "code_validity" if is_code else "engine_error"
        message = issue.message
        if row is not None:
            message = f"{_row_label(row)}：{message}"
        warnings.append(
            TicketWarning(
                rule=rule,
                rule_name=RULE_NAMES[rule],
                message=message,
                subject_key=f"{issue.code}:{row.service_code if row else ''}",
                row_id=row.pk if row else None,
                severity="error",
            )
        )
    return warnings


def closed_day(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """予定 on a provider's 定休日 or, for a 祝日休み provider, on a public holiday."""
    holidays = holidays_in_month(ticket.month.year, ticket.month.month)
    warnings = []
    for row in figures.rows:
        provider = row.provider
        closed_weekdays = set(provider.closed_weekdays or [])
        if not row.planned_days or not (closed_weekdays or provider.closed_on_holidays):
            continue
        if is_rental(row.service_code) or is_short_stay_code(row.service_code):
            continue  # a month item's day only marks when it applies; a stay is no visit
        weekday_days = [
            day
            for day in row.planned_days
            if ticket.month.replace(day=day).isoweekday() in closed_weekdays
        ]
        holiday_days = [
            day
            for day in row.planned_days
            if provider.closed_on_holidays and day in holidays and day not in weekday_days
        ]
        parts = []
        if weekday_days:
            labels = "・".join(WEEKDAY_LABELS[w] for w in sorted(closed_weekdays))
            parts.append(f"{_days_text(weekday_days)}は定休日（{labels}曜日）")
        if holiday_days:
            parts.append(f"{_days_text(holiday_days)}は祝日（祝日休み）")
        if not parts:
            continue
        warnings.append(
            TicketWarning(
                rule="closed_day",
                rule_name=RULE_NAMES["closed_day"],
                message=f"{_row_label(row)}：{'、'.join(parts)}です。事業所に確認してください。",
                subject_key=f"{_row_key(row)}",
                row_id=row.pk,
                day=min(weekday_days + holiday_days),
            )
        )
    return warnings


def _interval(row: TicketRow) -> tuple[int, int] | None:
    if row.starts_at is None or row.ends_at is None or row.starts_at == row.ends_at:
        return None
    start = row.starts_at.hour * 60 + row.starts_at.minute
    return start, start + band_minutes(row.starts_at, row.ends_at)


def overlapping_visits(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """Two rows of the same provider whose time bands overlap on a common 予定 day."""
    by_provider: dict[int, list[tuple[TicketRow, tuple[int, int]]]] = defaultdict(list)
    for row in figures.rows:
        interval = _interval(row)
        if interval is not None and row.planned_days:
            by_provider[row.provider_id].append((row, interval))
    warnings = []
    for rows in by_provider.values():
        for index, (first, (a_start, a_end)) in enumerate(rows):
            for second, (b_start, b_end) in rows[index + 1 :]:
                if not (a_start < b_end and b_start < a_end):
                    continue
                days = sorted(set(first.planned_days) & set(second.planned_days))
                if not days:
                    continue
                warnings.append(
                    TicketWarning(
                        rule="overlapping_visits",
                        rule_name=RULE_NAMES["overlapping_visits"],
                        message=(
                            f"{first.provider.name}の{first.starts_at:%H:%M}〜"
                            f"{first.ends_at:%H:%M}（{first.service_code}）と"
                            f"{second.starts_at:%H:%M}〜{second.ends_at:%H:%M}"
                            f"（{second.service_code}）が{_days_text(days)}に重なっています。"
                        ),
                        subject_key=f"{_row_key(first)}|{_row_key(second)}"[:80],
                        row_id=second.pk,
                        day=days[0],
                    )
                )
    return warnings


RULES = (
    engine_issues,
    light_care_rental,
    rental_price_cap,
    housework_filing,
    limit_share_filing,
    over_limit_allocation,
    short_stay_half,
    time_band,
    closed_day,
    overlapping_visits,
)


def _acknowledge(ticket: ServiceTicket, warnings: list[TicketWarning]) -> list[TicketWarning]:
    if not warnings or ticket.pk is None:
        return warnings
    acks = {
        (ack.rule, ack.subject_key): ack
        for ack in TicketCheckAcknowledgement.objects.filter(ticket=ticket).select_related(
            "acknowledged_by"
        )
    }
    out = []
    for warning in warnings:
        ack = acks.get((warning.rule, warning.subject_key))
        if ack is not None and warning.severity == "warning":
            by = ack.acknowledged_by
            warning = replace(
                warning,
                acknowledged=True,
                acknowledged_note=ack.note,
                acknowledged_by=getattr(by, "full_name", "") or str(by),
                acknowledged_at=ack.acknowledged_at,
            )
        out.append(warning)
    return out


def ticket_warnings(ticket: ServiceTicket, figures: TicketFigures) -> list[TicketWarning]:
    """Every plan-check finding for the ticket: errors first, then warnings, each marked
    acknowledged when the office recorded it (same rule and subject)."""
    warnings: list[TicketWarning] = []
    for rule in RULES:
        warnings.extend(rule(ticket, figures))
    warnings.sort(key=lambda w: 0 if w.severity == "error" else 1)
    return _acknowledge(ticket, warnings)


def unacknowledged_count(warnings: Sequence[TicketWarning]) -> int:
    return sum(1 for warning in warnings if not warning.acknowledged)
