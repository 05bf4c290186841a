"""Every write of the hospital screens (入退院・医療連携). Keyword-only, one transaction each;
bad input raises `ValidationError` with field messages and writes nothing, a stale form
raises `StaleEditError`.

Who: admissions, discharges and stay corrections are register facts (any writer, 事務
included, like the client page's 入院・終了 screen); the 入院時情報提供書, conferences and
通院時情報連携 are the care manager's work (`require_plan_writer`).

Every write that can change a hospital 加算 refreshes the client-months it touches
(`monitoring.hospital.evidence`), and sends the client event that writes the 第5表 entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from caremgmt.access import Actor, require_plan_writer, require_writer
from caremgmt.events import emit, source_of
from caremgmt.locking import lock_for_edit
from caremgmt.wareki import wareki_date
from clients.models import Client, ClientStatus, Doctor, HospitalStay
from clients.services import client_change_status
from monitoring.hospital.additions import admission_info_addition
from monitoring.hospital.evidence import refresh_client_months
from monitoring.hospital.prefill import SECTION_KEYS, prefill_admission_sheet
from monitoring.hospital.support_log_corrections import support_log_correct_liaison
from monitoring.models import (
    AdmissionInfoSheet,
    DischargeConference,
    HandoffMethod,
    OutpatientLiaison,
)
from monitoring.models.hospital import ConferenceKind

FUTURE_MESSAGE = "未来の日付は入力できません。"
HOSPITAL_REQUIRED = "入院先の医療機関を入力してください。"
ADMITTED_REQUIRED = "入院日を入力してください。"
STAY_FIELDS = ("hospital_name", "admitted_on", "discharged_on", "ward_contact", "notes")
SHEET_FIELDS = ("content", "after_hours", "provided_on", "provided_method", "provided_to")
CONFERENCE_FIELDS = ("held_on", "kind", "place", "attendees", "content", "plan_review_needed")
OUTPATIENT_FIELDS = (
    "accompanied_on",
    "clinic",
    "doctor",
    "doctor_name",
    "information_given",
    "information_received",
)
SECTION_MAX_CHARS = 4000


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _not_future(errors: dict[str, str], field: str, day: dt.date | None, today: dt.date) -> None:
    if day is not None and day > today and field not in errors:
        errors[field] = FUTURE_MESSAGE


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


# --- 退院前カンファレンス / 通院時情報連携 -----------------------------------------------------


def _conference_errors(
    stay: HospitalStay,
    *,
    held_on: dt.date | None,
    kind: str,
    attendees: str,
    content: str,
    today: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    last_day = min(stay.discharged_on or today, today)
    if held_on is None:
        errors["held_on"] = "実施日を入力してください。"
    elif held_on > today:
        errors["held_on"] = FUTURE_MESSAGE
    elif not stay.admitted_on <= held_on <= last_day:
        errors["held_on"] = (
            f"実施日は入院日（{wareki_date(stay.admitted_on)}）から"
            f"{'退院日' if stay.discharged_on else '今日'}（{wareki_date(last_day)}）までの日付にしてください。"
        )
    if kind not in ConferenceKind.values:
        errors["kind"] = "方法を選んでください。"
    if not (attendees or "").strip():
        errors["attendees"] = "参加者を入力してください。"
    if not (content or "").strip():
        errors["content"] = "内容を入力してください。"
    return errors


def _conference_summary(conference: DischargeConference, stay: HospitalStay) -> str:
    return (
        f"{conference.get_kind_display()}（{stay.hospital_name}）。参加者：{conference.attendees}。"
        f"{conference.content}"
        + ("　ケアプランの見直しが必要。" if conference.plan_review_needed else "")
    )


@transaction.atomic
def conference_record(
    *,
    actor: Actor,
    stay: HospitalStay,
    held_on: dt.date | None,
    kind: str,
    place: str,
    attendees: str,
    content: str,
    plan_review_needed: bool,
    today: dt.date | None = None,
) -> DischargeConference:
    """退院前カンファレンス (or an interview with the hospital's staff) during the stay, up to
    the discharge day. Once the stay is discharged the discharge month's 退院・退所加算
    evidence is recomputed."""
    require_plan_writer(actor)
    today = _today(today)
    locked = HospitalStay.objects.select_for_update().get(pk=stay.pk)
    errors = _conference_errors(
        locked, held_on=held_on, kind=kind, attendees=attendees, content=content, today=today
    )
    if errors:
        raise ValidationError(errors)
    conference = DischargeConference.objects.create(
        stay=locked,
        held_on=held_on,
        kind=kind,
        place=(place or "").strip(),
        attendees=attendees.strip(),
        content=content.strip(),
        plan_review_needed=plan_review_needed,
        author=actor.staff,
    )
    refresh_client_months(
        client_id=locked.client_id, days=[locked.discharged_on], staff=actor.staff
    )
    emit(
        "discharge_conference",
        client_id=locked.client_id,
        on=held_on,
        summary=_conference_summary(conference, locked),
        source=conference,
        actor=actor.staff,
        counterpart=locked.hospital_name,
    )
    return conference


@transaction.atomic
def conference_update(
    *,
    actor: Actor,
    conference: DischargeConference,
    expected_version: int | None,
    fields: Mapping[str, object],
    today: dt.date | None = None,
) -> DischargeConference:
    """Correct a recorded conference under the optimistic lock: the same rules as recording
    it, the discharge month's 退院・退所加算 evidence recomputed (the kind decides the 区分), and
    a 第5表 correction of its automatic entry."""
    require_plan_writer(actor)
    today = _today(today)
    stay = HospitalStay.objects.select_for_update().get(pk=conference.stay_id)
    locked = lock_for_edit(conference, expected_version, CONFERENCE_FIELDS)
    held_on = fields.get("held_on")
    kind = str(fields.get("kind") or "")
    attendees = str(fields.get("attendees") or "")
    content = str(fields.get("content") or "")
    errors = _conference_errors(
        stay, held_on=held_on, kind=kind, attendees=attendees, content=content, today=today
    )
    if errors:
        raise ValidationError(errors)
    locked.held_on = held_on
    locked.kind = kind
    locked.place = str(fields.get("place") or "").strip()
    locked.attendees = attendees.strip()
    locked.content = content.strip()
    locked.plan_review_needed = bool(fields.get("plan_review_needed"))
    locked.version += 1
    locked.save()
    refresh_client_months(client_id=stay.client_id, days=[stay.discharged_on], staff=actor.staff)
    support_log_correct_liaison(
        actor=actor,
        client_id=stay.client_id,
        event="discharge_conference",
        source=source_of(locked),
        occurred_on=held_on,
        content="（訂正）" + _conference_summary(locked, stay),
        counterpart=stay.hospital_name,
    )
    return locked


@transaction.atomic
def conference_delete(
    *, actor: Actor, conference: DischargeConference, expected_version: int | None
) -> None:
    """Delete a conference recorded by mistake (version-checked). The discharge month's
    evidence follows and the 第5表 gets a correction saying the record was withdrawn."""
    require_plan_writer(actor)
    stay = HospitalStay.objects.select_for_update().get(pk=conference.stay_id)
    locked = lock_for_edit(conference, expected_version, CONFERENCE_FIELDS)
    source = source_of(locked)
    label = locked.get_kind_display()
    held_on = locked.held_on
    locked.delete()
    refresh_client_months(client_id=stay.client_id, days=[stay.discharged_on], staff=actor.staff)
    support_log_correct_liaison(
        actor=actor,
        client_id=stay.client_id,
        event="discharge_conference",
        source=source,
        occurred_on=held_on,
        content=f"（取消）{wareki_date(held_on)}の{label}（{stay.hospital_name}）の記録は"
        "誤りのため削除しました。",
        counterpart=stay.hospital_name,
    )


def _outpatient_values(
    client: Client, fields: Mapping[str, object], today: dt.date
) -> dict[str, object]:
    """The cleaned values of a 通院時情報連携 (clinic and doctor name filled from the chosen
    doctor when blank); raises ValidationError with field messages."""
    doctor = fields.get("doctor")
    accompanied_on = fields.get("accompanied_on")
    clinic = str(fields.get("clinic") or "").strip() or (doctor.institution_name if doctor else "")
    doctor_name = str(fields.get("doctor_name") or "").strip() or (
        doctor.doctor_name if doctor else ""
    )
    information_given = str(fields.get("information_given") or "").strip()
    information_received = str(fields.get("information_received") or "").strip()
    errors: dict[str, str] = {}
    if accompanied_on is None:
        errors["accompanied_on"] = "同席日を入力してください。"
    _not_future(errors, "accompanied_on", accompanied_on, today)
    if not clinic:
        errors["clinic"] = "医療機関を入力するか、医師を選んでください。"
    if doctor is not None and doctor.office_id != client.office_id:
        errors["doctor"] = "この事業所の医師を選んでください。"
    if not information_given:
        errors["information_given"] = "医師に提供した情報を入力してください。"
    if not information_received:
        errors["information_received"] = "医師から受けた情報を入力してください。"
    if errors:
        raise ValidationError(errors)
    return {
        "accompanied_on": accompanied_on,
        "clinic": clinic,
        "doctor": doctor,
        "doctor_name": doctor_name,
        "information_given": information_given,
        "information_received": information_received,
    }


def _outpatient_summary(liaison: OutpatientLiaison) -> str:
    doctor_name = liaison.doctor_name
    return (
        f"通院に同席（{liaison.clinic}{('・' + doctor_name) if doctor_name else ''}）。"
        f"提供：{liaison.information_given}　受けた情報：{liaison.information_received}"
    )


@transaction.atomic
def outpatient_record(
    *,
    actor: Actor,
    client: Client,
    accompanied_on: dt.date | None,
    clinic: str,
    doctor: Doctor | None,
    doctor_name: str,
    information_given: str,
    information_received: str,
    today: dt.date | None = None,
) -> OutpatientLiaison:
    """通院時情報連携: the care manager went with the client to the doctor, gave and received
    information. The month's 通院時情報連携加算 evidence (once a month) follows."""
    require_plan_writer(actor)
    today = _today(today)
    Client.objects.select_for_update().filter(pk=client.pk).first()
    values = _outpatient_values(
        client,
        {
            "accompanied_on": accompanied_on,
            "clinic": clinic,
            "doctor": doctor,
            "doctor_name": doctor_name,
            "information_given": information_given,
            "information_received": information_received,
        },
        today,
    )
    liaison = OutpatientLiaison.objects.create(client=client, author=actor.staff, **values)
    refresh_client_months(client_id=client.pk, days=[accompanied_on], staff=actor.staff)
    emit(
        "outpatient_liaison",
        client_id=client.pk,
        on=accompanied_on,
        summary=_outpatient_summary(liaison),
        source=liaison,
        actor=actor.staff,
        counterpart=liaison.doctor_name or liaison.clinic,
    )
    return liaison


@transaction.atomic
def outpatient_update(
    *,
    actor: Actor,
    liaison: OutpatientLiaison,
    expected_version: int | None,
    fields: Mapping[str, object],
    today: dt.date | None = None,
) -> OutpatientLiaison:
    """Correct a 通院時情報連携 under the optimistic lock. The 通院時情報連携加算 evidence of the
    old and the new month is recomputed (moving the date across months moves the 加算), and
    the 第5表 gets a correction of the automatic entry."""
    require_plan_writer(actor)
    today = _today(today)
    client = Client.objects.select_for_update().get(pk=liaison.client_id)
    locked = lock_for_edit(liaison, expected_version, OUTPATIENT_FIELDS)
    before = locked.accompanied_on
    for name, value in _outpatient_values(client, fields, today).items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    refresh_client_months(
        client_id=client.pk, days=[before, locked.accompanied_on], staff=actor.staff
    )
    support_log_correct_liaison(
        actor=actor,
        client_id=client.pk,
        event="outpatient_liaison",
        source=source_of(locked),
        occurred_on=locked.accompanied_on,
        content="（訂正）" + _outpatient_summary(locked),
        counterpart=locked.doctor_name or locked.clinic,
    )
    return locked


@transaction.atomic
def outpatient_delete(
    *, actor: Actor, liaison: OutpatientLiaison, expected_version: int | None
) -> None:
    """Delete a 通院時情報連携 recorded by mistake (version-checked); the month's evidence
    follows (another visit of the month becomes the proof, or the 加算 goes)."""
    require_plan_writer(actor)
    Client.objects.select_for_update().filter(pk=liaison.client_id).first()
    locked = lock_for_edit(liaison, expected_version, OUTPATIENT_FIELDS)
    source = source_of(locked)
    accompanied_on = locked.accompanied_on
    clinic = locked.clinic
    counterpart = locked.doctor_name or locked.clinic
    locked.delete()
    refresh_client_months(client_id=locked.client_id, days=[accompanied_on], staff=actor.staff)
    support_log_correct_liaison(
        actor=actor,
        client_id=locked.client_id,
        event="outpatient_liaison",
        source=source,
        occurred_on=accompanied_on,
        content=f"（取消）{wareki_date(accompanied_on)}の通院時情報連携（{clinic}）の記録は"
        "誤りのため削除しました。",
        counterpart=counterpart,
    )
