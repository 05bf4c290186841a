"""Every write of the hospital screens (入退院・医療連携). Keyword-only, one transaction each;
bad input raises `ValidationError` with field messages and writes nothing, a stale form
raises `StaleEditError`.

Who: admissions, discharges and stay corrections are register facts (any writer, 事務
included, like the client page's 入院・終了 screen); the 入院時情報提供書, conferences and
通院時情報連携 are the care manager's work (`require_plan_writer`).

Every write that can change a hospital 加算 refreshes the client-months it touches
(`monitoring.hospital.evidence`), and sends the client event that writes the 第5表 entry.
Conferences and 通院時情報連携 live in `liaisons.py` and are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from caremgmt.access import Actor, require_plan_writer, require_writer
from caremgmt.events import emit
from caremgmt.locking import lock_for_edit
from caremgmt.wareki import wareki_date
from clients.models import Client, ClientStatus, HospitalStay
from clients.services import client_change_status
from monitoring.hospital.additions import admission_info_addition
from monitoring.hospital.checks import not_future as _not_future
from monitoring.hospital.checks import today_or as _today
from monitoring.hospital.evidence import refresh_client_months
from monitoring.hospital.liaisons import (  # noqa: F401  (退院前カンファレンス・通院時情報連携)
    conference_delete,
    conference_record,
    conference_update,
    outpatient_delete,
    outpatient_record,
    outpatient_update,
)
from monitoring.hospital.prefill import SECTION_KEYS, prefill_admission_sheet
from monitoring.models import (
    AdmissionInfoSheet,
    DischargeConference,
    HandoffMethod,
)

HOSPITAL_REQUIRED = "入院先の医療機関を入力してください。"
ADMITTED_REQUIRED = "入院日を入力してください。"
STAY_FIELDS = ("hospital_name", "admitted_on", "discharged_on", "ward_contact", "notes")
SHEET_FIELDS = ("content", "after_hours", "provided_on", "provided_method", "provided_to")
SECTION_MAX_CHARS = 4000


def _overlap_message(
    client_id: int, admitted_on: dt.date, discharged_on: dt.date | None, exclude: int | None
) -> str:
    """The stay this one would overlap ('' when none). Stays touch on one day at most: a
    client may be discharged and admitted again on the same day."""
    others = HospitalStay.objects.filter(client_id=client_id).exclude(pk=exclude)
    last = discharged_on or dt.date.max
    clash = (
        others.filter(admitted_on__lt=last)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=admitted_on))
        .order_by("admitted_on")
        .first()
    )
    if clash is None and discharged_on is None:
        clash = others.filter(admitted_on__gte=admitted_on).order_by("admitted_on").first()
    if clash is None:
        return ""
    if clash.discharged_on is None:
        return (
            f"入院中の記録があります（{clash.hospital_name}、{wareki_date(clash.admitted_on)}〜）。"
            "先に退院を記録してください。"
        )
    return (
        f"別の入院（{clash.hospital_name}、{wareki_date(clash.admitted_on)}〜"
        f"{wareki_date(clash.discharged_on)}）と期間が重なります。"
    )


# --- admission, discharge, correction ------------------------------------------------------


@transaction.atomic
def stay_admit(
    *,
    actor: Actor,
    client: Client,
    hospital_name: str,
    admitted_on: dt.date | None,
    ward_contact: str = "",
    notes: str = "",
    today: dt.date | None = None,
) -> HospitalStay:
    """入院: a new open stay, the client 入院中 (through the clients service), event "admitted"."""
    require_writer(actor)
    today = _today(today)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    errors: dict[str, str] = {}
    hospital_name = (hospital_name or "").strip()
    if not hospital_name:
        errors["hospital_name"] = HOSPITAL_REQUIRED
    if admitted_on is None:
        errors["admitted_on"] = ADMITTED_REQUIRED
    _not_future(errors, "admitted_on", admitted_on, today)
    if locked.status not in (ClientStatus.CONTRACTED, ClientStatus.HOSPITALIZED):
        errors["__all__"] = (
            f"「{locked.get_status_display()}」の利用者には入院を登録できません（契約中の方のみ）。"
        )
    if admitted_on is not None and "admitted_on" not in errors:
        overlap = _overlap_message(locked.pk, admitted_on, None, None)
        if overlap:
            errors["admitted_on"] = overlap
    if errors:
        raise ValidationError(errors)
    stay = HospitalStay.objects.create(
        client=locked,
        hospital_name=hospital_name,
        admitted_on=admitted_on,
        ward_contact=(ward_contact or "").strip(),
        notes=notes or "",
        created_by=actor.staff,
    )
    if locked.status == ClientStatus.CONTRACTED:
        client_change_status(
            actor=actor, client=locked, status=ClientStatus.HOSPITALIZED, changed_on=admitted_on
        )
    emit(
        "admitted",
        client_id=locked.pk,
        on=admitted_on,
        summary=f"{hospital_name}に入院。"
        + (f"病棟・連絡先：{stay.ward_contact}" if stay.ward_contact else ""),
        source=stay,
        actor=actor.staff,
        counterpart=hospital_name,
    )
    return stay


def _conference_after(stay: HospitalStay, last_day: dt.date) -> DischargeConference | None:
    return stay.discharge_conferences.filter(held_on__gt=last_day).order_by("held_on").first()


@transaction.atomic
def stay_discharge(
    *,
    actor: Actor,
    stay: HospitalStay,
    discharged_on: dt.date | None,
    notes: str = "",
    today: dt.date | None = None,
) -> HospitalStay:
    """退院: close the open stay; the client back to 契約中 when no other stay is open;
    event "discharged"; the discharge month's 退院・退所加算 evidence from the conferences.
    A checked state transition: refused unless the stay is still open (row locked)."""
    require_writer(actor)
    today = _today(today)
    Client.objects.select_for_update().filter(pk=stay.client_id).first()
    locked = HospitalStay.objects.select_for_update().get(pk=stay.pk)
    if locked.discharged_on is not None:
        raise ValidationError(
            {
                "discharged_on": f"この入院は{wareki_date(locked.discharged_on)}に退院済みです。"
                "日付を直すときは「入院記録の修正」から。"
            }
        )
    errors: dict[str, str] = {}
    if discharged_on is None:
        errors["discharged_on"] = "退院日を入力してください。"
    elif discharged_on < locked.admitted_on:
        errors["discharged_on"] = (
            f"退院日は入院日（{wareki_date(locked.admitted_on)}）以降の日付にしてください。"
        )
    _not_future(errors, "discharged_on", discharged_on, today)
    if discharged_on is not None and not errors:
        late = _conference_after(locked, discharged_on)
        if late is not None:
            errors["discharged_on"] = (
                f"{wareki_date(late.held_on)}の退院前カンファレンスより前の日付です。"
            )
    if errors:
        raise ValidationError(errors)
    HospitalStay.objects.filter(pk=locked.pk).update(
        discharged_on=discharged_on,
        notes=_append(locked.notes, notes),
        version=F("version") + 1,
    )
    locked.refresh_from_db()
    client = Client.objects.get(pk=locked.client_id)
    still_in = HospitalStay.objects.filter(client_id=client.pk, discharged_on__isnull=True)
    if client.status == ClientStatus.HOSPITALIZED and not still_in.exists():
        client_change_status(
            actor=actor, client=client, status=ClientStatus.CONTRACTED, changed_on=discharged_on
        )
    refresh_client_months(client_id=client.pk, days=[discharged_on], staff=actor.staff)
    emit(
        "discharged",
        client_id=client.pk,
        on=discharged_on,
        summary=f"{locked.hospital_name}を退院（入院 {wareki_date(locked.admitted_on)}〜）。"
        "ケアプランの見直しを検討。",
        source=locked,
        actor=actor.staff,
        counterpart=locked.hospital_name,
    )
    return locked


def _append(text: str, addition: str) -> str:
    addition = (addition or "").strip()
    if not addition:
        return text
    return f"{text}\n{addition}" if text else addition


@transaction.atomic
def stay_update(
    *,
    actor: Actor,
    stay: HospitalStay,
    expected_version: int | None,
    fields: Mapping[str, object],
    today: dt.date | None = None,
) -> HospitalStay:
    """入院記録の修正 under the optimistic lock. The 加算 evidence of every month the old and
    the new dates touch is recomputed (a correction can make a 加算 appear or go)."""
    require_writer(actor)
    today = _today(today)
    Client.objects.select_for_update().filter(pk=stay.client_id).first()
    locked = lock_for_edit(stay, expected_version, STAY_FIELDS)
    before = (locked.admitted_on, locked.discharged_on)
    hospital_name = str(fields.get("hospital_name") or "").strip()
    admitted_on = fields.get("admitted_on")
    discharged_on = fields.get("discharged_on") if locked.discharged_on else None
    errors: dict[str, str] = {}
    if not hospital_name:
        errors["hospital_name"] = HOSPITAL_REQUIRED
    if admitted_on is None:
        errors["admitted_on"] = ADMITTED_REQUIRED
    if locked.discharged_on is not None and discharged_on is None:
        errors["discharged_on"] = "退院日を入力してください（退院の取り消しはできません）。"
    _not_future(errors, "admitted_on", admitted_on, today)
    _not_future(errors, "discharged_on", discharged_on, today)
    if admitted_on and discharged_on and discharged_on < admitted_on and not errors:
        errors["discharged_on"] = (
            f"退院日は入院日（{wareki_date(admitted_on)}）以降の日付にしてください。"
        )
    if not errors:
        overlap = _overlap_message(locked.client_id, admitted_on, discharged_on, locked.pk)
        if overlap:
            errors["admitted_on"] = overlap
    if not errors:
        outside = locked.discharge_conferences.filter(
            Q(held_on__lt=admitted_on) | Q(held_on__gt=discharged_on or today)
        ).first()
        if outside is not None:
            errors["admitted_on"] = (
                f"{wareki_date(outside.held_on)}の退院前カンファレンスが入院期間の外になります。"
            )
    if errors:
        raise ValidationError(errors)
    locked.hospital_name = hospital_name
    locked.admitted_on = admitted_on
    locked.discharged_on = discharged_on
    locked.ward_contact = str(fields.get("ward_contact") or "").strip()
    locked.notes = str(fields.get("notes") or "")
    locked.version += 1
    locked.save()
    refresh_client_months(
        client_id=locked.client_id, days=[*before, admitted_on, discharged_on], staff=actor.staff
    )
    return locked


# --- 入院時情報提供書 -------------------------------------------------------------------------


def _sheet_for_write(
    actor: Actor, stay: HospitalStay, expected_version: int | None
) -> AdmissionInfoSheet:
    """The stay's sheet, locked and version-checked; created (prefilled) when there is none
    yet and the form was loaded without one (expected_version None)."""
    HospitalStay.objects.select_for_update().get(pk=stay.pk)
    existing = AdmissionInfoSheet.objects.filter(stay=stay).first()
    if existing is None:
        return AdmissionInfoSheet(
            stay=stay, content=prefill_admission_sheet(stay), author=actor.staff, version=0
        )
    return lock_for_edit(existing, expected_version, SHEET_FIELDS)


def _save_sheet(sheet: AdmissionInfoSheet) -> AdmissionInfoSheet:
    sheet.version += 1
    sheet.save()
    return sheet


@transaction.atomic
def admission_sheet_save(
    *,
    actor: Actor,
    stay: HospitalStay,
    expected_version: int | None,
    content: Mapping[str, str],
) -> AdmissionInfoSheet:
    """Save the sheet's sections (the text that prints)."""
    require_plan_writer(actor)
    sheet = _sheet_for_write(actor, stay, expected_version)
    errors = {
        f"section_{key}": f"{SECTION_MAX_CHARS}文字以内で入力してください。"
        for key in SECTION_KEYS
        if len(content.get(key) or "") > SECTION_MAX_CHARS
    }
    if errors:
        raise ValidationError(errors)
    sheet.content = {key: (content.get(key) or "").replace("\r\n", "\n") for key in SECTION_KEYS}
    return _save_sheet(sheet)


@transaction.atomic
def admission_sheet_provided(
    *,
    actor: Actor,
    stay: HospitalStay,
    expected_version: int | None,
    provided_on: dt.date | None,
    provided_method: str,
    provided_to: str,
    after_hours: bool,
    today: dt.date | None = None,
) -> AdmissionInfoSheet:
    """Record (or correct) when and how the sheet reached the hospital. Dates before the
    admission are allowed (information given beforehand counts for Ⅰ), future dates are not.
    Recomputes the admission month's 入院時情報連携加算 evidence."""
    require_plan_writer(actor)
    today = _today(today)
    sheet = _sheet_for_write(actor, stay, expected_version)
    errors: dict[str, str] = {}
    if provided_on is None:
        errors["provided_on"] = "提供日を入力してください。"
    _not_future(errors, "provided_on", provided_on, today)
    if provided_method not in HandoffMethod.values:
        errors["provided_method"] = "提供方法を選んでください。"
    if errors:
        raise ValidationError(errors)
    first_time = sheet.provided_on is None
    sheet.provided_on = provided_on
    sheet.provided_method = provided_method
    sheet.provided_to = (provided_to or "").strip()
    sheet.after_hours = after_hours
    _save_sheet(sheet)
    refresh_client_months(client_id=stay.client_id, days=[stay.admitted_on], staff=actor.staff)
    kind = admission_info_addition(stay.admitted_on, provided_on, after_hours=after_hours)
    addition = {"hospital_1": "入院時情報連携加算（Ⅰ）", "hospital_2": "入院時情報連携加算（Ⅱ）"}
    if first_time:
        emit(
            "admission_info_provided",
            client_id=stay.client_id,
            on=provided_on,
            summary=f"入院時情報提供書を{stay.hospital_name}へ{sheet.get_provided_method_display()}"
            f"で提供（入院 {wareki_date(stay.admitted_on)}）。"
            + (f"{addition[kind]}の要件を満たす。" if kind else "算定期限を過ぎています。"),
            source=sheet,
            actor=actor.staff,
            counterpart=sheet.provided_to or stay.hospital_name,
        )
    return sheet
