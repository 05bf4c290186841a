"""申請代行 (certification applications)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from caremgmt.access import Actor, require_writer
from caremgmt.events import emit
from caremgmt.locking import lock_for_edit
from clients.models import (
    ApplicationStatus,
    CertificationApplication,
    Client,
)
from clients.services.common import (
    _clean_fields,
    _lock_client,
)

# --- applications (申請代行) ------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    actor: Actor,
    client: Client,
    kind: str,
    applied_on: dt.date,
    survey_on: dt.date | None = None,
    notes: str = "",
) -> CertificationApplication:
    require_writer(actor)
    _lock_client(client)
    if CertificationApplication.objects.filter(
        client=client, status=ApplicationStatus.PENDING
    ).exists():
        raise ValidationError("結果待ちの申請があります。先にその結果を記録してください。")
    application = CertificationApplication.objects.create(
        client=client,
        kind=kind,
        applied_on=applied_on,
        survey_on=survey_on,
        submitted_by=actor.staff,
        notes=notes,
    )
    emit(
        "application_filed",
        client_id=client.pk,
        on=applied_on,
        summary=f"要介護認定の申請（{application.get_kind_display()}）を代行した。",
        source=application,
        actor=actor.staff,
    )
    return application


@transaction.atomic
def application_update(
    *,
    actor: Actor,
    application: CertificationApplication,
    fields: Mapping[str, Any],
    expected_version: int | None = None,
) -> CertificationApplication:
    """Record the 認定調査日 and the outcome (認定済/非該当/取下げ), if nobody saved the
    application since `expected_version` was loaded (StaleEditError otherwise)."""
    require_writer(actor)
    allowed = ("survey_on", "status", "decided_on", "notes")
    application = lock_for_edit(application, expected_version, allowed)
    application.version += 1
    for name, value in _clean_fields(fields, allowed).items():
        setattr(application, name, value)
    if application.status != ApplicationStatus.PENDING and application.decided_on is None:
        raise ValidationError({"decided_on": "結果通知日を入力してください。"})
    if application.decided_on and application.decided_on < application.applied_on:
        raise ValidationError({"decided_on": "結果通知日は申請日以降の日付にしてください。"})
    application.save()
    return application
