"""退院前カンファレンス / 面談 and 通院時情報連携: record, correct and delete (re-exported by
monitoring.hospital.services, whose rules they follow: keyword-only, one transaction each,
field messages in `ValidationError`, `StaleEditError` for a stale version). Every change
refreshes the 加算 evidence of the month(s) it touches; a correction or deletion writes a
第5表 訂正 entry pointing at the automatic entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from caremgmt.access import Actor, require_plan_writer
from caremgmt.events import emit, source_of
from caremgmt.locking import lock_for_edit
from caremgmt.wareki import wareki_date
from clients.models import Client, Doctor, HospitalStay
from monitoring.hospital.checks import FUTURE_MESSAGE
from monitoring.hospital.checks import not_future as _not_future
from monitoring.hospital.checks import today_or as _today
from monitoring.hospital.evidence import refresh_client_months
from monitoring.hospital.support_log_corrections import support_log_correct_liaison
from monitoring.models import DischargeConference, OutpatientLiaison
from monitoring.models.hospital import ConferenceKind

CONFERENCE_FIELDS = ("held_on", "kind", "place", "attendees", "content", "plan_review_needed")
OUTPATIENT_FIELDS = (
    "accompanied_on",
    "clinic",
    "doctor",
    "doctor_name",
    "information_given",
    "information_received",
)


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
