"""Per-client 居宅介護支援費 lines of an office-month (REFERENCE §4.3, §5.3).

**Case** (who counts for 取扱件数 and gets a line): a client of the office whose 給付管理票
the office files that month. Until the 給付管理票 work lands this is read as: a client of
the office with a 利用票 (`ServiceTicket`) for the month and a confirmed care plan.

Each line: the band's base code for the client's 要介護状態区分 (the level in force at
month end), fixed 加算 (初回 once confirmed, 特定事業所 from the settings, the evidence-driven
ones), percentage 加算/減算 (additions.py), priced by the calc engine (type 43: fixed 100 %
benefit, no copay). A line is 請求不可 unless the client-month's 給付管理票 is submitted or
accepted (居宅介護支援費 is payable only then — REFERENCE §3 [C]).

Queries are a fixed number per office-month (about 10), independent of the client count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, Min, OuterRef

from billing.calc import calculate_client_month
from billing.calc.schedule import FeeSchedule
from billing.calc.types import Certification as CalcCertification
from billing.calc.types import ClientMonth, Provider, ServiceLine
from billing.fee_schedule import cached_fee_schedule
from billing.models import BenefitManagementSheet, ServiceTicket
from billing.models.office_claim import ClaimEvidence, OfficeClaimSettings, StaffMonthFte
from billing.office_claim import additions, proposals
from billing.office_claim.bands import (
    BAND_LABELS,
    CARE_LEVELS,
    BandResult,
    Case,
    compute_bands,
    level_group_for,
)
from billing.tickets.month import add_months, days_in_month

BILLABLE_SHEET_STATUSES = frozenset({"submitted", "accepted"})
NO_SHEET = "給付管理票が提出されていないため請求できません。"
NO_CERTIFICATION = "この月の要介護認定が見つかりません。"


@dataclass(frozen=True)
class ClaimCode:
    code: str
    name: str
    units: int  # per month (percentage rows: the computed units)


@dataclass
class ClaimLine:
    client: object
    care_level: str
    band: str | None
    codes: list[ClaimCode] = field(default_factory=list)
    total_units: int = 0
    total_cost_yen: int = 0
    insurance_claim_yen: int = 0
    billable: bool = False
    reasons: list[str] = field(default_factory=list)
    initial_proposal: str = ""  # why 初回加算 is proposed ("" = not proposed)
    initial_confirmed: bool = False
    violation_proposal: str = ""  # why 運営基準減算 is proposed (proposals.py; "" = not)
    evidence: list[ClaimEvidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # 公費 / 給付制限 from the register
    issues: list[str] = field(default_factory=list)

    @property
    def care_level_label(self) -> str:
        from caremgmt.choices import CareLevel

        return CareLevel(self.care_level).label if self.care_level in CareLevel.values else ""

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.band or "", "") if self.care_level in CARE_LEVELS else ""


@dataclass
class OfficeMonthClaim:
    month: dt.date
    settings: OfficeClaimSettings
    bands: BandResult
    lines: list[ClaimLine]
    regional_grade: str

    @property
    def total_units(self) -> int:
        return sum(line.total_units for line in self.lines)

    @property
    def billable_yen(self) -> int:
        return sum(line.insurance_claim_yen for line in self.lines if line.billable)


# --- engine schedule with the percentage items ---------------------------------------------
_extended: tuple[int, FeeSchedule] | None = None


def claim_schedule() -> FeeSchedule:
    """The cached fee schedule plus the [U] percentage codes of additions.py."""
    global _extended
    base = cached_fee_schedule()
    if _extended is not None and _extended[0] == id(base):
        return _extended[1]
    known = {code.code for code in base.all_service_codes()}
    extended = FeeSchedule(
        service_codes=(
            *base.all_service_codes(),
            *(c for c in additions.percentage_service_codes() if c.code not in known),
        ),
        service_types=base.all_service_types(),
        care_level_limits=[],
        regional_unit_prices=base.all_regional_unit_prices(),
    )
    _extended = (id(base), extended)
    return extended


# --- loading ---------------------------------------------------------------------------------
def office_settings(office) -> OfficeClaimSettings:  # noqa: ANN001
    """The office's settings (an unsaved default when none were saved)."""
    found = OfficeClaimSettings.objects.filter(office=office).first()
    return found if found is not None else OfficeClaimSettings(office=office)


def case_tickets(office, month: dt.date):  # noqa: ANN001, ANN201
    """The month's case tickets (see the module docstring), with the client loaded."""
    from careplans.models import CarePlan

    confirmed = CarePlan.objects.filter(client=OuterRef("client_id"), status="confirmed")
    earlier = ServiceTicket.objects.filter(client=OuterRef("client_id"), month__lt=month)
    return (
        ServiceTicket.objects.filter(client__office=office, month=month)
        .filter(Exists(confirmed))
        .select_related("client__care_manager")
        .annotate(first_contract=Min("client__contracts__contracted_on"), earlier=Exists(earlier))
        .order_by("client__name_kana", "client_id")
    )


def care_managers_of(office) -> list[tuple[int, str]]:  # noqa: ANN001
    from caremgmt.models import Membership
    from caremgmt.models.organization import CARE_MANAGER_ROLES

    rows = (
        Membership.objects.filter(office=office, is_active=True, role__in=CARE_MANAGER_ROLES)
        .select_related("staff")
        .order_by("staff__full_name_kana", "staff_id")
    )
    seen: dict[int, str] = {}
    for row in rows:
        seen.setdefault(row.staff_id, row.staff.full_name)
    return list(seen.items())


def fte_of_month(office, month: dt.date) -> dict[int, Decimal]:  # noqa: ANN001
    return dict(
        StaffMonthFte.objects.filter(office=office, month=month).values_list("staff_id", "fte")
    )


def certifications_by_client(client_ids: list[int]) -> dict[int, list]:
    from clients.models import Certification

    found: dict[int, list] = {}
    for row in (
        Certification.objects.current()
        .filter(client_id__in=client_ids)
        .order_by("client_id", "valid_from", "pk")
    ):
        found.setdefault(row.client_id, []).append(row)
    return found


def _register_notes(client_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[str]]:
    from clients.models import BenefitRestriction, PublicExpense

    notes: dict[int, list[str]] = {}
    for expense in PublicExpense.objects.overlapping(start, end).filter(client_id__in=client_ids):
        notes.setdefault(expense.client_id, []).append(
            f"公費 {expense.law_number} {expense.payer_number}（居宅介護支援費は10割給付のため負担なし）"
        )
    for restriction in BenefitRestriction.objects.overlapping(start, end).filter(
        client_id__in=client_ids
    ):
        notes.setdefault(restriction.client_id, []).append(
            f"給付制限 {restriction.get_kind_display()}（記録を確認してください）"
        )
    return notes


def level_at_month_end(certs: list, start: dt.date, end: dt.date):  # noqa: ANN202
    """(current certification, previous certification) for the month."""
    overlapping = [c for c in certs if c.valid_from <= end and c.effective_to >= start]
    if not overlapping:
        return None, None
    in_force_end = [c for c in overlapping if c.valid_from <= end <= c.effective_to]
    current = (in_force_end or overlapping)[-1]
    earlier = [c for c in certs if c.valid_from < current.valid_from]
    return current, (earlier[-1] if earlier else None)


def initial_proposal(
    *,
    month: dt.date,
    had_earlier_ticket: bool,
    first_contract: dt.date | None,
    current_level: str | None,
    current_from: dt.date | None,
    previous_level: str | None,
    initial_last_month: bool,
) -> str:
    """Why 初回加算 is proposed this month ("" when it is not). The user confirms it.

    * new client: no 利用票 of an earlier month here, and the first contract (if any) is on
      or after the first of the previous month;
    * 要介護状態区分 two or more levels up vs the previous certification, the new one
      starting this month or last month, and 初回加算 not confirmed last month.
    """
    previous_month = add_months(month, -1)
    if not had_earlier_ticket and (first_contract is None or first_contract >= previous_month):
        return "新規の利用者（この事業所での最初の月）"
    if (
        current_from is not None
        and previous_month <= current_from < add_months(month, 1)
        and additions.levels_up(previous_level, current_level) >= 2
        and not initial_last_month
    ):
        return "要介護状態区分が2区分以上重くなった"
    return ""


# --- the month -------------------------------------------------------------------------------
def office_month_claim(
    office, month: dt.date, regional_grade: str | None = None, *, with_proposals: bool = False
) -> OfficeMonthClaim:  # noqa: ANN001
    from caremgmt.regional_grades import regional_grade_on

    start = month
    end = month.replace(day=days_in_month(month))
    settings = office_settings(office)
    tickets = list(case_tickets(office, month))
    client_ids = [t.client_id for t in tickets]
    certs = certifications_by_client(client_ids)
    evidence: dict[tuple[int, dt.date], list[ClaimEvidence]] = {}
    for row in ClaimEvidence.objects.filter(
        client_id__in=client_ids, month__in=[month, add_months(month, -1)]
    ).order_by("kind"):
        evidence.setdefault((row.client_id, row.month), []).append(row)
    sheet_statuses: dict[int, set[str]] = {}
    for ticket_id, status in BenefitManagementSheet.objects.filter(
        ticket_id__in=[t.pk for t in tickets]
    ).values_list("ticket_id", "status"):
        sheet_statuses.setdefault(ticket_id, set()).add(status)
    notes = _register_notes(client_ids, start, end)
    grade = regional_grade or regional_grade_on(office, end)

    levels: dict[int, tuple] = {}
    cases: list[Case] = []
    for ticket in tickets:
        current, previous = level_at_month_end(certs.get(ticket.client_id, []), start, end)
        levels[ticket.client_id] = (current, previous)
        if current is not None:
            cases.append(
                Case(
                    client_id=ticket.client_id,
                    care_manager_id=ticket.client.care_manager_id,
                    care_level=current.care_level,
                    contracted_on=ticket.first_contract,
                )
            )
    band_result = compute_bands(
        fee_category=settings.fee_category,
        cases=cases,
        care_managers=care_managers_of(office),
        fte_by_staff=fte_of_month(office, month),
    )
    schedule = claim_schedule()
    provider = Provider(
        number=office.office_number, name=office.name, regional_grade=grade, service_types={"43"}
    )
    lines = []
    for ticket in tickets:
        current, previous = levels[ticket.client_id]
        this_month = evidence.get((ticket.client_id, month), [])
        last_month = evidence.get((ticket.client_id, add_months(month, -1)), [])
        line = ClaimLine(
            client=ticket.client,
            care_level=current.care_level if current else "",
            band=band_result.bands.get(ticket.client_id),
            evidence=this_month,
            notes=notes.get(ticket.client_id, []),
        )
        lines.append(line)
        if current is None:
            line.reasons.append(NO_CERTIFICATION)
            continue
        if current.care_level not in CARE_LEVELS:
            line.reasons.append(
                "要支援の利用者は介護予防支援として請求します（件数には1/3で数えます）。"
            )
            continue
        kinds = {row.kind for row in this_month}
        discharge_variant = next((row.variant for row in this_month if row.kind == "discharge"), "")
        if any(row.variant_missing for row in this_month):
            line.issues.append(additions.DISCHARGE_VARIANT_MISSING)
        line.initial_confirmed = "initial" in kinds
        line.initial_proposal = initial_proposal(
            month=month,
            had_earlier_ticket=ticket.earlier,
            first_contract=ticket.first_contract,
            current_level=current.care_level,
            current_from=current.valid_from,
            previous_level=previous.care_level if previous else None,
            initial_last_month=any(row.kind == "initial" for row in last_month),
        )
        _price_line(
            line,
            month=month,
            end=end,
            settings=settings,
            kinds=kinds,
            discharge_variant=discharge_variant,
            violation_last_month=any(row.kind == "standard_violation" for row in last_month),
            certification=current,
            provider=provider,
            schedule=schedule,
        )
        statuses = sheet_statuses.get(ticket.pk, set())
        if not statuses & BILLABLE_SHEET_STATUSES:
            line.reasons.append(NO_SHEET)
        line.billable = not line.reasons
    if with_proposals:  # the registered sources' fixed queries (proposals.py)
        proposals.propose_on_lines(lines, month=month, evidence=evidence)
    return OfficeMonthClaim(
        month=month, settings=settings, bands=band_result, lines=lines, regional_grade=grade
    )


def claim_service_lines(
    *,
    band_code: str,
    settings: OfficeClaimSettings,
    kinds: set[str],
    office_number: str,
    discharge_variant: str = "",
) -> list[ServiceLine]:
    """The 43 service lines of one client-month (base, fixed 加算, percentage items).
    `discharge_variant` is the 退院・退所加算 evidence's 区分 ("" = not chosen: Ⅰイ)."""
    codes = [band_code]
    for kind in additions.EVIDENCE_ADDITIONS:
        if kind in kinds:
            codes.append(additions.evidence_addition(kind, discharge_variant).code)
    specific = additions.SPECIFIC_OFFICE_ADDITIONS.get(settings.specific_office_addition or "")
    if specific is not None:
        codes.append(specific.code)
    for name in additions.OFFICE_PERCENTAGE_FIELDS:
        if getattr(settings, name):
            codes.append(additions.PERCENTAGES[name].code)
    for kind in additions.CLIENT_PERCENTAGE_KINDS:
        if kind in kinds:
            codes.append(additions.PERCENTAGES[kind].code)
    return [ServiceLine(provider_number=office_number, service_code=code) for code in codes]


def _price_line(
    line: ClaimLine,
    *,
    month: dt.date,
    end: dt.date,
    settings: OfficeClaimSettings,
    kinds: set[str],
    discharge_variant: str,
    violation_last_month: bool,
    certification,  # noqa: ANN001
    provider: Provider,
    schedule: FeeSchedule,
) -> None:
    if "standard_violation" in kinds and violation_last_month:
        line.reasons.append(additions.STANDARD_VIOLATION_SECOND_MONTH)
        return
    base = schedule.level_variant(
        level_group_for(settings.fee_category, line.band or "i"), certification.care_level, month
    )
    if base is None:
        line.issues.append("基本のサービスコードが単位数表にありません。")
        line.reasons.append("サービスコード不明")
        return
    client_month = ClientMonth(
        year=month.year,
        month=month.month,
        certifications=[
            CalcCertification(
                certification.care_level,
                max(certification.valid_from, month),
                min(certification.effective_to, end),
            )
        ],
        benefit_rate=100,
        providers=[provider],
        service_lines=claim_service_lines(
            band_code=base.code,
            settings=settings,
            kinds=kinds,
            office_number=provider.number,
            discharge_variant=discharge_variant,
        ),
    )
    result = calculate_client_month(client_month, schedule)
    line.codes = [
        ClaimCode(row.service_code, row.service_name, row.service_units)
        for row in result.detail_rows
    ]
    line.total_units = result.totals.total_units
    line.total_cost_yen = result.totals.total_cost
    line.insurance_claim_yen = result.totals.insurance_claim
    line.issues.extend(issue.message for issue in result.issues)
