"""ケアプランデータ連携 import: a received sending unit → a new 原案 (REFERENCE §3).

`careplan_import` reads a received unit and creates a new 原案 for the client with the same
保険者番号 + 被保険者番号, within the actor's visible clients.

* 第2表 rows whose サービス事業者コード names a provider of our directory that offers the
  サービス種別 become insured rows linked to that provider. Unknown provider numbers (or a
  service kind we cannot map) become **保険外 free-text rows** (事業所名/番号 and 種別 kept as
  text, no provider link) — the care manager re-links them before confirming.
* Before anything is saved, `import_problems` checks the whole received plan for values the
  import would have to change or drop: impossible dates in a period (2026/02/30, end before
  start), text longer than our column (頻度 > 100 characters, …), weekly rows whose times
  cannot be used (2400–2400, start = end) and activities without a usable start. Any of them
  raises `ImportProblemsError` (file, row number, field, raw value, Japanese message) and
  nothing is saved; the sender corrects the file.
* Periods (長期期間, 短期期間, 実施期間) are free text; `careplans.exchange.periods` reads the
  shapes other vendors write (和暦, full-width digits, any separator). A period that is not
  written as dates at all (「次回更新まで」) or is missing is **never replaced silently**: the
  row gets the plan start as a placeholder start and no end, and a warning naming the row and
  the raw text is stored in `CarePlan.import_warnings`, shown on the plan page until the plan
  is confirmed.
* 第3表 rows carry no provider or サービスコード in the CSV, so weekly rows come in as 保険外
  rows (content, 曜日, times kept). An end time of 2400 is stored as 23:59:59 (`END_OF_DAY`,
  written back as 2400) with a warning.
* The certification (認定日, 有効期間, 要介護度) is taken from our client history as of the
  plan start, not from the file; 計画の開始日 = the earliest 援助内容/短期目標 start (else the
  計画作成(変更)日). The basis assessment is the client's latest one on or before that date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from caremgmt.access import Actor, require_plan_writer, visible
from caremgmt.choices import ServiceType
from caremgmt.wareki import wareki_date
from careplans import services
from careplans.exchange import read_sending_unit
from careplans.exchange.periods import ImpossiblePeriodError, PeriodError, parse_period
from careplans.exchange.unit import ReceivedPlan, ReceivedUnit
from careplans.exchange_mapping import END_OF_DAY
from careplans.models import (
    Assessment,
    CarePlan,
    DailyActivity,
    Goal,
    Need,
    PlanKind,
    PlanStatus,
    SupportItem,
    WeeklyService,
)
from clients.models import Client, ServiceProvider

NO_MATCHING_CLIENT_MESSAGE = "保険者番号・被保険者番号が一致する利用者が見つかりません（担当している利用者のみ取り込めます）。"
OTHER_CLIENT_MESSAGE = (
    "ファイルの保険者番号・被保険者番号（{insurer}・{insured}）がこの利用者と一致しません。"
)
OPEN_DRAFT_MESSAGE = (
    "作成中の原案が既にあります。取り込む前にその原案を確定するか削除してください。"
)
SEVERAL_PLANS_MESSAGE = "この利用者の計画が複数含まれています。1つの計画だけを取り込んでください。"
PERIOD_PLACEHOLDER_MESSAGE = (
    "期間を読み取れませんでした。開始は仮に計画の開始日（{start}）、終了は空にしています。"
    "正しい期間に直してください。（{reason}）"
)
PERIOD_MISSING_MESSAGE = (
    "期間がありません。開始は仮に計画の開始日（{start}）にしています。確認してください。"
)
END_OF_DAY_MESSAGE = "終了時刻2400（24:00）は23:59:59（その日の終わり）として取り込みました。"
WEEKLY_SKIPPED_MESSAGE = (
    "時刻が読めない、または終了が開始より前のため週間サービスに取り込みませんでした。"
)
ACTIVITY_SKIPPED_MESSAGE = "開始時刻が読めないため主な日常生活上の活動に取り込みませんでした。"
IMPOSSIBLE_PERIOD_MESSAGE = "存在しない日付または期間です（{reason}）。送信元に確認してください。"
TOO_LONG_MESSAGE = "{limit}文字を超えています（{length}文字）。{limit}文字以内にしてください。"
WEEKLY_TIMES_PROBLEM_MESSAGE = (
    "週間サービスの時刻として使えません（開始が空か2400、または開始と終了が同じです）。"
)
ACTIVITY_TIMES_PROBLEM_MESSAGE = "主な日常生活上の活動の開始時刻として使えません（空か2400です）。"
FILE_LABELS = {"UP1KYO": "第1表", "UP2KYO": "第2表", "UP3KYO": "第3表", "UPHOSOKU": "利用者補足"}
RAW_SHOWN = 40


@dataclass(frozen=True)
class ImportWarning:
    """Something in the received files that could not be taken over as sent."""

    row: str  # e.g. 第2表 課題1・目標1・援助内容2
    field: str  # the spec's item name
    raw: str  # the text as received
    message: str


@dataclass(frozen=True)
class ImportProblem:
    """A value the import would have to change or drop: found before anything is saved."""

    file: str  # record type, e.g. UP2KYO
    row: int  # 1-based record number within the file (header not counted)
    field: str  # the spec's item name
    raw: str  # the value as received
    message: str

    def __str__(self) -> str:
        raw = self.raw if len(self.raw) <= RAW_SHOWN else f"{self.raw[:RAW_SHOWN]}…"
        where = f"{self.file}（{FILE_LABELS.get(self.file, '')}） {self.row}件目 「{self.field}」"
        return f"{where}: {self.message}（受け取った値: 「{raw}」）"


class ImportProblemsError(Exception):
    """The received unit cannot be taken over as sent; nothing was saved."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:5]))


def _goal_row(row) -> str:  # noqa: ANN001
    return f"第2表 課題{row.need_number}・目標{row.goal_number}"


def _item_row(row) -> str:  # noqa: ANN001
    return f"{_goal_row(row)}・援助内容{row.support_number}"


class _Periods:
    """Reads periods, records a warning for each one it cannot take over."""

    def __init__(self, placeholder: dt.date) -> None:
        self.placeholder = placeholder
        self.warnings: list[ImportWarning] = []

    def read(self, text: str, *, row: str, field: str) -> tuple[dt.date, dt.date | None]:
        try:
            start, end = parse_period(text)
        except PeriodError as error:
            message = PERIOD_PLACEHOLDER_MESSAGE.format(
                start=wareki_date(self.placeholder), reason=error
            )
            self.warnings.append(ImportWarning(row, field, text, message))
            return self.placeholder, None
        if start is None:
            message = PERIOD_MISSING_MESSAGE.format(start=wareki_date(self.placeholder))
            self.warnings.append(ImportWarning(row, field, text, message))
            return self.placeholder, end
        return start, end


def _start(text: str) -> dt.date | None:
    try:
        return parse_period(text)[0]
    except PeriodError:
        return None


def parse_hhmm(hhmm: str, *, end: bool = False) -> dt.time | None:
    """HHMM → time. 2400 is the end of the day: `END_OF_DAY` as an end, None as a start."""
    if not hhmm:
        return None
    hours, minutes = int(hhmm[:2]), int(hhmm[2:])
    if hours >= 24:
        return END_OF_DAY if end else None
    return dt.time(hours, minutes)


_SERVICE_TYPE_BY_LABEL = {label: value for value, label in ServiceType.choices}


def _support_link(row, providers: Mapping[str, ServiceProvider]) -> tuple:  # noqa: ANN001
    """(linked, provider, service type, 保険外 provider text) of one 第2表 row."""
    provider = providers.get(row.provider_office_number)
    service_type = _SERVICE_TYPE_BY_LABEL.get(row.service_kind.strip(), "")
    linked = (
        row.insurance_covered == "Y"
        and provider is not None
        and service_type in provider.service_types
    )
    provider_text = row.provider_office_name
    if not linked and row.provider_office_number and provider is None:
        provider_text = f"{row.provider_office_name}（{row.provider_office_number}）"
    return linked, provider, service_type, provider_text


def _max_length(model: type, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def import_problems(
    unit: ReceivedUnit, received: ReceivedPlan, providers: Mapping[str, ServiceProvider]
) -> list[ImportProblem]:
    """Every value of `received` the import would cut, replace or drop — with the file, the
    row number within the file, the field and the raw value. Runs before anything is saved."""
    problems: list[ImportProblem] = []

    def too_long(file: str, row: int, field: str, value: str, model: type, name: str) -> None:
        limit = _max_length(model, name)
        if limit is not None and len(value) > limit:
            message = TOO_LONG_MESSAGE.format(limit=limit, length=len(value))
            problems.append(ImportProblem(file, row, field, value, message))

    def period(file: str, row: int, field: str, text: str) -> None:
        try:
            parse_period(text)
        except ImpossiblePeriodError as error:
            message = IMPOSSIBLE_PERIOD_MESSAGE.format(reason=error)
            problems.append(ImportProblem(file, row, field, text, message))
        except PeriodError:
            pass  # not a date at all: a placeholder and a warning after saving (see _Periods)

    t1_row = next(n for n, r in enumerate(unit.table1, 1) if r is received.table1)
    t1 = received.table1
    too_long(
        "UP1KYO", t1_row, "生活援助中心型の算定理由(その他)",
        t1.daily_living_support_other_reason, CarePlan, "living_support_other",
    )  # fmt: skip
    numbers = {id(r): n for n, r in enumerate(unit.table2, 1)}
    for row in received.table2:
        number = numbers[id(row)]
        period("UP2KYO", number, "長期期間", row.long_term_period)
        period("UP2KYO", number, "短期期間", row.short_term_period)
        period("UP2KYO", number, "実施期間", row.period)
        too_long("UP2KYO", number, "頻度", row.frequency, SupportItem, "frequency")
        linked, _provider, _type, provider_text = _support_link(row, providers)
        if not linked:
            too_long(
                "UP2KYO", number, "サービス種別", row.service_kind,
                SupportItem, "service_kind_text",
            )  # fmt: skip
            too_long(
                "UP2KYO", number, "サービス事業所名", provider_text, SupportItem, "provider_text"
            )
    numbers = {id(r): n for n, r in enumerate(unit.table3, 1)}
    for row in received.table3:
        number = numbers[id(row)]
        if row.service_content and row.weekday:
            too_long(
                "UP3KYO", number, "サービス内容", row.service_content, WeeklyService, "content"
            )
            start, end = parse_hhmm(row.start_time), parse_hhmm(row.end_time, end=True)
            if not (start and end and end != start):
                times = f"{row.start_time}～{row.end_time}"
                problems.append(
                    ImportProblem(
                        "UP3KYO", number, "開始時間・終了時間", times, WEEKLY_TIMES_PROBLEM_MESSAGE
                    )
                )
        if row.daily_activity:
            too_long(
                "UP3KYO",
                number,
                "主な日常生活上の活動",
                row.daily_activity,
                DailyActivity,
                "activity",
            )
            if parse_hhmm(row.activity_start_time) is None:
                times = f"{row.activity_start_time}～{row.activity_end_time}"
                problems.append(
                    ImportProblem(
                        "UP3KYO", number, "開始時間", times, ACTIVITY_TIMES_PROBLEM_MESSAGE
                    )
                )
    return problems


def _match_client(actor: Actor, client: Client | None, plans: list[ReceivedPlan]) -> tuple:
    clients = visible(Client.objects.all(), actor)
    if client is not None:
        if not clients.filter(pk=client.pk).exists():
            raise ValidationError({"__all__": NO_MATCHING_CLIENT_MESSAGE})
        mine = [
            p
            for p in plans
            if (p.table1.insurer_number, p.table1.insured_number)
            == (client.insurer_number, client.insured_number)
        ]
        if not mine:
            first = plans[0].table1
            raise ValidationError(
                {
                    "__all__": OTHER_CLIENT_MESSAGE.format(
                        insurer=first.insurer_number, insured=first.insured_number
                    )
                }
            )
    else:
        mine = []
        for received in plans:
            found = clients.filter(
                insurer_number=received.table1.insurer_number,
                insured_number=received.table1.insured_number,
            ).first()
            if found is not None:
                client = client or found
                if found.pk == client.pk:
                    mine.append(received)
        if client is None:
            raise ValidationError({"__all__": NO_MATCHING_CLIENT_MESSAGE})
    if len(mine) > 1:
        raise ValidationError({"__all__": SEVERAL_PLANS_MESSAGE})
    return client, mine[0]


@transaction.atomic
def careplan_import(*, actor: Actor, client: Client | None, files: Mapping[str, bytes]) -> CarePlan:
    """Create a new 原案 from a received sending unit. Raises `CsvReadError` for format problems
    (field-level, from the reader) and `ValidationError` (Japanese) when no visible client
    matches or the client already has an open draft."""
    require_plan_writer(actor)
    unit = read_sending_unit(files)
    plans = unit.plans()
    if not plans:
        raise ValidationError({"__all__": "第1表の計画が含まれていません。"})
    client, received = _match_client(actor, client, plans)
    Client.objects.select_for_update().get(pk=client.pk)
    if CarePlan.objects.filter(
        client=client, status__in=[PlanStatus.DRAFT, PlanStatus.MET]
    ).exists():
        raise ValidationError({"__all__": OPEN_DRAFT_MESSAGE})
    providers = {
        p.provider_number: p
        for p in ServiceProvider.objects.filter(
            office=client.office,
            provider_number__in={r.provider_office_number for r in received.table2},
        )
    }
    problems = import_problems(unit, received, providers)
    if problems:
        raise ImportProblemsError(problems)
    t1 = received.table1
    starts = [_start(r.period) for r in received.table2] + [
        _start(r.short_term_period) for r in received.table2
    ]
    starts_on = min([d for d in starts if d] or [t1.plan_date])
    periods = _Periods(starts_on)
    warnings = periods.warnings
    assessment = (
        Assessment.objects.filter(client=client, assessed_on__lte=t1.plan_date)
        .order_by("-assessed_on", "-sequence")
        .first()
    )
    certification = services._certification_fields(client, starts_on)
    non_weekly = next((r.non_weekly_services for r in received.table3 if r.non_weekly_services), "")
    plan = CarePlan.objects.create(
        client=client,
        sequence=(CarePlan.objects.filter(client=client).aggregate(m=Max("sequence"))["m"] or 0)
        + 1,
        status=PlanStatus.DRAFT,
        assessment=assessment,
        author=actor.staff,
        sheet_date=t1.created_on,
        plan_kind=t1.plan_category if t1.plan_category in PlanKind.values else PlanKind.INITIAL,
        drafted_on=t1.plan_date,
        first_plan_on=t1.first_plan_date,
        starts_on=starts_on,
        wishes_and_analysis=t1.assessment_result,
        committee_opinion=t1.committee_opinion,
        overall_policy=t1.overall_policy,
        living_support_reason=t1.daily_living_support_reason,
        living_support_other=t1.daily_living_support_other_reason,
        non_weekly_services=non_weekly,
        **certification,
    )
    needs: dict[int, Need] = {}
    goals: dict[tuple[int, int], Goal] = {}
    last_goal: dict[int, Goal] = {}
    rows = sorted(received.table2, key=lambda r: (r.need_number, r.goal_number, r.support_number))
    for row in rows:
        need = needs.get(row.need_number)
        if need is None:
            need = needs[row.need_number] = Need.objects.create(
                plan=plan, order=row.need_number, text=row.need
            )
        goal = goals.get((row.need_number, row.goal_number))
        if goal is None:
            long_from, long_to = periods.read(
                row.long_term_period, row=_goal_row(row), field="長期期間"
            )
            short_from, short_to = periods.read(
                row.short_term_period, row=_goal_row(row), field="短期期間"
            )
            # UP2KYO repeats the 長期目標 on every row: a goal repeating the previous goal's
            # 長期目標 and period is one more 短期目標 under it.
            previous = last_goal.get(row.need_number)
            head = None
            if previous is not None and (
                previous.long_term,
                previous.long_term_from,
                previous.long_term_to,
            ) == (row.long_term_goal, long_from, long_to):
                head = previous.long_term_head or previous
            goal = goals[(row.need_number, row.goal_number)] = Goal.objects.create(
                need=need,
                order=row.goal_number,
                long_term=row.long_term_goal,
                long_term_from=long_from,
                long_term_to=long_to,
                short_term=row.short_term_goal,
                short_term_from=short_from,
                short_term_to=short_to,
                long_term_head=head,
            )
            last_goal[row.need_number] = goal
        period_from, period_to = periods.read(row.period, row=_item_row(row), field="実施期間")
        linked, provider, service_type, provider_text = _support_link(row, providers)
        SupportItem.objects.create(
            goal=goal,
            order=row.support_number,
            content=row.service_content,
            insured=linked,
            service_type=service_type if linked else "",
            service_kind_text="" if linked else row.service_kind,
            provider=provider if linked else None,
            provider_text="" if linked else provider_text,
            frequency=row.frequency,
            period_from=period_from,
            period_to=period_to,
        )
    # Rows differing only in the weekday become one weekly row covering those weekdays; an
    # end before the start runs past midnight (2200→0600).
    weekly_rows: dict[tuple[dt.time, dt.time, str], list[int]] = {}
    table3_numbers = {id(r): n for n, r in enumerate(unit.table3, 1)}
    for row in received.table3:
        label = f"第3表 {table3_numbers[id(row)]}件目"
        if row.service_content and row.weekday:
            start, end = parse_hhmm(row.start_time), parse_hhmm(row.end_time, end=True)
            times = f"{row.start_time}～{row.end_time}"
            if start and end and end != start:
                days = weekly_rows.setdefault((start, end, row.service_content), [])
                if int(row.weekday) not in days:
                    days.append(int(row.weekday))
                if end == END_OF_DAY:
                    warnings.append(ImportWarning(label, "終了時間", times, END_OF_DAY_MESSAGE))
            else:
                warnings.append(
                    ImportWarning(label, "開始時間・終了時間", times, WEEKLY_SKIPPED_MESSAGE)
                )
        if row.daily_activity:
            activity_start = parse_hhmm(row.activity_start_time)
            activity_end = parse_hhmm(row.activity_end_time, end=True)
            times = f"{row.activity_start_time}～{row.activity_end_time}"
            if activity_start is None:
                warnings.append(ImportWarning(label, "開始時間", times, ACTIVITY_SKIPPED_MESSAGE))
                continue
            DailyActivity.objects.create(
                plan=plan,
                starts_at=activity_start,
                ends_at=activity_end if activity_end and activity_end > activity_start else None,
                activity=row.daily_activity,
            )
            if activity_end == END_OF_DAY:
                warnings.append(ImportWarning(label, "終了時間", times, END_OF_DAY_MESSAGE))
    for (start, end, content), days in weekly_rows.items():
        WeeklyService.objects.create(
            plan=plan,
            weekdays=sorted(days),
            starts_at=start,
            ends_at=end,
            content=content,
            insured=False,
        )
    if warnings:
        plan.import_warnings = [asdict(warning) for warning in warnings]
        plan.save(update_fields=["import_warnings"])
    return plan
