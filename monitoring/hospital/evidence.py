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

A month whose office claim is 送信済み (billing.office_claim.close) is not refreshed: what the
sync would change there is listed on the claim page as 「記録と請求の相違」
(`claim_differences`, registered from MonitoringConfig.ready), from the same proofs and the
same `planned_changes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from billing.models.office_claim import ClaimEvidence, DischargeVariant, EvidenceKind
from billing.office_claim.close import month_closed_for_client, register_record_check
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
CHECK_NAME = "monitoring.hospital_records"


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


def _admission_proof(sheets: Iterable[AdmissionInfoSheet]) -> Proof | None:
    """The best proof among one client-month's provided sheets (ordered by provided_on)."""
    best: Proof | None = None
    for sheet in sheets:
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


def _discharge_proof(stays: Iterable[HospitalStay], kinds: dict[int, list[str]]) -> Proof | None:
    """The best variant among one client-month's discharges (`kinds`: liaison kinds by stay)."""
    best: tuple[int, Proof] | None = None
    for stay in stays:
        variant = discharge_addition_variant(kinds.get(stay.pk, []))
        if variant is None:
            continue
        held = kinds.get(stay.pk, [])
        conferences = held.count("conference")
        note = (
            f"{discharge_variant_label(variant)}相当：{stay.hospital_name}"
            f"（退院 {stay.discharged_on:%Y-%m-%d}、連携{len(held)}回・カンファレンス{conferences}回）"
        )
        units = DISCHARGE_VARIANTS[variant]
        if best is None or units > best[0]:
            best = (units, Proof("discharge", stay.discharged_on, note, variant))
    return best[1] if best else None


def _outpatient_proof(first: OutpatientLiaison | None) -> Proof | None:
    if first is None:
        return None
    doctor = first.doctor_name or (str(first.doctor) if first.doctor_id else "")
    return Proof(
        "outpatient",
        first.accompanied_on,
        f"通院時情報連携：{first.clinic}{('（' + doctor + '）') if doctor else ''}",
    )


def proofs_by_client(client_ids: Sequence[int], month: dt.date) -> dict[int, dict[str, Proof]]:
    """What the hospital records prove for each client of the month, by evidence kind, in 4
    queries whatever the number of clients (clients proving nothing are left out)."""
    ids = list(client_ids)
    after = _next_month(month)
    sheets: dict[int, list[AdmissionInfoSheet]] = {}
    for sheet in (
        AdmissionInfoSheet.objects.filter(
            stay__client_id__in=ids,
            stay__admitted_on__gte=month,
            stay__admitted_on__lt=after,
            provided_on__isnull=False,
        )
        .select_related("stay")
        .order_by("provided_on", "pk")
    ):
        sheets.setdefault(sheet.stay.client_id, []).append(sheet)
    stays: dict[int, list[HospitalStay]] = {}
    for stay in HospitalStay.objects.filter(
        client_id__in=ids, discharged_on__gte=month, discharged_on__lt=after
    ).order_by("discharged_on", "pk"):
        stays.setdefault(stay.client_id, []).append(stay)
    kinds: dict[int, list[str]] = {stay.pk: [] for rows in stays.values() for stay in rows}
    for stay_id, kind in DischargeConference.objects.filter(stay_id__in=kinds).values_list(
        "stay_id", "kind"
    ):
        kinds[stay_id].append(kind)
    firsts: dict[int, OutpatientLiaison] = {}
    for liaison in OutpatientLiaison.objects.filter(
        client_id__in=ids, accompanied_on__gte=month, accompanied_on__lt=after
    ).order_by("client_id", "accompanied_on", "pk"):
        firsts.setdefault(liaison.client_id, liaison)
    found: dict[int, dict[str, Proof]] = {}
    for client_id in ids:
        proofs = [
            _admission_proof(sheets.get(client_id, [])),
            _discharge_proof(stays.get(client_id, []), kinds),
            _outpatient_proof(firsts.get(client_id)),
        ]
        wanted = {proof.kind: proof for proof in proofs if proof is not None}
        if wanted:
            found[client_id] = wanted
    return found


def proofs_for(client_id: int, month: dt.date) -> dict[str, Proof]:
    """What the hospital records prove for one client-month, by evidence kind."""
    return proofs_by_client([client_id], month).get(client_id, {})


@dataclass(frozen=True)
class Change:
    """One write the sync makes: create (row None), update, or delete (proof None)."""

    kind: str
    row: ClaimEvidence | None
    proof: Proof | None
    note: str = ""  # the automatic row's note for `proof`


def planned_changes(rows: dict[str, ClaimEvidence], wanted: dict[str, Proof]) -> list[Change]:
    """The writes that make the automatic rows (`rows`: the month's hospital-kind rows by
    kind) say what the records prove (`wanted`). Hand-typed rows are never touched."""
    # 入院時情報連携加算 is once a month: a hand-typed Ⅰ or Ⅱ already claims it.
    hand_typed_admission = any(
        kind in (HOSPITAL_1, HOSPITAL_2) and not row.note.startswith(AUTO_NOTE_PREFIX)
        for kind, row in rows.items()
    )
    changes: list[Change] = []
    for kind in HOSPITAL_KINDS:
        row = rows.get(kind)
        if row is not None and not row.note.startswith(AUTO_NOTE_PREFIX):
            continue  # typed by hand on the office-claim screen: never touched
        proof = wanted.get(kind)
        if kind in (HOSPITAL_1, HOSPITAL_2) and hand_typed_admission:
            proof = None
        if proof is None:
            if row is not None:
                changes.append(Change(kind, row, None))
            continue
        note = (AUTO_NOTE_PREFIX + proof.note)[:300]
        if row is None or (row.proof_on, row.note, row.variant) != (
            proof.proof_on,
            note,
            proof.variant,
        ):
            changes.append(Change(kind, row, proof, note))
    return changes


def refresh_client_month(*, client_id: int, month: dt.date, staff) -> None:  # noqa: ANN001
    """Make the automatic evidence rows of the client-month match the records (call inside
    the transaction that changed them). A month whose office claim is 送信済み is left
    alone: the claim page shows the difference instead (`claim_differences`)."""
    month = month_of(month)
    if month_closed_for_client(client_id, month):
        return
    wanted = proofs_for(client_id, month)
    rows = {
        row.kind: row
        for row in ClaimEvidence.objects.select_for_update().filter(
            client_id=client_id, month=month, kind__in=HOSPITAL_KINDS
        )
    }
    for change in planned_changes(rows, wanted):
        row, proof = change.row, change.proof
        if proof is None:
            row.delete()
        elif row is None:
            ClaimEvidence.objects.create(
                client_id=client_id,
                month=month,
                kind=change.kind,
                proof_on=proof.proof_on,
                note=change.note,
                variant=proof.variant,
                created_by=staff,
            )
        else:
            row.proof_on, row.note, row.variant = proof.proof_on, change.note, proof.variant
            row.save(update_fields=["proof_on", "note", "variant"])


def _label(kind: str, variant: str) -> str:
    label = EvidenceKind(kind).label
    if kind == "discharge" and variant in DischargeVariant.values:
        return f"{label}（{DischargeVariant(variant).label}）"
    return label


def _difference_text(change: Change) -> str:
    row, proof = change.row, change.proof
    if proof is None:
        return f"送信した請求の{_label(row.kind, row.variant)}は、記録ではもう裏付けられません。"
    proved = _label(proof.kind, proof.variant)
    if row is None:
        return f"記録では{proved}を算定できますが、送信した請求にありません（{proof.note}）。"
    claimed = _label(row.kind, row.variant)
    if claimed != proved:
        return f"記録では{proved}ですが、送信した請求は{claimed}です（{proof.note}）。"
    return f"{claimed}の根拠が記録と変わっています（記録：{proof.note}。請求額は変わりません）。"


def claim_differences(
    month: dt.date, evidence_by_client: Mapping[int, Sequence[ClaimEvidence]]
) -> dict[int, list[str]]:
    """The writes the sync would make for a 送信済み month, as texts per client (billing's
    record check, `billing.office_claim.close`): 4 queries for any number of clients."""
    month = month_of(month)
    proofs = proofs_by_client(list(evidence_by_client), month)
    found: dict[int, list[str]] = {}
    for client_id, evidence in evidence_by_client.items():
        rows = {row.kind: row for row in evidence if row.kind in HOSPITAL_KINDS}
        texts = [
            _difference_text(change) for change in planned_changes(rows, proofs.get(client_id, {}))
        ]
        if texts:
            found[client_id] = texts
    return found


def register_claim_check() -> None:
    """Register `claim_differences` with billing's record checks (from MonitoringConfig.ready)."""
    register_record_check(claim_differences, name=CHECK_NAME)


def refresh_client_months(*, client_id: int, days: Iterable[dt.date | None], staff) -> None:  # noqa: ANN001
    for month in sorted({month_of(day) for day in days if day is not None}):
        refresh_client_month(client_id=client_id, month=month, staff=staff)
