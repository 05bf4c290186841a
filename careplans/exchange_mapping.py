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

Import (`careplan_import`) lives in `careplans.exchange_import`.

* 援助内容 of service types the standard leaves out of exchange (§3.4, data in
  `careplans/exchange/service_scope.csv`: 特定福祉用具販売, 住宅改修, 施設 …) are not written;
  `ExportResult.left_out` lists them. 保険外 rows (no service type) are always written.
* 第3表 `UP3KYO` is always part of the unit (送信単位 = 第1表+第2表+第3表+補足), an empty file
  when the plan has no weekly rows, activities or 週単位以外のサービス (docs/exchange.md).
* 利用者補足 17 要介護状態変更日 / 59 前回要介護状態区分 come from the client's certification
  history, 60 同意書受付業者 from the 居宅サービス計画作成依頼届出 in force (our office).
* A weekly end time of 24:00 is stored as 23:59:59 (`END_OF_DAY`) and written as `2400`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from caremgmt.access import Actor, visible
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
)
from careplans.exchange.periods import format_period
from careplans.exchange.scope import exchange_service_types, in_exchange_scope
from careplans.exchange.values import phone_number, postal_code
from careplans.models import CarePlan, SupportItem
from clients.models import Certification, ServiceProvider
from clients.selectors import client_facts_on

# ケアプランデータ連携 scope (REFERENCE §3.4), from careplans/exchange/service_scope.csv.
CPDS_SERVICE_TYPES = exchange_service_types()
CSV_CARE_LEVELS = frozenset({"06", "12", "13", "21", "22", "23", "24", "25"})
#: 24:00 (end of day) — a TimeField cannot hold it; stored as this and written as 2400.
END_OF_DAY = dt.time(23, 59, 59)

NO_PLAN_ROWS_MESSAGE = "第2表の援助内容が1つもないため出力できません。"
NOT_A_PLAN_PROVIDER_MESSAGE = "この計画に含まれる事業所を選んでください。"
OUT_OF_SCOPE_MESSAGE = "「{label}」はケアプランデータ連携の対象外のサービス種類です。"


@dataclass
class ExportResult:
    files: dict[str, bytes]
    substitutions: list = field(default_factory=list)
    recipient_service_type: str = ""
    left_out: list[SupportItem] = field(default_factory=list)  # 援助内容 out of §3.4 scope


# --- export ------------------------------------------------------------------------------


_postal = postal_code
_phone = phone_number


_period = format_period


def _hhmm(value: dt.time | None) -> str:
    if value is None:
        return ""
    return "2400" if value >= END_OF_DAY else f"{value:%H%M}"


def certification_history_fields(client, day: dt.date) -> dict:  # noqa: ANN001
    """利用者補足 17 要介護状態変更日 and 59 前回要介護状態区分 from the certification history.

    The previous certification is the latest (not superseded) one starting before the one in
    force on `day`. 前回 = its 区分; 変更日 = the current certification's start when the 区分
    differs from the previous one (区分変更, or a renewal with another level), else empty.
    """
    current = client_facts_on(client=client, day=day).certification
    if current is None:
        return {"care_level_changed_on": None, "previous_care_level": ""}
    previous = (
        Certification.objects.filter(
            client=client, superseded_at__isnull=True, valid_from__lt=current.valid_from
        )
        .exclude(pk=current.pk)
        .order_by("-valid_from", "-pk")
        .first()
    )
    if previous is None:
        return {"care_level_changed_on": None, "previous_care_level": ""}
    changed = previous.care_level != current.care_level
    return {
        "care_level_changed_on": current.valid_from if changed else None,
        "previous_care_level": previous.care_level
        if previous.care_level in CSV_CARE_LEVELS
        else "",
    }


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
            items = [
                item
                for item in goal.support_items.all()
                if not item.service_type or in_exchange_scope(item.service_type)
            ]
            for item_no, item in enumerate(items, start=1):
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
    # One UP3KYO row per service × weekday (a row covering 月・水・金 writes three). A band
    # past midnight keeps its end time as is (2200→0600): end before start means next day.
    table3: list[Table3Row] = [
        Table3Row(
            **row_key,
            service_content=weekly.content,
            weekday=str(weekday),
            start_time=_hhmm(weekly.starts_at),
            end_time=_hhmm(weekly.ends_at),
        )
        for weekday, weekly in sorted(
            (
                (weekday, weekly)
                for weekly in plan.weekly_services.all()
                for weekday in sorted(set(weekly.weekdays))
            ),
            key=lambda pair: (pair[0], pair[1].starts_at, pair[1].pk),
        )
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
        consent_office_number=office.office_number if facts.plan_request_filing else "",
        **certification_history_fields(client, plan.starts_on),
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
    return ExportResult(
        files=files,
        substitutions=report,
        recipient_service_type=service_type,
        left_out=out_of_scope_items(plan),
    )


def out_of_scope_items(plan: CarePlan) -> list[SupportItem]:
    """援助内容 of service types outside the exchange (§3.4): never written to 第2表."""
    return [
        item
        for item in SupportItem.objects.filter(goal__need__plan=plan)
        .exclude(service_type="")
        .order_by("goal__need__order", "goal__order", "order")
        if not in_exchange_scope(item.service_type)
    ]


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
