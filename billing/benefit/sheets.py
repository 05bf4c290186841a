"""Build the 給付管理票 (様式第十一) of a client-month (REFERENCE §4.1–4.2).

* `sheet_basis(ticket)`: "actual" when the ticket has ProviderActuals and every one is 確定,
  else "plan" (priced on 予定; the sheet carries a warning until the 実績 are confirmed).
* `build_sheet(ticket, ...)`: one draft `BenefitManagementSheet` per ticket, created or
  refreshed in place. The 作成年月日 (`created_on`) is set when the draft is created and only
  moves when its content changes, so the same state always gives the same file bytes.
* A ticket whose sheet is already 提出済/受付済 (and has no draft) is left alone; a returned
  sheet is superseded by a new 新規 draft; `build_correction` prepares a 修正 / 取消.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.models import ServiceTicket, TicketRow
from billing.models.actuals import ActualsStatus
from billing.models.benefit import BenefitManagementSheet, SheetKind, SheetStatus
from billing.tickets.compute import TicketFigures, ticket_figures
from billing.tickets.inputs import Register
from caremgmt.models import Membership

BASIS_ACTUAL = "actual"
BASIS_PLAN = "plan"
PLAN_BASIS_WARNING = "{name}さんの実績がすべて確定していないため、予定で作成しました。"
CONTENT_FIELDS = (
    "insurer_number",
    "insured_number",
    "care_level",
    "limit_units",
    "limit_from",
    "limit_to",
    "plan_author_kind",
    "care_manager_number",
    "delegate_office_number",
    "delegate_care_manager_number",
    "total_units",
    "lines",
)
ACTIVE_STATUSES = (SheetStatus.SUBMITTED, SheetStatus.ACCEPTED)


@dataclass
class SheetOutcome:
    sheet: BenefitManagementSheet | None
    basis: str
    warnings: list[str] = field(default_factory=list)
    changed: bool = False


def sheet_basis(ticket: ServiceTicket) -> str:
    """ "actual" when every provider's 実績 of the ticket is 確定 (and there is at least one),
    else "plan". Uses a prefetched `provider_actuals` when present."""
    statuses = [actuals.status for actuals in ticket.provider_actuals.all()]
    if statuses and all(status == ActualsStatus.CONFIRMED for status in statuses):
        return BASIS_ACTUAL
    return BASIS_PLAN


def provider_kind(provider_number: str) -> str:
    """指定/基準該当等事業所区分 from the 事業所番号's 3rd digit (REFERENCE §11): 8 基準該当,
    9 地域密着型, otherwise 指定."""
    third = provider_number[2:3]
    return {"8": "2", "9": "5"}.get(third, "1")


def care_manager_numbers(office_id: int) -> dict[int, str]:
    """staff id → 介護支援専門員番号 of the office's active memberships (one query)."""
    rows = (
        Membership.objects.filter(office_id=office_id, is_active=True)
        .exclude(care_manager_number="")
        .values_list("staff_id", "care_manager_number")
    )
    return dict(rows)


def sheet_content(
    ticket: ServiceTicket, figures: TicketFigures, cm_numbers: dict[int, str]
) -> dict[str, object]:
    """The sheet's fields from the priced client-month (no query beyond what is loaded)."""
    client = ticket.client
    result = figures.result
    period = figures.register.certification_period
    if not result.care_level or period is None:
        raise ValidationError(
            f"{client.name}さんの{ticket.month:%Y年%m月}の要介護認定が登録されていません。"
        )
    lines = [
        {
            "line_no": index,
            "provider_number": line.provider_number,
            "provider_kind": provider_kind(line.provider_number),
            "service_type": line.service_type,
            "units": line.planned_units,
        }
        for index, line in enumerate(
            sorted(
                result.benefit_management_lines,
                key=lambda line: (line.provider_number, line.service_type),
            ),
            start=1,
        )
    ]
    manager_number = cm_numbers.get(client.care_manager_id, "")
    entrusted = bool(client.entrusting_center)
    return {
        "insurer_number": client.insurer_number,
        "insured_number": client.insured_number,
        "care_level": result.care_level,
        "limit_units": result.limit_units,
        "limit_from": period[0],
        "limit_to": period[1],
        "plan_author_kind": "1",
        "care_manager_number": manager_number,
        "delegate_office_number": client.office.office_number if entrusted else "",
        "delegate_care_manager_number": manager_number if entrusted else "",
        "total_units": sum(line["units"] for line in lines),
        "lines": lines,
    }


def _same(sheet: BenefitManagementSheet, content: dict[str, object]) -> bool:
    return all(getattr(sheet, name) == value for name, value in content.items())


def build_sheet(
    ticket: ServiceTicket,
    *,
    actor_staff=None,  # noqa: ANN001 - a Staff or None (the beat)
    cm_numbers: dict[int, str] | None = None,
    today: dt.date | None = None,
    existing: Iterable[BenefitManagementSheet] | None = None,
    rows: Sequence[TicketRow] | None = None,
    register: Register | None = None,
    defer_create: bool = False,
) -> SheetOutcome:
    """Create or refresh the draft 給付管理票 of `ticket` (新規, or superseding a returned one).
    With `defer_create` a new draft is returned unsaved (the batch bulk-creates a chunk).
    Returns sheet None when an active (提出済/受付済) sheet exists and no draft is pending, or
    when the month has no limit-managed service."""
    basis = sheet_basis(ticket)
    sheets = list(ticket.benefit_sheets.all() if existing is None else existing)
    draft = next((s for s in sheets if s.status == SheetStatus.DRAFT), None)
    active = next((s for s in sheets if s.status in ACTIVE_STATUSES), None)
    if draft is None and active is not None:
        return SheetOutcome(sheet=None, basis=basis)
    figures = ticket_figures(ticket, rows=rows, register=register, use_actual=basis == BASIS_ACTUAL)
    warnings = []
    if basis == BASIS_PLAN:
        warnings.append(PLAN_BASIS_WARNING.format(name=ticket.client.name))
    if not figures.result.benefit_management_lines:
        if draft is not None:  # nothing limit-managed any more: the unsubmitted draft goes
            draft.delete()
        return SheetOutcome(sheet=None, basis=basis, warnings=warnings, changed=draft is not None)
    numbers = care_manager_numbers(ticket.client.office_id) if cm_numbers is None else cm_numbers
    content = sheet_content(ticket, figures, numbers)
    if draft is not None:
        if _same(draft, content):
            return SheetOutcome(sheet=draft, basis=basis, warnings=warnings)
        for name, value in content.items():
            setattr(draft, name, value)
        draft.created_on = today or timezone.localdate()
        draft.save(update_fields=[*CONTENT_FIELDS, "created_on"])
        return SheetOutcome(sheet=draft, basis=basis, warnings=warnings, changed=True)
    returned = next((s for s in sheets if s.status == SheetStatus.RETURNED), None)
    sheet = BenefitManagementSheet(
        ticket=ticket,
        kind=SheetKind.NEW,
        status=SheetStatus.DRAFT,
        created_on=today or timezone.localdate(),
        supersedes=returned,
        created_by=actor_staff,
        **content,
    )
    if not defer_create:
        sheet.save()
    return SheetOutcome(sheet=sheet, basis=basis, warnings=warnings, changed=True)


@transaction.atomic
def build_correction(
    accepted: BenefitManagementSheet, *, kind: str, actor_staff=None, today: dt.date | None = None
) -> BenefitManagementSheet:  # noqa: ANN001
    """A 修正 (2, from the current client-month) or 取消 (3, the accepted content) draft that
    supersedes an accepted sheet."""
    if accepted.status != SheetStatus.ACCEPTED:
        raise ValidationError("修正・取消は受付済の給付管理票に対してのみ作成できます。")
    if kind not in (SheetKind.CORRECTION, SheetKind.CANCEL):
        raise ValidationError("作成区分は修正または取消を選んでください。")
    ticket = accepted.ticket
    if ticket.benefit_sheets.filter(status=SheetStatus.DRAFT).exists():
        raise ValidationError("この月にはまだ提出していない給付管理票があります。")
    if kind == SheetKind.CORRECTION:
        figures = ticket_figures(ticket, use_actual=sheet_basis(ticket) == BASIS_ACTUAL)
        content = sheet_content(ticket, figures, care_manager_numbers(ticket.client.office_id))
    else:
        content = {name: getattr(accepted, name) for name in CONTENT_FIELDS}
    return BenefitManagementSheet.objects.create(
        ticket=ticket,
        kind=kind,
        status=SheetStatus.DRAFT,
        created_on=today or timezone.localdate(),
        supersedes=accepted,
        created_by=actor_staff,
        **content,
    )
