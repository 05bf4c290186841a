"""Keep the office claim's 加算 evidence (billing ClaimEvidence) in step with the hospital
records.

The evidence of a client-month is *derived*: `refresh_client_month` recomputes what the
records prove for that month and makes the automatic rows say exactly that — it creates,
updates or deletes only rows whose note starts with AUTO_NOTE_PREFIX. A row typed by hand on
the office-claim screen is never touched (it already claims the month; the unique constraint
allows one row per client × month × kind).

- 入院時情報連携加算: the admission month (stay.admitted_on), the best of the month's stays
  (Ⅰ before Ⅱ); only one of hospital_1 / hospital_2 per month. proof_on = provided_on,
  which may fall in the next month (admitted on the 31st, provided on the 2nd).
- 退院・退所加算: the discharge month, once the stay is discharged; the best variant among
  the month's discharges (one per stay, one row per month). The variant goes in the row's
  `variant` (the code billing claims, billing.office_claim.additions) and in the note; a
  liaison recorded later moves it (Ⅰイ → Ⅰロ when a conference is added).
- 通院時情報連携加算: the month of the visit, once per month (the first visit is the proof).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from billing.models.office_claim import ClaimEvidence
from clients.models import HospitalStay
from monitoring.hospital.additions import (
    DISCHARGE_VARIANTS,
    HOSPITAL_1,
    HOSPITAL_2,
    admission_info_addition,
    discharge_addition_variant,
    discharge_variant_label,
)
from monitoring.models import AdmissionInfoSheet, DischargeConference, OutpatientLiaison

AUTO_NOTE_PREFIX = "【記録から】"
HOSPITAL_KINDS = (HOSPITAL_1, HOSPITAL_2, "discharge", "outpatient")


@dataclass(frozen=True)
class Proof:
    kind: str
    proof_on: dt.date
    note: str
    variant: str = ""  # 退院・退所加算 only


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _admission_proof(client_id: int, month: dt.date) -> Proof | None:
    best: Proof | None = None
    sheets = AdmissionInfoSheet.objects.filter(
        stay__client_id=client_id,
        stay__admitted_on__gte=month,
        stay__admitted_on__lt=_next_month(month),
        provided_on__isnull=False,
    ).select_related("stay")
    for sheet in sheets.order_by("provided_on", "pk"):
        kind = admission_info_addition(
            sheet.stay.admitted_on, sheet.provided_on, after_hours=sheet.after_hours
        )
        if kind is None or (best is not None and best.kind == HOSPITAL_1):
            continue
        if best is None or kind == HOSPITAL_1:
            note = (
                f"入院時情報提供書：{sheet.stay.hospital_name}へ"
                f"{sheet.get_provided_method_display() or '提供'}（入院 {sheet.stay.admitted_on:%Y-%m-%d}、"
                f"提供 {sheet.provided_on:%Y-%m-%d}）"
            )
            best = Proof(kind, sheet.provided_on, note)
    return best


def _discharge_proof(client_id: int, month: dt.date) -> Proof | None:
    stays = list(
        HospitalStay.objects.filter(
            client_id=client_id, discharged_on__gte=month, discharged_on__lt=_next_month(month)
        ).order_by("discharged_on", "pk")
    )
    kinds: dict[int, list[str]] = {stay.pk: [] for stay in stays}
    for stay_id, kind in DischargeConference.objects.filter(stay_id__in=kinds).values_list(
        "stay_id", "kind"
    ):
        kinds[stay_id].append(kind)
    best: tuple[int, Proof] | None = None
    for stay in stays:
        variant = discharge_addition_variant(kinds[stay.pk])
        if variant is None:
            continue
        held = kinds[stay.pk]
        conferences = held.count("conference")
        note = (
            f"{discharge_variant_label(variant)}相当：{stay.hospital_name}"
            f"（退院 {stay.discharged_on:%Y-%m-%d}、連携{len(held)}回・カンファレンス{conferences}回）"
        )
        units = DISCHARGE_VARIANTS[variant]
        if best is None or units > best[0]:
            best = (units, Proof("discharge", stay.discharged_on, note, variant))
    return best[1] if best else None


def _outpatient_proof(client_id: int, month: dt.date) -> Proof | None:
    first = (
        OutpatientLiaison.objects.filter(
            client_id=client_id, accompanied_on__gte=month, accompanied_on__lt=_next_month(month)
        )
        .order_by("accompanied_on", "pk")
        .first()
    )
    if first is None:
        return None
    doctor = first.doctor_name or (str(first.doctor) if first.doctor_id else "")
    return Proof(
        "outpatient",
        first.accompanied_on,
        f"通院時情報連携：{first.clinic}{('（' + doctor + '）') if doctor else ''}",
    )


def proofs_for(client_id: int, month: dt.date) -> dict[str, Proof]:
    """What the hospital records prove for one client-month, by evidence kind."""
    proofs = [
        _admission_proof(client_id, month),
        _discharge_proof(client_id, month),
        _outpatient_proof(client_id, month),
    ]
    return {proof.kind: proof for proof in proofs if proof is not None}


def refresh_client_month(*, client_id: int, month: dt.date, staff) -> None:  # noqa: ANN001
    """Make the automatic evidence rows of the client-month match the records (call inside
    the transaction that changed them)."""
    month = month_of(month)
    wanted = proofs_for(client_id, month)
    rows = {
        row.kind: row
        for row in ClaimEvidence.objects.select_for_update().filter(
            client_id=client_id, month=month, kind__in=HOSPITAL_KINDS
        )
    }
    # 入院時情報連携加算 is once a month: a hand-typed Ⅰ or Ⅱ already claims it.
    hand_typed_admission = any(
        kind in (HOSPITAL_1, HOSPITAL_2) and not row.note.startswith(AUTO_NOTE_PREFIX)
        for kind, row in rows.items()
    )
    for kind in HOSPITAL_KINDS:
        row = rows.get(kind)
        if row is not None and not row.note.startswith(AUTO_NOTE_PREFIX):
            continue  # typed by hand on the office-claim screen: never touched
        proof = wanted.get(kind)
        if kind in (HOSPITAL_1, HOSPITAL_2) and hand_typed_admission:
            proof = None
        if proof is None:
            if row is not None:
                row.delete()
            continue
        note = (AUTO_NOTE_PREFIX + proof.note)[:300]
        if row is None:
            ClaimEvidence.objects.create(
                client_id=client_id,
                month=month,
                kind=kind,
                proof_on=proof.proof_on,
                note=note,
                variant=proof.variant,
                created_by=staff,
            )
        elif (row.proof_on, row.note, row.variant) != (proof.proof_on, note, proof.variant):
            row.proof_on, row.note, row.variant = proof.proof_on, note, proof.variant
            row.save(update_fields=["proof_on", "note", "variant"])


def refresh_client_months(*, client_id: int, days: Iterable[dt.date | None], staff) -> None:  # noqa: ANN001
    for month in sorted({month_of(day) for day in days if day is not None}):
        refresh_client_month(client_id=client_id, month=month, staff=staff)
