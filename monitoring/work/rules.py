"""What is due or late for a set of clients — one function per kind, each a fixed number of
queries whatever the number of clients (no per-client query).

`compute_items(clients, today)` answers for an office or for one client; `monitoring.work.
refresh` stores the answer as `WorkItem` rows. Every item carries the office, the client's
care manager, the client, its kind, a key (unique per office/kind/client), the day it is
due (`due_on`), a short Japanese detail (no client name: the page shows it from the client
row) and a link to where it is resolved.

Dates that are our reading, not a rule text, are marked [U] and listed in docs/work_queue.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Exists, Min, OuterRef, Q
from django.urls import reverse

from caremgmt.access import Actor
from caremgmt.models import Role
from caremgmt.wareki import wareki_date
from monitoring.due import MonthState, last_day, month_status
from monitoring.models import WorkKind

NEXT_TICKET_FROM_DAY = 20  # next month's 利用票 are generated on the 20th (billing beat) [U]
ACTUALS_UNTIL_DAY = 10  # 実績 of last month are chased on days 1–10 (給付管理票 by the 10th)
ADMISSION_INFO_DAYS = 2  # 入院時情報連携加算Ⅱ: by the day after next (REFERENCE §9)
PLAN_REVIEW_DAYS = 14  # a plan review after discharge is due two weeks after it [U]
RECENT_DAYS = 90  # discharges / 認定 decisions older than this raise nothing [U]
RECENT_CERTIFICATION_DAYS = 60


@dataclass(frozen=True)
class ClientRow:
    pk: int
    office_id: int
    care_manager_id: int | None


@dataclass(frozen=True)
class Item:
    office_id: int
    care_manager_id: int | None
    client_id: int | None
    kind: str
    key: str
    due_on: dt.date
    detail: str
    url: str

    @property
    def identity(self) -> tuple[str, int | None, str]:
        return (self.kind, self.client_id, self.key)


def link(name: str, *args: int, query: str = "") -> str:
    url = reverse(name, args=args)
    return f"{url}?{query}" if query else url


def month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def system_actor(office_id: int) -> Actor:
    """The whole office, for the selectors other apps expose by actor (nightly, signals)."""
    from caremgmt.models import Office

    return Actor(staff=None, office=Office(pk=office_id), roles=frozenset({Role.OFFICE_MANAGER}))  # type: ignore[arg-type]


class _Builder:
    def __init__(self, clients: Iterable[ClientRow]) -> None:
        self.clients = {row.pk: row for row in clients}
        self.ids = list(self.clients)
        self.items: list[Item] = []

    def add(
        self, client_id: int, kind: str, key: str, due_on: dt.date, detail: str, url: str
    ) -> None:
        row = self.clients[client_id]
        self.items.append(
            Item(row.office_id, row.care_manager_id, client_id, kind, key, due_on, detail, url)
        )


# --- monitoring ---------------------------------------------------------------------------


def _monitoring(b: _Builder, today: dt.date) -> None:
    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)
    for client_id, state in month_status(b.ids, this_month, today=today).items():
        if state == MonthState.DUE:
            b.add(
                client_id,
                WorkKind.MONITORING,
                month_key(this_month),
                last_day(this_month),
                f"{this_month.month}月のモニタリング（訪問・面接）が未実施",
                _record_new(client_id, this_month),
            )
    for client_id, state in month_status(b.ids, last_month, today=today).items():
        if state == MonthState.LATE:
            b.add(
                client_id,
                WorkKind.MONITORING_MISSED,
                month_key(last_month),
                last_day(last_month),
                f"{last_month.month}月のモニタリングが記録されていません（減算の確認）",
                _record_new(client_id, last_month),
            )


def _record_new(client_id: int, month: dt.date) -> str:
    return link(
        "monitoring:record_new",
        client_id,
        query=f"month={month_key(month)}",
    )


# --- 認定 -----------------------------------------------------------------------------------


def _certifications(b: _Builder, today: dt.date, office_ids: set[int]) -> None:
    from clients.selectors import RENEWAL_WINDOW_DAYS, certifications_expiring

    for office_id in office_ids:
        rows = certifications_expiring(actor=system_actor(office_id), today=today).filter(
            client_id__in=b.ids
        )
        for cert in rows:
            state = "更新申請済（結果待ち）" if cert.renewal_pending else "更新申請が未了"
            b.add(
                cert.client_id,
                WorkKind.CERTIFICATION,
                f"cert:{cert.pk}",
                cert.valid_to,
                f"認定の有効期間が{wareki_date(cert.valid_to)}に終了（{RENEWAL_WINDOW_DAYS}日以内・{state}）",
                link("clients:detail", cert.client_id),
            )


# --- 短期目標の期間 ---------------------------------------------------------------------------


def _goal_periods(b: _Builder, today: dt.date) -> None:
    from careplans.models import Goal, PlanStatus
    from monitoring.models import EvaluationLine

    first, last = today.replace(day=1), last_day(today)
    evaluated = EvaluationLine.objects.filter(goal=OuterRef("pk"))
    goals = (
        Goal.objects.filter(
            need__plan__client_id__in=b.ids,
            need__plan__status=PlanStatus.CONFIRMED,
            short_term_to__gte=first,
            short_term_to__lte=last,
        )
        .filter(~Exists(evaluated))
        .values_list("need__plan__client_id", "short_term_to")
    )
    per_client: dict[int, list[dt.date]] = {}
    for client_id, ends_on in goals:
        per_client.setdefault(client_id, []).append(ends_on)
    for client_id, ends in per_client.items():
        b.add(
            client_id,
            WorkKind.GOAL_PERIOD,
            month_key(first),
            min(ends),
            f"短期目標{len(ends)}件の期間が{wareki_date(min(ends))}に終了（評価表）",
            link("monitoring:evaluation_new", client_id),
        )


# --- plans: meetings, consent and delivery, reviews --------------------------------------------


def _plans(b: _Builder, today: dt.date) -> None:
    from careplans.models import CarePlan, Meeting, PlanStatus
    from clients.models import ApplicationKind, Certification

    open_plans = CarePlan.objects.filter(
        client_id__in=b.ids, status__in=[PlanStatus.DRAFT, PlanStatus.MET]
    ).values_list("pk", "client_id", "status", "sequence", "starts_on")
    drafting: set[int] = set()
    for pk, client_id, status, sequence, starts_on in open_plans:
        url = link("careplans:plan", pk)
        if status == PlanStatus.DRAFT:
            drafting.add(client_id)
            b.add(
                client_id,
                WorkKind.MEETING,
                f"plan:{pk}",
                starts_on,
                f"第{sequence}版の原案：サービス担当者会議が未開催",
                url,
            )
        else:
            b.add(
                client_id,
                WorkKind.CONSENT,
                f"plan:{pk}",
                starts_on,
                f"第{sequence}版：説明・同意・交付が未了",
                url,
            )
    # A 更新/区分変更 認定 decided in the last 60 days (starting within the next 60) with no
    # meeting held since its start and its decision.
    since = today - dt.timedelta(days=RECENT_CERTIFICATION_DAYS)
    later_meeting = Meeting.objects.filter(
        plan__client_id=OuterRef("client_id"), held_on__gte=OuterRef("valid_from")
    )
    decided_meeting = Meeting.objects.filter(
        plan__client_id=OuterRef("client_id"), held_on__gte=OuterRef("certified_on")
    )
    certifications = (
        Certification.objects.current()
        .filter(
            client_id__in=b.ids,
            ended_on__isnull=True,
            application_kind__in=[ApplicationKind.RENEWAL, ApplicationKind.CHANGE],
            valid_to__gte=today,
            # a period starting far ahead asks for its meeting nearer the time [U]
            valid_from__lte=today + dt.timedelta(days=RECENT_CERTIFICATION_DAYS),
        )
        .filter(Q(certified_on__gte=since) | Q(certified_on__isnull=True, valid_from__gte=since))
        .filter(~Exists(later_meeting))
        .filter(Q(certified_on__isnull=True) | ~Exists(decided_meeting))
        .values_list("pk", "client_id", "application_kind", "valid_from")
    )
    for pk, client_id, kind, valid_from in certifications:
        if client_id in drafting:
            continue  # the draft's meeting answers the new 認定 too
        label = ApplicationKind(kind).label
        b.add(
            client_id,
            WorkKind.MEETING,
            f"cert:{pk}",
            valid_from,
            f"{label}認定の後のサービス担当者会議が未開催",
            link("careplans:client", client_id),
        )


# --- billing: tickets, 提供票, 実績 -----------------------------------------------------------


def _next_tickets(b: _Builder, today: dt.date) -> None:
    from billing.models import ServiceTicket, TicketVersion

    if today.day < NEXT_TICKET_FROM_DAY:
        return
    month = add_months(today.replace(day=1), 1)
    delivered = TicketVersion.objects.filter(ticket=OuterRef("pk"))
    for pk, client_id in (
        ServiceTicket.objects.filter(client_id__in=b.ids, month=month)
        .filter(~Exists(delivered))
        .values_list("pk", "client_id")
    ):
        b.add(
            client_id,
            WorkKind.NEXT_TICKET,
            month_key(month),
            last_day(today),
            f"{month.month}月の利用票：説明・同意・交付が未了",
            link("billing:ticket_delivery", pk),
        )


def _provider_tickets(b: _Builder, today: dt.date, office_ids: set[int]) -> None:
    from billing.delivery import unsent_providers

    this_month = today.replace(day=1)
    for month, due_on in (
        (this_month, this_month - dt.timedelta(days=1)),
        (add_months(this_month, 1), last_day(today)),
    ):
        for office_id in office_ids:
            unsent = unsent_providers(system_actor(office_id), month)
            per_ticket: dict[tuple[int, int], int] = {}
            for group in unsent.providers:
                for ticket in group.tickets:
                    if ticket.client_id in b.clients:
                        key = (ticket.client_id, ticket.ticket_id)
                        per_ticket[key] = per_ticket.get(key, 0) + 1
            for (client_id, ticket_id), count in per_ticket.items():
                b.add(
                    client_id,
                    WorkKind.PROVIDER_TICKET,
                    month_key(month),
                    due_on,
                    f"{month.month}月の提供票：{count}事業所へ未送付",
                    link("billing:ticket_delivery", ticket_id) + "#sends",
                )


def _actuals(b: _Builder, today: dt.date) -> None:
    from billing.models import ActualsStatus, ProviderActuals

    if today.day > ACTUALS_UNTIL_DAY:
        return
    month = add_months(today.replace(day=1), -1)
    per_ticket: dict[tuple[int, int], list[str]] = {}
    for client_id, ticket_id, status in ProviderActuals.objects.filter(
        ticket__client_id__in=b.ids,
        ticket__month=month,
        status__in=[ActualsStatus.PENDING, ActualsStatus.DIFFERS],
    ).values_list("ticket__client_id", "ticket_id", "status"):
        per_ticket.setdefault((client_id, ticket_id), []).append(status)
    for (client_id, ticket_id), statuses in per_ticket.items():
        pending = statuses.count(ActualsStatus.PENDING)
        differs = statuses.count(ActualsStatus.DIFFERS)
        parts = [f"未受領{pending}事業所"] if pending else []
        parts += [f"差異あり{differs}事業所"] if differs else []
        b.add(
            client_id,
            WorkKind.ACTUALS,
            month_key(month),
            today.replace(day=ACTUALS_UNTIL_DAY),
            f"{month.month}月の実績が未確定（{'・'.join(parts)}）",
            link("billing:ticket_actuals", ticket_id),
        )


# --- 入退院 -----------------------------------------------------------------------------------


def _hospital(b: _Builder, today: dt.date) -> None:
    from careplans.models import CarePlan, PlanStatus
    from clients.models import HospitalStay
    from monitoring.models import AdmissionInfoSheet, DischargeConference

    provided = AdmissionInfoSheet.objects.filter(stay=OuterRef("pk"), provided_on__isnull=False)
    after_hours = AdmissionInfoSheet.objects.filter(stay=OuterRef("pk"), after_hours=True)
    for pk, client_id, admitted_on, late_admission in (
        HospitalStay.objects.filter(client_id__in=b.ids, discharged_on__isnull=True)
        .filter(~Exists(provided))
        .annotate(late_admission=Exists(after_hours))
        .values_list("pk", "client_id", "admitted_on", "late_admission")
    ):
        days = ADMISSION_INFO_DAYS + (1 if late_admission else 0)  # 営業時間外: one day more
        b.add(
            client_id,
            WorkKind.HOSPITAL,
            f"stay:{pk}",
            admitted_on + dt.timedelta(days=days),
            f"{wareki_date(admitted_on)}入院：入院時情報提供書が未提供",
            link("monitoring:admission_sheet", pk),
        )
    review = DischargeConference.objects.filter(stay=OuterRef("pk"), plan_review_needed=True)
    plan_after = CarePlan.objects.filter(
        client_id=OuterRef("client_id"),
        status__in=[PlanStatus.CONFIRMED, PlanStatus.SUPERSEDED],
        delivered_on__gte=OuterRef("discharged_on"),
    )
    stays = (
        HospitalStay.objects.filter(
            client_id__in=b.ids,
            discharged_on__isnull=False,
            discharged_on__gte=today - dt.timedelta(days=RECENT_DAYS),
        )
        .filter(Exists(review))
        .filter(~Exists(plan_after))
        .values("client_id")
        .annotate(first=Min("discharged_on"))
        .values_list("client_id", "first")
    )
    for client_id, discharged_on in stays:
        b.add(
            client_id,
            WorkKind.PLAN_REVIEW,
            f"discharge:{discharged_on:%Y-%m-%d}",
            discharged_on + dt.timedelta(days=PLAN_REVIEW_DAYS),
            f"{wareki_date(discharged_on)}退院：退院前カンファレンスを受けたケアプランの見直し",
            link("careplans:client", client_id),
        )


RULES: tuple[Callable[..., None], ...] = (
    _monitoring,
    _goal_periods,
    _plans,
    _next_tickets,
    _actuals,
    _hospital,
)
OFFICE_RULES: tuple[Callable[..., None], ...] = (_certifications, _provider_tickets)


def compute_items(clients: Iterable[ClientRow], today: dt.date) -> list[Item]:
    """Every item of `clients` (their offices' rows), soonest first."""
    b = _Builder(clients)
    if not b.ids:
        return []
    for rule in RULES:
        rule(b, today)
    office_ids = {row.office_id for row in b.clients.values()}
    for rule in OFFICE_RULES:
        rule(b, today, office_ids)
    return sorted(b.items, key=lambda item: (item.due_on, item.kind, item.client_id or 0, item.key))
