"""The office manager's caseload table: per care manager, 取扱件数 against the standard and
this month's monitoring done/owed.

取扱件数 counts every active client (契約中・入院中) with a 認定 in force today: 要介護 as 1,
要支援 as 1/3 (billing.office_claim.bands — the same weights, FTE and fee category the
office's claim uses). The standard is the (ⅰ) limit minus one: 44 cases per FTE under
居宅介護支援費（Ⅰ）, 49 under（Ⅱ）; the band shown is where the care manager's own count per
FTE falls ((ⅰ) below 45/50, (ⅱ) below 60, (ⅲ) from 60). Clients still 申請中 are not
counted (as in the claim) but listed as a separate number. A fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count

from billing.office_claim.bands import BAND_LABELS, THRESHOLDS, Case, compute_bands, format_count
from billing.office_claim.claim import care_managers_of, fte_of_month, office_settings
from clients.models import ACTIVE_STATUSES, Certification, Client
from monitoring.models import MonitoringRecord, WorkItem, WorkKind
from monitoring.work.rules import month_key


@dataclass(frozen=True)
class CaseloadRow:
    staff_id: int
    name: str
    cases: Fraction
    fte: Decimal
    fte_recorded: bool
    uncertified: int
    standard: int
    band: str
    monitoring_done: int
    monitoring_owed: int

    @property
    def cases_display(self) -> str:
        return format_count(self.cases)

    @property
    def per_fte(self) -> Fraction:
        return self.cases / Fraction(self.fte) if self.fte else Fraction(0)

    @property
    def per_fte_display(self) -> str:
        return format_count(self.per_fte)

    @property
    def over_standard(self) -> bool:
        return self.per_fte > self.standard

    @property
    def band_label(self) -> str:
        return BAND_LABELS[self.band]


@dataclass(frozen=True)
class Caseload:
    fee_category: str
    standard: int
    rows: list[CaseloadRow]
    warnings: tuple[str, ...]


def caseload_table(office, today: dt.date) -> Caseload:  # noqa: ANN001
    month = today.replace(day=1)
    clients = dict(
        Client.objects.filter(office=office, status__in=ACTIVE_STATUSES).values_list(
            "pk", "care_manager_id"
        )
    )
    levels: dict[int, str] = {}
    for client_id, level in (
        Certification.objects.in_force_on(today)
        .filter(client__office=office, client__status__in=ACTIVE_STATUSES)
        .order_by("client_id", "valid_from", "pk")
        .values_list("client_id", "care_level")
    ):
        levels[client_id] = level  # the latest in force wins
    cases = [
        Case(client_id=pk, care_manager_id=cm, care_level=levels[pk], contracted_on=None)
        for pk, cm in clients.items()
        if pk in levels
    ]
    fee_category = office_settings(office).fee_category
    first_limit, second_limit = THRESHOLDS.get(fee_category, THRESHOLDS["1"])
    result = compute_bands(
        fee_category=fee_category,
        cases=cases,
        care_managers=care_managers_of(office),
        fte_by_staff=fte_of_month(office, month),
    )
    # This month's visits: done = a record counts for the month; still owed = the stored
    # MONITORING items (monitoring.due's rule, computed by the refresh) — two grouped
    # queries instead of re-running the rule over every client id.
    done = dict(
        MonitoringRecord.objects.filter(
            client__office=office, client__status__in=ACTIVE_STATUSES, month=month
        )
        .values("client__care_manager_id")
        .annotate(count=Count("client_id", distinct=True))
        .values_list("client__care_manager_id", "count")
    )
    due = dict(
        WorkItem.objects.filter(office=office, kind=WorkKind.MONITORING, key=month_key(month))
        .values("care_manager_id")
        .annotate(count=Count("pk"))
        .values_list("care_manager_id", "count")
    )
    uncertified: dict[int | None, int] = {}
    for pk, cm in clients.items():
        if pk not in levels:
            uncertified[cm] = uncertified.get(cm, 0) + 1
    rows = []
    for load in result.loads:
        per_fte = load.cases / Fraction(load.fte) if load.fte else Fraction(0)
        band = "i" if per_fte < first_limit else "ii" if per_fte < second_limit else "iii"
        rows.append(
            CaseloadRow(
                staff_id=load.staff_id,
                name=load.name,
                cases=load.cases,
                fte=load.fte,
                fte_recorded=load.fte_recorded,
                uncertified=uncertified.get(load.staff_id, 0),
                standard=first_limit - 1,
                band=band,
                monitoring_done=done.get(load.staff_id, 0),
                monitoring_owed=done.get(load.staff_id, 0) + due.get(load.staff_id, 0),
            )
        )
    return Caseload(fee_category, first_limit - 1, rows, result.warnings)
