"""ケアプランデータ連携: a plan version ⇄ the CSV records of `careplans.exchange`.

Export (`careplan_export`): one 送信単位 {第1表 + 第2表 + 第3表 + 利用者補足} for one recipient
provider office and service type (REFERENCE §3.3).

* 第2表 carries **all** 援助内容 of the plan, not only the recipient's: the plan sheets 第1〜3表
  are handed to every provider as a whole (REFERENCE §1 "the care plan handed over"), and §3.3
  only restricts *which users* a provider may receive (users unrelated to the recipient must
  not be sent). So the recipient must be one of the plan's providers (第2表 or 第3表), and its
  service type must be in the CPDS scope table (§3.4); anything else is refused.
* Periods (長期期間, 短期期間, 実施期間) are free text in the CSV; we write
  `YYYY/MM/DD～YYYY/MM/DD` (end left empty when open) so our own import can read them back.
* 第3表: one row per weekly service (曜日 + times + 内容) and one row per daily activity (its
  own times, no 曜日); 週単位以外のサービス is written on the first row only.

Import (`careplan_import`): reads a received unit and creates a new 原案 for the client with the
same 保険者番号 + 被保険者番号, within the actor's visible clients.

* 第2表 rows whose サービス事業者コード names a provider of our directory that offers the
  サービス種別 become insured rows linked to that provider. Unknown provider numbers (or a
  service kind we cannot map) become **保険外 free-text rows** (事業所名/番号 and 種別 kept as
  text, no provider link) — the care manager re-links them before confirming.
* 第3表 rows carry no provider or サービスコード in the CSV, so weekly rows come in as 保険外
  rows (content, 曜日, times kept); the care manager adds provider and code where insured.
* The certification (認定日, 有効期間, 要介護度) is taken from our client history as of the
  plan start, not from the file; 計画の開始日 = the earliest 援助内容/短期目標 start (else the
  計画作成(変更)日). The basis assessment is the client's latest one on or before that date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from caremgmt.access import Actor, require_plan_writer, visible
from caremgmt.choices import ServiceType
from careplans import services
from careplans.exchange import (
    CsvWriteError,
    SendingUnit,
    SupplementRecord,
    Table1Record,
    Table2Row,
    Table3Row,
    build_sending_unit,
    read_sending_unit,
)
from careplans.exchange.unit import ReceivedPlan
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
from clients.selectors import client_facts_on

# ケアプランデータ連携 scope (REFERENCE §3.4, 居宅介護支援 side, ○ only).
CPDS_SERVICE_TYPES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "21", "22", "23", "2A", "31", "71", "76",
        "72", "78", "73", "68", "77", "79", "27", "28", "38",
    }
)  # fmt: skip
CSV_CARE_LEVELS = frozenset({"06", "12", "13", "21", "22", "23", "24", "25"})
PERIOD_SEPARATOR = "～"  # U+FF5E, MS932 0x8160

NO_PLAN_ROWS_MESSAGE = "第2表の援助内容が1つもないため出力できません。"
NOT_A_PLAN_PROVIDER_MESSAGE = "この計画に含まれる事業所を選んでください。"
OUT_OF_SCOPE_MESSAGE = "「{label}」はケアプランデータ連携の対象外のサービス種類です。"
NO_MATCHING_CLIENT_MESSAGE = "保険者番号・被保険者番号が一致する利用者が見つかりません（担当している利用者のみ取り込めます）。"
OTHER_CLIENT_MESSAGE = (
    "ファイルの保険者番号・被保険者番号（{insurer}・{insured}）がこの利用者と一致しません。"
)
OPEN_DRAFT_MESSAGE = (
    "作成中の原案が既にあります。取り込む前にその原案を確定するか削除してください。"
)
SEVERAL_PLANS_MESSAGE = "この利用者の計画が複数含まれています。1つの計画だけを取り込んでください。"


@dataclass
class ExportResult:
    files: dict[str, bytes]
    substitutions: list = field(default_factory=list)
    recipient_service_type: str = ""


# --- export ------------------------------------------------------------------------------


def _postal(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return f"{digits[:3]}-{digits[3:]}" if len(digits) == 7 else ""


def _phone(value: str) -> str:
    cleaned = re.sub(r"[^0-9()+\-]", "", value or "")
    return cleaned[:15]


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return ""
    return f"{start:%Y/%m/%d}{PERIOD_SEPARATOR}{end:%Y/%m/%d}" if end else f"{start:%Y/%m/%d}～"


def _hhmm(value: dt.time | None) -> str:
    return f"{value:%H%M}" if value else ""


def recipient_service_type(plan: CarePlan, provider: ServiceProvider) -> str:
    """The provider's service type in this plan: the first 第2表 row naming it, else its first
    registered type."""
    item_type = (
        SupportItem.objects.filter(goal__need__plan=plan, provider=provider)
        .exclude(service_type="")
        .order_by("goal__need__order", "goal__order", "order")
        .values_list("service_type", flat=True)
        .first()
    )
    if item_type:
        return item_type
    for weekly in plan.weekly_services.filter(provider=provider).exclude(service_code=""):
        return weekly.service_code[:2]
    return provider.service_types[0] if provider.service_types else ""


def plan_records(
    plan: CarePlan,
) -> tuple[Table1Record, tuple[Table2Row, ...], tuple[Table3Row, ...], SupplementRecord]:
    """第1〜3表 + 利用者補足 of one plan version."""
    client = plan.client
    office = client.office
    certification = plan.certification
    facts = client_facts_on(client=client, day=plan.starts_on)
    if certification is None:
        certification = facts.certification
    care_level = (
        certification.care_level
        if certification and certification.care_level in CSV_CARE_LEVELS
        else ""
    )
    key = {"insurer_number": client.insurer_number, "insured_number": client.insured_number}
    table1 = Table1Record(
        **key,
        created_on=plan.sheet_date,
        client_postal_code=_postal(client.postal_code),
        client_address_1=client.address,
        plan_author=plan.author.full_name or plan.author.get_username(),
        support_office_name=office.name,
        support_office_postal_code=_postal(office.postal_code),
        support_office_address_1=office.address,
        support_office_number=office.office_number,
        plan_date=plan.drafted_on,
        first_plan_date=plan.first_plan_on,
        plan_category=plan.plan_kind,
        certification_status=plan.certification_state,
        certified_on=certification.certified_on if certification else None,
        certification_start=certification.valid_from if certification else None,
        certification_end=certification.effective_to if certification else None,
        care_level=care_level,
        assessment_result=plan.wishes_and_analysis,
        committee_opinion=plan.committee_opinion,
        overall_policy=plan.overall_policy,
        daily_living_support_reason=plan.living_support_reason,
        daily_living_support_other_reason=plan.living_support_other,
    )
    row_key = {**key, "created_on": plan.sheet_date, "plan_date": plan.drafted_on}
    table2: list[Table2Row] = []
    needs = plan.needs.prefetch_related("goals__support_items__provider").order_by("order", "pk")
    for need_no, need in enumerate(needs, start=1):
        for goal_no, goal in enumerate(need.goals.all(), start=1):
            for item_no, item in enumerate(goal.support_items.all(), start=1):
                table2.append(
                    Table2Row(
                        **row_key,
                        need_number=need_no,
                        need=need.text,
                        goal_number=goal_no,
                        long_term_goal=goal.long_term,
                        short_term_goal=goal.short_term,
                        long_term_period=_period(goal.long_term_from, goal.long_term_to),
                        short_term_period=_period(goal.short_term_from, goal.short_term_to),
                        support_number=item_no,
                        service_content=item.content,
                        insurance_covered="Y" if item.insured else "N",
                        service_kind=item.service_kind_label,
                        provider_office_number=(
                            item.provider.provider_number if item.provider_id else ""
                        ),
                        provider_office_name=item.provider_label,
                        frequency=item.frequency,
                        period=_period(item.period_from, item.period_to),
                    )
                )
    table3: list[Table3Row] = [
        Table3Row(
            **row_key,
            service_content=weekly.content,
            weekday=str(weekly.weekday),
            start_time=_hhmm(weekly.starts_at),
            end_time=_hhmm(weekly.ends_at),
        )
        for weekly in plan.weekly_services.order_by("weekday", "starts_at", "pk")
    ]
    table3 += [
        Table3Row(
            **row_key,
            daily_activity=activity.activity,
            activity_start_time=_hhmm(activity.starts_at),
            activity_end_time=_hhmm(activity.ends_at),
        )
        for activity in plan.daily_activities.order_by("starts_at", "pk")
    ]
    if plan.non_weekly_services:
        if table3:
            first = table3[0]
            table3[0] = Table3Row(
                **{
                    name: getattr(first, name)
                    for name in first.__dataclass_fields__
                    if name != "non_weekly_services"
                },
                non_weekly_services=plan.non_weekly_services,
            )
        else:
            table3.append(Table3Row(**row_key, non_weekly_services=plan.non_weekly_services))
    supplement = SupplementRecord(
        **key,
        plan_date=plan.drafted_on,
        name_kana=client.name_kana,
        name=client.name,
        sex=client.sex,
        birth_date=client.birth_date,
        postal_code=_postal(client.postal_code),
        address_1=client.address,
        phone=_phone(client.phone),
        certified_on=certification.certified_on if certification else None,
        limit_start=certification.valid_from if certification else None,
        limit_end=certification.effective_to if certification else None,
        certification_status=plan.certification_state,
        care_level=care_level,
        benefit_limit_units=_limit_units(care_level, plan.starts_on),
    )
    return table1, tuple(table2), tuple(table3), supplement


def _limit_units(care_level: str, day: dt.date) -> int | None:
    if not care_level:
        return None
    from caremgmt.models.fee_schedule import CareLevelLimit

    limit = (
        CareLevelLimit.objects.filter(care_level=care_level, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    if limit is None or (limit.valid_to is not None and limit.valid_to < day):
        return None
    return limit.limit_units


def careplan_export(
    *,
    actor: Actor,
    plan: CarePlan,
    provider: ServiceProvider,
    sent_at: dt.datetime,
    service_type: str | None = None,
) -> ExportResult:
    """The sending unit of `plan` for `provider` ({file name: MS932 bytes}) and the list of
    characters replaced to fit MS932. `sent_at` is local wall-clock time (the ファイル連番).
    The caller (view) writes the access-log row."""
    if not visible(CarePlan.objects.filter(pk=plan.pk), actor).exists():
        raise CarePlan.DoesNotExist
    if provider.pk not in {p.pk for p in services.plan_providers(plan)}:
        raise ValidationError({"provider": NOT_A_PLAN_PROVIDER_MESSAGE})
    service_type = service_type or recipient_service_type(plan, provider)
    if service_type not in CPDS_SERVICE_TYPES:
        label = ServiceType(service_type).label if service_type in ServiceType.values else "不明"
        raise ValidationError({"provider": OUT_OF_SCOPE_MESSAGE.format(label=label)})
    table1, table2, table3, supplement = plan_records(plan)
    if not table2:
        raise ValidationError({"__all__": NO_PLAN_ROWS_MESSAGE})
    unit = SendingUnit(
        sender_office_number=plan.client.office.office_number,
        recipient_office_number=provider.provider_number,
        recipient_service_type=service_type,
        sent_at=sent_at.replace(tzinfo=None) if sent_at.tzinfo else sent_at,
        table1=table1,
        table2=table2,
        table3=table3,
        supplement=supplement,
    )
    report: list = []
    try:
        files = build_sending_unit(unit, report=report)
    except CsvWriteError as error:
        raise ValidationError(
            {"__all__": [problem_message(problem) for problem in error.problems]}
        ) from error
    return ExportResult(files=files, substitutions=report, recipient_service_type=service_type)


def problem_message(problem) -> str:  # noqa: ANN001
    """A `FieldProblem` as one Japanese line: ファイル種別・行・項目: 内容."""
    parts = [problem.record_type]
    if problem.row:
        parts.append(f"{problem.row}件目")
    if getattr(problem, "line", None):
        parts.append(f"{problem.line}行目")
    if problem.field_number:
        parts.append(f"項目{problem.field_number}「{problem.field_label}」")
    return f"{' '.join(parts)}: {problem.message}"


# --- import ------------------------------------------------------------------------------

_DATE = r"(\d{4})[/.\-年](\d{1,2})[/.\-月](\d{1,2})日?"
_PERIOD_RE = re.compile(rf"^\s*{_DATE}\s*(?:[～〜~\-－ー―]\s*(?:{_DATE})?)?\s*$")


def parse_period(text: str) -> tuple[dt.date | None, dt.date | None]:
    """`YYYY/MM/DD～YYYY/MM/DD` (end optional) → (start, end); (None, None) if unreadable."""
    match = _PERIOD_RE.match(text or "")
    if not match:
        return None, None
    try:
        start = dt.date(*map(int, match.group(1, 2, 3)))
        end = dt.date(*map(int, match.group(4, 5, 6))) if match.group(4) else None
    except ValueError:
        return None, None
    return start, end


def _time(hhmm: str) -> dt.time | None:
    if not hhmm:
        return None
    hours, minutes = int(hhmm[:2]), int(hhmm[2:])
    return dt.time(23, 59) if hours >= 24 else dt.time(hours, minutes)


_SERVICE_TYPE_BY_LABEL = {label: value for value, label in ServiceType.choices}


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
    t1 = received.table1
    starts = [parse_period(r.period)[0] for r in received.table2] + [
        parse_period(r.short_term_period)[0] for r in received.table2
    ]
    starts_on = min([d for d in starts if d] or [t1.plan_date])
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
        living_support_other=t1.daily_living_support_other_reason[:200],
        non_weekly_services=non_weekly,
        **certification,
    )
    providers = {
        p.provider_number: p
        for p in ServiceProvider.objects.filter(
            office=client.office,
            provider_number__in={r.provider_office_number for r in received.table2},
        )
    }
    needs: dict[int, Need] = {}
    goals: dict[tuple[int, int], Goal] = {}
    rows = sorted(received.table2, key=lambda r: (r.need_number, r.goal_number, r.support_number))
    for row in rows:
        need = needs.get(row.need_number)
        if need is None:
            need = needs[row.need_number] = Need.objects.create(
                plan=plan, order=row.need_number, text=row.need
            )
        goal = goals.get((row.need_number, row.goal_number))
        if goal is None:
            long_from, long_to = parse_period(row.long_term_period)
            short_from, short_to = parse_period(row.short_term_period)
            goal = goals[(row.need_number, row.goal_number)] = Goal.objects.create(
                need=need,
                order=row.goal_number,
                long_term=row.long_term_goal,
                long_term_from=long_from or starts_on,
                long_term_to=long_to,
                short_term=row.short_term_goal,
                short_term_from=short_from or starts_on,
                short_term_to=short_to,
            )
        period_from, period_to = parse_period(row.period)
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
        SupportItem.objects.create(
            goal=goal,
            order=row.support_number,
            content=row.service_content,
            insured=linked,
            service_type=service_type if linked else "",
            service_kind_text="" if linked else row.service_kind[:100],
            provider=provider if linked else None,
            provider_text="" if linked else provider_text[:100],
            frequency=row.frequency[:100],
            period_from=period_from or starts_on,
            period_to=period_to,
        )
    for row in received.table3:
        start, end = _time(row.start_time), _time(row.end_time)
        if row.service_content and row.weekday and start and end and end > start:
            WeeklyService.objects.create(
                plan=plan,
                weekday=int(row.weekday),
                starts_at=start,
                ends_at=end,
                content=row.service_content[:100],
                insured=False,
            )
        activity_start = _time(row.activity_start_time)
        if row.daily_activity and activity_start:
            activity_end = _time(row.activity_end_time)
            DailyActivity.objects.create(
                plan=plan,
                starts_at=activity_start,
                ends_at=activity_end if activity_end and activity_end > activity_start else None,
                activity=row.daily_activity[:100],
            )
    return plan
