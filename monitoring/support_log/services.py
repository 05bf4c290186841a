"""Every write to the 支援経過 (第5表). Entries are append-only: the database refuses UPDATE
and DELETE (trigger `support_log_append_only`), so a correction is a new entry whose
`corrects` points at the old one.

    support_log_write(actor=..., client=..., occurred_on=..., kind=..., content=...)
    support_log_correct(actor=..., original=..., occurred_on=..., content=...)
    support_log_auto(event=..., client_id=..., on=..., summary=..., source=...)  # receiver
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from caremgmt.access import Actor, require_plan_writer
from caremgmt.events import EVENTS
from caremgmt.wareki import wareki_date
from clients.models import Client
from monitoring.models import LogKind, SupportLogEntry

# 種別 offered for an entry written by hand (the segmented control; 電話 first — the most
# common). 計画・利用票・申請・入退院・モニタリング are written by their records automatically.
HAND_KINDS: tuple[str, ...] = (
    LogKind.PHONE,
    LogKind.VISIT,
    LogKind.OFFICE_VISIT,
    LogKind.FAX,
    LogKind.MAIL,
    LogKind.MEETING,
    LogKind.COORDINATION,
    LogKind.HOSPITAL,
    LogKind.OTHER,
)
COUNTERPART_MAX = SupportLogEntry._meta.get_field("counterpart").max_length or 100

FUTURE_MESSAGE = "未来の日付は記録できません（今日は{today}です）。"
BEFORE_INTAKE_MESSAGE = "受付（{floor}）より前の日付は記録できません。"
CONTENT_REQUIRED_MESSAGE = "内容を入力してください。"
KIND_MESSAGE = "種別を選んでください。"
UNCHANGED_MESSAGE = "訂正の内容が元の記録と同じです。訂正した内容を入力してください。"
OTHER_CLIENT_MESSAGE = "別の利用者の記録は訂正できません。"


def client_log_floor(client: Client) -> dt.date:
    """The earliest date an entry may carry: the client's first 相談 (受付) or 契約, or the
    day the client was registered — whichever is earliest (paper records from before the
    registration may be typed in when the first 相談 is recorded)."""
    days = [timezone.localtime(client.created_at).date()] if client.created_at else []
    first = Client.objects.filter(pk=client.pk).aggregate(
        consulted=Min("consultations__consulted_on"), contracted=Min("contracts__contracted_on")
    )
    days += [day for day in first.values() if day is not None]
    return min(days) if days else dt.date.min


def _check(
    *,
    client: Client,
    occurred_on: dt.date | None,
    kind: str,
    content: str,
    allowed_kinds: tuple[str, ...],
    floor: dt.date | None = None,
) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if occurred_on is None:
        errors["occurred_on"] = ["年月日を入力してください。"]
    elif occurred_on > today:
        errors["occurred_on"] = [FUTURE_MESSAGE.format(today=wareki_date(today))]
    else:
        floor = min(client_log_floor(client), floor or dt.date.max)
        if occurred_on < floor:
            errors["occurred_on"] = [BEFORE_INTAKE_MESSAGE.format(floor=wareki_date(floor))]
    if kind not in allowed_kinds:
        errors["kind"] = [KIND_MESSAGE]
    if not content.strip():
        errors["content"] = [CONTENT_REQUIRED_MESSAGE]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def support_log_write(
    *,
    actor: Actor,
    client: Client,
    occurred_on: dt.date | None,
    kind: str,
    content: str,
    occurred_at: dt.time | None = None,
    counterpart: str = "",
) -> SupportLogEntry:
    """A hand-written entry (訪問, 電話 …) by a care manager (`require_plan_writer`: the
    第5表 is the 介護支援専門員's record; 事務 and 監査 read it only)."""
    require_plan_writer(actor)
    _check(
        client=client, occurred_on=occurred_on, kind=kind, content=content, allowed_kinds=HAND_KINDS
    )
    return SupportLogEntry.objects.create(
        client=client,
        occurred_on=occurred_on,
        occurred_at=occurred_at,
        kind=kind,
        counterpart=counterpart.strip()[:COUNTERPART_MAX],
        content=content.strip(),
        author=actor.staff,
    )


@transaction.atomic
def support_log_correct(
    *,
    actor: Actor,
    original: SupportLogEntry,
    occurred_on: dt.date | None,
    content: str,
    kind: str | None = None,
    occurred_at: dt.time | None = None,
    counterpart: str = "",
) -> SupportLogEntry:
    """訂正: a new entry for the same client with `corrects=original`; the original is never
    touched. Any entry may be corrected, a correction too (a chain), and an automatic entry
    (the correction itself is then a hand entry, keeping the original's 種別)."""
    require_plan_writer(actor)
    client = original.client
    kind = kind or original.kind
    _check(
        client=client,
        occurred_on=occurred_on,
        kind=kind,
        content=content,
        allowed_kinds=(*HAND_KINDS, original.kind),
        floor=original.occurred_on,  # an older (e.g. automatic) entry may be re-dated
    )
    if (
        content.strip() == original.content
        and occurred_on == original.occurred_on
        and occurred_at == original.occurred_at
        and kind == original.kind
        and counterpart.strip() == original.counterpart
    ):
        raise ValidationError({"content": [UNCHANGED_MESSAGE]})
    return SupportLogEntry.objects.create(
        client=client,
        occurred_on=occurred_on,
        occurred_at=occurred_at,
        kind=kind,
        counterpart=counterpart.strip()[:COUNTERPART_MAX],
        content=content.strip(),
        author=actor.staff,
        corrects=original,
    )


def support_log_auto(
    *,
    event: str,
    client_id: int,
    on: dt.date,
    summary: str,
    source: str,
    actor: Any = None,
    counterpart: str = "",
) -> None:
    """The automatic entry of one client event (caremgmt.events), written once per
    (client, event, source) — re-running the caller's service leaves the existing entry.
    Runs inside the caller's transaction (a rolled-back change leaves no entry). The
    author is the staff member who acted, or the client's care manager for the system.

    One statement: INSERT … ON CONFLICT DO NOTHING against the partial unique index
    `support_log_event_once`, so a repeat (or a concurrent twin) writes nothing and costs
    the caller's service a single query."""
    kind = EVENTS[event]
    if kind is None:  # an office step for the work queue only (caremgmt.events)
        return
    staff = getattr(actor, "staff", actor)  # an Actor or a Staff
    if staff is None:
        staff = Client.objects.select_related("care_manager").get(pk=client_id).care_manager
    SupportLogEntry.objects.bulk_create(
        [
            SupportLogEntry(
                client_id=client_id,
                event=event,
                source=source,
                occurred_on=on,
                kind=kind,
                counterpart=(counterpart or "").strip()[:COUNTERPART_MAX],
                content=summary.strip() or EVENT_LABELS.get(event, event),
                author=staff,
            )
        ],
        ignore_conflicts=True,
    )


EVENT_LABELS: dict[str, str] = {
    "plan_confirmed": "居宅サービス計画の確定（説明・同意・交付）",
    "plan_minor_change": "居宅サービス計画の軽微な変更",
    "meeting_held": "サービス担当者会議の開催",
    "ticket_delivered": "サービス利用票の交付",
    "monitoring_recorded": "モニタリングの記録",
    "evaluation_recorded": "評価表の記録",
    "application_filed": "要介護認定の申請",
    "admitted": "入院",
    "admission_info_provided": "入院時情報提供書の提供",
    "discharged": "退院",
    "discharge_conference": "退院前カンファレンス",
    "outpatient_liaison": "通院時情報連携",
}
