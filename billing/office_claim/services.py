"""Writes of the office-claim screens: 加算 evidence, 常勤換算 per month, the office's 体制
settings. Each checks who may write (事務・管理者; settings: 管理者) and raises
`ValidationError` with field messages on bad input; nothing is written then. Evidence and
常勤換算 of a month marked 送信済み are refused with `close.MonthClosedError` (close.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from billing.models.office_claim import (
    ClaimEvidence,
    DischargeVariant,
    EvidenceKind,
    OfficeClaimSettings,
    StaffMonthFte,
)
from billing.office_claim.close import refuse_if_closed
from billing.office_claim.who import (  # noqa: F401 - re-exported for the views
    CLAIM_WRITER_ROLES,
    can_write_claim,
    require_claim_writer,
    require_manager,
)
from billing.tickets.month import days_in_month
from caremgmt.access import Actor, visible

STALE_SETTINGS = "settings_stale"
VARIANT_REQUIRED = "退院・退所加算の区分を選んでください。"
VARIANT_NOT_ALLOWED = "区分は退院・退所加算のときだけ選びます。"


class StaleSettingsError(Exception):
    """The settings were saved after the form was loaded; nothing was written."""

    def __init__(self, current: OfficeClaimSettings) -> None:
        super().__init__("office claim settings changed")
        self.current = current


class StaleFteError(Exception):
    """Someone changed the month's 常勤換算 after the form was loaded; nothing was written."""

    def __init__(self, names: list[str]) -> None:
        super().__init__("fte changed")
        self.names = names


def variant_problem(kind: str, variant: str) -> str:
    """The field message when the 区分 does not fit the kind ("" when it does)."""
    if kind == EvidenceKind.DISCHARGE and variant not in DischargeVariant.values:
        return VARIANT_REQUIRED
    if kind != EvidenceKind.DISCHARGE and variant:
        return VARIANT_NOT_ALLOWED
    return ""


@transaction.atomic
def add_evidence(
    *,
    actor: Actor,
    client_id: int,
    month: dt.date,
    kind: str,
    proof_on: dt.date,
    note: str,
    variant: str = "",
) -> ClaimEvidence:
    """Record the proof of a 加算/減算 (or confirm 初回加算) for a client-month. 退院・退所加算
    needs its 区分 (`variant`, which decides the code claimed); other kinds take none."""
    from clients.models import Client

    require_claim_writer(actor)
    client = visible(Client.objects.all(), actor).filter(pk=client_id).first()
    if client is None:
        raise Http404("見つかりません。")
    refuse_if_closed(actor.office.pk, month, client.pk)  # open 過誤: this client is writable
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": "種類を選んでください。"})
    problem = variant_problem(kind, variant)
    if problem:
        raise ValidationError({"variant": problem})
    end = month.replace(day=days_in_month(month))
    if not month <= proof_on <= end:
        raise ValidationError(
            {"proof_on": f"根拠の日付は{month.year}年{month.month}月中の日付にしてください。"}
        )
    if ClaimEvidence.objects.filter(client=client, month=month, kind=kind).exists():
        raise ValidationError(
            {"kind": f"{EvidenceKind(kind).label}はこの月に登録済みです（1か月に1回）。"}
        )
    try:
        with transaction.atomic():
            return ClaimEvidence.objects.create(
                client=client,
                month=month,
                kind=kind,
                proof_on=proof_on,
                note=note[:300],
                variant=variant,
                created_by=actor.staff,
            )
    except IntegrityError as error:  # saved by someone else in between
        raise ValidationError(
            {"kind": f"{EvidenceKind(kind).label}はこの月に登録済みです（1か月に1回）。"}
        ) from error


@transaction.atomic
def delete_evidence(*, actor: Actor, evidence_id: int) -> None:
    require_claim_writer(actor)
    row = visible(ClaimEvidence.objects.all(), actor).filter(pk=evidence_id).first()
    if row is None:
        raise Http404("見つかりません。")
    refuse_if_closed(actor.office.pk, row.month, row.client_id)
    row.delete()


def _care_manager_ids(office) -> dict[int, str]:  # noqa: ANN001
    from billing.office_claim.claim import care_managers_of

    return dict(care_managers_of(office))


def parse_fte(text: str) -> Decimal | None:
    """'' → None (no row: counted 1.00); else 0.01–1.00 with up to 2 decimals."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError as error:
        raise ValueError("数値で入力してください（例：0.5）。") from error
    if not value.is_finite() or value <= 0 or value > 1:
        raise ValueError("0より大きく1.00以下で入力してください。")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("小数第2位までで入力してください。")
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def save_fte(
    *,
    actor: Actor,
    month: dt.date,
    values: Mapping[int, str],
    loaded: Mapping[int, str],
) -> None:
    """Save the month's 常勤換算. `loaded` holds what the form showed (optimistic check:
    if any row differs from it now, StaleFteError and nothing is written)."""
    require_claim_writer(actor)
    office = actor.office
    refuse_if_closed(office.pk, month)
    names = _care_manager_ids(office)
    errors: dict[str, str] = {}
    parsed: dict[int, Decimal | None] = {}
    for staff_id in names:
        try:
            parsed[staff_id] = parse_fte(values.get(staff_id, ""))
        except ValueError as error:
            errors[f"fte_{staff_id}"] = str(error)
    if errors:
        raise ValidationError(errors)
    current = {
        row.staff_id: row
        for row in StaffMonthFte.objects.select_for_update().filter(office=office, month=month)
    }
    changed = [
        names[staff_id]
        for staff_id in names
        if _fte_text(current.get(staff_id)) != (loaded.get(staff_id) or "").strip()
    ]
    if changed:
        raise StaleFteError(changed)
    for staff_id, value in parsed.items():
        row = current.get(staff_id)
        if value is None:
            if row is not None:
                row.delete()
        elif row is None:
            StaffMonthFte.objects.create(office=office, staff_id=staff_id, month=month, fte=value)
        elif row.fte != value:
            row.fte = value
            row.save(update_fields=["fte"])


def _fte_text(row: StaffMonthFte | None) -> str:
    return "" if row is None else f"{row.fte:.2f}"


def fte_texts(office, month: dt.date) -> dict[int, str]:  # noqa: ANN001
    return {
        row.staff_id: _fte_text(row)
        for row in StaffMonthFte.objects.filter(office=office, month=month)
    }


SETTINGS_FIELDS = (
    "fee_category",
    "specific_office_addition",
    "special_area",
    "hilly_small_office",
    "hilly_resident",
    "abuse_prevention_missing",
    "bcp_missing",
)


@transaction.atomic
def save_settings(
    *, actor: Actor, values: Mapping[str, object], expected_version: int | None
) -> OfficeClaimSettings:
    """Save the office's 体制 under its `version` (StaleSettingsError when it moved on)."""
    require_manager(actor)
    OfficeClaimSettings.objects.get_or_create(office=actor.office)
    locked = OfficeClaimSettings.objects.select_for_update().get(office=actor.office)
    if expected_version is None or locked.version != expected_version:
        raise StaleSettingsError(locked)
    for name in SETTINGS_FIELDS:
        setattr(locked, name, values[name])
    locked.full_clean()
    locked.version += 1
    locked.save()
    return locked
