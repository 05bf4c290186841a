"""Reads of client data — always through the access helper.

"What was true on date D" has exactly one answer: `client_facts_on(client=..., day=...)`.
Billing asks `client_month_certifications(client=..., month=...)` for a service month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from caremgmt.access import Actor, visible
from caremgmt.choices import CareLevel, heavier_care_level
from caremgmt.models import Membership, Staff
from caremgmt.models.organization import CARE_MANAGER_ROLES
from clients.coverage import by_priority
from clients.kana import normalise_kana
from clients.models import (
    ACTIVE_STATUSES,
    ApplicationStatus,
    BenefitRestriction,
    BurdenRatio,
    Certification,
    CertificationApplication,
    Client,
    ClientContact,
    ClientStatus,
    Consultation,
    Contract,
    Doctor,
    InformalResource,
    PlanRequestFiling,
    PublicExpense,
    ServiceProvider,
)

RENEWAL_WINDOW_DAYS = 60  # 更新申請 may be filed from 60 days before expiry (REFERENCE §8)


# --- "as of date D" -----------------------------------------------------------------------


@dataclass(frozen=True)
class ClientFacts:
    """What was true for one client on one day. `certification` is None while 申請中."""

    day: dt.date
    certification: Certification | None
    burden_ratio: BurdenRatio | None
    plan_request_filing: PlanRequestFiling | None
    pending_application: CertificationApplication | None

    @property
    def care_level(self) -> str | None:
        return self.certification.care_level if self.certification else None

    @property
    def care_level_label(self) -> str:
        return CareLevel(self.care_level).label if self.care_level else ""

    @property
    def ratio(self) -> int | None:
        return self.burden_ratio.ratio if self.burden_ratio else None

    @property
    def is_certified(self) -> bool:
        """第1表 認定状況: 認定済 when a certification is in force on the day, else 申請中."""
        return self.certification is not None

    @property
    def days_left(self) -> int | None:
        return self.certification.days_left(self.day) if self.certification else None


def client_facts_on(*, client: Client, day: dt.date) -> ClientFacts:
    """The certification, 負担割合, 届出 and pending application in force on `day`.

    Superseded (corrected) rows are ignored; a row ended early (区分変更) stops on `ended_on`.
    When two rows would both cover `day` (only possible if data was forced past the service
    checks) the one starting later wins.
    """
    certification = (
        Certification.objects.filter(client=client)
        .in_force_on(day)
        .order_by("-valid_from", "-pk")
        .first()
    )
    burden = (
        BurdenRatio.objects.filter(client=client)
        .in_force_on(day)
        .order_by("-valid_from", "-pk")
        .first()
    )
    filing = (
        PlanRequestFiling.objects.filter(client=client)
        .in_force_on(day)
        .order_by("-filed_on", "-pk")
        .first()
    )
    pending = (
        CertificationApplication.objects.filter(client=client, applied_on__lte=day)
        .filter(Q(decided_on__isnull=True) | Q(decided_on__gt=day))
        .order_by("-applied_on", "-pk")
        .first()
    )
    return ClientFacts(
        day=day,
        certification=certification,
        burden_ratio=burden,
        plan_request_filing=filing,
        pending_application=pending,
    )


def client_public_expenses_on(*, client: Client, day: dt.date) -> list[PublicExpense]:
    """The 公費 in force on `day`, in billing priority (`clients.coverage.by_priority`:
    生活保護（介護扶助, 12）first by default), newest first within one 法別番号."""
    rows = (
        PublicExpense.objects.filter(client=client).in_force_on(day).order_by("-valid_from", "-pk")
    )
    return by_priority(rows)


def client_benefit_restriction_on(*, client: Client, day: dt.date) -> BenefitRestriction | None:
    """The 給付制限 in force on `day` (None: the normal 給付率 applies)."""
    return (
        BenefitRestriction.objects.filter(client=client)
        .in_force_on(day)
        .order_by("-valid_from", "-pk")
        .first()
    )


@dataclass(frozen=True)
class MonthCertifications:
    """All certifications in force on any day of a service month, oldest first."""

    month: dt.date  # the first day of the month
    certifications: tuple[Certification, ...]

    @property
    def heaviest_care_level(self) -> str | None:
        """The month's 区分 for limit management and 給付管理票 (REFERENCE §0, §6)."""
        level: str | None = None
        for certification in self.certifications:
            level = (
                certification.care_level
                if level is None
                else heavier_care_level(level, certification.care_level)
            )
        return level

    @property
    def has_mid_month_change(self) -> bool:
        return len({c.care_level for c in self.certifications}) > 1


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def client_month_certifications(*, client: Client, month: dt.date) -> MonthCertifications:
    """Certifications overlapping the calendar month that contains `month`."""
    first, last = month_bounds(month)
    rows = tuple(
        Certification.objects.filter(client=client)
        .overlapping(first, last)
        .order_by("valid_from", "pk")
    )
    return MonthCertifications(month=first, certifications=rows)


# --- lists -------------------------------------------------------------------------------


def client_list(*, actor: Actor | None) -> QuerySet[Client]:
    return visible(Client.objects.select_related("care_manager", "deputy_care_manager"), actor)


SORTS = {
    "kana": ("name_kana", "pk"),
    "-kana": ("-name_kana", "-pk"),
    "birth": ("birth_date", "pk"),
    "-birth": ("-birth_date", "-pk"),
    "manager": ("care_manager__full_name_kana", "name_kana", "pk"),
    "-manager": ("-care_manager__full_name_kana", "name_kana", "pk"),
    "status": ("status", "name_kana", "pk"),
    "insured": ("insured_number", "pk"),
}


def client_search(
    *,
    actor: Actor | None,
    query: str = "",
    care_manager_id: int | None = None,
    status: str = "",
    sort: str = "kana",
    today: dt.date,
) -> QuerySet[Client]:
    """Visible clients matching a name (漢字・ひらがな・カタカナ・半角カナ), a 被保険者番号
    (digits) or a care manager, with the certification in force today prefetched."""
    clients = client_list(actor=actor)
    text = normalise_kana(query or "")
    if text:
        if text.isdigit():
            clients = clients.filter(Q(insured_number__startswith=text) | Q(phone__contains=text))
        elif text[:1] in ("H", "h") and text[1:].isdigit():  # 生保単独 H + 9 digits
            clients = clients.filter(insured_number__startswith=text.upper())
        else:
            clients = clients.filter(search_kana__contains=text)
    if care_manager_id:
        clients = clients.filter(
            Q(care_manager_id=care_manager_id) | Q(deputy_care_manager_id=care_manager_id)
        )
    if status == "active":
        clients = clients.filter(status__in=ACTIVE_STATUSES)
    elif status in ClientStatus.values:
        clients = clients.filter(status=status)
    elif status != "all":
        clients = clients.exclude(status=ClientStatus.ENDED)
    return clients.order_by(*SORTS.get(sort, SORTS["kana"])).prefetch_related(
        Prefetch(
            "certifications",
            queryset=Certification.objects.in_force_on(today).order_by("-valid_from"),
            to_attr="certifications_today",
        ),
        Prefetch(
            "burden_ratios",
            queryset=BurdenRatio.objects.in_force_on(today).order_by("-valid_from"),
            to_attr="burden_ratios_today",
        ),
    )


def office_care_managers(*, actor: Actor | None) -> QuerySet[Staff]:
    """Care managers (incl. 主任) active in the actor's current office."""
    if actor is None or actor.office is None:
        return Staff.objects.none()
    return (
        Staff.objects.filter(
            Exists(
                Membership.objects.filter(
                    staff=OuterRef("pk"),
                    office=actor.office,
                    role__in=CARE_MANAGER_ROLES,
                    is_active=True,
                )
            ),
            is_active=True,
        )
        .order_by("full_name_kana", "pk")
        .distinct()
    )


def duplicate_client(
    *, office_id: int, insurer_number: str, insured_number: str, exclude_pk: int | None = None
) -> Client | None:
    """An existing client with the same 保険者番号 + 被保険者番号 in the office (any caseload)."""
    if not insured_number:
        return None
    duplicates = Client.objects.filter(
        office_id=office_id, insurer_number=insurer_number, insured_number=insured_number
    )
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    return duplicates.first()


@dataclass(frozen=True)
class DuplicateNotice:
    """What the user may be told about an existing client with the same numbers.

    `client` is set only when the actor may see that client (then the page names it and
    links to it); otherwise only the 担当 care manager to ask is named — never the client's
    name, kana or id, which belong to another caseload."""

    client: Client | None
    ask: str


def duplicate_notice(*, actor: Actor, existing: Client) -> DuplicateNotice:
    if visible(Client.objects.filter(pk=existing.pk), actor).exists():
        return DuplicateNotice(client=existing, ask=existing.care_manager.full_name)
    return DuplicateNotice(client=None, ask=existing.care_manager.full_name)


# --- one client's tabs -------------------------------------------------------------------


def client_history(*, client: Client) -> dict[str, Any]:
    """Every history row, corrections included (marked), newest first."""
    return {
        "certifications": list(
            Certification.objects.filter(client=client).select_related("created_by")
        ),
        "burden_ratios": list(
            BurdenRatio.objects.filter(client=client).select_related("created_by")
        ),
        "filings": list(PlanRequestFiling.objects.filter(client=client)),
        "public_expenses": list(
            PublicExpense.objects.filter(client=client).select_related("created_by")
        ),
        "benefit_restrictions": list(
            BenefitRestriction.objects.filter(client=client).select_related("created_by")
        ),
    }


def client_contacts(*, client: Client) -> list[ClientContact]:
    return list(ClientContact.objects.filter(client=client))


def client_applications(*, client: Client) -> list[CertificationApplication]:
    return list(
        CertificationApplication.objects.filter(client=client).select_related(
            "submitted_by", "certification"
        )
    )


def client_intake(*, client: Client) -> dict[str, Any]:
    return {
        "consultations": list(
            Consultation.objects.filter(client=client).select_related("taken_by")
        ),
        "contracts": list(Contract.objects.filter(client=client).select_related("created_by")),
    }


# --- alerts ------------------------------------------------------------------------------


def certifications_expiring(
    *, actor: Actor | None, today: dt.date, within_days: int = RENEWAL_WINDOW_DAYS
) -> QuerySet[Certification]:
    """Certifications of active clients ending within `within_days` (the renewal window) with
    no later certification recorded yet, soonest first. Scoped like the clients: a care
    manager sees their caseload, the office manager the office. `renewal_pending` tells
    whether an 更新/区分変更 application is already with the municipality."""
    later = Certification.objects.current().filter(
        client=OuterRef("client"), valid_from__gt=OuterRef("valid_to")
    )
    pending = CertificationApplication.objects.filter(
        client=OuterRef("client"),
        status=ApplicationStatus.PENDING,
        applied_on__gte=OuterRef("valid_from"),
    )
    horizon = today + dt.timedelta(days=within_days)
    return (
        visible(Certification.objects.all(), actor)
        .current()
        .filter(
            ended_on__isnull=True,
            valid_to__gte=today,
            valid_to__lte=horizon,
            client__status__in=ACTIVE_STATUSES,
        )
        .filter(~Exists(later))
        .annotate(renewal_pending=Exists(pending))
        .select_related("client", "client__care_manager")
        .order_by("client__care_manager__full_name_kana", "valid_to", "client__name_kana")
    )


# --- directories -------------------------------------------------------------------------


def provider_list(
    *, actor: Actor | None, query: str = "", service_type: str = ""
) -> QuerySet[ServiceProvider]:
    providers = visible(ServiceProvider.objects.all(), actor)
    if query:
        text = normalise_kana(query)
        providers = providers.filter(
            Q(name__icontains=query.strip())
            | Q(name_kana__contains=text)
            | Q(provider_number__startswith=text)
        )
    if service_type:
        providers = providers.filter(service_types__contains=[service_type])
    return providers.order_by("-is_active", "name_kana", "name", "pk")


def doctor_list(*, actor: Actor | None, query: str = "") -> QuerySet[Doctor]:
    doctors = visible(Doctor.objects.all(), actor)
    if query:
        doctors = doctors.filter(
            Q(institution_name__icontains=query.strip())
            | Q(doctor_name__icontains=query.strip())
            | Q(department__icontains=query.strip())
        )
    return doctors


def resource_list(*, actor: Actor | None, kind: str = "") -> QuerySet[InformalResource]:
    resources = visible(InformalResource.objects.all(), actor)
    if kind:
        resources = resources.filter(kind=kind)
    return resources
