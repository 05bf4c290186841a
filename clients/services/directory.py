"""Contacts and the directories (providers, doctors, informal resources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Model

from caremgmt.access import Actor, require_writer
from caremgmt.locking import lock_for_edit
from clients.models import (
    Client,
    ClientContact,
    Doctor,
    InformalResource,
    ServiceProvider,
)
from clients.services.common import (
    _clean_fields,
)

# --- contacts and directories ------------------------------------------------------------


_NOT_EDITABLE = {"id", "client", "office", "version"}


def _editable(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in _NOT_EDITABLE)


@transaction.atomic
def contact_save(
    *,
    actor: Actor,
    client: Client,
    contact: ClientContact | None,
    fields: Mapping[str, Any],
    expected_version: int | None = None,
) -> ClientContact:
    """Add a contact, or change one if nobody saved it since `expected_version` was loaded
    (StaleEditError otherwise; nothing written)."""
    require_writer(actor)
    allowed = _editable(ClientContact)
    if contact is not None:
        contact = lock_for_edit(contact, expected_version, allowed)
        contact.version += 1
    contact = contact or ClientContact(client=client)
    for name, value in _clean_fields(fields, allowed).items():
        setattr(contact, name, value)
    contact.save()
    if contact.is_primary_caregiver:
        ClientContact.objects.filter(client=client, is_primary_caregiver=True).exclude(
            pk=contact.pk
        ).update(is_primary_caregiver=False)
    return contact


@transaction.atomic
def contact_delete(*, actor: Actor, contact: ClientContact) -> None:
    require_writer(actor)
    contact.delete()


def _directory_save(
    model: type[Model],
    *,
    actor: Actor,
    instance: Model | None,
    fields: Mapping[str, Any],
    expected_version: int | None,
) -> Model:
    """Register a directory entry, or change one under the optimistic lock."""
    require_writer(actor)
    allowed = _editable(model)
    if instance is not None:
        instance = lock_for_edit(instance, expected_version, allowed)
        instance.version += 1
    instance = instance or model(office=actor.office)
    for name, value in _clean_fields(fields, allowed).items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def provider_save(
    *,
    actor: Actor,
    provider: ServiceProvider | None,
    fields: Mapping[str, Any],
    expected_version: int | None = None,
) -> ServiceProvider:
    return _directory_save(
        ServiceProvider,
        actor=actor,
        instance=provider,
        fields=fields,
        expected_version=expected_version,
    )


@transaction.atomic
def doctor_save(
    *,
    actor: Actor,
    doctor: Doctor | None,
    fields: Mapping[str, Any],
    expected_version: int | None = None,
) -> Doctor:
    return _directory_save(
        Doctor, actor=actor, instance=doctor, fields=fields, expected_version=expected_version
    )


@transaction.atomic
def resource_save(
    *,
    actor: Actor,
    resource: InformalResource | None,
    fields: Mapping[str, Any],
    expected_version: int | None = None,
) -> InformalResource:
    return _directory_save(
        InformalResource,
        actor=actor,
        instance=resource,
        fields=fields,
        expected_version=expected_version,
    )
