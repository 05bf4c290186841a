"""Writes to the client record: 相談, 契約, edits under the optimistic lock, status changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from caremgmt.access import Actor, require_writer
from clients.kana import client_search_kana
from clients.models import (
    Client,
    ClientStatus,
    Consultation,
    Contract,
    PlanRequestFiling,
)
from clients.selectors import duplicate_client
from clients.services.common import (
    CLIENT_EDITABLE_FIELDS,
    DuplicateClientError,
    EditConflictError,
    FieldChange,
    _clean_fields,
    _display,
    _lock_client,
)

# --- the client record -------------------------------------------------------------------


@transaction.atomic
def consultation_record(
    *,
    actor: Actor,
    client_fields: Mapping[str, Any],
    consulted_on: dt.date,
    route: str,
    route_detail: str,
    chief_complaint: str,
) -> Client:
    """初回相談: register the person as 相談中 with the consultation that brought them."""
    require_writer(actor)
    fields = _clean_fields(client_fields, CLIENT_EDITABLE_FIELDS)
    fields.setdefault("care_manager", actor.staff)
    existing = duplicate_client(
        office_id=actor.office.pk,
        insurer_number=fields.get("insurer_number", ""),
        insured_number=fields.get("insured_number", ""),
    )
    if existing is not None:
        raise DuplicateClientError(existing)
    client = Client(
        office=actor.office,
        status=ClientStatus.CONSULTING,
        status_changed_on=consulted_on,
        search_kana=client_search_kana(
            name=fields.get("name", ""), name_kana=fields.get("name_kana", "")
        ),
        **fields,
    )
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as error:  # a concurrent registration won the race
        existing = duplicate_client(
            office_id=actor.office.pk,
            insurer_number=client.insurer_number,
            insured_number=client.insured_number,
        )
        if existing is None:
            raise
        raise DuplicateClientError(existing) from error
    Consultation.objects.create(
        client=client,
        consulted_on=consulted_on,
        route=route,
        route_detail=route_detail,
        chief_complaint=chief_complaint,
        taken_by=actor.staff,
    )
    return client


@transaction.atomic
def consultation_add(
    *,
    actor: Actor,
    client: Client,
    consulted_on: dt.date,
    route: str,
    route_detail: str,
    chief_complaint: str,
) -> Consultation:
    """A further 相談 for a known client (e.g. before re-contracting)."""
    require_writer(actor)
    return Consultation.objects.create(
        client=client,
        consulted_on=consulted_on,
        route=route,
        route_detail=route_detail,
        chief_complaint=chief_complaint,
        taken_by=actor.staff,
    )


def _changes_since(client: Client, loaded_version: int, current: Client) -> list[FieldChange]:
    """Fields whose value differs between the version the user loaded and the current row,
    read from the pghistory event written when `loaded_version` was saved."""
    event = client.events.filter(version=loaded_version).order_by("-pgh_id").first()
    if event is None:
        return []
    changes = []
    for name in (*CLIENT_EDITABLE_FIELDS, "status"):
        field = Client._meta.get_field(name)
        now = _display(current, name)
        before_value = getattr(event, field.attname)
        if before_value == getattr(current, field.attname):
            continue
        loaded = Client(**{field.attname: before_value})
        changes.append(FieldChange(name, str(field.verbose_name), _display(loaded, name), now))
    return changes


@transaction.atomic
def client_update(
    *, actor: Actor, client: Client, expected_version: int, fields: Mapping[str, Any]
) -> Client:
    """Save an edit only if nobody saved since `expected_version` was loaded.

    1. Refuse a duplicate 保険者番号 + 被保険者番号.
    2. UPDATE ... WHERE id = %s AND version = expected_version, incrementing the version.
    3. 0 rows → EditConflictError listing what the other person changed; nothing written.
    """
    require_writer(actor)
    values = _clean_fields(fields, CLIENT_EDITABLE_FIELDS)
    merged = {
        "insurer_number": values.get("insurer_number", client.insurer_number),
        "insured_number": values.get("insured_number", client.insured_number),
    }
    existing = duplicate_client(office_id=client.office_id, exclude_pk=client.pk, **merged)
    if existing is not None:
        raise DuplicateClientError(existing)
    values["search_kana"] = client_search_kana(
        name=values.get("name", client.name), name_kana=values.get("name_kana", client.name_kana)
    )
    updated = Client.objects.filter(pk=client.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if updated == 0:
        current = Client.objects.select_related(
            "care_manager", "deputy_care_manager", "primary_doctor"
        ).get(pk=client.pk)
        raise EditConflictError(current, _changes_since(client, expected_version, current))
    return Client.objects.get(pk=client.pk)


@transaction.atomic
def client_contract(
    *,
    actor: Actor,
    client: Client,
    contracted_on: dt.date,
    important_matters_explained: bool,
    personal_info_consent: bool,
    notes: str = "",
) -> Contract:
    """契約: 相談中 (or 終了, re-contracting) → 契約中. Works without a certification
    (申請中): the plan is then provisional and the client page says so."""
    require_writer(actor)
    locked = _lock_client(client)
    if locked.status in (ClientStatus.CONTRACTED, ClientStatus.HOSPITALIZED):
        raise ValidationError("この利用者は既に契約中です。")
    if not important_matters_explained:
        raise ValidationError(
            {"important_matters_explained": "契約の前に重要事項説明を行い、同意を得てください。"}
        )
    contract = Contract.objects.create(
        client=locked,
        contracted_on=contracted_on,
        important_matters_explained=True,
        personal_info_consent=personal_info_consent,
        notes=notes,
        created_by=actor.staff,
    )
    Client.objects.filter(pk=locked.pk).update(
        status=ClientStatus.CONTRACTED,
        status_changed_on=contracted_on,
        end_reason="",
        end_note="",
        version=F("version") + 1,
    )
    return contract


ALLOWED_STATUS_CHANGES = {
    ClientStatus.CONTRACTED: {ClientStatus.HOSPITALIZED, ClientStatus.ENDED},
    ClientStatus.HOSPITALIZED: {ClientStatus.CONTRACTED, ClientStatus.ENDED},
    ClientStatus.CONSULTING: {ClientStatus.ENDED},
    ClientStatus.ENDED: set(),
}


@transaction.atomic
def client_change_status(
    *,
    actor: Actor,
    client: Client,
    status: str,
    changed_on: dt.date,
    end_reason: str = "",
    end_note: str = "",
) -> Client:
    """入院中 / 退院 (契約中) / 終了 with reason and date. Re-opening goes through a contract."""
    require_writer(actor)
    locked = _lock_client(client)
    if status not in ALLOWED_STATUS_CHANGES[ClientStatus(locked.status)]:
        raise ValidationError(
            {
                "status": f"「{locked.get_status_display()}」から"
                f"「{ClientStatus(status).label}」には変更できません。"
            }
        )
    if status == ClientStatus.ENDED and not end_reason:
        raise ValidationError({"end_reason": "終了理由を選んでください。"})
    Client.objects.filter(pk=locked.pk).update(
        status=status,
        status_changed_on=changed_on,
        end_reason=end_reason if status == ClientStatus.ENDED else "",
        end_note=end_note if status == ClientStatus.ENDED else "",
        version=F("version") + 1,
    )
    if status == ClientStatus.ENDED:
        Contract.objects.filter(client=locked, ended_on__isnull=True).update(ended_on=changed_on)
        PlanRequestFiling.objects.current().filter(client=locked, ended_on__isnull=True).update(
            ended_on=changed_on
        )
    return Client.objects.get(pk=locked.pk)
