"""テレビ電話 monitoring consent: record it, correct it, end it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from caremgmt.access import Actor, require_plan_writer
from caremgmt.locking import lock_for_edit
from clients.models import Client
from monitoring.models import VideoMonitoringConsent

CONSENT_FIELDS = (
    "consented_on",
    "consented_by",
    "meeting",
    "agreed_on",
    "agreement_note",
    "ended_on",
    "end_reason",
)


def _check(client: Client, fields: Mapping[str, Any], today: dt.date) -> None:
    errors: dict[str, str] = {}
    consented_on = fields["consented_on"]
    if consented_on > today:
        errors["consented_on"] = "同意日に未来の日付は入力できません。"
    meeting = fields.get("meeting")
    if meeting is not None and meeting.plan.client_id != client.pk:
        errors["meeting"] = "この利用者の担当者会議を選んでください。"
    agreed_on = fields.get("agreed_on")
    if agreed_on is not None and agreed_on > today:
        errors["agreed_on"] = "合意日に未来の日付は入力できません。"
    ended_on = fields.get("ended_on")
    if ended_on is not None:
        if ended_on < consented_on:
            errors["ended_on"] = "終了日は同意日以降の日付にしてください。"
        elif ended_on > today:
            errors["ended_on"] = "終了日に未来の日付は入力できません。"
        if not (fields.get("end_reason") or "").strip():
            errors["end_reason"] = "終了の理由を入力してください（例：状態の変化）。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consent_save(
    *,
    actor: Actor,
    client: Client,
    fields: Mapping[str, Any],
    consent: VideoMonitoringConsent | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> VideoMonitoringConsent:
    """Record a new consent (only while none is active) or correct/end an existing one
    (optimistic lock: StaleEditError when someone saved it since it was loaded)."""
    require_plan_writer(actor)
    today = today or timezone.localdate()
    Client.objects.select_for_update().get(pk=client.pk)
    if consent is not None:
        consent = lock_for_edit(consent, expected_version, CONSENT_FIELDS)
        consent.version += 1
    else:
        active = VideoMonitoringConsent.objects.filter(client=client).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=today)
        )
        if active.exists():
            raise ValidationError(
                {
                    "__all__": "有効な同意が既にあります。変更・終了はその同意の画面で行ってください。"
                }
            )
        consent = VideoMonitoringConsent(client=client, created_by=actor.staff)
    _check(client, fields, today)
    for name in CONSENT_FIELDS:
        if name in fields:
            setattr(consent, name, fields[name])
    consent.save()
    return consent
