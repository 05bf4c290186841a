"""Pre-submission check (返戻予防, issue 11 §6): before the 給付管理票 file is written, list
every problem that would make the 国保連 return (返戻) a 給付管理票 or hold (保留) the
providers' claims, in plain Japanese with a link to fix it.

Blocking problems stop the batch; warnings can be acknowledged (recorded as
`TicketCheckAcknowledgement` rows with the rule prefixed `presubmit:`, who and why).

The check reads the whole office-month in a fixed number of queries (tickets, rows,
providers' 実績 status, certifications, 負担割合, 届出, hospital stays, acknowledgements,
draft sheets) and validates codes against the cached fee schedule — it does not recompute
each client's 別表.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from billing.fee_schedule import cached_fee_schedule
from billing.models import (
    ActualsStatus,
    BenefitManagementSheet,
    ProviderActuals,
    ServiceTicket,
    SheetStatus,
    TicketCheckAcknowledgement,
)
from billing.tickets.month import last_of_month
from caremgmt.access import Actor, require_writer
from caremgmt.models import Office
from clients.models import BurdenRatio, Certification, HospitalStay, PlanRequestFiling
from clients.validators import insured_number_validator, insurer_number_validator

ACK_PREFIX = "presubmit:"

RULE_NAMES = {
    "actuals_unconfirmed": "実績の未確定",
    "actuals_over_plan": "実績が予定を超えている",
    "certification_missing": "要介護認定がない",
    "burden_missing": "負担割合が未登録",
    "filing_missing": "居宅サービス計画作成依頼届出がない",
    "code_invalid": "その月に使えないサービスコード",
    "sheet_over_limit": "給付管理票の合計が限度額を超える",
    "number_malformed": "番号の形式誤り",
    "hospital_all_month": "1か月入院中なのに実績がある",
}
BLOCKING_RULES = frozenset(RULE_NAMES) - {"actuals_over_plan"}


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    ticket_id: int
    client_id: int
    client_name: str
    subject_key: str = ""
    fix: str = "ticket"  # "ticket" (the editor), "client" (the register) or "actuals"
    provider_id: int | None = None  # the provider whose 実績 to open (fix "actuals")
    acknowledged: bool = False
    acknowledged_note: str = ""

    @property
    def rule_name(self) -> str:
        return RULE_NAMES[self.rule]

    @property
    def blocking(self) -> bool:
        return self.rule in BLOCKING_RULES


@dataclass
class MonthCheck:
    office: Office
    month: dt.date
    problems: list[Problem] = field(default_factory=list)
    ticket_count: int = 0

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def open_warnings(self) -> list[Problem]:
        return [p for p in self.warnings if not p.acknowledged]

    @property
    def can_submit(self) -> bool:
        return not self.blocking and not self.open_warnings


def _by_client(rows: Iterable) -> dict[int, list]:  # noqa: ANN001
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.client_id].append(row)
    return grouped


def _covers(periods: list, first: dt.date, last: dt.date) -> bool:  # noqa: ANN001
    return any(p.valid_from <= last and p.effective_to >= first for p in periods)


def check_month(office: Office, month: dt.date) -> MonthCheck:
    """Every problem of the office's client-months of `month` (service month)."""
    first, last = month, last_of_month(month)
    tickets = list(
        ServiceTicket.objects.filter(client__office=office, month=month)
        .select_related("client")
        .prefetch_related("rows__provider")
        .order_by("client__name_kana", "pk")
    )
    result = MonthCheck(office=office, month=month, ticket_count=len(tickets))
    if not tickets:
        return result
    client_ids = [t.client_id for t in tickets]
    ticket_ids = [t.pk for t in tickets]
    certifications = _by_client(
        Certification.objects.filter(client_id__in=client_ids).overlapping(first, last)
    )
    burdens = _by_client(
        BurdenRatio.objects.filter(client_id__in=client_ids).overlapping(first, last)
    )
    filings = _by_client(
        PlanRequestFiling.objects.filter(client_id__in=client_ids)
        .current()
        .filter(filed_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    )
    stays = _by_client(
        HospitalStay.objects.filter(client_id__in=client_ids).overlapping(first, last)
    )
    actuals = {
        (a.ticket_id, a.provider_id): a
        for a in ProviderActuals.objects.filter(ticket_id__in=ticket_ids)
    }
    sheets = {
        s.ticket_id: s
        for s in BenefitManagementSheet.objects.filter(
            ticket_id__in=ticket_ids, status=SheetStatus.DRAFT
        )
    }
    acks = {
        (a.ticket_id, a.rule, a.subject_key): a
        for a in TicketCheckAcknowledgement.objects.filter(
            ticket_id__in=ticket_ids, rule__startswith=ACK_PREFIX
        )
    }
    schedule = cached_fee_schedule()
    for ticket in tickets:
        problems = _ticket_problems(
            ticket,
            first,
            last,
            certifications=certifications.get(ticket.client_id, []),
            burdens=burdens.get(ticket.client_id, []),
            filings=filings.get(ticket.client_id, []),
            stays=stays.get(ticket.client_id, []),
            actuals=actuals,
            sheet=sheets.get(ticket.pk),
            schedule=schedule,
        )
        for problem in problems:
            ack = acks.get((ticket.pk, ACK_PREFIX + problem.rule, problem.subject_key))
            if ack is not None and not problem.blocking:
                problem = Problem(
                    **{**problem.__dict__, "acknowledged": True, "acknowledged_note": ack.note}
                )
            result.problems.append(problem)
    return result


def _ticket_problems(  # noqa: C901, PLR0912, PLR0913
    ticket: ServiceTicket,
    first: dt.date,
    last: dt.date,
    *,
    certifications: list,
    burdens: list,
    filings: list,
    stays: list,
    actuals: dict,
    sheet: BenefitManagementSheet | None,
    schedule,  # noqa: ANN001
) -> list[Problem]:
    client = ticket.client
    out: list[Problem] = []

    def add(
        rule: str,
        message: str,
        subject_key: str = "",
        fix: str = "ticket",
        provider_id: int | None = None,
    ) -> None:
        out.append(
            Problem(
                rule=rule,
                message=message,
                ticket_id=ticket.pk,
                client_id=client.pk,
                client_name=client.name,
                subject_key=subject_key,
                fix=fix,
                provider_id=provider_id,
            )
        )

    rows = list(ticket.rows.all())
    # --- the register ---------------------------------------------------------------------
    if not _covers(certifications, first, last):
        add("certification_missing", "この月に有効な要介護認定が登録されていません。", fix="client")
    if not _covers(burdens, first, last):
        add("burden_missing", "この月の負担割合証（負担割合）が登録されていません。", fix="client")
    if not filings:
        add(
            "filing_missing",
            "居宅サービス計画作成依頼（変更）届出がこの月に有効ではありません（償還払いになります）。",
            fix="client",
        )
    for label, value, validator in (
        ("被保険者番号", client.insured_number, insured_number_validator),
        ("保険者番号", client.insurer_number, insurer_number_validator),
    ):
        try:
            if not value:
                raise ValidationError("未入力です。")
            validator(value)
        except ValidationError as error:
            add(
                "number_malformed",
                f"{label}「{value or '（空欄）'}」：{'、'.join(error.messages)}",
                subject_key=label,
                fix="client",
            )
    # --- providers and 実績 -----------------------------------------------------------------
    providers = {row.provider_id: row.provider for row in rows}
    for provider_id, provider in sorted(providers.items()):
        if not (provider.provider_number.isdigit() and len(provider.provider_number) == 10):
            add(
                "number_malformed",
                f"事業所番号「{provider.provider_number}」（{provider.name}）は半角数字10桁ではありません。",
                subject_key=f"provider:{provider_id}",
            )
        status = actuals.get((ticket.pk, provider_id))
        if status is None or status.status != ActualsStatus.CONFIRMED:
            label = status.get_status_display() if status is not None else "未受領"
            add(
                "actuals_unconfirmed",
                f"{provider.name}の実績が確定していません（{label}）。",
                subject_key=f"provider:{provider_id}",
                fix="actuals",  # 実績の照合 of the client-month, at this provider
                provider_id=provider_id,
            )
    for row in rows:
        planned = len(row.planned_days) * row.count_per_date
        actual = len(row.actual_days) * row.count_per_date
        if actual > planned:
            add(
                "actuals_over_plan",
                f"{row.provider.name} {row.content or row.service_code}：実績{actual}回が予定"
                f"{planned}回を超えています（利用票の変更が必要です）。",
                subject_key=f"row:{row.pk}",
            )
        days = row.actual_days if row.actual_recorded else row.planned_days
        for day in sorted(set(days)):
            date = first.replace(day=day)
            if schedule.service_code(row.service_code, date) is None:
                add(
                    "code_invalid",
                    f"{row.service_code}（{row.provider.name}）は{date:%Y年%-m月%-d日}に使えない"
                    "サービスコードです。",
                    subject_key=f"code:{row.pk}",
                )
                break
    # --- hospital ---------------------------------------------------------------------------
    inpatient: set[dt.date] = set()
    for stay in stays:
        inpatient |= stay.inpatient_days(first, last)
    if len(inpatient) == last.day:
        used = [row for row in rows if row.actual_days or row.planned_days]
        if used:
            add(
                "hospital_all_month",
                "1か月を通して入院中ですが、サービスの予定・実績があります。",
            )
    # --- the draft 給付管理票 -------------------------------------------------------------
    if sheet is not None and sheet.total_units > sheet.limit_units:
        add(
            "sheet_over_limit",
            f"給付管理票の合計{sheet.total_units:,}単位が支給限度額{sheet.limit_units:,}単位を"
            "超えています。",
        )
    return out


@transaction.atomic
def acknowledge_problem(
    *, actor: Actor, ticket: ServiceTicket, rule: str, subject_key: str, note: str
) -> TicketCheckAcknowledgement:
    """Record that a warning was checked (blocking problems must be fixed instead)."""
    require_writer(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "確認した内容（理由）を入力してください。"})
    if rule not in RULE_NAMES:
        raise ValidationError({"rule": "不明な確認項目です。"})
    if rule in BLOCKING_RULES:
        raise ValidationError(
            {"rule": "この項目は提出を止める誤りのため、確認済みにはできません。"}
        )
    current = check_month(ticket.client.office, ticket.month)
    if not any(
        p.ticket_id == ticket.pk and p.rule == rule and p.subject_key == subject_key
        for p in current.problems
    ):
        raise ValidationError(
            {"rule": "この項目は現在ありません（内容が変わった可能性があります）。"}
        )
    try:
        with transaction.atomic():
            return TicketCheckAcknowledgement.objects.create(
                ticket=ticket,
                rule=ACK_PREFIX + rule,
                subject_key=subject_key,
                note=note[:300],
                acknowledged_by=actor.staff,
            )
    except IntegrityError as error:
        raise ValidationError({"rule": "この項目は既に確認済みです。"}) from error
